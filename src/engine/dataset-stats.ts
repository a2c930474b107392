// The dataset's statistics for the summary: rows per split, messages per role and token lengths,
// gathered as the one streaming pass goes by. Kept apart from the pass itself so the runner reads as
// "every rule sees every row" and the numbers have one home.
import type { BaseModel } from '../artifacts/base-model.js'
import { isObject } from '../common/json.js'
import type { DatasetRow } from '../rules/dataset-rule.js'

export interface TokenStats {
  min: number
  median: number
  p95: number
  /** The longest row counted: the dataset's longest only when `sample` is unset. */
  max: number
  /** Rows whose tokens were counted. */
  counted: number
  /**
   * Set when not every row was counted: the first `first` rows and every `every`-th row after them, at
   * most TOKEN_SAMPLE in all. The figures are the sample's, named so in the summary and the JSON report.
   */
  sample?: {
    first: number
    every: number
    /**
     * Set on the figures of a dataset merged from the reports of its shards (merge-reports): each shard
     * took its own sample, the first `first` of its rows and every `every`-th after (at most), and the
     * figures are over all of them.
     */
    shards?: number
  }
}

export interface DatasetStats {
  /** Rows parsed as JSON (objects or not): what roles and token lengths are taken over. */
  rows: number
  /** Rows that could not be parsed: they count towards max-rows, not towards the statistics. */
  badRows: number
  /**
   * Every row the reader saw per split, unreadable ones included, in the order the splits were first
   * seen. A Map: split names come from the repository's file names, and one named `constructor` or
   * `__proto__` is just a split.
   */
  rowsPerSplit: Map<string, number>
  /**
   * Rows per split that are not a JSON object (not JSON at all, an array, a string, a row over the size
   * limit): the rows DS201 reports. Only splits that have some.
   */
  unreadablePerSplit: Map<string, number>
  /** The totals of the two maps: every row seen, and the unreadable ones among them. */
  seen: number
  unreadable: number
  /**
   * Set when max-rows stopped the pass before the end: the rows read, the limit, and the rows the files
   * hold when their format states it (Parquet's footer) and every file was opened.
   */
  partial?: { checked: number; maxRows: number; total?: number }
  /** Messages per role, over every row: Friendli's four roles, `(none)` and `(other)`. */
  roles: Map<string, number>
  tokens?: TokenStats
  /** Why tokens were not counted, when they were not. */
  noTokens?: string
  seconds: number
  /** The token counts `tokens` is taken over (a shard's report carries them, to merge the shards'). */
  tokenCounts?: number[]
}

/**
 * Rows tokenized for the statistics, at most: the first TOKEN_FIRST rows, then every k-th row, k doubling
 * whenever the kept rows would pass the cap. The rows after the first are kept as rendered text and
 * tokenized once the pass is over, so rows dropped from the sample are never tokenized; their text is kept
 * up to TOKEN_SAMPLE_BYTES, past which k doubles too. DS402 tokenizes only rows that may be too long.
 * A shard of n takes an n-th of both, so the shards' samples merged are about one run's.
 */
export const TOKEN_SAMPLE = 10_000
export const TOKEN_FIRST = 1000
const TOKEN_SAMPLE_BYTES = 64 * 1024 * 1024

const KNOWN_ROLES = new Set(['system', 'user', 'assistant', 'tool'])

