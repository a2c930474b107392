// What a target's JSON report carries when its run checked one shard of the datasets (`--shard i/n`,
// `dataset-shard`): `shardState`, everything merge-reports needs to rebuild one run's report from the
// reports of every shard (src/merge-reports.ts). Plain JSON, compact: each dataset rule's state (for
// DS302 a packed digest per row, about 13 bytes), the shard's statistics with its token counts, and
// what the JSON report leaves out of each finding (its message kind, whether it is a root cause, the
// order the run reported it in).
import type { Finding, RuleLevel } from './common/finding.js'
import { packNumbers } from './common/packed.js'
import type { DatasetStats } from './engine/dataset-stats.js'
import type { OmittedFindings } from './engine/finding-cap.js'
import type { Settings, TargetSpec } from './settings.js'
import pkg from '../package.json' with { type: 'json' }

/** The shape's version: a report of another shape (or another release) is refused, never guessed at. */
export const SHARD_STATE_FORMAT = 1

export interface ShardState {
  format: typeof SHARD_STATE_FORMAT
  /** The friendli-preflight release that wrote it: reports merge only with their own release. */
  tool: string
  /** Rule levels as the config file set them, by rule id: shards must agree. */
  levels: [string, RuleLevel][]
  extraArchitectures: string[]
  target: {
    rootInWorkspace: string
    hub: { url: string; repo: string; sha: string; dataset?: boolean } | null
    origin: { file: string; line: number; endLine?: number } | null
    file: string | null
    splits: string[] | null
    maxRows: number | null
    /** The base model as named. */
    base: string | null
  }
  /** Each finding's message kind (Finding.messageId), in the report's order. */
  messageIds: string[]
  /** The report's indexes of root-cause findings. */
  rootCauses: number[]
  /** A dataset target that was checked; null for a model, or a dataset that could not be checked. */
  dataset: {
    /** Packed: each finding's place in the order the run reported it. */
    order: string
    /** The data files, [path, split, bytes], in the order the run read them. */
    files: [string, string, number][]
    stats: StatsState
    /** Each dataset rule's shardState, by rule id. */
    rules: Record<string, unknown>
    /** For each `omitted` entry of the report: its count by message kind, [messageId, count]. */
    omitted: [string, number][][]
  } | null
}

/** DatasetStats as JSON; token counts packed. */
export interface StatsState {
  rows: number
  badRows: number
  /** [split, rows, unreadable], in the order the run met them. */
  splits: [string, number, number][]
  roles: [string, number][]
  /**
   * The shard's sampled rows (SampledRow), packed one list per field in the same order; `every` as in
   * TokenStats.sample (1: every rendered row of the shard counted).
   */
  tokens: { keys: string; bytes: string; counts: string; every: number } | null
  noTokens: string | null
  seconds: number
  partial: { checked: number; maxRows: number; total: number | null } | null
}

/** What a checked dataset's state needs besides its result. */
export interface ShardPieces {
  /** The order the run reported each finding in (before they were sorted). */
  pushed: ReadonlyMap<Finding, number>
  files: readonly { path: string; split: string; size: number }[]
  /** Each rule's shardState, by rule id. */
  rules: Record<string, unknown>
  stats: DatasetStats
  omitted: readonly OmittedFindings[]
}

/** Whether the run checks shards: then every target's report carries its state. */
export const isShardRun = (settings: Settings) => settings.targets.some((t) => t.shard !== undefined)

/** The state of one target, from its sorted findings and, for a checked dataset, what its run returned. */
export function shardStateOf(
  settings: Settings,
  target: {
    spec: TargetSpec
    rootInWorkspace: string
    hub?: ShardState['target']['hub'] | undefined
    findings: readonly Finding[]
  },
  dataset?: ShardPieces,
): ShardState {
  const { spec } = target
  return {
    format: SHARD_STATE_FORMAT,
    tool: pkg.version,
    levels: [...settings.levels].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    extraArchitectures: settings.extraArchitectures,
    target: {
      rootInWorkspace: target.rootInWorkspace,
      hub: target.hub ?? null,
      origin: spec.origin ?? null,
      file: spec.file ?? null,
      splits: spec.splits ?? null,
      maxRows: spec.maxRows ?? null,
      base: spec.base?.ref ?? null,
    },
    messageIds: target.findings.map((f) => f.messageId),
    rootCauses: target.findings.flatMap((f, i) => (f.rootCause ? [i] : [])),
    dataset: dataset
      ? {
          order: packNumbers(target.findings.map((f, i) => dataset.pushed.get(f) ?? i)),
          files: dataset.files.map((f) => [f.path, f.split, f.size]),
          stats: statsState(dataset.stats),
          rules: dataset.rules,
          omitted: dataset.omitted.map((o) => Object.entries(o.byMessage ?? {})),
        }
      : null,
  }
}

function statsState(d: DatasetStats): StatsState {
  return {
    rows: d.rows,
    badRows: d.badRows,
    splits: [...d.rowsPerSplit].map(([split, rows]) => [split, rows, d.unreadablePerSplit.get(split) ?? 0]),
    roles: [...d.roles],
    tokens: d.tokenSample?.length
      ? {
          keys: packNumbers(d.tokenSample.map((r) => r.key)),
          bytes: packNumbers(d.tokenSample.map((r) => r.bytes)),
          counts: packNumbers(d.tokenSample.map((r) => r.count)),
          every: d.tokens?.sample?.every ?? 1,
        }
      : null,
    noTokens: d.noTokens ?? null,
    seconds: d.seconds,
    partial: d.partial
      ? { checked: d.partial.checked, maxRows: d.partial.maxRows, total: d.partial.total ?? null }
      : null,
  }
}
