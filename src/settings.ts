import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Pair,
  type YAMLMap,
} from 'yaml'
import { z } from 'zod'
import { allRules, findRule } from './rules/registry.js'
import type { RuleLevel } from './common/finding.js'
import { didYouMean } from './common/did-you-mean.js'
import { UsageError } from './common/errors.js'
import { DEFAULT_HUB_URL, hubRefProblem, locateModel, type HubRef } from './sources/hub-ref.js'
import {
  DISCOVERY_LIMITS,
  discoverManifests,
  discoverTargets,
  holdsModel,
  MANIFEST_FILES_LIMIT,
} from './discover.js'
import { GLOB_LIMITS, isGlob, parseGlob, type Glob } from './common/glob.js'

const FAIL_ON = ['error', 'warning', 'never'] as const
export type FailOn = (typeof FAIL_ON)[number]
/** Which targets a pull request checks: all, or those it changes (scope.ts). */
const SCOPES = ['changed', 'all'] as const
export type Scope = (typeof SCOPES)[number]

/**
 * A model, dataset or deployment manifest to check. `origin` is the line of a repository file that
 * names it, when one does.
 */
export interface TargetSpec {
  kind: 'model' | 'dataset' | 'manifest'
  /** As the user wrote it. */
  ref: string
  source: 'local' | 'hub'
  /** Absolute path of the folder; for a hub target, the folder its reference was read in. */
  root: string
  hub?: HubRef
  /** `endLine`: the last line of a config file entry that spans several (a dataset's options). */
  origin?: { file: string; line: number; endLine?: number }
  /** Datasets: one file rather than a folder (its path relative to `root`); manifests: the file. */
  file?: string
  /** Datasets: the splits to read; all when absent. */
  splits?: string[]
  /** Datasets: read at most this many rows. */
  maxRows?: number
  /** Datasets: check only this share of the rows (engine/run-dataset.ts says which rows). */
  shard?: Shard
  /** Datasets: the model whose chat template and tokenizer the rows must fit. */
  base?: TargetSpec
  /**
   * The real path of the workspace when the target must stay inside it: a reference read from the
   * repository (the config file), or any reference in a workflow, where a named folder can itself be a
   * link the pull request planted. Opening a local target that resolves elsewhere is "could not check".
   */
  within?: string
}

/** Where hub targets are read from; the token never leaves this object but for the hub's own origin. */
export interface HubSettings {
  url: string
  token?: string
}

/**
 * Git LFS pointers of a local model read through the remote's LFS server (sources/lfs-remote.ts):
 * the GitHub server the remote may be on, and the token it gets (the Hub's is `hub`).
 */
export interface LfsSettings {
  github: { url: string; token?: string }
}

/** Everything a run needs, read once from inputs, flags and the config file, then passed around. */
export interface Settings {
  /** The repository root: annotation paths are relative to it. */
  workspace: string
  targets: TargetSpec[]
  failOn: FailOn
  extraArchitectures: string[]
  levels: Map<string, RuleLevel>
  configFile?: string
  hub: HubSettings
  /** Set when the safetensors headers of LFS pointers are read through the remote's LFS server. */
  lfs?: LfsSettings
  /**
   * The only target is the workspace itself because nothing was named: no model, no dataset, no
   * config file targets. The CLI turns a workspace that holds no model into a usage error.
   */
  implicitModel?: boolean
  /** The `scope` input: absent is `all`. */
  scope?: Scope
  /** What resolving the targets left out, for the log and the summary (`model: auto`'s caps). */
  notes?: string[]
  /** Threads checking a dataset's rows (engine/row-pool.ts); absent: the CPUs this process may use. */
  jobs?: number
  /**
   * Hub repos this repository holds as folders (the config file's `local-models`: id → absolute
   * folder): a manifest naming one is checked against the folder instead of the Hub.
   */
  localModels?: Map<string, string>
}

/** The raw values both entry points collect: action inputs or CLI flags, '' when not given. */
export interface RawInputs {
  model: string
  config: string
  failOn: string
  extraArchitectures: string
  /** Action input hub-url or CLI --hub-url; HF_ENDPOINT when empty. */
  hubUrl?: string
  /** Action input hf-token; HF_TOKEN when empty. The CLI never takes it as a flag. */
  hfToken?: string
  /** A dataset to check: a file, a folder or a hub dataset. */
  dataset?: string
  /** Comma- or newline-separated split names; all splits when empty. */
  datasetSplit?: string
  /** The model the dataset's rows must fit; default: the model target. */
  baseModel?: string
  maxRows?: string
  /** Action input dataset-shard or CLI --shard: `i/n`, this job's share of every dataset's rows. */
  shard?: string
  /** Action input scope: changed or all ('' is all). */
  scope?: string
  /** Action input jobs or CLI --jobs: threads checking a dataset's rows ('' is the CPUs available). */
  jobs?: string
  /** Action input lfs-headers or CLI --lfs-headers: true or false ('' is false). */
  lfsHeaders?: string
  /** Action input github-token; the CLI's GITHUB_TOKEN. Sent to the GitHub server only. */
  githubToken?: string
  /**
   * Action input manifests or CLI --manifest (repeated): deployment manifests, as files, folders or
   * globs, one a line. '' is the config file's `manifests`, else DEFAULT_MANIFESTS, when the run checks
   * the workspace's own targets (no model or dataset named).
   */
  manifests?: string
}

