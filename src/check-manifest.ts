// A deployment manifest's check: the file read (bounded, inside the workspace) and parsed with
// positions, the model it names (hfModelRepo at hfModelRepoRevision) checked by the model rules through
// the same source and token as a model target, and the manifest rules run on both. The model's
// findings are put on the line of hfModelRepo, each saying which file of the model it is about, so a
// pull request that changes only the manifest shows them in its diff.
//
// A revision or repo the Hub does not have is a finding on its line (EP202, EP201), not "could not
// check": the manifest is wrong whatever token Friendli holds.
//
// Two preflight-only keys name what Friendli Suite sets beside the body: `chatTemplate`, a Jinja file
// read inside the repository only (a path out of it, absolute or through a link, is EP501's finding,
// never a read), checked by the model's chat template rules (MR5xx) with the model's tokenizer and
// stop tokens, its findings on the chatTemplate line; and `adapters`, each checked as a model target
// is (the adapter rules, MR6xx, on the Hub or a local-models folder), its findings on its entry's line.
import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import {
  MANIFEST_LIMITS,
  manifestOf,
  parseManifest,
  tooLarge,
  type ParsedManifest,
} from './artifacts/manifest.js'
import { templatesFromFile } from './artifacts/chat-templates.js'
import { TEMPLATE_FILE_LIMIT } from './artifacts/chat-templates.js'
import { firstInvalidUtf8 } from './common/text.js'
import { SourceError, describeError } from './common/errors.js'
import type { Finding, Location } from './common/finding.js'
import { runManifestRules } from './engine/run-manifest.js'
import { runModelCheck, type RunOptions } from './engine/run-model.js'
import {
  MANIFEST_ADAPTERS_LIMIT,
  type ManifestAdapter,
  type ManifestAdapterCheck,
  type ManifestModel,
  type ManifestModelRefusal,
  type ManifestTemplateFile,
} from './rules/manifest-rule.js'
import { manifestRules, modelRules } from './rules/registry.js'
import { keyName, stringAt, valueAt, where } from './rules/utils/manifest.js'
import { repoRef, revisionRef } from './rules/utils/model-repo.js'
import type { Manifest } from './artifacts/manifest.js'
import type { ModelArtifacts } from './artifacts/model-artifacts.js'
import type { Settings, TargetSpec } from './settings.js'
import { formatHubRef, type HubRef } from './sources/hub-ref.js'
import { readFileWithin } from './sources/local.js'
import { memorySource } from './sources/memory.js'
import type { Source } from './sources/source.js'

/**
 * Distinct repositories a run checks for its manifests: the models they name and their adapters. Each
 * costs a check on the Hub (its listing, its small files, one range request per safetensors header);
 * many manifests naming one repository cost one.
 */
export const MANIFEST_MODELS_LIMIT = 100

/**
 * MR701 sizes a model against the instance it would need; a manifest names its instance, and EP302
 * sizes the model against that one, with the manifest's context and batch size: MR701 would say less.
 */
const MODEL_RULES = modelRules.filter((r) => r.meta.id !== 'MR701')

/** The rules an adapter a manifest names is checked by: those that apply to a LoRA adapter. */
const ADAPTER_RULES = modelRules.filter((r) => r.meta.appliesTo?.includes('adapter'))

/**
 * The chat template rules a manifest's own template is checked by, as a model's chat_template.jinja
 * is: syntax, the smoke renders, their limits, the format, generation blocks; and, with the model's
 * tokenizer and stop tokens, the stop token and the special tokens it writes. MR501 (no template) and
 * MR507 (where a model keeps it) are about a model's files, not a manifest's.
 */
const TEMPLATE_RULES = modelRules.filter((r) =>
  ['MR502', 'MR503', 'MR504', 'MR505', 'MR506', 'MR508', 'MR509'].includes(r.meta.id),
)
/** Those that need the model's tokenizer and special tokens: not run on a template without its model. */
const WITH_MODEL = new Set(['MR504', 'MR505'])

