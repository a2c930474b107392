// `--shard i/n` / `dataset-shard`: every row of a dataset is checked by exactly one shard, and the
// shards' findings together are a single run's (but for duplicate rows across shards). Proved by
// counting rows and comparing findings, never by timing.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkTargets } from '../../src/check.js'
import type { Finding } from '../../src/common/finding.js'
import { UsageError } from '../../src/common/errors.js'
import { runDatasetRules, shardBytes, shardFiles, shardRows } from '../../src/engine/run-dataset.js'
import { readParquet } from '../../src/readers/read-parquet.js'
import { readRows } from '../../src/readers/read-rows.js'
import { eventRows, type RowEvent } from '../../src/readers/rows.js'
import { findDataFiles } from '../../src/readers/splits.js'
import { toJson } from '../../src/report/json.js'
import { formatSummary } from '../../src/report/summary.js'
import { formatText } from '../../src/report/text.js'
import { datasetRules } from '../../src/rules/registry.js'
import { parseShard, resolveSettings } from '../../src/settings.js'
import { memorySource, type MemoryEntry } from '../../src/sources/memory.js'
import { chat, jsonl, raw, rowRecorder } from '../helpers/dataset-tester.js'
import { runCliIn, writeFiles } from '../helpers/in-process.js'
import { messagesParquet } from '../helpers/parquet.js'

/**
 * Which share of `count` each row of a JSON Lines text falls in (0-based, in row order): the share
 * whose bytes its line begins in, blank lines being no rows.
 */
function shareOfRows(text: string, count: number): number[] {
  const size = Buffer.byteLength(text)
  const from = (k: number) => Math.floor((k * size) / count)
  const owners: number[] = []
  let at = 0
  for (const line of text.split('\n')) {
    if (line.trim() !== '' && at < size) {
      let k = 0
      while (from(k + 1) <= at) k++
      owners.push(k)
    }
    at += Buffer.byteLength(line) + 1
  }
  return owners
}

/** One run over in-memory files: the rows it checked, its findings and its stats. */
async function run(
  files: Record<string, MemoryEntry>,
  shard?: { index: number; count: number },
  maxRows?: number,
  countBytes = false,
) {
  const bytesRead = countBytes ? new Map<string, number>() : undefined
  const plain = memorySource(files)
  const source = bytesRead
    ? {
        ...plain,
        readRange: async (p: string, start: number, end: number) => {
          const bytes = await plain.readRange(p, start, end)
          bytesRead.set(p, (bytesRead.get(p) ?? 0) + bytes.length)
          return bytes
        },
      }
    : plain
  const found = findDataFiles(await source.list())
  const seen: string[] = []
  const result = await runDatasetRules(source, found.files, [], [rowRecorder(seen), ...datasetRules], {
    levels: new Map(),
    docsBase: 'https://docs.test/',
    ...(shard ? { shard } : {}),
    ...(maxRows ? { maxRows } : {}),
  })
  return { seen, bytesRead, ...result }
}

/** Every shard of `count`, in order. */
const shards = (count: number) => Array.from({ length: count }, (_, i) => ({ index: i + 1, count }))

const key = (f: Finding) => JSON.stringify([f.ruleId, f.messageId, f.severity, f.message, f.location])
const DS302 = (f: Finding) => f.ruleId === 'DS302'

const good = (i: number) => chat(['user', `question ${i}`], ['assistant', `answer ${i}`])
/** Rows with row-level findings of several rules, and duplicates, among good ones. */
const mixed = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) =>
    i % 7 === 3
      ? raw('{"messages": [')
      : i % 5 === 1
        ? chat(['assistant', `first ${tag}${i}`])
        : i % 11 === 4
          ? good(0) // a duplicate of row 1 of every file, and of the other files' copies
          : good(Number(`${tag.length}${i}`)),
  )

