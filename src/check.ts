import { existsSync } from 'node:fs'
import path from 'node:path'
import { compareFindings, severityAtLeast, type Counts, type Finding } from './common/finding.js'
import { docsBase, modelRules } from './rules/registry.js'
import type { CheckHooks } from './check-dataset.js'
import type { DatasetStats } from './engine/dataset-stats.js'
import { runModelRules } from './engine/run-model.js'
import { countWithOmitted, type OmittedFindings } from './engine/finding-cap.js'
import { describeError, isCheckError, SourceError, UsageError } from './common/errors.js'
import { isWithin, type FailOn, type Settings, type TargetSpec } from './settings.js'
import { openLocalSource } from './sources/local.js'
import type { LfsSource, LfsStats } from './sources/lfs-remote.js'
import type { Source } from './sources/source.js'
import { isShardRun, shardStateOf, type ShardPieces, type ShardState } from './shard-state.js'
import { checkManifest, type ManifestModelInfo, type ModelChecks } from './check-manifest.js'

export type Status = 'pass' | 'fail' | 'error'

export interface TargetResult {
  kind: 'model' | 'dataset' | 'manifest'
  ref: string
  source: 'local' | 'hub'
  revision: string | null
  status: Status
  /** Why the target could not be checked (status 'error'). */
  error?: string
  findings: Finding[]
  /**
   * Findings counted and not kept (a dataset rule's findings about one file past the cap, see
   * engine/finding-cap.ts), by rule, file and severity. They count for the status and the counts.
   */
  omitted?: OmittedFindings[]
  /** The target's folder relative to the workspace, POSIX ('' for the workspace itself). */
  rootInWorkspace: string
  /** For a hub target: where its files are shown, at the commit that was checked. */
  hub?: { url: string; repo: string; sha: string; dataset?: boolean }
  spec: TargetSpec
  /** Datasets: rows, splits, roles and token lengths, for the summary. */
  dataset?: DatasetStats
  /**
   * Local models with LFS pointers, when lfs-headers is on: the safetensors files whose header was read
   * through the remote's LFS server (their data was not downloaded), and the requests and bytes that took.
   */
  lfs?: { read: string[]; requests: number; bytes: number }
  /** On every target of a run that checks shards: what merge-reports needs (see shard-state.ts). */
  shardState?: ShardState
  /** A dataset merged from the reports of its shards (merge-reports): how many there were. */
  merged?: { shards: number }
  /**
   * A deployment manifest: the model it names, as it was checked (its findings are the manifest's, on
   * the line of hfModelRepo). A manifest target whose model could not be read has status 'error' and
   * keeps the manifest's own findings.
   */
  model?: ManifestModelInfo
}

export interface Report {
  targets: TargetResult[]
  counts: Counts
  result: Status
  failOn: FailOn
}

export function fails(
  findings: readonly Finding[],
  failOn: FailOn,
  omitted: readonly OmittedFindings[] = [],
): boolean {
  return (
    failOn !== 'never' &&
    (findings.some((f) => severityAtLeast(f.severity, failOn)) ||
      omitted.some((o) => severityAtLeast(o.severity, failOn)))
  )
}

/** Check every target. A target that cannot be read is an 'error' result; the others still run. */
export async function checkTargets(
  settings: Settings,
  env: NodeJS.ProcessEnv = process.env,
  hooks: CheckHooks = {},
): Promise<Report> {
  const options = {
    levels: settings.levels,
    settings: { extraArchitectures: settings.extraArchitectures },
    docsBase: docsBase(env),
  }
  const targets: TargetResult[] = []
  // What a checked dataset's shard state needs besides its result (see shard-state.ts).
  const pieces = new Map<TargetResult, ShardPieces>()
  // The models manifests name, each checked once however many manifests name it.
  const modelChecks: ModelChecks = new Map()
  for (const spec of settings.targets) {
    const rel = path.relative(settings.workspace, spec.root).split(path.sep).join('/')
    const base = {
      kind: spec.kind,
      ref: spec.ref,
      source: spec.source,
      revision: null as string | null,
      spec,
      rootInWorkspace: spec.source === 'local' ? rel : '',
      hub: undefined as TargetResult['hub'],
    }
    try {
      if (spec.kind === 'manifest') {
        const { findings, model, error } = await checkManifest(
          spec,
          settings,
          options,
          async (model) => {
            const opened = await openSource(model, settings)
            return {
              source: opened.source,
              ...(opened.result.revision ? { sha: opened.result.revision } : {}),
            }
          },
          modelChecks,
        )
        findings.sort(compareFindings)
        targets.push({
          ...base,
          findings,
          ...(model ? { model } : {}),
          ...(error
            ? { status: 'error', error }
            : { status: fails(findings, settings.failOn) ? 'fail' : 'pass' }),
        })
        continue
      }
      const opened = await openSource(spec, settings)
      Object.assign(base, opened.result)
      if (spec.kind === 'dataset') {
        // Loaded on first use, like the hub client: Parquet, tokenizers and the readers cost start-up
        // time a model check never needs.
        const { checkDataset } = await import(/* webpackMode: "eager" */ './check-dataset.js')
        const { findings, stats, omitted, shardState, files } = await checkDataset(
          spec,
          opened.source,
          settings,
          options.docsBase,
          hooks,
          (base) => openSource(base, settings).then((o) => o.source),
        )
        const pushed = new Map(findings.map((f, i) => [f, i]))
        findings.sort(compareFindings)
        targets.push({
          ...base,
          findings,
          dataset: stats,
          ...(omitted.length > 0 ? { omitted } : {}),
          status: fails(findings, settings.failOn, omitted) ? 'fail' : 'pass',
        })
        pieces.set(targets.at(-1)!, { pushed, files, rules: shardState ?? {}, stats, omitted })
      } else {
        const source = await withLfs(opened.source, spec, settings)
        const findings = (await runModelRules(source, modelRules, options)).sort(compareFindings)
        const lfs = 'lfs' in source ? lfsResult(source.lfs) : undefined
        targets.push({
          ...base,
          findings,
          ...(lfs ? { lfs } : {}),
          status: fails(findings, settings.failOn) ? 'fail' : 'pass',
        })
      }
    } catch (error) {
      if (!isCheckError(error)) throw error
      targets.push({ ...base, findings: [], status: 'error', error: describeError(error) })
    }
  }
  // A run that checks shards puts each target's state in its report, for merge-reports.
  if (isShardRun(settings)) for (const t of targets) t.shardState = shardStateOf(settings, t, pieces.get(t))
  return reportOf(targets, settings.failOn)
}