/** What the template rules read of the model, kept from its check (not read again per manifest). */
const TEMPLATE_INPUTS = ['specialTokens', 'tokenizerJson', 'generationConfig', 'config'] as const
type TemplateInputs = Pick<ModelArtifacts, (typeof TEMPLATE_INPUTS)[number]>

/** The model named by a manifest, as the JSON report gives it. */
export interface ManifestModelInfo {
  /** hfModelRepo, or the local folder that stands for it. */
  ref: string
  source: 'local' | 'hub'
  /** The commit the Hub resolved the revision to; null for a local folder. */
  revision: string | null
}

/** One check of a model, shared by the manifests that name the same repo and revision. */
interface CheckedModel {
  info: ManifestModelInfo
  model: ManifestModel
  template: TemplateInputs
  findings: Finding[]
}

/** One check of an adapter, shared likewise. */
interface CheckedAdapter {
  adapter: ManifestAdapter
  findings: Finding[]
}

/** Opens a model the way a model target is opened (check.ts): the hub and its token, or a folder. */
export type OpenModel = (spec: TargetSpec) => Promise<{ source: Source; sha?: string }>

/** The model and adapter checks of one run, by role, repo and revision (or folder). */
export type ModelChecks = Map<string, Promise<CheckedModel | CheckedAdapter>>

export interface ManifestResult {
  findings: Finding[]
  model?: ManifestModelInfo
  /** Why the target could not be checked whole: its model or an adapter could not be read. */
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
  const manifest = manifestOf(parsed)
  const named = manifest ? namedModel(manifest, settings, '/hfModelRepo', '/hfModelRepoRevision') : undefined
  // The model, the template file and the adapters are read at once: an adapter costs a few round trips
  // to the Hub, which then overlap the model's.
  const [got, template, adapters] = await Promise.all([
    named ? shared(checks, named, 'model', () => checkModel(named, spec, options, openModel)) : undefined,
    manifest ? templateFile(manifest, spec, settings) : undefined,
    manifest
      ? checkAdapters(manifest, spec, settings, options, openModel, checks)
      : { checks: [], findings: [], errors: [] },
  ])
  const checked = got && 'done' in got ? (got.done as CheckedModel) : undefined
  const refused = got && 'refused' in got ? got.refused : undefined
  const errors = [...(got && 'error' in got ? [`its model ${got.error}`] : []), ...adapters.errors]
  const own = runManifestRules(parsed, checked?.model, manifestRules, options, {
    refused,
    template,
    adapters: adapters.checks,
  })
  const onRepoLine = named?.at
  const fromModel =
    checked && onRepoLine ? checked.findings.map((f) => relocate(f, checked.model.display, onRepoLine)) : []
  const fromTemplate =
    manifest && template?.state === 'read' && template.text.trim() !== ''
      ? await templateFindings(template, checked, options, where(manifest.doc, '/chatTemplate'))
      : []
  return {
    findings: [...own, ...fromModel, ...fromTemplate, ...adapters.findings],
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
    ...(errors.length ? { error: errors.join('; ') } : {}),
  }
}

/**
 * A check of a repository shared by the manifests that name it in the same role (model or adapter):
 * its result, the Hub's refusal of a revision or repository it does not have (the rules' finding), or
 * why it could not be checked (as "its model …" or "its adapter …" goes on).
 */
async function shared(
  checks: ModelChecks,
  named: NamedModel,
  role: 'model' | 'adapter',
  start: () => Promise<CheckedModel | CheckedAdapter>,
): Promise<{ done: CheckedModel | CheckedAdapter } | { refused: ManifestModelRefusal } | { error: string }> {
  const key = `${role}:${named.key}`
  const known = checks.get(key)
  if (!known && checks.size >= MANIFEST_MODELS_LIMIT)
    return {
      error: `${named.shown} was not checked: a run checks at most ${MANIFEST_MODELS_LIMIT} distinct models and adapters named by manifests (check the manifests in parts)`,
    }
  const check = known ?? start()
  checks.set(key, check)
  try {
    return { done: await check }
  } catch (e) {
    if (!(e instanceof SourceError)) throw e
    const refused = refusal(e, named)
    if (refused) return { refused }
    const line = named.line === undefined ? '' : `, line ${named.line}`
    return {
      error: `${named.shown} (${keyName(named.pointer)}${line}) could not be checked: ${describeError(e)}${accessAdvice(e, named)}`,
    }
  }
}