/** The checked rows of every shard: each row once, all together the whole run's. */
async function expectPartition(files: Record<string, MemoryEntry>, count: number) {
  const whole = await run(files)
  expect(whole.findings.filter((f) => !DS302(f)).length).toBeGreaterThan(0) // something to compare
  const parts = await Promise.all(shards(count).map((s) => run(files, s)))
  const union = parts.flatMap((p) => p.seen)
  expect(new Set(union).size).toBe(union.length) // no row twice
  expect([...union].sort()).toEqual([...whole.seen].sort()) // every row once
  expect(parts.reduce((n, p) => n + p.stats.seen, 0)).toBe(whole.stats.seen)
  // The union of the findings is the single run's, duplicate rows (DS302) apart.
  const found = new Set(parts.flatMap((p) => p.findings.filter((f) => !DS302(f)).map(key)))
  expect([...found].sort()).toEqual([...new Set(whole.findings.filter((f) => !DS302(f)).map(key))].sort())
  // DS302 finds within a shard only: never a duplicate the single run does not report.
  const wholeDuplicates = new Set(whole.findings.filter(DS302).map((f) => JSON.stringify(f.location)))
  for (const p of parts)
    for (const f of p.findings.filter(DS302)) expect(wholeDuplicates).toContain(JSON.stringify(f.location))
  return { whole, parts }
}