/**
 * Where deployment manifests are looked for when nothing names them: files named friendli-endpoint*
 * anywhere (but dot-folders and node_modules), and every manifest in .friendli/endpoints/.
 */
export const DEFAULT_MANIFESTS = [
  '**/friendli-endpoint*.{json,yaml,yml}',
  '.friendli/endpoints/*.{json,yaml,yml}',
]
/** Patterns a config file or an input may give. */
const MAX_MANIFEST_PATTERNS = 100

const DEFAULT_CONFIG_FILES = ['.friendli-preflight.yml', '.friendli-preflight.yaml']

/**
 * Bounds on the config file, which the pull request writes: a real one is a few KB with a handful of
 * targets. Checked before the YAML is parsed (size) and by the schema (counts).
 */
const CONFIG_LIMITS = { bytes: 256 * 1024, entries: 1000 }

const LEVEL = z.enum(['off', 'info', 'warning', 'error'])
/** A target: "model", or "dataset" with the keys only a dataset has (checked after the schema). */
const TargetSchema = z.strictObject({
  model: z.string().min(1).optional(),
  dataset: z.string().min(1).optional(),
  'base-model': z.string().min(1).optional(),
  split: z.string().min(1).optional(),
  'max-rows': z.number().int().positive().optional(),
})
const DATASET_ONLY = ['base-model', 'split', 'max-rows'] as const
const ConfigFileSchema = z.strictObject({
  'extra-architectures': z.array(z.string().min(1).max(200)).max(CONFIG_LIMITS.entries).optional(),
  rules: z.record(z.string(), LEVEL).optional(),
  targets: z.array(TargetSchema).max(CONFIG_LIMITS.entries).optional(),
  manifests: z.array(z.string().min(1).max(GLOB_LIMITS.chars)).max(MAX_MANIFEST_PATTERNS).optional(),
  'local-models': z.record(z.string(), z.string().min(1).max(4096)).optional(),
})

type ConfigTarget =
  { model: string } | { dataset: string; 'base-model'?: string; split?: string; 'max-rows'?: number }

/** The config file's content, checked. */
interface ConfigFile {
  extraArchitectures: string[]
  /** Severities by rule id. */
  levels: Map<string, RuleLevel>
  targets: ConfigTarget[]
  /** The lines of each target: its first for annotations, its last (when later) for a pull request's scope. */
  lines: ({ line: number; endLine?: number } | undefined)[]
  /** Deployment manifests' patterns, relative to the file; absent: the defaults. */
  manifests?: string[]
  /** Hub repo id → folder relative to the file. */
  localModels: Record<string, string>
}

/**
 * A mistake in the config file, at its line and column when it has one: exit 2 in the CLI, an error
 * annotation on the file in the action. The message is `file:line:column: reason`.
 */
export class ConfigFileError extends UsageError {
  override name = 'ConfigFileError'
  constructor(
    /** The file as shown: relative to the workspace when it is inside it. */
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}:${column}`}: ${reason}`)
  }
}

