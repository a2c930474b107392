// The byte shares of JSON Lines, the row ranges of Parquet, the token sample's step and the matrix's
// whole-file shares, as an adversary would try them: seeded, deterministic property tests (no clock,
// bounds by counting), and the cases a review found wrong, each kept as a test of its fix.
import { describe, expect, it } from '@jest/globals'
import { settleSample, sampleKey, mergeStats, type DatasetStats } from '../../src/engine/dataset-stats.js'
import { runDatasetRules, shardBytes, shardFiles, shardRows } from '../../src/engine/run-dataset.js'
import { readJsonl, type JsonlShare } from '../../src/readers/read-jsonl.js'
import { readParquet, type ParquetLimits } from '../../src/readers/read-parquet.js'
import { eventRows, type DataFile, type RowEvent } from '../../src/readers/rows.js'
import { memorySource } from '../../src/sources/memory.js'
import { messagesParquet, type Message } from '../helpers/parquet.js'
import { rowRecorder } from '../helpers/dataset-tester.js'
import { parquetMetadata } from 'hyparquet'

/** mulberry32: a small seeded generator, so every case is the same on every run. */
function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! }
}

const CHUNK = 1024 * 1024
const ROW_LIMIT = 16 * 1024 * 1024

async function collect(gen: AsyncGenerator<RowEvent[]>): Promise<RowEvent[]> {
  const out: RowEvent[] = []
  for await (const batch of gen) out.push(...batch)
  return out
}

const jsonlFile = (size: number): DataFile => ({ path: 'train.jsonl', size, format: 'jsonl', split: 'train' })
const parquetFile = (size: number): DataFile => ({
  path: 'train.parquet',
  size,
  format: 'parquet',
  split: 'train',
})

/** Events in the order read cover rows 1..n one after the other, each row once. */
function expectContiguous(events: readonly RowEvent[], from = 1): number {
  let next = from
  for (const e of events) {
    expect(e.row).toBe(next)
    next += eventRows(e)
  }
  return next - from
}

/**
 * A JSON Lines text from a small alphabet of line kinds: rows (ASCII, multi-byte, long ones that cross
 * chunks), JSON that does not parse, blank and whitespace-only lines, CRLF, bytes that are not UTF-8, a
 * BOM, no final newline, and (when `huge`) one line over the row limit.
 */
function jsonlText(seed: number, target: number, huge: boolean): Buffer {
  const r = rng(seed)
  const parts: Buffer[] = []
  if (r.int(3) === 0) parts.push(Buffer.from([0xef, 0xbb, 0xbf]))
  let size = 0
  let hugeDone = !huge
  let i = 0
  while (size < target) {
    const kind = r.int(12)
    let line: Buffer
    const pad = (n: number) => 'x'.repeat(n)
    switch (kind) {
      case 0:
        line = Buffer.from('')
        break
      case 1:
        line = Buffer.from(r.pick([' ', '\t', ' \t ', '\r', '  \r']))
        break
      case 2:
        // None begins with '[': a file that does is a JSON array (tested on its own below).
        line = Buffer.from(r.pick(['{"messages": [', 'not json', '{"a":1}}', '"', '{"a":[1,']))
        break
      case 3:
        line = Buffer.concat([Buffer.from('{"messages": "'), Buffer.from([0xff, 0xc3]), Buffer.from('"}')])
        break
      case 4:
        line = Buffer.from(
          JSON.stringify({ messages: [{ role: 'user', content: `é😀${i} ${'ü'.repeat(r.int(50))}` }] }),
        )
        break
      case 5:
        // Long in a large text: crosses a chunk boundary now and then.
        line = Buffer.from(
          JSON.stringify({
            messages: [{ role: 'user', content: `${i} ${pad(r.int(target > 100_000 ? 300_000 : 30))}` }],
          }),
        )
        break
      case 6:
        line = Buffer.from(r.pick(['1', 'null', ' 2', '"s"', '{}']))
        break
      default:
        line = Buffer.from(
          JSON.stringify({ messages: [{ role: 'user', content: `${i} ${pad(r.int(200))}` }] }),
        )
    }
    let counted = true
    if (!hugeDone && size > target / 3) {
      line = Buffer.from(`{"messages": "${pad(ROW_LIMIT + 10)}"}`)
      hugeDone = true
      counted = false // rows follow it
    }
    parts.push(line)
    parts.push(Buffer.from(r.int(4) === 0 ? '\r\n' : '\n'))
    if (counted) size += line.length + 1
    i++
  }
  // Sometimes no final newline; sometimes a final line with no newline at all.
  const end = r.int(3)
  if (end === 0) parts.pop()
  else if (end === 1) parts.push(Buffer.from('{"last": true}'))
  return Buffer.concat(parts)
}

