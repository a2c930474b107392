// A deployment manifest's check: the file read (bounded, inside the workspace) and parsed with
// positions, the model it names (hfModelRepo at hfModelRepoRevision) checked by the model rules through
// the same source and token as a model target, and the manifest rules run on both. The model's
// findings are put on the line of hfModelRepo, each saying which file of the model it is about, so a
// pull request that changes only the manifest shows them in its diff.
//
// A revision or repo the Hub does not have is a finding on its line (EP202, EP201), not "could not
// check": the manifest is wrong whatever token Friendli holds. Later checks have their place here: a chat
// template beside the manifest, a LoRA adapter named by the manifest (the model check's kind).
import path from 'node:path'
import {
  MANIFEST_LIMITS,
  manifestOf,
  parseManifest,
  tooLarge,
  type ParsedManifest,
} from './artifacts/manifest.js'
import { SourceError, describeError } from './common/errors.js'
import type { Finding, Location } from './common/finding.js'
import { runManifestRules } from './engine/run-manifest.js'
import { runModelCheck, type RunOptions } from './engine/run-model.js'
import type { ManifestModel, ManifestModelRefusal } from './rules/manifest-rule.js'
import { manifestRules, modelRules } from './rules/registry.js'
import { stringAt, where } from './rules/utils/manifest.js'
import { repoRef, revisionRef } from './rules/utils/model-repo.js'
import type { Settings, TargetSpec } from './settings.js'
import { formatHubRef, type HubRef } from './sources/hub-ref.js'
import { readFileWithin } from './sources/local.js'
import type { Source } from './sources/source.js'

/**
 * Distinct models a run checks for its manifests. Each costs a model check on the Hub (its listing,
 * its small files, one range request per safetensors header); many manifests naming one model cost one.
 */
export const MANIFEST_MODELS_LIMIT = 100

/**
 * MR701 sizes a model against the instance it would need; a manifest names its instance, and EP302
 * sizes the model against that one, with the manifest's context and batch size: MR701 would say less.
 */
const MODEL_RULES = modelRules.filter((r) => r.meta.id !== 'MR701')

/** The model named by a manifest, as the JSON report gives it. */
export interface ManifestModelInfo {
  /** hfModelRepo, or the local folder that stands for it. */
  ref: string
  source: 'local' | 'hub'
  /** The commit the Hub resolved the revision to; null for a local folder. */
  revision: string | null
}

/** One model check, shared by the manifests that name the same repo and revision. */
interface CheckedModel {
  info: ManifestModelInfo
  model: ManifestModel
  findings: Finding[]
}

/** Opens a model the way a model target is opened (check.ts): the hub and its token, or a folder. */
export type OpenModel = (spec: TargetSpec) => Promise<{ source: Source; sha?: string }>

/** The model checks of one run, by repo and revision (or folder). */
export type ModelChecks = Map<string, Promise<CheckedModel>>

export interface ManifestResult {
  findings: Finding[]
  model?: ManifestModelInfo
  /** Why the target could not be checked whole: its model could not be read. */
  error?: string
}

export async function checkManifest(
  spec: TargetSpec,
  settings: Settings,
  options: RunOptions,
  openModel: OpenModel,
  checks: ModelChecks,
): Promise<ManifestResult> {
  const file = spec.file!
  const read = await readFileWithin(path.join(spec.root, file), spec.ref, spec.within, MANIFEST_LIMITS.bytes)
  const parsed: ParsedManifest =
    'tooLarge' in read ? tooLarge(file, read.tooLarge) : parseManifest(file, read.bytes)
  const named = namedModel(parsed, settings)
  let checked: CheckedModel | undefined
  let error: string | undefined
  let refused: ManifestModelRefusal | undefined
  if (named) {
    const known = checks.get(named.key)
    if (!known && checks.size >= MANIFEST_MODELS_LIMIT)
      error = `its model ${named.shown} was not checked: a run checks at most ${MANIFEST_MODELS_LIMIT} distinct models named by manifests (check the manifests in parts)`
    else {
      const check = known ?? checkModel(named, spec, options, openModel)
      checks.set(named.key, check)
      try {
        checked = await check
      } catch (e) {
        if (!(e instanceof SourceError)) throw e
        refused = refusal(e, named)
        if (!refused) {
          const line = named.line === undefined ? '' : `, line ${named.line}`
          error = `its model ${named.shown} (hfModelRepo${line}) could not be checked: ${describeError(e)}${accessAdvice(e, named)}`
        }
      }
    }
  }
  const own = runManifestRules(parsed, checked?.model, manifestRules, options, refused)
  const onRepoLine = named?.at
  const fromModel =
    checked && onRepoLine ? checked.findings.map((f) => relocate(f, checked.model.display, onRepoLine)) : []
  return {
    findings: [...own, ...fromModel],
    ...(checked
      ? { model: checked.info }
      : named
        ? {
            model: {
              ref: named.local ? named.shown : named.hub.repo,
              source: named.local ? 'local' : 'hub',
              revision: null,
            },
          }
        : {}),
    ...(error ? { error } : {}),
  }
}