/** A revision or repo the Hub does not have, for the rules to put on its line. */
function refusal(e: SourceError, named: NamedModel): ManifestModelRefusal | undefined {
  const reason = reasonOf(e)
  // Without a revision, main is missing: no line to put it on, so "could not check" says it.
  if (reason === 'revision' && !named.hub.revision) return undefined
  return !named.local && (reason === 'revision' || reason === 'repo')
    ? { reason, message: e.message }
    : undefined
}

/** Why the Hub refused the model (sources/hub.ts HubRefusal; not imported, so the hub client stays lazy). */
const reasonOf = (e: SourceError): string | undefined => (e as SourceError & { reason?: string }).reason

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
  /** The key that names it: /hfModelRepo, /adapters/0/hfAdapterRepo. */
  pointer: string
  at: Location
  line?: number
}

/**
 * The repository a manifest names at `repoKey`, when the rules accept the reference (EP2xx for the
 * model, EP601 for an adapter): an org/name id (or a legacy bare name, which the Hub redirects), at a
 * revision any Hub ref can be. A URL or a broken revision is their finding, and nothing is fetched for it.
 */
function namedModel(
  manifest: Manifest,
  settings: Settings,
  repoKey: string,
  revisionKey: string,
): NamedModel | undefined {
  const value = stringAt(manifest, repoKey)
  if (value === undefined) return undefined
  const ref = repoRef(value)
  if (ref.kind !== 'id' && ref.kind !== 'bare') return undefined
  const revisionValue = stringAt(manifest, revisionKey)
  if (revisionValue !== undefined && revisionRef(revisionValue).kind === 'invalid') return undefined
  const hub: HubRef = { repo: ref.repo, ...(revisionValue ? { revision: revisionValue } : {}) }
  const local = settings.localModels?.get(ref.repo)
  const at = where(manifest.doc, repoKey)
  return {
    key: local ? `local:${local}` : `hub:${formatHubRef(hub)}`,
    shown: local
      ? path.relative(settings.workspace, local).split(path.sep).join('/') || '.'
      : formatHubRef(hub),
    hub,
    ...(local ? { local } : {}),
    pointer: repoKey,
    at,
    ...(at.line !== undefined ? { line: at.line } : {}),
  }
}

/** Opens a named repository as a model target is opened. */
async function openNamed(
  named: NamedModel,
  manifest: TargetSpec,
  openModel: OpenModel,
): Promise<{ source: Source; sha?: string; display: string }> {
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
  return { source, ...(sha ? { sha } : {}), display: sha ? `hf://${named.hub.repo}@${sha}` : named.shown }
}

/** The model's check: its findings by the model rules, and what the manifest rules size it by. */
async function checkModel(
  named: NamedModel,
  manifest: TargetSpec,
  options: RunOptions,
  openModel: OpenModel,
): Promise<CheckedModel> {
  const { source, sha, display } = await openNamed(named, manifest, openModel)
  const { findings, artifacts } = await runModelCheck(source, MODEL_RULES, options, [
    'tensors',
    'textConfig',
    'tokenizerConfig',
    ...TEMPLATE_INPUTS,
  ])
  const { tensors, textConfig, tokenizerConfig, ...template } = artifacts
  return {
    info: {
      ref: named.local ? named.shown : named.hub.repo,
      source: named.local ? 'local' : 'hub',
      revision: sha ?? null,
    },
    model: { display, repo: named.hub.repo, ...(sha ? { sha } : {}), tensors, textConfig, tokenizerConfig },
    template,
    findings,
  }
}