/** Split a comma- or newline-separated input into its non-empty items. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
}

export function resolveSettings(
  raw: RawInputs,
  workspace: string,
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  const failOn = (raw.failOn.trim() || 'error') as FailOn
  if (!FAIL_ON.includes(failOn)) {
    throw new UsageError(`fail-on must be one of ${FAIL_ON.join(', ')}; got "${raw.failOn.trim()}"`)
  }
  const scope = (raw.scope?.trim() || 'all') as Scope
  if (!SCOPES.includes(scope))
    throw new UsageError(`scope must be one of ${SCOPES.join(', ')}; got "${raw.scope?.trim()}"`)
  // In a workflow every local reference stays inside the workspace; outside one (the CLI at a
  // terminal) the person typing the arguments is trusted, but the config file's entries never are.
  const realWorkspace = realpathOr(workspace)
  const inWorkflow = env.GITHUB_ACTIONS === 'true'
  const argsWithin = inWorkflow ? realWorkspace : undefined
  const configFile = findConfigFile(raw.config, workspace, realWorkspace, inWorkflow)
  const config: ConfigFile = configFile
    ? readConfigFile(configFile, workspace)
    : { extraArchitectures: [], levels: new Map(), targets: [], lines: [], localModels: {} }

  // An explicit model argument wins; otherwise the config file's targets; otherwise the workspace itself.
  const model = raw.model.trim()
  let targets: TargetSpec[]
  let notes: string[] = []
  const datasetRef = raw.dataset?.trim() ?? ''
  if (datasetRef && !model)
    targets = [] // a dataset alone (the action's model: '', the CLI without a model)
  // `auto`, unless a folder of that name exists: a folder wins, as it does over a repo id.
  else if (model === 'auto' && !existsSync(path.join(workspace, 'auto')))
    ({ targets, notes } = autoTargets(raw, workspace, realWorkspace, datasetRef))
  else if (model && model !== '.') {
    const spec = target(model, workspace, argsWithin)
    const origin = spec.hub
      ? workflowLine(workspace, realWorkspace, env.GITHUB_WORKFLOW_REF, model)
      : undefined
    targets = [origin ? { ...spec, origin } : spec]
  } else if (config.targets.length) {
    const base = path.dirname(configFile!)
    const origin = (i: number) => {
      const lines = config.lines[i]
      return lines ? { origin: { file: display(configFile!, workspace), ...lines } } : {}
    }
    // Models first, so a dataset entry without base-model is checked against the first model listed.
    const models = config.targets.map((t, i) =>
      'model' in t ? { ...target(t.model, base, realWorkspace), ...origin(i) } : undefined,
    )
    const firstModel = models.filter((m): m is TargetSpec => m !== undefined)
    targets = config.targets.map((t, i) =>
      'model' in t
        ? models[i]!
        : {
            ...datasetTarget(
              t.dataset,
              { baseModel: t['base-model'], datasetSplit: t.split, maxRows: t['max-rows']?.toString() },
              base,
              firstModel,
              realWorkspace,
            ),
            ...origin(i),
          },
    )
  } else targets = [target('.', workspace, argsWithin)]
  let implicitModel = !model && !datasetRef && !config.targets.length
  if (datasetRef) targets.push(datasetTarget(datasetRef, raw, workspace, targets, argsWithin))
  // Deployment manifests: named ones always; otherwise, when the run checks the workspace's own
  // targets, the config file's patterns or the defaults.
  const ownTargets =
    model === ''
      ? !datasetRef
      : model === '.' || (model === 'auto' && !existsSync(path.join(workspace, 'auto')))
  const named = (raw.manifests ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const found = named.length
    ? findManifests(named, workspace, workspace, realWorkspace, argsWithin, 'manifests')
    : ownTargets
      ? findManifests(
          config.manifests ?? DEFAULT_MANIFESTS,
          config.manifests ? path.dirname(configFile!) : workspace,
          workspace,
          realWorkspace,
          realWorkspace,
          config.manifests
            ? `manifests in ${display(configFile!, workspace)}`
            : 'the default manifests patterns',
        )
      : { targets: [], notes: [] }
  // A repository of manifests only: the implicit model (the workspace itself) is not a model then.
  if (
    found.targets.length &&
    (model === '.' || !model) &&
    !config.targets.length &&
    !datasetRef &&
    !holdsModel(workspace)
  ) {
    targets = []
    implicitModel = false
  }
  targets.push(...found.targets)
  notes = [...notes, ...found.notes]
  // One share of every dataset: a job matrix runs the same targets with 1/n … n/n.
  const shard = parseShard(raw.shard ?? '')
  if (shard) targets = targets.map((t) => (t.kind === 'dataset' ? { ...t, shard } : t))

  const extraArchitectures = [
    ...new Set([...splitList(raw.extraArchitectures), ...config.extraArchitectures]),
  ]
  const hub = { url: hubUrl(raw.hubUrl?.trim() || env.HF_ENDPOINT?.trim() || DEFAULT_HUB_URL) }
  const token = raw.hfToken?.trim() || env.HF_TOKEN?.trim()
  if (token && !/^[\x21-\x7e]+$/.test(token))
    throw new UsageError(
      'the Hugging Face token holds characters a token cannot have (spaces or line breaks?)',
    )
  const lfs = lfsSettings(raw, env)
  const jobs = parseJobs(raw.jobs ?? '')
  return {
    workspace,
    targets,
    failOn,
    extraArchitectures,
    levels: config.levels,
    configFile,
    hub: { ...hub, token },
    ...(lfs ? { lfs } : {}),
    ...(implicitModel ? { implicitModel } : {}),
    ...(scope === 'changed' ? { scope } : {}),
    ...(notes.length ? { notes } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(Object.keys(config.localModels).length
      ? {
          localModels: new Map(
            Object.entries(config.localModels).map(([id, folder]) => [
              id,
              path.resolve(path.dirname(configFile!), folder),
            ]),
          ),
        }
      : {}),
  }
}

/**
 * The manifests that patterns name below `base`: a file, a folder (its .json, .yaml and .yml files
 * below), or a glob (common/glob.ts), found by discover.ts's bounded walk. Each file once, in path
 * order, at most MANIFEST_FILES_LIMIT; a named file or folder that is not there is a usage error, a glob
 * that matches nothing is not (a repository may have no manifest yet).
 */
