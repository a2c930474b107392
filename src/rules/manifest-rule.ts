import type { JsonFile } from '../artifacts/json-file.js'
import type { Manifest, ParsedManifest } from '../artifacts/manifest.js'
import type { TextConfig } from '../artifacts/model-config.js'
import type { TargetKind } from '../artifacts/model-artifacts.js'
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
 * Adapters a manifest's `adapters` list has checked, the first this many: each is a repository on the
 * Hub (its listing, its adapter_config.json, a header). An endpoint serves a few adapters; a list
 * longer than this is said to be checked in part (EP601).
 */
export const MANIFEST_ADAPTERS_LIMIT = 20

/**
 * The chat template file a manifest's `chatTemplate` names, as the check found it: read (UTF-8 text,
 * at most TEMPLATE_FILE_LIMIT), or why it was not. `path` is the file relative to the manifest's folder.
 */
export type ManifestTemplateFile =
  | { state: 'read'; path: string; text: string }
  /** An absolute path, or one with a drive or backslashes: not a file of the repository. */
  | { state: 'absolute' }
  /** It resolves outside the repository: by `..`, or through a link (`link`). */
  | { state: 'outside'; link: boolean }
  | { state: 'missing'; path: string }
  | { state: 'not-file'; path: string }
  | { state: 'too-large'; path: string; bytes: number; limit: number }
  /** Not UTF-8 text, or with NUL bytes: not a template. */
  | { state: 'binary'; path: string; why: string }

/** The LoRA adapter an entry of `adapters` names, as its check (the model rules) read it. */
export interface ManifestAdapter {
  /** `hf://org/name@<commit>`, or the local folder that stands for it. */
  display: string
  /** hfAdapterRepo as the manifest writes it. */
  repo: string
  /** The commit the Hub resolved the revision to; undefined for a local folder. */
  sha?: string
  /** An adapter has adapter_config.json at its root; a model repo does not. */
  kind: TargetKind
  adapterConfig: JsonFile
}

/** What became of one entry of `adapters` (the first MANIFEST_ADAPTERS_LIMIT). */
export type ManifestAdapterCheck =
  | { state: 'checked'; adapter: ManifestAdapter }
  | { state: 'refused'; refused: ManifestModelRefusal }
  /** Not named by a Hub id (EP601 says why), or its check could not read it ("could not check"). */
  | { state: 'unchecked' }

/**
 * What a manifest rule may read, declared in `meta.reads` (the docs say it in words):
 * - `file`: the manifest's bytes as they parsed, or why they did not (EP101);
 * - `body`: the manifest as an object, the body it is and the schema's issues with it;
 * - `model`: the model hfModelRepo names, as its model check read it, or the Hub's refusal to open it;
 * - `template`: the chat template file `chatTemplate` names, read inside the repository or why not;
 * - `adapters`: what each entry of `adapters` names, as its check read it, or the Hub's refusal.
 */
export const MANIFEST_INPUTS = ['file', 'body', 'model', 'template', 'adapters'] as const
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
  /** The file `chatTemplate` names, when the manifest names one as a string. */
  template: ManifestTemplateFile | undefined
  /** Each entry of `adapters` checked, by its index; empty without the list. */
  adapters: readonly ManifestAdapterCheck[]
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