/** Cut points 0 = c0 <= c1 <= ... <= size: random ones and the awkward places. */
function cutsOf(seed: number, text: Buffer, shares: number): number[] {
  const r = rng(seed)
  const size = text.length
  const awkward = [
    0,
    1,
    2,
    3,
    4,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    2 * CHUNK - 1,
    2 * CHUNK,
    2 * CHUNK + 1,
    size - 1,
    size,
  ]
  // Inside a '\r\n', just after a '\n', on a '\n'.
  const crlf = text.indexOf('\r\n')
  if (crlf >= 0) awkward.push(crlf + 1)
  const nl = text.indexOf(10, r.int(size))
  if (nl >= 0) awkward.push(nl, nl + 1)
  const points = Array.from({ length: shares - 1 }, () =>
    r.int(2) === 0 ? r.pick(awkward) : r.int(size + 1),
  ).map((p) => Math.max(0, Math.min(size, p)))
  return [0, ...points.sort((a, b) => a - b), size]
}

async function checkJsonlShares(text: Buffer, cuts: number[]) {
  const source = memorySource({ 'train.jsonl': text })
  const file = jsonlFile(text.length)
  const whole = await collect(readJsonl(source, file))
  expect(whole.every((e) => e.kind !== 'left')).toBe(true)
  expectContiguous(whole)
  const read: RowEvent[] = []
  for (let k = 0; k + 1 < cuts.length; k++) {
    const share: JsonlShare = { from: cuts[k]!, to: cuts[k + 1]! }
    const events = await collect(readJsonl(source, file, share))
    // In order, each row once, from row 1 up to its last; then the rows it did not count.
    expectContiguous(events)
    read.push(...events.filter((e) => e.kind !== 'left'))
    const all = await collect(readJsonl(source, file, { ...share, countAfter: true }))
    expect(expectContiguous(all)).toBe(whole.length)
    expect(all.filter((e) => e.kind !== 'left')).toEqual(events.filter((e) => e.kind !== 'left'))
  }
  expect(read.sort((a, b) => a.row - b.row)).toEqual(whole)
}