function findManifests(
  patterns: readonly string[],
  base: string,
  workspace: string,
  realWorkspace: string,
  within: string | undefined,
  from: string,
): { targets: TargetSpec[]; notes: string[] } {
  if (patterns.length > MAX_MANIFEST_PATTERNS)
    throw new UsageError(`${from}: at most ${MAX_MANIFEST_PATTERNS} patterns; got ${patterns.length}`)
  const files = new Set<string>()
  const globs: Glob[] = []
  for (const pattern of patterns) {
    const glob = (text: string) => {
      const parsed = parseGlob(text)
      if ('problem' in parsed)
        throw new UsageError(`${from}: ${quote(pattern)} cannot be used: ${parsed.problem}`)
      globs.push(parsed)
    }
    if (isGlob(pattern)) {
      glob(pattern)
      continue
    }
    const abs = path.resolve(base, pattern)
    if (!existsSync(abs)) throw new UsageError(`${from}: the manifest ${quote(pattern)} does not exist`)
    if (statSync(abs).isDirectory()) {
      const rel = path.relative(base, abs).split(path.sep).join('/')
      if (rel.startsWith('..') || path.isAbsolute(rel))
        throw new UsageError(
          `${from}: the folder ${quote(pattern)} is not below ${display(base, workspace) || 'the workspace'}`,
        )
      glob(`${rel ? `${rel}/` : ''}**/*.{json,yaml,yml}`)
    } else files.add(abs)
  }
  const notes: string[] = []
  if (globs.length) {
    const found = discoverManifests(base, globs, (p) => isWithin(p, realWorkspace), {
      ...DISCOVERY_LIMITS,
      files: Math.max(0, MANIFEST_FILES_LIMIT - files.size),
    })
    for (const f of found.files) files.add(path.join(base, f))
    notes.push(...found.notes)
  }
  const targets = [...files].slice(0, MANIFEST_FILES_LIMIT).map((abs): TargetSpec => ({
    kind: 'manifest',
    ref: display(abs, workspace),
    source: 'local',
    root: path.dirname(abs),
    file: path.basename(abs),
    ...(within ? { within } : {}),
  }))
  return { targets, notes }
}

/** Most threads a run starts: the largest GitHub-hosted runners have 64 CPUs. */
const MAX_JOBS = 256

/** A whole number of threads, 1 to MAX_JOBS; '' is the default. Anything else is a usage error. */
function parseJobs(text: string): number | undefined {
  const value = text.trim()
  if (value === '') return undefined
  if (/^[0-9]{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_JOBS) return Number(value)
  throw new UsageError(
    `jobs (--jobs) must be a whole number from 1 to ${MAX_JOBS}; got ${JSON.stringify(value.slice(0, 40))}`,
  )
}

/**
 * Whether LFS pointers are read through the remote's LFS server, and with what: the GitHub server
 * (GITHUB_SERVER_URL, which the runner sets; default https://github.com) and GitHub's token.
 */
function lfsSettings(raw: RawInputs, env: NodeJS.ProcessEnv): LfsSettings | undefined {
  const value = raw.lfsHeaders?.trim().toLowerCase() ?? ''
  if (value !== '' && value !== 'true' && value !== 'false')
    throw new UsageError(
      `lfs-headers must be true or false; got ${JSON.stringify(raw.lfsHeaders?.trim().slice(0, 40))}`,
    )
  if (value !== 'true') return undefined
  const server = env.GITHUB_SERVER_URL?.trim() || 'https://github.com'
  let url: URL
  try {
    url = new URL(server)
  } catch {
    throw new UsageError(`GITHUB_SERVER_URL is not a URL: ${JSON.stringify(server.slice(0, 100))}`)
  }
  const token = raw.githubToken?.trim()
  if (token && !/^[\x21-\x7e]+$/.test(token))
    throw new UsageError('the GitHub token holds characters a token cannot have (spaces or line breaks?)')
  return { github: { url: url.origin, ...(token ? { token } : {}) } }
}

/** One share of a dataset's rows: the `index`th of `count` (1-based). */
export interface Shard {
  index: number
  count: number
}

/** Most shards a dataset is split into: far past any job matrix (GitHub allows 256 jobs per matrix). */
export const MAX_SHARDS = 256

/** `i/n` with 1 ≤ i ≤ n ≤ 256; '' is no shard. Anything else is a usage error on one line. */
export function parseShard(value: string): Shard | undefined {
  const text = value.trim()
  if (!text) return undefined
  const match = /^(\d{1,3})\/(\d{1,3})$/.exec(text)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || index < 1 || index > count || count > MAX_SHARDS)
    throw new UsageError(
      `dataset-shard (--shard) must be i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, as in 2/4; got ${JSON.stringify(text.slice(0, 40))}`,
    )
  return { index, count }
}

