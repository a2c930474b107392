import type { JsonFile } from '../artifacts/json-file.js'
import type { Manifest, ParsedManifest } from '../artifacts/manifest.js'
import type { TextConfig } from '../artifacts/model-config.js'
import type { TensorTable } from '../artifacts/tensors.js'
import type { Location } from '../common/finding.js'
import type { AnyMessages, RuleMeta } from './model-rule.js'

type DataOf<S> = S extends { text: (data: infer D) => string } ? D : never

/**
 * The model a manifest names (hfModelRepo), as its model check read it: what the fit and context rules
 * size it by. Later rules read more of it (the revision the Hub resolved, an adapter's base) from here.
 */
export interface ManifestModel {
  /** How messages name it: `hf://org/name@<commit>`, or the local folder that stands for it. */
  display: string
  /** hfModelRepo as the manifest writes it. */
  repo: string
  /** The commit the Hub resolved the revision to; undefined for a local folder. */
  sha?: string
  /** Its safetensors tensors, when the set is complete (artifacts/tensors.ts). */
  tensors: TensorTable | undefined
  textConfig: TextConfig | undefined
  tokenizerConfig: JsonFile
}

/** Why the Hub would not open the model: the revision, or the repository, it does not have (or show). */
export interface ManifestModelRefusal {
  reason: 'revision' | 'repo'
  /** The Hub client's message (sources/hub.ts): names the repo and revision, never the token. */
  message: string
}

/**
 * What a manifest rule may read, declared in `meta.reads` (the docs say it in words):
 * - `file`: the manifest's bytes as they parsed, or why they did not (EP101);
 * - `body`: the manifest as an object, the body it is and the schema's issues with it;
 * - `model`: the model hfModelRepo names, as its model check read it, or the Hub's refusal to open it.
 */
export const MANIFEST_INPUTS = ['file', 'body', 'model'] as const
export type ManifestInput = (typeof MANIFEST_INPUTS)[number]

export interface ManifestContext<M extends AnyMessages> {
  /** The file as it parsed; a problem when it did not. */
  file: ParsedManifest
  /** The manifest when it is an object; undefined otherwise (EP101 says why). */
  manifest: Manifest | undefined
  /** The model it names, when one was checked; undefined otherwise. */
  model: ManifestModel | undefined
  /** Why the Hub would not open the model, when it said the revision or repo does not exist. */
  refused: ManifestModelRefusal | undefined
  /** A function, not a method: rules destructure it (`check({ manifest, report })`). */
  report: <K extends keyof M & string>(key: K, data: DataOf<M[K]>, location: Location) => void
}

export interface ManifestRule<M extends AnyMessages = any> {
  meta: RuleMeta<M> & {
    /** What the rule reads (see MANIFEST_INPUTS), in that order. */
    reads: readonly ManifestInput[]
  }
  /** Pure: no I/O, no @actions/core. Everything comes from ctx. */
  check(ctx: ManifestContext<M>): void
}

/** Identity at run time; at compile time it ties `report` keys and data to `messages`. */
export function defineManifestRule<M extends AnyMessages>(rule: ManifestRule<M>): ManifestRule<M> {
  return rule
}