describe('JSON Lines byte shares (property)', () => {
  it('small texts, 1 to 8 shares at random and awkward cuts: the shares read each row once, as the whole read does', async () => {
    for (let seed = 1; seed <= 150; seed++) {
      const text = jsonlText(seed, 50 + (seed % 7) * 300, false)
      await checkJsonlShares(text, cutsOf(seed * 31, text, 1 + (seed % 8)))
    }
  })

  it('texts of 2–3 MiB (lines across 1 MiB chunks), cuts on and around the chunk boundaries', async () => {
    for (const seed of [101, 102, 103, 104]) {
      const text = jsonlText(seed, 2 * CHUNK + 300_000, false)
      await checkJsonlShares(text, cutsOf(seed, text, 2 + (seed % 3)))
    }
  }, 60_000)

  it('a line over the row limit, cut inside, at its start and just after it', async () => {
    const text = jsonlText(7, 3 * CHUNK, true)
    const start = text.indexOf('{"messages": "xxxx')
    const end = text.indexOf(10, start)
    expect(text.length - end).toBeGreaterThan(CHUNK) // rows follow it
    expect(end - start).toBeGreaterThan(ROW_LIMIT)
    await checkJsonlShares(text, [0, start, start + 1, start + CHUNK + 5, end, end + 1, text.length])
  }, 60_000)

  it('every share given by shardBytes for 1..9 shares of every small text', async () => {
    for (let seed = 200; seed < 215; seed++) {
      const text = jsonlText(seed, 120, false)
      for (let count = 1; count <= 9; count++) {
        const cuts = [
          0,
          ...Array.from({ length: count }, (_, i) => shardBytes(text.length, { index: i + 1, count }).to),
        ]
        await checkJsonlShares(text, cuts)
      }
    }
  })

  // A JSON array in a .jsonl file is the share's whose bytes its '[' begins in, as a line is: shardBytes
  // gives `from` 0 to more than one share when the file has fewer bytes than there are shares (shares
  // [0, 0) and [0, 1) of a 4-byte file of 5 shares), and each of them read it once.
  it('a JSON array in a .jsonl file smaller than the share count: its rows read by one share', async () => {
    const text = Buffer.from('[{}]')
    const source = memorySource({ 'train.jsonl': text })
    const file = jsonlFile(text.length)
    const whole = await collect(readJsonl(source, file))
    expect(whole).toHaveLength(1)
    const count = 5
    const read: RowEvent[] = []
    for (let i = 1; i <= count; i++) {
      const share = shardBytes(text.length, { index: i, count })
      read.push(...(await collect(readJsonl(source, file, share))).filter((e) => e.kind !== 'left'))
    }
    expect(read).toEqual(whole)
  })

  it('the same, through runDatasetRules with a matrix of 20 shards: each row checked once', async () => {
    const files = { 'train.jsonl': '[{"messages":[]}]' }
    const seen: string[] = []
    for (let i = 1; i <= 20; i++) await run(files, seen, { index: i, count: 20 })
    expect(seen).toEqual(['train.jsonl#1'])
  })
})

async function run(
  files: Record<string, string | Uint8Array>,
  seen: string[],
  shard?: { index: number; count: number; rows?: boolean },
  maxRows?: number,
) {
  const source = memorySource(files)
  const { findDataFiles } = await import('../../src/readers/splits.js')
  const found = findDataFiles(await source.list())
  return runDatasetRules(source, found.files, [], [rowRecorder(seen, true)], {
    levels: new Map(),
    docsBase: 'https://docs.test/',
    ...(shard ? { shard } : {}),
    ...(maxRows !== undefined ? { maxRows } : {}),
  })
}

describe('runDatasetRules: shares of rows with max-rows (property)', () => {
  it('JSON Lines and Parquet files, 2–5 shards by rows, max-rows at random: the shards check the rows one run checks, each once', async () => {
    for (let seed = 300; seed < 330; seed++) {
      const r = rng(seed)
      const files: Record<string, string | Uint8Array> = {
        'data/train.jsonl': jsonlText(seed, 100 + r.int(1500), false),
        'data/validation.parquet': messagesParquet(
          Array.from({ length: r.int(30) }, (_, i) => message(i)),
          { rowGroupSize: 1 + r.int(8) },
        ),
      }
      if (r.int(2) === 0) files['data/test.jsonl'] = jsonlText(seed + 1000, 50 + r.int(500), false)
      const maxRows = r.int(3) === 0 ? undefined : 1 + r.int(40)
      const single: string[] = []
      const one = await run(files, single, undefined, maxRows)
      const count = 2 + r.int(4)
      const shards: string[] = []
      let seen = 0
      for (let i = 1; i <= count; i++) {
        const part = await run(files, shards, { index: i, count, rows: true }, maxRows)
        seen += part.stats.seen
      }
      expect([...shards].sort()).toEqual([...single].sort())
      expect(seen).toBe(one.stats.seen)
    }
  })
})