/** A reference read in `base`: a folder, or a hub repo (see locateModel for the rule). */
function target(ref: string, base: string, within: string | undefined): TargetSpec {
  const where = locateModel(ref, base)
  return where.source === 'hub'
    ? { kind: 'model', ref, source: 'hub', root: base, hub: where.hub }
    : { kind: 'model', ref, source: 'local', root: where.root, ...(within ? { within } : {}) }
}

/**
 * `model: auto`: every model folder and dataset file of the workspace (discover.ts), each checked as
 * if the config file listed it: read from the repository, so kept inside the workspace. A dataset is
 * checked against `base-model`, else the first model found (as a listed dataset is), and takes
 * `dataset-max-rows`; one that the `dataset` input names is checked once, as that input says.
 */
function autoTargets(
  raw: RawInputs,
  workspace: string,
  realWorkspace: string,
  datasetRef: string,
): { targets: TargetSpec[]; notes: string[] } {
  const found = discoverTargets(workspace, (p) => isWithin(p, realWorkspace))
  if (found.models.length === 0 && found.datasets.length === 0)
    throw new UsageError(
      'model: auto found no model and no dataset in the workspace. It looks for folders holding config.json ' +
        'with *.safetensors, *.safetensors.index.json or pytorch_model*.bin weights, folders holding ' +
        'adapter_config.json with adapter weights, and dataset files: *.jsonl, *.parquet, and .json files ' +
        'named train, validation, test, data or dataset (.git, node_modules and dot-folders are not searched)' +
        (found.notes.length ? `; ${found.notes.join('; ')}` : ''),
    )
  const models = found.models.map((rel): TargetSpec => ({
    kind: 'model',
    ref: rel || '.',
    source: 'local',
    root: path.join(workspace, rel),
    within: realWorkspace,
  }))
  const named = datasetRef ? path.resolve(workspace, datasetRef) : undefined
  const datasets = found.datasets
    .filter((rel) => path.join(workspace, rel) !== named)
    .map((rel) =>
      datasetTarget(
        rel,
        { baseModel: raw.baseModel, maxRows: raw.maxRows },
        workspace,
        models,
        realWorkspace,
      ),
    )
  return { targets: [...models, ...datasets], notes: found.notes }
}

/** The real path of `p` (links resolved), or `p` itself when it does not exist. */
function realpathOr(p: string): string {
  try {
    return realpathSync(p)
  } catch {
    return path.resolve(p)
  }
}

/** Whether `p`, with every link resolved, is `root` or inside it. */
export function isWithin(p: string, root: string): boolean {
  const real = realpathOr(p)
  return real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)
}

/**
 * The line of the running workflow that names a hub model (`model: org/name@sha`), so its findings
 * land in the PR diff that bumps it. GITHUB_WORKFLOW_REF is `owner/repo/.github/workflows/f.yml@ref`.
 */
function workflowLine(
  workspace: string,
  realWorkspace: string,
  workflowRef: string | undefined,
  model: string,
) {
  const workflow = /^[^/]+\/[^/]+\/(\.github\/workflows\/[^@]+)@/.exec(workflowRef ?? '')?.[1]
  if (!workflow) return undefined
  const file = path.join(workspace, workflow)
  if (!isWithin(file, realWorkspace)) return undefined
  let text: string
  try {
    if (!statSync(file).isFile() || statSync(file).size > 1024 * 1024) return undefined
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined // a workflow from another repository (reusable) or not checked out
  }
  const escaped = model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const line = text
    .split('\n')
    .findIndex((l) => new RegExp(`^\\s*model:\\s*(['"]?)${escaped}\\1\\s*(#.*)?$`).test(l))
  return line < 0 ? undefined : { file: workflow, line: line + 1 }
}