/** An adapter's check: the adapter rules' findings, and what EP601 and EP602 compare with the model. */
async function checkAdapter(
  named: NamedModel,
  manifest: TargetSpec,
  options: RunOptions,
  openModel: OpenModel,
): Promise<CheckedAdapter> {
  const { source, sha, display } = await openNamed(named, manifest, openModel)
  const { findings, artifacts } = await runModelCheck(source, ADAPTER_RULES, options, [
    'kind',
    'adapterConfig',
  ])
  return { adapter: { display, repo: named.hub.repo, ...(sha ? { sha } : {}), ...artifacts }, findings }
}

/**
 * The first MANIFEST_ADAPTERS_LIMIT entries of `adapters`, each named by a Hub id checked once per run
 * (EP601 says why an entry is not, and that the rest of a longer list is not checked); each adapter's
 * findings on its hfAdapterRepo line.
 */
async function checkAdapters(
  manifest: Manifest,
  spec: TargetSpec,
  settings: Settings,
  options: RunOptions,
  openModel: OpenModel,
  checks: ModelChecks,
): Promise<{ checks: ManifestAdapterCheck[]; findings: Finding[]; errors: string[] }> {
  const list = valueAt(manifest.value, '/adapters')
  const out = { checks: [] as ManifestAdapterCheck[], findings: [] as Finding[], errors: [] as string[] }
  if (!Array.isArray(list)) return out
  const count = Math.min(list.length, MANIFEST_ADAPTERS_LIMIT)
  // At most MANIFEST_ADAPTERS_LIMIT checks at once; the results kept in the list's order.
  const results = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const named = namedModel(
        manifest,
        settings,
        `/adapters/${i}/hfAdapterRepo`,
        `/adapters/${i}/hfAdapterRepoRevision`,
      )
      if (!named) return { named }
      return {
        named,
        got: await shared(checks, named, 'adapter', () => checkAdapter(named, spec, options, openModel)),
      }
    }),
  )
  for (const { named, got } of results) {
    if (!named || !got) {
      out.checks.push({ state: 'unchecked' })
      continue
    }
    if ('done' in got) {
      const { adapter, findings } = got.done as CheckedAdapter
      out.checks.push({ state: 'checked', adapter })
      out.findings.push(...findings.map((f) => relocate(f, adapter.display, named.at)))
    } else if ('refused' in got) out.checks.push({ state: 'refused', refused: got.refused })
    else {
      out.checks.push({ state: 'unchecked' })
      out.errors.push(`its adapter ${got.error}`)
    }
  }
  return out
}

/**
 * The file `chatTemplate` names, read only inside the repository: an absolute path, a path that leaves
 * it, or a link out of it is not read (EP501 says so). The repository is the workspace, or the manifest's
 * own folder for a manifest outside it (the CLI on a file named elsewhere).
 */