/** Counts rows as they pass; `result` gives the statistics once the pass is over. */
export function statsCollector(base: BaseModel | undefined, share = 1) {
  // A shard of n (merge-reports puts the shards' samples together) samples its n-th of the rows.
  const first = Math.ceil(TOKEN_FIRST / share)
  const most = Math.ceil(TOKEN_SAMPLE / share)
  let rows = 0
  let badRows = 0
  let unreadable = 0
  const rowsPerSplit = new Map<string, number>()
  const unreadablePerSplit = new Map<string, number>()
  const tally = (split: string, readable: boolean) => {
    rowsPerSplit.set(split, (rowsPerSplit.get(split) ?? 0) + 1)
    if (readable) return
    unreadable++
    unreadablePerSplit.set(split, (unreadablePerSplit.get(split) ?? 0) + 1)
  }
  // Roles come from the data: Friendli's four and one bucket for anything else, so a dataset with role
  // and content swapped cannot fill memory or the summary with its text.
  const roles = new Map<string, number>()
  const counts: number[] = []
  // Rows after the first: their place after `first` (a multiple of `stride`) and rendered text.
  let kept: { at: number; text: string }[] = []
  let keptBytes = 0
  let stride = 1
  return {
    /** Rows read so far, parsed or not: what max-rows counts. */
    seen: () => rows + badRows,
    /** The first rows, counted as they pass (then an even sample): a worker thread counts them. */
    first,
    /** A row that could not be parsed, in a file of `split`. */
    badRow(split: string) {
      badRows++
      tally(split, false)
    },
    /** A parsed row; returns the parsed rows so far. */
    row(row: DatasetRow, messages: unknown): number {
      rows++
      tally(row.file.split, isObject(row.value))
      if (Array.isArray(messages))
        for (const m of messages as unknown[]) {
          const role = isObject(m) ? m.role : undefined
          const bucket = typeof role !== 'string' ? '(none)' : KNOWN_ROLES.has(role) ? role : '(other)'
          roles.set(bucket, (roles.get(bucket) ?? 0) + 1)
        }
      if (!base?.countTokens) return rows
      const at = rows - first
      if (at <= 0) {
        // The first rows are counted as they pass, so a tokenizer that hangs is stopped during the pass.
        const n = row.tokens() // undefined: not rendered, or the tokenizer was stopped
        if (n !== undefined) counts.push(n)
      } else if (at % stride === 0) {
        const r = row.rendered()
        if (r?.ok) {
          kept.push({ at, text: r.text })
          keptBytes += r.text.length * 2
        }
        while (kept.length > 1 && (kept.length > most - first || keptBytes > TOKEN_SAMPLE_BYTES)) {
          stride *= 2
          kept = kept.filter((k) => k.at % stride === 0)
          keptBytes = kept.reduce((sum, k) => sum + k.text.length * 2, 0)
        }
      }
      return rows
    },
    /** The sampled rows' rendered texts, to be counted together once the pass is over (result()). */
    sampleTexts: (): string[] => kept.map((k) => k.text),
    /** The statistics, given the token counts of sampleTexts() (undefined where not counted). */
    result(
      seconds: number,
      partial: DatasetStats['partial'] | undefined,
      sampleCounts: readonly (number | undefined)[],
    ): DatasetStats {
      const stats: DatasetStats = {
        rows,
        badRows,
        rowsPerSplit,
        unreadablePerSplit,
        seen: rows + badRows,
        unreadable,
        roles,
        seconds,
        ...(partial ? { partial } : {}),
      }
      for (const n of sampleCounts) if (n !== undefined) counts.push(n)
      kept = []
      if (counts.length > 0) {
        stats.tokens = {
          ...tokenStats(counts),
          ...(stride > 1 ? { sample: { first, every: stride } } : {}),
        }
        stats.tokenCounts = counts
      } else if (base?.tokensStopped) stats.noTokens = `the tokenizer was stopped: ${base.tokensStopped.why}`
      else if (base && !base.countTokens) stats.noTokens = base.noTokenizer
      return stats
    },
  }
}

/** Figures over a non-empty list of counts (result() only calls it with one). */
function tokenStats(counts: number[]): Omit<TokenStats, 'sample'> {
  const sorted = [...counts].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return {
    min: at(0),
    median: at(0.5),
    p95: at(0.95),
    max: at(1),
    counted: sorted.length,
  }
}

/**
 * The statistics of one run over a dataset, from those of its shards (merge-reports): rows, splits and
 * roles are sums; token lengths are taken over every shard's counted rows together, named a sample when
 * any shard sampled; the time is the longest shard's (they run side by side). `splits` orders the
 * splits as the dataset's files come; `byFile` says the shards had whole files, so the files a shard
 * did not open are in no other shard's count (max-rows' total is then a sum).
 */
export function mergeStats(
  parts: readonly DatasetStats[],
  options: { splits: readonly string[]; byFile: boolean },
): DatasetStats {
  const sum = (f: (d: DatasetStats) => number) => parts.reduce((n, d) => n + f(d), 0)
  const addUp = (maps: Map<string, number>[]) => {
    const out = new Map<string, number>()
    for (const m of maps) for (const [k, v] of m) out.set(k, (out.get(k) ?? 0) + v)
    return out
  }
  const rank = new Map(options.splits.map((s, i) => [s, i]))
  const bySplit = (m: Map<string, number>) =>
    new Map([...m].sort((a, b) => (rank.get(a[0]) ?? Infinity) - (rank.get(b[0]) ?? Infinity)))
  const stats: DatasetStats = {
    rows: sum((d) => d.rows),
    badRows: sum((d) => d.badRows),
    rowsPerSplit: bySplit(addUp(parts.map((d) => d.rowsPerSplit))),
    unreadablePerSplit: bySplit(addUp(parts.map((d) => d.unreadablePerSplit))),
    seen: sum((d) => d.seen),
    unreadable: sum((d) => d.unreadable),
    roles: addUp(parts.map((d) => d.roles)),
    seconds: Math.max(0, ...parts.map((d) => d.seconds)),
  }
  const partials = parts.flatMap((d) => (d.partial ? [d.partial] : []))
  if (partials.length > 0) {
    const totals = partials.map((p) => p.total)
    const total = totals.includes(undefined)
      ? undefined
      : options.byFile
        ? totals.reduce((n, t) => n! + t!, 0)
        : totals[0]
    stats.partial = {
      checked: stats.seen,
      maxRows: partials[0]!.maxRows,
      ...(total !== undefined ? { total } : {}),
    }
  }
  const counts = parts.flatMap((d) => d.tokenCounts ?? [])
  if (counts.length > 0) {
    const every = Math.max(...parts.map((d) => d.tokens?.sample?.every ?? 1))
    const first = Math.max(...parts.map((d) => d.tokens?.sample?.first ?? 0))
    stats.tokens = {
      ...tokenStats(counts),
      ...(every > 1
        ? { sample: { first, every, ...(parts.length > 1 ? { shards: parts.length } : {}) } }
        : {}),
    }
    stats.tokenCounts = counts
  } else {
    const noTokens = parts.find((d) => d.noTokens)?.noTokens
    if (noTokens) stats.noTokens = noTokens
  }
  return stats
}