/** A dataset reference read in `workspace`; its base model is named, or the first model target. */
function datasetTarget(
  ref: string,
  raw: Pick<RawInputs, 'baseModel' | 'datasetSplit' | 'maxRows'>,
  workspace: string,
  models: TargetSpec[],
  within: string | undefined,
): TargetSpec {
  const baseRef = raw.baseModel?.trim()
  const base = baseRef ? target(baseRef, workspace, within) : models.find((t) => t.kind === 'model')
  const splits = splitList(raw.datasetSplit ?? '')
  const rows = raw.maxRows?.trim()
  let maxRows: number | undefined
  if (rows) {
    maxRows = Number(rows)
    if (!Number.isInteger(maxRows) || maxRows < 1)
      throw new UsageError(`dataset-max-rows must be a whole number of rows above 0; got "${rows}"`)
  }
  const extra = {
    ...(splits.length ? { splits } : {}),
    ...(maxRows ? { maxRows } : {}),
    ...(base ? { base } : {}),
    ...(within ? { within } : {}),
  }
  // "data/train.jsonl" has a repo id's shape; a name with a data file's extension is a path.
  const dataFile = /\.(jsonl|json|parquet|csv|tsv|txt|arrow)$/i.test(ref) && !ref.startsWith('hf://')
  const where = dataFile
    ? ({ source: 'local', root: path.resolve(workspace, ref) } as const)
    : locateModel(ref, workspace)
  if (where.source === 'hub')
    return { kind: 'dataset', ref, source: 'hub', root: workspace, hub: where.hub, ...extra }
  // A dataset may be one file: its folder is the source, and only that file is read. A data file's
  // name that does not exist stays a file, so it is reported as a missing file, not a missing folder.
  const exists = existsSync(where.root)
  if (exists ? statSync(where.root).isFile() : dataFile)
    return {
      kind: 'dataset',
      ref,
      source: 'local',
      root: path.dirname(where.root),
      file: path.basename(where.root),
      ...extra,
    }
  return { kind: 'dataset', ref, source: 'local', root: where.root, ...extra }
}