describe('dataset shards', () => {
  it('several JSONL files, 4 shards: whole files, the largest first to the shard with the fewest bytes', async () => {
    const files: Record<string, MemoryEntry> = {}
    // Written out of order: the shards go by size and path, not by listing order.
    for (const k of [5, 0, 3, 1, 4, 2])
      files[`data/train-0000${k}-of-00006.jsonl`] = jsonl(mixed(9 + k, `f${k}`))
    const { parts } = await expectPartition(files, 4)
    const filesOf = (p: { seen: string[] }) => [...new Set(p.seen.map((s) => s.split('#')[0]))].sort()
    expect(parts.map(filesOf)).toEqual([
      ['data/train-00005-of-00006.jsonl'],
      ['data/train-00004-of-00006.jsonl'],
      ['data/train-00000-of-00006.jsonl', 'data/train-00003-of-00006.jsonl'],
      ['data/train-00001-of-00006.jsonl', 'data/train-00002-of-00006.jsonl'],
    ])
  })

  it('one JSONL file, 4 shards: each the lines that begin in its quarter of the bytes', async () => {
    const text = jsonl(mixed(50, 'a'))
    const files = { 'train.jsonl': text }
    const { whole, parts } = await expectPartition(files, 4)
    // Findings of several rules, each rule's found by more than one shard.
    expect(new Set(whole.findings.map((f) => f.ruleId)).size).toBeGreaterThanOrEqual(3)
    const owner = shareOfRows(text, 4)
    parts.forEach((p, i) => expect(p.seen).toEqual(whole.seen.filter((_, r) => owner[r] === i)))
    expect(parts.map((p) => p.seen.length).every((n) => n >= 10)).toBe(true)
    // The single run finds duplicates the shards do not see together: that is what the summary says.
    expect(whole.findings.filter(DS302).length).toBeGreaterThan(
      parts.reduce((n, p) => n + p.findings.filter(DS302).length, 0),
    )
  })

  it('fewer files than shards: each JSONL file shared by its bytes', async () => {
    const a = jsonl(mixed(13, 'a'))
    const b = jsonl(mixed(6, 'b'))
    const files = { 'train.jsonl': a, 'validation.jsonl': b }
    const { whole, parts } = await expectPartition(files, 3)
    const owner = [...shareOfRows(a, 3), ...shareOfRows(b, 3)]
    parts.forEach((p, i) => expect(p.seen).toEqual(whole.seen.filter((_, r) => owner[r] === i)))
  })

  it("a JSON array in a .jsonl file is the first share's whole; a .json file goes round robin", async () => {
    const rows = mixed(12, 'a').map((r) => ('raw' in r ? { messages: 'x' } : r))
    const files = { 'train.jsonl': JSON.stringify(rows), 'validation.json': JSON.stringify(rows) }
    const { whole, parts } = await expectPartition(files, 3)
    const train = (p: { seen: string[] }) => p.seen.filter((s) => s.startsWith('train'))
    expect(parts.map((p) => train(p).length)).toEqual([12, 0, 0])
    const validation = whole.seen.filter((s) => s.startsWith('validation'))
    parts.forEach((p, i) =>
      expect(p.seen.filter((s) => s.startsWith('validation'))).toEqual(
        validation.filter((_, r) => r % 3 === i),
      ),
    )
  })

  it("a JSONL shard parses only its own rows, and reads no chunk past its share: the others' lines before it are counted", async () => {
    // Two files, blank lines between some rows, lines of about 1 KB crossing the 1 MiB chunks.
    const text = (n: number, tag: string) =>
      jsonl(
        Array.from({ length: n }, (_, i) =>
          i % 7 === 3
            ? raw('{"messages": [')
            : chat(['user', `${tag}${i} ${'x'.repeat(1000)}`], ['assistant', 'ok']),
        ),
      ).replace(/\n/g, (m, at: number) => (at % 3 ? m : '\n\n'))
    const files = { 'a.jsonl': text(3700, 'a'), 'c.jsonl': text(20, 'c') }
    const whole = await run(files)
    const parse = jest.spyOn(JSON, 'parse')
    try {
      for (let i = 1; i <= 3; i++) {
        parse.mockClear()
        const part = await run(files, { index: i, count: 3 }, undefined, true)
        const owner = [...shareOfRows(files['a.jsonl'], 3), ...shareOfRows(files['c.jsonl'], 3)]
        const rows = whole.seen.filter((_, r) => owner[r] === i - 1)
        expect(part.seen).toEqual(rows)
        // Each of its rows parsed once (the rules parse no row text again); none of the other shards'.
        expect(parse.mock.calls.length).toBeLessThanOrEqual(rows.length)
        // Bytes read of a.jsonl: up to its share's end and one chunk more, never the file after it.
        const size = Buffer.byteLength(files['a.jsonl'])
        expect(part.bytesRead!.get('a.jsonl')).toBeLessThanOrEqual(Math.floor((i * size) / 3) + 1024 * 1024)
      }
    } finally {
      parse.mockRestore()
    }
  })

  it('readRows with a byte share: the same rows, the others counted as `left`, lines across chunks and bad lines included', async () => {
    // Rows of about 1 KB (2.4 MB in all, read 1 MiB at a time: lines cross chunks), some not JSON, one
    // not UTF-8, blank and CRLF lines, a BOM.
    const lines = Array.from({ length: 2400 }, (_, i) =>
      i % 37 === 5
        ? '{"messages": ['
        : i % 101 === 7
          ? '  \r'
          : JSON.stringify({ messages: [{ role: 'user', content: `${i} ${'x'.repeat(1000)}` }] }) +
            (i % 13 ? '' : '\r'),
    )
    const bytes = Buffer.concat([
      Buffer.from('\ufeff' + lines.join('\n') + '\n'),
      Buffer.from([0xff, 0x0a]),
      Buffer.from('{"a": 1}'),
    ])
    const source = memorySource({ 'train.jsonl': bytes })
    const [file] = findDataFiles(await source.list()).files
    const all: RowEvent[] = []
    for await (const e of readRows(source, file!)) all.push(e)
    expect(all.length).toBe(lines.filter((l) => l.trim() !== '').length + 2)
    for (const cut of [
      [0, 1, bytes.length],
      [0, 500_000, 1_048_576, 1_048_577, 2_000_000, bytes.length],
    ]) {
      const shares = cut.slice(1).map((to, k) => ({ from: cut[k]!, to }))
      const got: RowEvent[][] = []
      for (const share of shares) {
        const events: RowEvent[] = []
        for await (const e of readRows(source, file!, { share: { ...share, countAfter: true } }))
          events.push(e)
        got.push(events)
      }
      // Each row is read by exactly one share, as the whole file reads it; every share counts every row.
      const read = got.flatMap((events) => events.filter((e) => e.kind !== 'left'))
      expect(read.sort((x, y) => x.row - y.row)).toEqual(all)
      for (const events of got) expect(events.reduce((n, e) => n + eventRows(e), 0)).toBe(all.length)
    }
  })

  it('one Parquet file, 4 shards: contiguous ranges, as its footer says how many rows', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => [
      { role: 'user', content: `q${i}` },
      { role: i === 6 ? 'user' : 'assistant', content: `a${i}` },
    ])
    const files = { 'train.parquet': messagesParquet(rows) }
    const { parts } = await expectPartition(files, 4)
    expect(parts.map((p) => p.seen.map((s) => Number(s.split('#')[1])))).toEqual([
      [1, 2],
      [3, 4, 5],
      [6, 7],
      [8, 9, 10],
    ])
  })

  it('a Parquet shard decodes only the row groups of its range; the others are counted from the footer', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => [{ role: 'user', content: `q${i}` }])
    const source = memorySource({ 'train.parquet': messagesParquet(rows, { rowGroupSize: 10 }) })
    const [file] = findDataFiles(await source.list()).files
    for (const [shard, groups] of [
      [{ index: 1, count: 4 }, 3], // rows 1–25: groups 1–3
      [{ index: 2, count: 4 }, 3], // rows 26–50: groups 3–5
      [{ index: 4, count: 4 }, 3], // rows 76–100: groups 8–10
    ] as const) {
      const counters = { batches: 0, groupsPlanned: 0, pageBytes: 0, pagesRefused: 0 }
      const events: RowEvent[] = []
      const range = (n: number) => shardRows(n, shard)
      for await (const batch of readParquet(source, file!, { columns: 'rules', range, counters }))
        events.push(...batch)
      const { first, last } = range(100)
      expect(events.filter((e) => e.kind === 'row').map((e) => e.row)).toEqual(
        Array.from({ length: last - first + 1 }, (_, i) => first + i),
      )
      expect(events.reduce((n, e) => n + eventRows(e), 0)).toBe(100)
      expect(counters.groupsPlanned).toBe(groups)
    }
    // A group past the limits that a range ends in is reported whole, by the shard whose range it begins
    // in, as one run reports it.
    const limits = { groupRows: 5 }
    const whole: RowEvent[] = []
    for await (const batch of readParquet(source, file!, { columns: 'rules', limits })) whole.push(...batch)
    const parts = await Promise.all(
      shards(3).map(async (shard) => {
        const events: RowEvent[] = []
        const range = (n: number) => shardRows(n, shard)
        for await (const batch of readParquet(source, file!, { columns: 'rules', range, limits }))
          events.push(...batch)
        const { first } = range(100)
        expect(events.reduce((n, e) => n + eventRows(e), 0)).toBe(100)
        return events.filter((e) => e.kind === 'bad-row' && e.row >= first)
      }),
    )
    expect(parts.flat().sort((a, b) => a.row - b.row)).toEqual(whole)
  })

  it('shards of a dataset with fewer rows than shards: some check nothing, none says "no rows"', async () => {
    const files = { 'train.jsonl': jsonl([good(1), good(2)]) }
    const { parts } = await expectPartition(files, 4)
    expect(parts.map((p) => p.seen.length)).toEqual([1, 0, 1, 0]) // the lines begin in the first and third quarters
    for (const p of parts) expect(p.findings.filter((f) => f.messageId === 'noRows')).toEqual([])
  })

  it('a line over the row limit across a share boundary is the bad row of the share it begins in, once', async () => {
    const huge = `{"messages": "${'x'.repeat(17 * 1024 * 1024)}"}`
    const text = jsonl([good(1)]) + huge + '\n' + jsonl([good(2), good(3)])
    const source = memorySource({ 'train.jsonl': text })
    const [file] = findDataFiles(await source.list()).files
    const size = Buffer.byteLength(text)
    const whole: RowEvent[] = []
    for await (const e of readRows(source, file!)) whole.push(e)
    expect(whole.map((e) => e.kind)).toEqual(['row', 'bad-row', 'row', 'row'])
    for (const count of [2, 3, 5]) {
      const read: RowEvent[] = []
      for (const shard of shards(count)) {
        const events: RowEvent[] = []
        const share = { ...shardBytes(size, shard), countAfter: true }
        for await (const e of readRows(source, file!, { share })) events.push(e)
        expect(events.reduce((n, e) => n + eventRows(e), 0)).toBe(4)
        read.push(...events.filter((e) => e.kind !== 'left'))
      }
      expect(read.sort((a, b) => a.row - b.row)).toEqual(whole)
    }
  })

  it('a share of JSON Lines bytes with no row in it (blank lines) does not say "no rows": rows may follow', async () => {
    const files = { 'train.jsonl': '\n'.repeat(5000) + jsonl([good(1), good(2)]) }
    const { parts } = await expectPartition(files, 2)
    expect(parts.map((p) => p.seen.length)).toEqual([0, 2])
    for (const p of parts) expect(p.findings.filter((f) => f.messageId === 'noRows')).toEqual([])
    const empty = await run({ 'train.jsonl': '\n'.repeat(5000) }, { index: 2, count: 2 })
    expect(empty.findings.filter((f) => f.messageId === 'noRows')).toHaveLength(1) // the last share knows
  })

  it('max-rows counts the rows a shard reads: with rows split, the shards share the first N rows', async () => {
    const files = { 'train.jsonl': jsonl(mixed(40, 'a')) }
    const whole = await run(files, undefined, 10)
    const parts = await Promise.all(shards(4).map((s) => run(files, s, 10)))
    const union = parts.flatMap((p) => p.seen)
    expect(union.length).toBe(10)
    expect([...union].sort()).toEqual([...whole.seen].sort())
  })

  it('shardFiles and shardRows split 1..N into n disjoint shares that cover it', () => {
    for (const count of [1, 2, 3, 4, 7, 256])
      for (const rows of [0, 1, 3, 10, 255, 1000]) {
        const covered = shards(count).flatMap((s) => {
          const { first, last } = shardRows(rows, s)
          return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i)
        })
        expect(covered).toEqual(Array.from({ length: rows }, (_, i) => i + 1))
      }
    const files = ['b', 'a', 'd', 'c', 'e'].map((p) => ({
      path: p,
      size: 1,
      format: 'jsonl' as const,
      split: 'train',
    }))
    expect(shards(2).map((s) => [...shardFiles(files, s)!])).toEqual([
      ['a', 'c', 'e'],
      ['b', 'd'],
    ])
    // Largest first to the lightest shard: 40 | 30 | 20+10 | 25+5, within 1.25 times an even 32.5.
    const sized = (sizes: Record<string, number>) =>
      Object.entries(sizes).map(([path, size]) => ({ path, size }))
    const even = sized({ a: 40, b: 30, c: 25, d: 20, e: 10, f: 5 })
    expect(shards(4).map((s) => [...shardFiles(even, s)!].sort())).toEqual([
      ['a'],
      ['b'],
      ['c', 'f'],
      ['d', 'e'],
    ])
    // One file larger than a job's share (a large train file beside small ones): every job shares rows.
    const uneven = sized({ 'train.jsonl': 900, 'test.jsonl': 50, 'validation.jsonl': 50 })
    for (const s of shards(2)) expect(shardFiles(uneven, s)).toBeUndefined()
    expect(shardFiles(uneven, { index: 1, count: 1 })).toEqual(
      new Set(['train.jsonl', 'test.jsonl', 'validation.jsonl']),
    )
    expect(shardFiles(sized({ a: 1 }), { index: 1, count: 2 })).toBeUndefined() // fewer files than shards
  })

  it('a large file beside small ones: every shard checks its share of each, as many files as shards or not', async () => {
    const files = { 'train.jsonl': jsonl(mixed(60, 'a')), 'test.jsonl': jsonl(mixed(6, 'b')) }
    const { parts } = await expectPartition(files, 2)
    for (const p of parts)
      expect(new Set(p.seen.map((s) => s.split('#')[0]))).toEqual(new Set(['train.jsonl', 'test.jsonl']))
  })
})