/** Why the Hub refused the model (sources/hub.ts HubRefusal; not imported, so the hub client stays lazy). */
const reasonOf = (e: SourceError): string | undefined => (e as SourceError & { reason?: string }).reason

/** A revision or repo the Hub does not have, for EP202 and EP201 to put on its line. */
function refusal(e: SourceError, named: NamedModel): ManifestModelRefusal | undefined {
  const reason = reasonOf(e)
  // Without hfModelRepoRevision, main is missing: no line to put it on, so "could not check" says it.
  if (reason === 'revision' && !named.hub.revision) return undefined
  return !named.local && (reason === 'revision' || reason === 'repo')
    ? { reason, message: e.message }
    : undefined
}

/**
 * What Friendli's FAQ asks of a private or gated model, and how to give this check a token, when the Hub
 * would not let it read the model (https://friendli.ai/docs/guides/dedicated_endpoints/faq).
 */
function accessAdvice(e: SourceError, named: NamedModel): string {
  if (reasonOf(e) !== 'access') return ''
  return ` Friendli reads a private or gated model with the Hugging Face token integrated in Friendli Suite: "please make sure the token has view permission for the repository you'd like to use." (https://friendli.ai/docs/guides/dedicated_endpoints/faq). To check it here, give this check a token with view permission for ${named.hub.repo}: the hf-token input of the action, or HF_TOKEN for the CLI.`
}

interface NamedModel {
  key: string
  /** As messages name it before it is opened. */
  shown: string
  hub: HubRef
  /** The folder that stands for the repo (local-models). */
  local?: string
  at: Location
  line?: number
}

/**
 * The model a manifest names, when the EP2xx rules accept the reference: an org/name id (or a legacy
 * bare name, which the Hub redirects), at a revision any Hub ref can be. A URL or a broken revision is
 * their finding, and nothing is fetched for it.
 */
function namedModel(parsed: ParsedManifest, settings: Settings): NamedModel | undefined {
  const manifest = manifestOf(parsed)
  if (!manifest) return undefined
  const value = stringAt(manifest, '/hfModelRepo')
  if (value === undefined) return undefined
  const ref = repoRef(value)
  if (ref.kind !== 'id' && ref.kind !== 'bare') return undefined
  const revisionValue = stringAt(manifest, '/hfModelRepoRevision')
  if (revisionValue !== undefined && revisionRef(revisionValue).kind === 'invalid') return undefined
  const hub: HubRef = { repo: ref.repo, ...(revisionValue ? { revision: revisionValue } : {}) }
  const local = settings.localModels?.get(ref.repo)
  const at = where(manifest.doc, '/hfModelRepo')
  return {
    key: local ? `local:${local}` : `hub:${formatHubRef(hub)}`,
    shown: local
      ? path.relative(settings.workspace, local).split(path.sep).join('/') || '.'
      : formatHubRef(hub),
    hub,
    ...(local ? { local } : {}),
    at,
    ...(at.line !== undefined ? { line: at.line } : {}),
  }
}

/** The model's check: its findings by the model rules, and what the manifest rules size it by. */
async function checkModel(
  named: NamedModel,
  manifest: TargetSpec,
  options: RunOptions,
  openModel: OpenModel,
): Promise<CheckedModel> {
  const spec: TargetSpec = named.local
    ? {
        kind: 'model',
        ref: named.shown,
        source: 'local',
        root: named.local,
        ...(manifest.within ? { within: manifest.within } : {}),
      }
    : { kind: 'model', ref: formatHubRef(named.hub), source: 'hub', root: manifest.root, hub: named.hub }
  const { source, sha } = await openModel(spec)
  const { findings, artifacts } = await runModelCheck(source, MODEL_RULES, options, [
    'tensors',
    'textConfig',
    'tokenizerConfig',
  ])
  const display = sha ? `hf://${named.hub.repo}@${sha}` : named.shown
  return {
    info: {
      ref: named.local ? named.shown : named.hub.repo,
      source: named.local ? 'local' : 'hub',
      revision: sha ?? null,
    },
    model: { display, repo: named.hub.repo, ...(sha ? { sha } : {}), ...artifacts },
    findings,
  }
}

/**
 * A model's finding on the manifest's hfModelRepo line: its message led by the file and line of the
 * model it is about (`hf://org/name@<sha>/config.json:3:5: …`), everything else kept.
 */
function relocate(f: Finding, model: string, at: Location): Finding {
  const { path: file, line, column } = f.location
  const where = `${file === '.' ? model : `${model}/${file}`}${line !== undefined ? `:${line}${column !== undefined ? `:${column}` : ''}` : ''}`
  return { ...f, message: `${where}: ${f.message}`, location: { ...at } }
}