/** The hub's base URL, without a trailing slash: the Hub has no route for `//api/...`. */
function hubUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(`hub-url "${value}" is not a URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`hub-url must be an http(s) URL; got "${value}"`)
  if (url.username || url.password || url.search || url.hash)
    throw new UsageError('hub-url must be a plain base URL, without credentials, query or fragment')
  return url.href.replace(/\/+$/, '')
}

/**
 * The config file: the one named, or the first default name in the workspace. A default one is the
 * repository's, and so is any one in a workflow: it must resolve inside the workspace (a link to
 * /proc/self/status would otherwise be parsed and quoted back in errors).
 */
function findConfigFile(
  explicit: string,
  workspace: string,
  realWorkspace: string,
  inWorkflow: boolean,
): string | undefined {
  const name = explicit.trim()
  const file = name
    ? path.resolve(workspace, name)
    : DEFAULT_CONFIG_FILES.map((f) => path.join(workspace, f)).find((f) => existsSync(f))
  if (!file) return undefined
  const shown = name || path.basename(file)
  if (!existsSync(file)) throw new UsageError(`config file ${shown} does not exist`)
  if ((inWorkflow || !name) && !isWithin(file, realWorkspace))
    throw new UsageError(
      `config file ${shown} leads outside the workspace: only files of the checked-out repository are read`,
    )
  if (!statSync(file).isFile()) throw new UsageError(`config file ${shown} is not a regular file`)
  return file
}

/**
 * Parse and check the YAML config file. Every mistake is a ConfigFileError naming the file, and the
 * line and column of the key or value at fault (from the yaml library's node ranges), with the nearest
 * known key for an unknown one.
 */
function readConfigFile(file: string, workspace: string): ConfigFile {
  const shown = display(file, workspace)
  let text: string
  try {
    const { size } = statSync(file)
    if (size > CONFIG_LIMITS.bytes)
      throw new ConfigFileError(
        shown,
        `the file is ${size.toLocaleString('en-US')} bytes, more than the ${CONFIG_LIMITS.bytes / 1024} KiB a config file may be`,
      )
    // A byte-order mark is not part of the first line's text: columns count from after it.
    text = readFileSync(file, 'utf8').replace(/^\ufeff/, '')
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new ConfigFileError(shown, `cannot be read: ${(error as Error).message}`)
  }
  const lineCounter = new LineCounter()
  const refuse = (reason: string, offset: number) => {
    const { line, col } = lineCounter.linePos(offset)
    return new ConfigFileError(shown, reason, line, col)
  }
  // uniqueKeys is off: the library's own check compares every key with every other (5 s for 20,000
  // keys); duplicateKey() below does it in one pass. Warnings are off: the library prints them to
  // stderr with the key's text, and every problem that matters is an error here.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, logLevel: 'error', lineCounter })
  const [e] = doc.errors
  if (e) throw refuse(`not valid YAML: ${e.message.split('\n')[0]}`, e.pos[0])
  const dup = duplicateKey(doc.contents)
  if (dup) throw refuse(`the key ${quote(dup.key)} appears twice in one mapping`, dup.offset)

  const data: unknown = doc.toJS() ?? {}
  const parsed = ConfigFileSchema.safeParse(data)
  if (!parsed.success) {
    const [first] = parsed.error.issues
      .flatMap((issue) => describeIssue(issue, doc, data))
      .sort((a, b) => a.offset - b.offset)
    throw refuse(first!.reason, first!.offset)
  }
  const config = parsed.data

  const levels = new Map<string, RuleLevel>()
  const rules = Object.entries(config.rules ?? {})
  if (rules.length > CONFIG_LIMITS.entries)
    throw refuse(tooMany(['rules'], rules.length, CONFIG_LIMITS.entries), offsetOf(doc, ['rules']))
  // Keys the schema's record drops (`__proto__`) are still keys the user wrote: none is ignored.
  const unknownRule = (key: string) =>
    refuse(
      `unknown rule ${quote(key)} in rules${suggest(
        key,
        allRules.flatMap((r) => [r.meta.id, r.meta.name]),
      )}`,
      offsetOf(doc, ['rules', key], true),
    )
  const rulesNode = doc.get('rules', true)
  if (isMap(rulesNode))
    for (const key of pairsByKey(rulesNode).keys()) if (!findRule(key)) throw unknownRule(key)
  for (const [key, level] of rules) {
    const rule = findRule(key)
    if (!rule) throw unknownRule(key)
    levels.set(rule.meta.id, level)
  }

  const targets: ConfigTarget[] = []
  for (const [i, t] of (config.targets ?? []).entries()) {
    const { model, dataset } = t
    if (model !== undefined && dataset !== undefined)
      throw refuse(
        `targets[${i}] has both "model" and "dataset": a target is one or the other`,
        offsetOf(doc, ['targets', i, 'dataset'], true),
      )
    if (dataset !== undefined)
      targets.push({ dataset, 'base-model': t['base-model'], split: t.split, 'max-rows': t['max-rows'] })
    else if (model === undefined)
      throw refuse(`targets[${i}] has neither "model" nor "dataset"`, offsetOf(doc, ['targets', i]))
    else {
      const key = DATASET_ONLY.find((k) => t[k] !== undefined)
      if (key)
        throw refuse(
          `"${key}" in targets[${i}] applies to a dataset, and this target is a model`,
          offsetOf(doc, ['targets', i, key], true),
        )
      targets.push({ model })
    }
  }
  const items = doc.get('targets', true)
  const lines = (isSeq(items) ? items.items : []).map((item) => {
    const range = (item as { range?: [number, number, number] } | null)?.range
    if (!range) return undefined
    // A block entry's range ends at the start of the next line: its last line is the one before.
    const line = lineCounter.linePos(range[0]).line
    const end = lineCounter.linePos(range[1])
    const endLine = end.col === 1 ? end.line - 1 : end.line
    return endLine > line ? { line, endLine } : { line }
  })
  for (const [i, pattern] of (config.manifests ?? []).entries()) {
    const parsed = isGlob(pattern) ? parseGlob(pattern) : undefined
    if (parsed && 'problem' in parsed)
      throw refuse(`manifests[${i}] cannot be used: ${parsed.problem}`, offsetOf(doc, ['manifests', i]))
  }
  const localModels = config['local-models'] ?? {}
  for (const id of Object.keys(localModels)) {
    const problem = hubRefProblem(id) ?? (id.includes('@') ? 'a revision does not apply here' : undefined)
    if (problem)
      throw refuse(
        `local-models: ${quote(id)} is not a Hugging Face repo id (${problem})`,
        offsetOf(doc, ['local-models', id], true),
      )
  }
  return {
    extraArchitectures: config['extra-architectures'] ?? [],
    levels,
    targets,
    lines,
    ...(config.manifests ? { manifests: config.manifests } : {}),
    localModels,
  }
}

/** What a schema expects, in words. */
const EXPECTED: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
}

/** One schema issue as reasons at offsets in the file: one per key for unknown keys. */
function describeIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  data: unknown,
): { reason: string; offset: number }[] {
  const where = pathName(issue.path)
  const got = () => describeValue(valueAt(data, issue.path))
  const at = (reason: string) => [{ reason, offset: offsetOf(doc, issue.path) }]
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = Object.keys(issue.path.length === 0 ? ConfigFileSchema.shape : TargetSchema.shape)
      const place = issue.path.length === 0 ? 'at the top level' : `in ${where}`
      return issue.keys.map((key) => ({
        reason: `unknown key ${quote(key)} ${place}${suggest(key, known)}`,
        offset: offsetOf(doc, [...issue.path, key], true),
      }))
    }
    case 'invalid_type':
      return at(`${where} must be ${EXPECTED[issue.expected] ?? issue.expected}; got ${got()}`)
    case 'invalid_value':
      return at(`${where} must be one of ${issue.values.join(', ')}; got ${got()}`)
    case 'too_small':
      return at(
        issue.origin === 'string'
          ? `${where} must not be empty`
          : `${where} must be ${issue.inclusive ? 'at least' : 'above'} ${String(issue.minimum)}; got ${got()}`,
      )
    case 'too_big': {
      const value = valueAt(data, issue.path)
      return at(
        Array.isArray(value)
          ? tooMany(issue.path, value.length, Number(issue.maximum))
          : `${where} is longer than ${String(issue.maximum)} characters`,
      )
    }
    default:
      return at(`${where}: ${issue.message}`)
  }
}

function tooMany(path: readonly PropertyKey[], n: number, max: number): string {
  return `${pathName(path)} has ${n.toLocaleString('en-US')} entries; at most ${max.toLocaleString('en-US')} are allowed`
}

/** `targets[0].max-rows`, `rules.MR203`; the file itself for the root. */
function pathName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the config file'
  return path
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${clip(String(s))}`))
    .join('')
}