/** The report of checked targets: the run's result (the worst status) and its counts. */
export function reportOf(targets: TargetResult[], failOn: FailOn): Report {
  const result: Status = targets.some((t) => t.status === 'error')
    ? 'error'
    : targets.some((t) => t.status === 'fail')
      ? 'fail'
      : 'pass'
  const counts = countWithOmitted(
    targets.flatMap((t) => t.findings),
    targets.flatMap((t) => t.omitted ?? []),
  )
  return { targets, counts, result, failOn }
}

/** A target's files: a local folder, or a hub repo resolved to its commit. */
async function openSource(
  spec: TargetSpec,
  settings: Settings,
): Promise<{ source: Source; result: Partial<Pick<TargetResult, 'revision' | 'hub'>> }> {
  if (!spec.hub) {
    confine(spec)
    // Named by a data file's name (settings.ts): say that file is missing, not "the folder".
    if (spec.file && !existsSync(path.join(spec.root, spec.file)))
      throw new UsageError(`dataset file ${spec.ref} does not exist`)
    return { source: await openLocalSource(spec.root, spec.ref), result: {} }
  }
  // Loaded on first use: the hub client costs ~50 ms of start-up that a local check never needs.
  // "eager" keeps it inside the single-file bundle instead of a chunk file beside it.
  const { openHubSource } = await import(/* webpackMode: "eager" */ './sources/hub.js')
  const hub = await openHubSource(spec.hub, {
    hubUrl: settings.hub.url,
    token: settings.hub.token,
    repoType: spec.kind === 'dataset' ? 'dataset' : 'model',
  })
  return {
    source: hub,
    result: {
      revision: hub.sha,
      hub: {
        url: settings.hub.url,
        repo: hub.repo,
        sha: hub.sha,
        ...(spec.kind === 'dataset' ? { dataset: true } : {}),
      },
    },
  }
}

/**
 * A local model with its LFS pointers' headers read through the remote's LFS server, when lfs-headers
 * is on: `.git` is looked for up to the workspace when the target must stay in it.
 */
async function withLfs(source: Source, spec: TargetSpec, settings: Settings): Promise<Source | LfsSource> {
  if (!settings.lfs || source.kind !== 'local') return source
  // Loaded on first use, like the hub client: its transport is start-up time a plain local check never needs.
  const { withLfsHeaders } = await import(/* webpackMode: "eager" */ './sources/lfs-remote.js')
  return withLfsHeaders(source, {
    root: spec.root,
    ...(spec.within ? { top: spec.within } : {}),
    github: settings.lfs.github,
    hub: { url: settings.hub.url, ...(settings.hub.token ? { token: settings.hub.token } : {}) },
  })
}

function lfsResult(stats: LfsStats): TargetResult['lfs'] {
  if (stats.read.length === 0) return undefined
  return { read: [...stats.read], requests: stats.batchRequests + stats.downloads, bytes: stats.bytes }
}

/**
 * A local target that must stay in the workspace (see TargetSpec.within) and resolves elsewhere, its
 * folder or its one data file being a link out, cannot be checked. Where it leads is not said: that
 * path is outside what the pull request may show.
 */
function confine(spec: TargetSpec): void {
  if (!spec.within) return
  const where = spec.file ? path.join(spec.root, spec.file) : spec.root
  if (existsSync(where) && !isWithin(where, spec.within))
    throw new SourceError(
      `${spec.ref} leads outside the workspace (a link out of the repository): only files of the checked-out repository are read`,
    )
}

/** The CLI's exit code: 0 pass, 1 findings at or above fail-on, 2 could not check. */
export function exitCode(report: Report): number {
  return report.result === 'error' ? 2 : report.result === 'fail' ? 1 : 0
}