const message = (i: number): Message[] => [{ role: 'user', content: `q${i} ${'y'.repeat(i % 13)}` }]

async function parquetEvents(
  bytes: Uint8Array,
  options: { range?: { first: number; last: number }; limits?: Partial<ParquetLimits>; maxRows?: number },
) {
  const source = memorySource({ 'train.parquet': bytes })
  const { range } = options
  return collect(
    readParquet(source, parquetFile(bytes.length), {
      columns: 'rules',
      ...(range ? { range: () => range } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
    }),
  )
}

/** Ranges 1..n split at random cut points (empty ranges included). */
function rangesOf(seed: number, n: number, count: number): { first: number; last: number }[] {
  const r = rng(seed)
  const cuts = [0, ...Array.from({ length: count - 1 }, () => r.int(n + 1)).sort((a, b) => a - b), n]
  return cuts.slice(1).map((c, k) => ({ first: cuts[k]! + 1, last: c }))
}

describe('Parquet row ranges (property)', () => {
  it('random row-group sizes and ranges, with and without groups past the limits: every row once, as the whole read', async () => {
    for (let seed = 1; seed <= 24; seed++) {
      const r = rng(seed)
      const n = 1 + r.int(60)
      const bytes = messagesParquet(
        Array.from({ length: n }, (_, i) => message(i)),
        { rowGroupSize: 1 + r.int(12) },
      )
      const limits =
        r.int(2) === 0 ? { groupRows: 5 } : r.int(2) === 0 ? { groupRows: 7, batchGroups: 2 } : undefined
      const whole = await parquetEvents(bytes, limits ? { limits } : {})
      expect(expectContiguous(whole)).toBe(n)
      const read: RowEvent[] = []
      for (const range of rangesOf(seed * 7, n, 1 + r.int(5))) {
        const events = await parquetEvents(bytes, { range, ...(limits ? { limits } : {}) })
        expect(expectContiguous(events)).toBe(n)
        // As runDatasetRules takes them: the events from the range's first row on, to its last.
        read.push(...events.filter((e) => e.kind !== 'left' && e.row >= range.first && e.row <= range.last))
      }
      expect(read.sort((a, b) => a.row - b.row)).toEqual(whole)
    }
  })

  // The reader's contract (read-parquet.ts): "a group past the limits is reported whole by the share it
  // begins in". A share whose range begins inside such a group passes it over, so no caller of `range`
  // counts the group twice (runDatasetRules also filters by `event.row >= range.first`).
  it('a group past the limits that begins before a range is not that range’s to report', async () => {
    const bytes = messagesParquet(
      Array.from({ length: 10 }, (_, i) => message(i)),
      { rowGroupSize: 10 },
    )
    const events = await parquetEvents(bytes, { range: { first: 6, last: 10 }, limits: { groupRows: 5 } })
    expect(events).toEqual([{ kind: 'left', row: 1, count: 10 }])
  })

  it('a batch of groups that fails is read again group by group: the rows before the damaged group once, in order, then the error', async () => {
    const n = 60
    const bytes = messagesParquet(
      Array.from({ length: n }, (_, i) => message(i)),
      { rowGroupSize: 6, codec: 'UNCOMPRESSED' },
    )
    const damaged = new Uint8Array(bytes)
    const meta = parquetMetadata(damaged.buffer.slice(0))
    const bad = 4 // rows 25–30
    const at = Number(meta.row_groups[bad]!.columns[0]!.meta_data!.data_page_offset)
    damaged.fill(0xff, at, at + 12)
    const source = memorySource({ 'train.parquet': damaged })
    const until = async (range?: { first: number; last: number }) => {
      const events: RowEvent[] = []
      let error: unknown
      try {
        for await (const batch of readParquet(source, parquetFile(damaged.length), {
          columns: 'rules',
          ...(range ? { range: () => range } : {}),
        }))
          events.push(...batch)
      } catch (e) {
        error = e
      }
      return { events, error }
    }
    const whole = await until()
    expect(whole.error).toBeDefined()
    expect(expectContiguous(whole.events)).toBe(bad * 6)
    for (let seed = 0; seed < 20; seed++)
      for (const range of rangesOf(seed, n, 1 + (seed % 4))) {
        const { events, error } = await until(range)
        const reaches = range.last > bad * 6 && range.first <= (bad + 1) * 6
        expect(error !== undefined).toBe(reaches)
        // No row said twice (a left event and again as read), in order.
        const said = expectContiguous(events)
        if (!reaches) expect(said).toBe(n)
        for (const e of events)
          if (e.kind !== 'left' && e.row <= bad * 6) expect(e).toEqual(whole.events[e.row - 1])
      }
  })

  it('max-rows inside a range and in a group past the limits: the rows one run would read, once', async () => {
    for (let seed = 40; seed < 52; seed++) {
      const r = rng(seed)
      const n = 5 + r.int(40)
      const bytes = messagesParquet(
        Array.from({ length: n }, (_, i) => message(i)),
        { rowGroupSize: 1 + r.int(9) },
      )
      const limits = { groupRows: 4 }
      const maxRows = 1 + r.int(n)
      const whole = await parquetEvents(bytes, { limits, maxRows })
      const read: RowEvent[] = []
      for (const range of rangesOf(seed, n, 3)) {
        const events = await parquetEvents(bytes, { range, limits, maxRows })
        read.push(...events.filter((e) => e.kind !== 'left' && e.row >= range.first && e.row <= range.last))
        // Never more rows said than max-rows and a group past the limits.
        expect(events.reduce((k, e) => k + eventRows(e), 0)).toBeLessThanOrEqual(Math.min(n, maxRows))
      }
      expect(read.sort((a, b) => a.row - b.row)).toEqual(whole)
    }
  })

  // One run stops a Parquet file at a damaged row group (DataFileError: the rows after it are not
  // checked). Shares by row range pass over the groups before their range, unread, so those after the
  // damaged group check their rows: the shares check the rows one run checks and more, never fewer, and
  // the damage is reported once, by the share whose range holds the group (README says so).
  it('a damaged row group: the shares check the rows one run checks and the later ones, the damage reported once', async () => {
    const n = 40
    const bytes = messagesParquet(
      Array.from({ length: n }, (_, i) => message(i)),
      { rowGroupSize: 10, codec: 'UNCOMPRESSED' },
    )
    const damaged = new Uint8Array(bytes)
    const meta = parquetMetadata(damaged.buffer.slice(0))
    // Garbage over the second group's first page header: that group cannot be read.
    const at = Number(meta.row_groups[1]!.columns[0]!.meta_data!.data_page_offset)
    damaged.fill(0xff, at, at + 12)
    const files = { 'train.parquet': damaged }
    const single: string[] = []
    await run(files, single)
    expect(single).toContain('train.parquet!')
    expect(single.filter((s) => s.endsWith('!'))).toHaveLength(1)
    const rowsOf = (seen: string[]) => seen.filter((s) => !s.endsWith('!')).sort()
    const shards: string[] = []
    for (let i = 1; i <= 4; i++) await run(files, shards, { index: i, count: 4, rows: true })
    expect(shards.filter((s) => s.endsWith('!'))).toHaveLength(1)
    const checked = new Set(rowsOf(shards))
    for (const r of rowsOf(single)) expect(checked).toContain(r)
    expect(rowsOf(shards)).toEqual([...checked].sort()) // each row once
  })
})

describe('the token sample', () => {
  // The path of a file whose row 1 has sampleKey 0, found by inverting FNV-1a's last step: a file name
  // from a repository chooses which rows are in every sample, whatever its step.
  function keyZeroPath(prefix: string): string {
    const P = 0x01000193
    let inv = P
    for (let i = 0; i < 5; i++) inv = Math.imul(inv, 2 - Math.imul(P, inv))
    expect(Math.imul(P, inv)).toBe(1)
    const suffix = '.jsonl'
    // FNV-1a's state after the whole path must be imul(row 1, golden): undo the suffix's steps.
    let target = Math.imul(1, 0x9e3779b1)
    for (let k = suffix.length - 1; k >= 0; k--) target = Math.imul(target, inv) ^ suffix.charCodeAt(k)
    const before = Math.imul(target, inv) // the state before the chosen character, xor it
    for (let i = 0; i < 5_000_000; i++) {
      const head = `${prefix}${i.toString(36)}-`
      let h = 0x811c9dc5
      for (let k = 0; k < head.length; k++) h = Math.imul(h ^ head.charCodeAt(k), P)
      const last = (h ^ before) >>> 0
      if (last >= 0x4e00 && last <= 0x9fff) return head + String.fromCharCode(last) + suffix
    }
    throw new Error('not found')
  }

  it('a file name can put its row 1 in the sample at every step (sampleKey 0)', () => {
    const a = keyZeroPath('data/a-')
    const b = keyZeroPath('data/b-')
    expect(sampleKey(a, 1)).toBe(0)
    expect(sampleKey(b, 1)).toBe(0)
  })

  // settleSample raises the step while more than one row is kept and the kept rows pass a cap; a row of
  // sampleKey 0 is in the sample at every step up to 32 (0 % 2^k === 0), so rows of key 0 over the byte
  // cap (three files named as above, each with a ~12 MB row 1) once kept the loop going forever. Past
  // step 32 no row is in the sample. Here the rows' `bytes` are counted as they are read, and the loop
  // is stopped after 10,000 reads (a bounded loop reads them at most 3 × 34 times).
  it('settleSample ends with rows of sampleKey 0 over the byte cap', () => {
    let reads = 0
    const row = (key: number) => ({
      key,
      get bytes() {
        if (++reads > 10_000) throw new Error(`settleSample read bytes ${reads} times: it does not end`)
        return 30 * 1024 * 1024
      },
    })
    const keys = ['data/a-', 'data/b-', 'data/c-'].map((p) => sampleKey(keyZeroPath(p), 1))
    expect(keys).toEqual([0, 0, 0])
    expect(() => settleSample(keys.map(row), 0)).not.toThrow()
  })

  it('one run’s sample from any split: settleSample over shards’ samples at their own steps, narrowed, merged', () => {
    const r = rng(99)
    for (let trial = 0; trial < 6; trial++) {
      // More rows than TOKEN_SAMPLE (10,000), of random sizes: the step grows by count or by bytes.
      const n = 12_000 + r.int(30_000)
      const big = trial % 2 === 0
      const rows = Array.from({ length: n }, (_, i) => ({
        key: sampleKey(`f${trial % 3}.jsonl`, i + 1),
        bytes: big ? 2000 + r.int(20_000) : 10 + r.int(100),
        count: r.int(5000),
      }))
      // One run: the rows one at a time, settling when past a cap, as statsCollector.row does.
      const one = stream(rows)
      for (const parts of [2, 3, 7]) {
        const cuts = [0, ...Array.from({ length: parts - 1 }, () => r.int(n + 1)).sort((a, b) => a - b), n]
        const shares = cuts.slice(1).map((c, k) => stream(rows.slice(cuts[k], c)))
        // The threads' barrier: one settle over every share's sample at the finest common step.
        const step = settleSample(
          shares.flatMap((s) => s.rows),
          Math.max(...shares.map((s) => s.level)),
        )
        expect(step.level).toBe(one.level)
        expect(keysOf(step.rows)).toEqual(keysOf(one.rows))
        // The matrix's merge: each share as its report says it, then mergeStats.
        const merged = mergeStats(shares.map(statsOf), { splits: ['train'], byFile: false })
        expect(keysOf(merged.tokenSample ?? [])).toEqual(keysOf(one.rows))
        expect(merged.tokens?.sample?.every ?? 1).toBe(2 ** one.level)
      }
    }
  })
})

type Sampled = { key: number; bytes: number; count: number }
const keysOf = (rows: readonly { key: number }[]) => rows.map((x) => x.key).sort((a, b) => a - b)

/** statsCollector.row's sampling over rows in order: the kept rows and their level. */
function stream(rows: readonly Sampled[]): { rows: Sampled[]; level: number } {
  let kept: Sampled[] = []
  let bytes = 0
  let level = 0
  for (const row of rows) {
    if (level > 0 && row.key % 2 ** level !== 0) continue
    kept.push(row)
    bytes += row.bytes
    if (kept.length > 10_000 || bytes > 64 * 1024 * 1024) {
      ;({ rows: kept, level } = settleSample(kept, level))
      bytes = kept.reduce((k, x) => k + x.bytes, 0)
    }
  }
  return { rows: kept, level }
}

function statsOf(s: { rows: Sampled[]; level: number }): DatasetStats {
  return {
    rows: s.rows.length,
    badRows: 0,
    rowsPerSplit: new Map(),
    unreadablePerSplit: new Map(),
    seen: 0,
    unreadable: 0,
    roles: new Map(),
    seconds: 0,
    ...(s.rows.length > 0
      ? {
          tokens: {
            min: 0,
            median: 0,
            p95: 0,
            max: 0,
            counted: s.rows.length,
            ...(s.level > 0 ? { sample: { first: 0 as const, every: 2 ** s.level } } : {}),
          },
          tokenSample: s.rows,
        }
      : {}),
  }
}

describe('matrix shards by whole file (shardFiles)', () => {
  it('every shard index agrees whether files are whole; the shares are disjoint, cover every file, and none is past 1.25× an even share', () => {
    const r = rng(5)
    for (let trial = 0; trial < 400; trial++) {
      const count = 1 + r.int(6)
      const n = r.int(12)
      const files = Array.from({ length: n }, (_, i) => ({
        path: `d/${r.int(3)}-${i}.jsonl`,
        size: r.int(4) === 0 ? 0 : r.pick([1, 10, 100, 1000]) * (1 + r.int(9)),
      }))
      // A path listed twice (it is a Set of paths): the first size wins in both.
      if (n > 1 && r.int(5) === 0) files.push({ ...files[0]!, size: files[0]!.size + 1 })
      const owned = Array.from({ length: count }, (_, i) => shardFiles(files, { index: i + 1, count }))
      const decided = owned.map((o) => o !== undefined)
      expect(new Set(decided).size).toBe(1)
      if (!decided[0]) continue
      const paths = owned.flatMap((o) => [...o!])
      expect(new Set(paths).size).toBe(paths.length)
      expect(new Set(paths)).toEqual(new Set(files.map((f) => f.path)))
      const sizeOf = new Map<string, number>()
      for (const f of files) if (!sizeOf.has(f.path)) sizeOf.set(f.path, f.size)
      const total = [...sizeOf.values()].reduce((a, b) => a + b, 0)
      for (const o of owned) {
        expect(o!.size).toBeGreaterThan(0)
        const bytes = [...o!].reduce((a, p) => a + sizeOf.get(p)!, 0)
        expect(bytes).toBeLessThanOrEqual((1.25 * total) / count)
      }
    }
  })

  it('shardRows and shardBytes: contiguous shares that cover everything, for any size and count', () => {
    for (let size = 0; size <= 40; size++)
      for (let count = 1; count <= 12; count++) {
        let rowAt = 1
        let byteAt = 0
        for (let i = 1; i <= count; i++) {
          const rows = shardRows(size, { index: i, count })
          expect(rows.first).toBe(rowAt)
          rowAt = rows.last + 1
          const bytes = shardBytes(size, { index: i, count })
          expect(bytes.from).toBe(byteAt)
          byteAt = bytes.to
        }
        expect(rowAt).toBe(size + 1)
        expect(byteAt).toBe(size)
      }
  })
})