/** A value of the file as a message quotes it. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value) // NaN, Infinity
  return typeof value === 'string' ? quote(value) : JSON.stringify(value)
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data
  for (const s of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, s)) return undefined
    value = (value as Record<PropertyKey, unknown>)[s]
  }
  return value
}

/**
 * Where the value at `path` starts in the file (with `key`, where its last key does), or its nearest
 * ancestor that the document has as a node: an alias or a key that is not plain text stops the walk.
 */
function offsetOf(doc: Document, path: readonly PropertyKey[], key = false): number {
  let node: unknown = doc.contents
  let offset = rangeStart(node) ?? 0
  for (const [i, s] of path.entries()) {
    if (isMap(node)) {
      const pair = pairsByKey(node).get(String(s))
      if (!pair) break
      if (key && i === path.length - 1) return rangeStart(pair.key) ?? offset
      node = pair.value
    } else if (isSeq(node) && typeof s === 'number') node = node.items[s]
    else break
    offset = rangeStart(node) ?? offset
  }
  return offset
}

/**
 * A mapping's pairs by their plain key, built once per mapping: every schema issue is located, and a
 * linear search per issue would make a file of 20,000 bad entries quadratic. The first pair of a key
 * wins (a duplicated key is refused before the schema runs).
 */
const PAIRS = new WeakMap<object, Map<string, Pair>>()
function pairsByKey(node: YAMLMap): Map<string, Pair> {
  let pairs = PAIRS.get(node)
  if (!pairs) {
    pairs = new Map()
    for (const p of node.items) {
      const k = isScalar(p.key) ? String(p.key.value) : undefined
      if (k !== undefined && !pairs.has(k)) pairs.set(k, p)
    }
    PAIRS.set(node, pairs)
  }
  return pairs
}

function rangeStart(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0]
}

/** `; did you mean "model"?` when a known key is a small typo away, else nothing. */
function suggest(key: string, known: readonly string[]): string {
  const near = didYouMean(key, known)
  return near ? `; did you mean ${quote(near)}?` : ''
}

/** Text of the file in a message: quoted, escaped, and short. */
function quote(s: string): string {
  return JSON.stringify(clip(s))
}

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}…` : s
}

function display(file: string, workspace: string): string {
  const rel = path.relative(workspace, file)
  return rel.startsWith('..') ? file : rel.split(path.sep).join('/')
}

/** The first key that a mapping repeats, with its offset, found in one pass over the document. */
function duplicateKey(root: unknown): { key: string; offset: number } | undefined {
  const stack = [root]
  while (stack.length > 0) {
    const node = stack.pop()
    if (isMap(node)) {
      const seen = new Set<string>()
      for (const item of node.items) {
        if (isScalar(item.key)) {
          const key = String(item.key.value)
          if (seen.has(key)) return { key, offset: item.key.range?.[0] ?? 0 }
          seen.add(key)
        }
        stack.push(item.key, item.value)
      }
    } else if (isSeq(node)) stack.push(...node.items)
  }
  return undefined
}