describe('shard specs', () => {
  it('parses i/n, and nothing for an empty value', () => {
    expect(parseShard('')).toBeUndefined()
    expect(parseShard(' 2/4 ')).toEqual({ index: 2, count: 4 })
    expect(parseShard('256/256')).toEqual({ index: 256, count: 256 })
  })

  it.each(['3/2', '0/4', 'a/b', '1/0', '1/300', '1/4/', '-1/4', '1.5/4', '1 / 4'])(
    '%s is a usage error on one line',
    (spec) => {
      expect(() => parseShard(spec)).toThrow(UsageError)
      expect(() => parseShard(spec)).toThrow(
        /^dataset-shard \(--shard\) must be i\/n with 1 ≤ i ≤ n ≤ 256, as in 2\/4; got "/,
      )
    },
  )

  it('a value with a line break stays one line', () => {
    expect(() => parseShard('1/2\n::error::x')).toThrow(/got "1\/2\\n::error::x"$/)
  })
})

describe('the CLI and the reports', () => {
  let tmp: string
  beforeAll(() => {
    tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-shard-')))
    writeFiles(tmp, { 'data/train.jsonl': jsonl(mixed(12, 'a')) })
  })
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  it.each(['3/2', '0/4', 'a/b', '1/0', '1/300'])('--shard %s: exit 2 and one line', async (spec) => {
    const r = await runCliIn(tmp, ['--dataset', 'data', '--shard', spec])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain(`got "${spec}"`)
  })

  it('the JSON report has shard: { index, count } on a sharded dataset target, and the CLI checks the share', async () => {
    const r = await runCliIn(tmp, ['--dataset', 'data', '--shard', '2/4', '--format', 'json'])
    const report = JSON.parse(r.stdout) as { targets: Record<string, unknown>[] }
    expect(report.targets[0]!.shard).toEqual({ index: 2, count: 4 })
    expect((report.targets[0]!.dataset as { rows: number }).rows).toBe(3)
    const plain = JSON.parse(
      (await runCliIn(tmp, ['--dataset', 'data', '--format', 'json'])).stdout,
    ) as typeof report
    expect(plain.targets[0]).not.toHaveProperty('shard')
    expect((plain.targets[0]!.dataset as { rows: number }).rows).toBe(12)
  })

  it('the text output and the summary say what a shard covers, and that merge-reports merges the shards', async () => {
    const settings = resolveSettings(
      { model: '', config: '', failOn: '', extraArchitectures: '', dataset: 'data', shard: '1/3' },
      tmp,
      {},
    )
    expect(settings.targets[0]!.shard).toEqual({ index: 1, count: 3 })
    const report = await checkTargets(settings, {})
    expect(toJson(report).targets[0]).toMatchObject({ shard: { index: 1, count: 3 } })
    const note =
      "shard 1 of 3: rows and duplicate rows (DS302) are this shard's only; merge-reports merges the shards' reports into the whole dataset's"
    expect(formatText(report)).toContain(`; ${note}\n`)
    expect(formatSummary(report)).toContain(`\nS${note.slice(1)}.\n`)
  })
})
