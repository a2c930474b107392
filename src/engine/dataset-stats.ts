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
   * Set when not every row was counted: about one row in `every` (a power of two), the rows whose
   * sampleKey has that many low zero bits, at most TOKEN_SAMPLE in all. The figures are the sample's,
   * named so in the summary and the JSON report. `first` is 0: no rows are counted ahead of the sample
   * (the JSON report's field, kept for the scripts that read it).
   */
  sample?: { first: 0; every: number }
}

/** One sampled row's tokens, as a shard's report carries it to be merged: see statsCollector. */
export interface SampledRow {
  key: number
  /** Its rendered text's size as the sample's byte cap counts it (two bytes a UTF-16 unit). */
  bytes: number
  count: number
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
  /** The sampled rows `tokens` is taken over (a shard's report carries them, to merge the shards'). */
  tokenSample?: SampledRow[]
}

/**
 * Rows tokenized for the statistics, at most: every rendered row while there are no more, then the rows
 * whose sampleKey ends in k zero bits, k growing by one whenever the kept rows would pass the cap. Which
 * rows are sampled depends on the rows alone, not on their order or on who reads them, so the shards of
 * a dataset keep the rows one run keeps (at a finer step), and their samples merged are that run's
 * (mergeStats). The sampled rows are kept as rendered text and tokenized once the pass is over, so rows
 * dropped from the sample are never tokenized; their text is kept up to TOKEN_SAMPLE_BYTES, past which
 * k grows too. DS402 tokenizes only rows that may be too long.
 */
export const TOKEN_SAMPLE = 10_000
const TOKEN_SAMPLE_BYTES = 64 * 1024 * 1024

/**
 * A row's place in the sample: a 32-bit hash of its file's path and its row (FNV-1a, then MurmurHash3's
 * finalizer, https://github.com/aappleby/smhasher/blob/master/src/MurmurHash3.cpp), evenly spread over
 * the rows of a file and of a dataset.
 */
export function sampleKey(path: string, row: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193)
  h ^= Math.imul(row, 0x9e3779b1)
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * Whether a row of `key` is in the sample of step 2^`level`. Keys are 32 bits: past level 32 no row is,
 * so rows whose key is 0 (a file name can be chosen to give its first row that key) cannot keep the
 * sample over its caps at every step.
 */
const inSample = (key: number, level: number) => level === 0 || (level <= 32 && key % 2 ** level === 0)

/**
 * The step that keeps `rows` (sampled at `level` or finer) within the caps: the same whatever order the
 * rows came in and however they were split, as a step only grows when the rows it keeps are too many.
 */
export function settleSample<T extends { key: number; bytes: number }>(
  rows: T[],
  level: number,
): { rows: T[]; level: number } {
  rows = rows.filter((r) => inSample(r.key, level))
  let bytes = rows.reduce((n, r) => n + r.bytes, 0)
  while (rows.length > 1 && (rows.length > TOKEN_SAMPLE || bytes > TOKEN_SAMPLE_BYTES)) {
    level++
    rows = rows.filter((r) => inSample(r.key, level))
    bytes = rows.reduce((n, r) => n + r.bytes, 0)
  }
  return { rows, level }
}

/** The figures of a sample: undefined when no row of it was counted. */
function sampleStats(rows: readonly SampledRow[], level: number): TokenStats | undefined {
  if (rows.length === 0) return undefined
  return {
    ...tokenStats(rows.map((r) => r.count)),
    ...(level > 0 ? { sample: { first: 0, every: 2 ** level } } : {}),
  }
}

const KNOWN_ROLES = new Set(['system', 'user', 'assistant', 'tool'])

/** Counts rows as they pass; `result` gives the statistics once the pass is over. */
export function statsCollector(base: BaseModel | undefined) {
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
  // The sampled rows, with their rendered text until it is counted (a row counted already has its count).
  let kept: ({ key: number; bytes: number } & ({ text: string } | { count: number }))[] = []
  let keptBytes = 0
  let level = 0
  return {
    /** Rows read so far, parsed or not: what max-rows counts. */
    seen: () => rows + badRows,
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
      const key = sampleKey(row.file.path, row.row)
      if (!inSample(key, level)) return rows
      const r = row.rendered()
      if (!r?.ok) return rows
      const count = row.knownTokens?.()
      kept.push({ key, bytes: r.text.length * 2, ...(count === undefined ? { text: r.text } : { count }) })
      keptBytes += r.text.length * 2
      if (kept.length > TOKEN_SAMPLE || keptBytes > TOKEN_SAMPLE_BYTES) {
        ;({ rows: kept, level } = settleSample(kept, level))
        keptBytes = kept.reduce((n, k) => n + k.bytes, 0)
      }
      return rows
    },
    /**
     * The sampled rows' rendered texts not counted yet, to be counted together once the pass is over
     * (result()).
     */
    sampleTexts: (): string[] => kept.flatMap((k) => ('text' in k ? [k.text] : [])),
    /**
     * The sampled rows so far and their step: what threads checking shares of one dataset put together
     * before any counts its sample (engine/shard-threads.ts), to count only the rows one run samples.
     */
    sample: () => ({ rows: kept.map((k) => ({ key: k.key, bytes: k.bytes })), level }),
    /** Narrows the sample to the step 2^`to` (from a finer one): see sample(). */
    narrow(to: number) {
      if (to <= level) return
      level = to
      kept = kept.filter((k) => inSample(k.key, level))
      keptBytes = kept.reduce((n, k) => n + k.bytes, 0)
    },
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
      let next = 0
      const sample = kept.flatMap((k): SampledRow[] => {
        const count = 'count' in k ? k.count : sampleCounts[next++]
        return count === undefined ? [] : [{ key: k.key, bytes: k.bytes, count }]
      })
      kept = []
      const tokens = sampleStats(sample, level)
      if (tokens) {
        stats.tokens = tokens
        stats.tokenSample = sample
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
 * roles are sums; token lengths are taken over the shards' sampled rows together, which are one run's
 * sample; the time is the longest shard's (they run side by side). `splits` orders the
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
  // Each shard sampled its rows at its own step, the step one run takes or a finer one: the run's
  // sample is theirs together at the step that keeps them within the caps.
  const levels = parts.map((d) => Math.log2(d.tokens?.sample?.every ?? 1))
  const sample = settleSample(
    parts.flatMap((d) => d.tokenSample ?? []),
    Math.max(0, ...levels),
  )
  const tokens = sampleStats(sample.rows, sample.level)
  if (tokens) {
    stats.tokens = tokens
    stats.tokenSample = sample.rows
  } else {
    const noTokens = parts.find((d) => d.noTokens)?.noTokens
    if (noTokens) stats.noTokens = noTokens
  }
  return stats
}