async function templateFile(
  manifest: Manifest,
  spec: TargetSpec,
  settings: Settings,
): Promise<ManifestTemplateFile | undefined> {
  const value = stringAt(manifest, '/chatTemplate')
  if (value === undefined || value.trim() === '') return undefined
  if (path.posix.isAbsolute(value) || path.win32.isAbsolute(value) || /^[A-Za-z]:|\\|\0/.test(value))
    return { state: 'absolute' }
  const folder = await realpath(spec.root)
  const workspace = spec.within ?? (await realpath(settings.workspace).catch(() => folder))
  const root = inside(folder, workspace) ? workspace : folder
  const lexical = path.resolve(folder, value)
  // Not even asked about: whether a file outside the repository exists is not this check's to learn.
  if (!inside(lexical, root)) return { state: 'outside', link: false }
  const shown = path.relative(folder, lexical).split(path.sep).join('/')
  let real: string
  try {
    real = await realpath(lexical)
  } catch {
    return { state: 'missing', path: shown }
  }
  if (!inside(real, root)) return { state: 'outside', link: true }
  if (!(await stat(real)).isFile()) return { state: 'not-file', path: shown }
  let read: Awaited<ReturnType<typeof readFileWithin>>
  try {
    read = await readFileWithin(real, shown, root, TEMPLATE_FILE_LIMIT)
  } catch {
    return { state: 'not-file', path: shown }
  }
  if ('tooLarge' in read)
    return { state: 'too-large', path: shown, bytes: read.tooLarge, limit: TEMPLATE_FILE_LIMIT }
  const bad = firstInvalidUtf8(read.bytes)
  if (bad !== -1) return { state: 'binary', path: shown, why: `not UTF-8 text (byte ${bad + 1})` }
  const nul = read.bytes.indexOf(0)
  if (nul !== -1) return { state: 'binary', path: shown, why: `binary data (a NUL byte at byte ${nul + 1})` }
  // transformers reads a .jinja file as UTF-8 text; a byte-order mark is not part of the template.
  return {
    state: 'read',
    path: shown,
    text: Buffer.from(read.bytes)
      .toString('utf8')
      .replace(/^\ufeff/, ''),
  }
}

/**
 * The files a manifest target reads besides itself, for `scope: changed` (scope.ts): its chat template
 * file, when it names one inside the repository. Anything that keeps it from being read is none: the
 * manifest's own check says why.
 */
export async function manifestReads(spec: TargetSpec, settings: Settings): Promise<string[]> {
  if (spec.kind !== 'manifest' || !spec.file) return []
  try {
    const read = await readFileWithin(
      path.join(spec.root, spec.file),
      spec.ref,
      spec.within,
      MANIFEST_LIMITS.bytes,
    )
    const manifest = 'bytes' in read ? manifestOf(parseManifest(spec.file, read.bytes)) : undefined
    const template = manifest ? await templateFile(manifest, spec, settings) : undefined
    return template && 'path' in template ? [path.resolve(spec.root, template.path)] : []
  } catch {
    return []
  }
}

/** Whether `p` is `root` or below it (both absolute, links already resolved where they must be). */
function inside(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep)
}

/**
 * The manifest's template checked by the model's chat template rules, with the model's tokenizer,
 * special tokens and stop tokens when the model was checked: each finding on the chatTemplate line, led
 * by the template's (or the model's) file and line. What the model's own check already says (a broken
 * generation_config.json) is not said twice.
 */
async function templateFindings(
  template: Extract<ManifestTemplateFile, { state: 'read' }>,
  checked: CheckedModel | undefined,
  options: RunOptions,
  at: Location,
): Promise<Finding[]> {
  const rules = TEMPLATE_RULES.filter((r) => checked || !WITH_MODEL.has(r.meta.id))
  const { findings } = await runModelCheck(memorySource({}, template.path), rules, options, [], {
    kind: 'model',
    chatTemplates: templatesFromFile(template.path, template.text),
    ...(checked?.template ?? {}),
  })
  const said = new Set(checked?.findings.map(sameAs) ?? [])
  return findings
    .filter((f) => !said.has(sameAs(f)))
    .map((f) =>
      f.location.path === template.path
        ? relocate({ ...f, location: { ...f.location, path: '.' } }, template.path, at)
        : relocate(f, checked?.model.display ?? template.path, at),
    )
}

const sameAs = (f: Finding) =>
  JSON.stringify([f.ruleId, f.messageId, f.message, f.location.path, f.location.line ?? null])

/**
 * A model's finding on the manifest's hfModelRepo line: its message led by the file and line of the
 * model it is about (`hf://org/name@<sha>/config.json:3:5: …`), everything else kept.
 */
function relocate(f: Finding, model: string, at: Location): Finding {
  const { path: file, line, column } = f.location
  const where = `${file === '.' ? model : `${model}/${file}`}${line !== undefined ? `:${line}${column !== undefined ? `:${column}` : ''}` : ''}`
  return { ...f, message: `${where}: ${f.message}`, location: { ...at } }
}
