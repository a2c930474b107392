// The dataset readers: JSON Lines line by line, JSON arrays element by element, Parquet row group by row
// group, through memory, local and synthetic sources. Bad rows are reported and skipped; files that are
// not rows at all (LFS pointers, truncated files) are a DataFileError in plain words; nothing large is
// ever held whole.
import { afterAll, beforeAll, describe, expect, it, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { jsonSafe } from '../../src/readers/read-parquet.js'
import { readRows } from '../../src/readers/read-rows.js'
import { DataFileError, MAX_ROW_BYTES, type RowEvent } from '../../src/readers/rows.js'
import { openLocalSource } from '../../src/sources/local.js'
import { memorySource } from '../../src/sources/memory.js'
import { availableCodecs, chatRows, messagesParquet, zstdAvailable } from '../helpers/parquet.js'
import { node24, repoRoot } from '../helpers/run-bundle.js'
import { CORPUS_ROOT } from '../helpers/corpus.js'
import { arrayOfRows, overLongRow } from './cases.js'
import { MiB, collect, fileOf, spy } from './sources.js'

const CORPUS = path.join(CORPUS_ROOT, 'datasets')
const hasCorpus = existsSync(CORPUS)
if (!hasCorpus) console.log(`note: ${CORPUS} is absent; the corpus tests are skipped`)
if (!zstdAvailable)
  console.log(`note: node:zlib has no zstdCompressSync on Node ${process.version}; ZSTD fixtures are skipped`)

/** Read one in-memory file. */
async function read(p: string, content: string | Uint8Array, options?: Parameters<typeof readRows>[2]) {
  const source = memorySource({ [p]: content })
  const size = (await source.read(p)).length
  return collect(source, fileOf(p, size), options)
}

async function readError(p: string, content: string | Uint8Array): Promise<DataFileError> {
  try {
    await read(p, content)
  } catch (error) {
    expect(error).toBeInstanceOf(DataFileError)
    return error as DataFileError
  }
  throw new Error(`${p} was read without a DataFileError`)
}

const rows = (events: RowEvent[]) => events.filter((e) => e.kind === 'row')
const bad = (events: RowEvent[]) => events.filter((e) => e.kind === 'bad-row')

let tmp: string
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-readers-'))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('JSON Lines', () => {
  it('CRLF, a BOM, blank lines and a last line without a newline: 1-based rows and lines, bytes as stored', async () => {
    const text = '\ufeff{"a":1}\r\n\r\n   \n{"b":"é"}\r\n\n{"c":[1,2]}'
    const events = await read('x.jsonl', text)
    expect(events).toEqual([
      { kind: 'row', row: 1, line: 1, value: { a: 1 }, bytes: 7 },
      { kind: 'row', row: 2, line: 4, value: { b: 'é' }, bytes: 10 },
      { kind: 'row', row: 3, line: 6, value: { c: [1, 2] }, bytes: 11 },
    ])
  })

  it('an empty or blank file has no rows', async () => {
    expect(await read('x.jsonl', '')).toEqual([])
    expect(await read('x.jsonl', '\n\r\n  \n')).toEqual([])
  })

  it('a bad line is a bad-row with the JSON error and its column, and reading goes on', async () => {
    const events = await read('x.jsonl', '{"a":1}\n{"a":1,}\n{"a": "b\n{"ok":true}\n')
    expect(events).toEqual([
      { kind: 'row', row: 1, line: 1, value: { a: 1 }, bytes: 7 },
      { kind: 'bad-row', row: 2, line: 2, column: 8, problem: expect.stringMatching(/^not JSON: /) },
      {
        kind: 'bad-row',
        row: 3,
        line: 3,
        column: expect.any(Number),
        problem: expect.stringMatching(/^not JSON: /),
      },
      { kind: 'row', row: 4, line: 4, value: { ok: true }, bytes: 11 },
    ])
  })

  it('invalid UTF-8 is a bad-row for that line only, never a crash', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"a":"ok"}\n{"a":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n{"a":"'),
      Buffer.from([0xe2, 0x82]), // a cut 3-byte sequence
      Buffer.from('"}\n{"a":"fine"}\n'),
    ])
    const events = await read('x.jsonl', bytes)
    expect(events.map((e) => e.kind)).toEqual(['row', 'bad-row', 'bad-row', 'row'])
    expect(bad(events)[0]).toMatchObject({
      row: 2,
      line: 2,
      problem: expect.stringMatching(/^not UTF-8 text \(an invalid byte 0xff at byte 7/),
    })
    expect(bad(events)[1]).toMatchObject({
      row: 3,
      line: 3,
      problem: expect.stringMatching(/^not UTF-8 text/),
    })
  })

  it('NaN and Infinity are named: Python writes them, JSON does not allow them', async () => {
    const events = await read(
      'x.jsonl',
      '{"loss": NaN}\n{"x": Infinity}\n{"x": -Infinity}\n{"s": "NaN is fine in a string"}\n',
    )
    expect(
      events.map((e) =>
        e.kind === 'bad-row' ? [e.column, e.problem.split(' ')[0]] : e.kind === 'row' ? e.value : e.kind,
      ),
    ).toEqual([[10, 'NaN'], [7, 'Infinity'], [7, '-Infinity'], { s: 'NaN is fine in a string' }])
    expect(bad(events)[0].problem).toContain("Python's json.dumps")
  })

  it('a Python dict repr is recognised and named', async () => {
    const events = await read(
      'x.jsonl',
      `{'messages': [{'role': 'user', 'content': "it's"}]}\n{"done": True, "x": None}\n`,
    )
    expect(bad(events)).toEqual([
      expect.objectContaining({
        row: 1,
        column: 2,
        problem: expect.stringContaining('a Python dict repr, not JSON'),
      }),
      expect.objectContaining({
        row: 2,
        column: 10,
        problem: expect.stringContaining('write rows with json.dumps'),
      }),
    ])
  })

  it('lines that straddle 1 MiB chunks are read whole, from a local file', async () => {
    const lines: string[] = []
    let total = 0
    for (let i = 0; total < 3.5 * MiB; i++) {
      const line = JSON.stringify({ i, pad: 'x'.repeat((i * 7919) % 200_000) })
      lines.push(line)
      total += line.length + 1
    }
    writeFileSync(path.join(tmp, 'chunks.jsonl'), lines.join('\n') + '\n')
    const local = spy(await openLocalSource(tmp))
    const events = await collect(local.source, fileOf('chunks.jsonl', total))
    expect(events.length).toBe(lines.length)
    expect(
      events.every((e, i) => e.kind === 'row' && (e.value as { i: number }).i === i && e.line === i + 1),
    ).toBe(true)
    expect(local.maxAsked()).toBeLessThanOrEqual(MiB)
  })

  it('a JSON array in a .jsonl file is read as one, as `datasets` falls back to', async () => {
    const events = await read('x.jsonl', '[\n{"a":1},\n{"a":2}\n]\n')
    expect(rows(events).map((e) => [e.row, e.line, e.value])).toEqual([
      [1, 2, { a: 1 }],
      [2, 3, { a: 2 }],
    ])
  })

  it('an LFS pointer or a gzip file named .jsonl is a DataFileError, not thousands of bad rows', async () => {
    const pointer =
      'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'a'.repeat(64) + '\nsize 123456789\n'
    expect((await readError('x.jsonl', pointer)).message).toMatch(
      /^a Git LFS pointer, not the JSON Lines file: .*117\.7 MiB/,
    )
    const { gzipSync } = await import('node:zlib')
    expect((await readError('x.jsonl', gzipSync('{"a":1}\n'))).message).toMatch(
      /^gzip-compressed, not JSON Lines text/,
    )
  })
})

describe('rows too long to hold', () => {
  // The cases are in cases.ts; the same at 100 MB, with an RSS bound, and a 50 MB row in Parquet:
  // __tests__/scale/readers.test.ts.
  const over = MAX_ROW_BYTES + 3 * MiB

  it('a JSONL line over MAX_ROW_BYTES is refused with its size and skipped to the next newline, in 1 MiB reads of each byte once', async () => {
    await overLongRow('jsonl', over, '19.0 MiB')
  })

  it('an element of a JSON array over MAX_ROW_BYTES: the same, and the array goes on', async () => {
    await overLongRow('json', over, '19.0 MiB')
  })

  it(`a row just over MAX_ROW_BYTES is refused, one at the limit is read`, async () => {
    const at = '"' + 'z'.repeat(MAX_ROW_BYTES - 2) + '"'
    const events = await read('x.jsonl', `${at}\n${at}z\n`)
    expect(events.map((e) => e.kind)).toEqual(['row', 'bad-row'])
  })
})

describe('deep nesting', () => {
  // The deepest document any Python's json loads (3.13: 9,998 levels; past that it raises
  // RecursionError, so a trainer could not read the row either).
  // 9,997 objects around one array: 9,998 levels.
  const depth = 9_997
  it('messages nested 9,998 deep are parsed (JSONL and a JSON array) without unbounded recursion', async () => {
    const nested = '{"messages": '.repeat(depth) + '[]' + '}'.repeat(depth)
    const jsonl = await read('x.jsonl', nested + '\n{"a":1}\n')
    expect(jsonl.map((e) => e.kind)).toEqual(['row', 'row'])
    const json = await read('x.json', `[${nested}, {"a":1}]`)
    expect(json.map((e) => e.kind)).toEqual(['row', 'row'])
    expect(await read('x.json', '['.repeat(depth) + ']'.repeat(depth))).toEqual([
      { kind: 'row', row: 1, line: 1, value: expect.any(Array), bytes: 2 * depth - 2 },
    ])
  })

  it('one level more than Python loads is a bad row, said so, and the next row is read', async () => {
    const nested = '{"a": '.repeat(9_999) + '1' + '}'.repeat(9_999)
    const events = await read('x.jsonl', nested + '\n{"a":1}\n')
    expect(events.map((e) => e.kind)).toEqual(['bad-row', 'row'])
    expect(events[0]).toMatchObject({ problem: expect.stringMatching(/nested 9,999 levels deep/) })
  })

  it('making a Parquet row JSON-safe walks iteratively: 100,000 levels with a BigInt at the bottom', () => {
    let value: unknown = { n: 2n ** 60n, small: 7n }
    for (let i = 0; i < 100_000; i++) value = { messages: [value] }
    const { value: safe, bytes } = jsonSafe(value)
    let node = safe as { messages: unknown[] }
    for (let i = 0; i < 100_000; i++) node = node.messages[0] as { messages: unknown[] }
    expect(node).toEqual({ n: '1152921504606846976', small: 7 })
    expect(bytes).toBeGreaterThan(100_000 * 14)
  })

  it('JSON-safe values: BigInt, Date, bytes, typed arrays; bytes is the compact JSON size', () => {
    const row = {
      id: 12n,
      big: -(2n ** 63n),
      when: new Date(Date.UTC(2024, 0, 2)),
      text: new Uint8Array(Buffer.from('héllo')),
      blob: new Uint8Array([0xff, 0x00]),
      floats: new Float32Array([1.5, 2]),
      longs: new BigInt64Array([1n, 2n ** 62n]),
      nested: [{ k: null, t: true }],
    }
    const { value, bytes } = jsonSafe(row)
    expect(value).toEqual({
      id: 12,
      big: '-9223372036854775808',
      when: '2024-01-02T00:00:00.000Z',
      text: 'héllo',
      blob: '/wA=',
      floats: [1.5, 2],
      longs: [1, '4611686018427387904'],
      nested: [{ k: null, t: true }],
    })
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify(value)))
  })
})

describe('JSON documents', () => {
  it('a top-level array, streamed element by element: each row on the line where it starts', async () => {
    const text = '\ufeff [\n  {"a": 1},\n  {"b": "x]}\\"{["},   5,\n  "s"\n]\n\n'
    expect(await read('x.json', text)).toEqual([
      { kind: 'row', row: 1, line: 2, value: { a: 1 }, bytes: 8 },
      { kind: 'row', row: 2, line: 3, value: { b: 'x]}"{[' }, bytes: 16 },
      { kind: 'row', row: 3, line: 3, value: 5, bytes: 1 },
      { kind: 'row', row: 4, line: 4, value: 's', bytes: 3 },
    ])
  })

  it('bad elements are bad rows; the array goes on', async () => {
    const events = await read('x.json', `[{"a": NaN},\n{'a': 1},\n{"ok": 1},,\n{"x": 1},\n]`)
    expect(events.map((e) => [e.kind, e.row, e.line])).toEqual([
      ['bad-row', 1, 1],
      ['bad-row', 2, 2],
      ['row', 3, 3],
      ['bad-row', 4, 3],
      ['row', 5, 4],
      ['bad-row', 6, 5],
    ])
    expect(bad(events).map((e) => e.problem.slice(0, 24))).toEqual([
      'NaN is not allowed in JS',
      'a Python dict repr, not ',
      'not JSON: an empty eleme',
      'not JSON: a comma before',
    ])
  })

  it('a truncated array is a DataFileError with the line where the file ends', async () => {
    const error = await readError('x.json', '[\n{"a": 1},\n{"b": "unfinished')
    expect(error.message).toBe(
      'truncated: the array of rows that starts on line 1 is never closed; the file ends inside row 2 (line 3)',
    )
    expect(error.line).toBe(3)
    expect((await readError('x.json', '[{"a":1},')).message).toMatch(/ends after row 1$/)
  })

  it('text after the array is a DataFileError', async () => {
    const error = await readError('x.json', '[{"a":1}]\n\n[{"b":2}]')
    expect(error.message).toMatch(/^more text after the array of rows ends \(line 3\)/)
    expect(error.line).toBe(3)
  })

  it('{"data": [...]}: the one array of objects is streamed', async () => {
    const events = await read(
      'x.json',
      '{"version": "1.0",\n "data": [\n {"a": 1},\n {"a": 2}\n ], "meta": {"n": [1]}}',
    )
    expect(rows(events).map((e) => [e.row, e.line, e.value])).toEqual([
      [1, 3, { a: 1 }],
      [2, 4, { a: 2 }],
    ])
  })

  it('{"conversations": [{"from", "value"}, …]}: one ShareGPT conversation is one row, not its turns', async () => {
    const text =
      '\ufeff\n{\n "conversations": [\n  {"from": "human", "value": "hi"},\n  {"from": "gpt", "value": "yo"}\n ]\n}\n'
    const events = await read('x.json', text)
    expect(events).toEqual([
      {
        kind: 'row',
        row: 1,
        line: 2,
        value: {
          conversations: [
            { from: 'human', value: 'hi' },
            { from: 'gpt', value: 'yo' },
          ],
        },
        bytes: Buffer.byteLength(text) - 4,
      },
    ])
    // An array under "conversations" that holds rows, not turns, is still streamed row by row.
    const wrapped = await read('x.json', '{"conversations": [{"messages": []}, {"messages": []}]}')
    expect(rows(wrapped).map((e) => e.row)).toEqual([1, 2])
    // Rows that carry "messages" beside ShareGPT-like keys are rows, and so are non-string speakers.
    const mixed = await read(
      'x.json',
      '{"conversations": [{"from": "a", "value": 1, "messages": []}, {"from": "a", "value": 1, "messages": []}]}',
    )
    expect(rows(mixed).map((e) => e.row)).toEqual([1, 2])
    const numbers = await read(
      'x.json',
      '{"conversations": [{"from": 1, "value": "x"}, {"from": 2, "value": "y"}]}',
    )
    expect(rows(numbers).map((e) => e.row)).toEqual([1, 2])
  })

  it('one ShareGPT conversation over the row limit is one bad row, never read whole', async () => {
    const turn = `{"from": "human", "value": "${'x'.repeat(MiB)}"}`
    const text = `{"conversations": [${Array.from({ length: 17 }, () => turn).join(', ')}]}`
    const s = spy(memorySource({ 'x.json': text }))
    const events = await collect(s.source, fileOf('x.json', Buffer.byteLength(text)))
    expect(events).toEqual([
      {
        kind: 'bad-row',
        row: 1,
        line: 1,
        problem: expect.stringMatching(/^the row is 17\.0 MiB, over the 16\.0 MiB limit/),
      },
    ])
    expect(s.maxAsked()).toBeLessThanOrEqual(MiB)
  })

  it('any other object is a DataFileError that says so', async () => {
    expect((await readError('x.json', '{"a": [1, 2], "b": [{"x": 1}]}')).message).toBe(
      'holds a JSON object (keys "a", "b", 2 of them arrays (which one holds the rows is unclear)), not an array of rows: write a JSON array of row objects, or JSON Lines (one object per line)',
    )
    expect((await readError('x.json', '\n{"messages": "x"}')).message).toMatch(
      /^holds a JSON object \(keys "messages"\), not an array/,
    )
    expect((await readError('x.json', '{"a": [1, 2]}')).message).toMatch(/^holds a JSON object/)
    expect((await readError('x.json', '{"a": {')).message).toMatch(/^truncated: the JSON object/)
    expect((await readError('x.json', '"just a string"')).message).toBe(
      'holds a JSON string, not an array of rows',
    )
    expect((await readError('x.json', '42')).message).toBe('holds a JSON number, not an array of rows')
  })

  it('objects one after another in a .json file are JSON Lines, as `datasets` reads them', async () => {
    const events = await read('x.json', '{"a": 1}\n{"a": 2}\n')
    expect(events).toEqual([
      { kind: 'row', row: 1, line: 1, value: { a: 1 }, bytes: 8 },
      { kind: 'row', row: 2, line: 2, value: { a: 2 }, bytes: 8 },
    ])
  })

  it('an empty .json file has no rows', async () => {
    expect(await read('x.json', '  \n')).toEqual([])
  })

  it('a JSON array of 10,000 rows is read in 1 MiB reads, each byte once, every row on its line', async () => {
    // A million rows: __tests__/scale/readers.test.ts; rows/s: bench/large-inputs.ts.
    expect(await arrayOfRows(10_000, 200)).toBeGreaterThan(2 * MiB)
  })
})

describe('Parquet', () => {
  const n = 250
  const conversations = chatRows(n, 2, 120)
  const ids = conversations.map((_, i) => (i === 7 ? 2n ** 60n : BigInt(i)))
  const extra = [
    { name: 'id', type: 'INT64' as const, data: ids },
    { name: 'source', type: 'STRING' as const, data: conversations.map((_, i) => (i % 3 ? 'human' : null)) },
  ]

  it.each(availableCodecs().map((c) => [c]))(
    '%s: several row groups, row numbers, BigInt made JSON-safe, maxRows',
    async (codec) => {
      const bytes = messagesParquet(conversations, { codec, rowGroupSize: 64, extra })
      const events = await read('d.parquet', bytes, { columns: 'all' })
      expect(events.length).toBe(n)
      const all = rows(events)
      expect(all.map((e) => e.row)).toEqual(Array.from({ length: n }, (_, i) => i + 1))
      expect(all.every((e) => e.line === undefined)).toBe(true)
      expect(all[0].value).toEqual({ messages: conversations[0], id: 0, source: null })
      expect(all[7].value).toMatchObject({ id: '1152921504606846976', source: 'human' })
      expect(all[200].value).toEqual({ messages: conversations[200], id: 200, source: 'human' })
      for (const e of all.slice(0, 5)) expect(e.bytes).toBe(Buffer.byteLength(JSON.stringify(e.value)))

      // maxRows stops within the second row group and reads no later one.
      const s = spy(memorySource({ 'd.parquet': bytes }))
      const few = await collect(s.source, fileOf('d.parquet', bytes.length), { maxRows: 70 })
      expect(few.map((e) => e.row)).toEqual(Array.from({ length: 70 }, (_, i) => i + 1))
      const { parquetMetadata } = await import('hyparquet')
      const md = parquetMetadata(bytes)
      const third = Number(md.row_groups[2].columns[0].meta_data!.data_page_offset)
      expect(s.calls.every((c) => c.end <= third || c.start >= bytes.length - 512 * 1024)).toBe(true)
    },
  )

  it('columns: only those are read; unknown names are ignored', async () => {
    const bytes = messagesParquet(conversations.slice(0, 10), {
      rowGroupSize: 4,
      extra: extra.map((c) => ({ ...c, data: c.data.slice(0, 10) })),
    })
    const events = await read('d.parquet', bytes, { columns: ['id', 'nope'] })
    expect(rows(events).map((e) => e.value)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ id: i === 7 ? '1152921504606846976' : i })),
    )
    const none = await read('d.parquet', bytes, { columns: ['nope'], maxRows: 3 })
    expect(none.map((e) => (e.kind === 'row' ? e.value : e))).toEqual([{}, {}, {}])
  })

  it('the same file over a local source', async () => {
    const bytes = messagesParquet(conversations, { rowGroupSize: 100, codec: 'GZIP' })
    writeFileSync(path.join(tmp, 'g.parquet'), bytes)
    const events = await collect(await openLocalSource(tmp), fileOf('g.parquet', bytes.length))
    expect(rows(events).map((e) => (e.value as { messages: unknown }).messages)).toEqual(conversations)
  })

  it('a truncated file, a JSON file named .parquet, a tiny file and a damaged footer are DataFileErrors in plain words', async () => {
    const bytes = messagesParquet(conversations.slice(0, 20), { rowGroupSize: 5 })
    expect((await readError('t.parquet', bytes.subarray(0, bytes.length - 100))).message).toMatch(
      /^truncated: the footer is missing/,
    )
    expect((await readError('t.parquet', bytes.subarray(0, 2000))).message).toMatch(
      /^truncated: the footer is missing/,
    )
    expect((await readError('t.parquet', '[{"messages": []}, {"messages": []}]')).message).toBe(
      'not a Parquet file: it does not start with the PAR1 signature: it looks like JSON text',
    )
    expect((await readError('t.parquet', 'PAR1')).message).toMatch(
      /^too small to be a Parquet file \(4 bytes\)/,
    )
    expect((await readError('t.parquet', '')).message).toMatch(/^too small to be a Parquet file/)
    const damaged = Uint8Array.from(bytes)
    new DataView(damaged.buffer).setUint32(damaged.length - 8, 0x7fffffff, true)
    expect((await readError('t.parquet', damaged)).message).toMatch(
      /^truncated or damaged: the footer says its metadata is 2\.00 GiB/,
    )
    const garbled = Uint8Array.from(bytes)
    garbled.fill(0xab, garbled.length - 200, garbled.length - 8)
    expect((await readError('t.parquet', garbled)).message).toMatch(
      /^the Parquet footer \(its metadata\) cannot be read: /,
    )
  })

  it('damaged column data is a DataFileError naming the row group, after the good groups', async () => {
    const bytes = messagesParquet(conversations.slice(0, 20), { rowGroupSize: 10, codec: 'GZIP' })
    const { parquetMetadata } = await import('hyparquet')
    const md = parquetMetadata(bytes)
    const chunk = md.row_groups[1].columns[0].meta_data!
    const damaged = Uint8Array.from(bytes)
    const start = Number(chunk.data_page_offset)
    damaged.fill(0x00, start + 20, start + Number(chunk.total_compressed_size))
    const seen: RowEvent[] = []
    const source = memorySource({ 'd.parquet': damaged })
    await expect(
      (async () => {
        for await (const e of readRows(source, fileOf('d.parquet', damaged.length))) seen.push(e)
      })(),
    ).rejects.toThrow(/^row group 2 of 2 cannot be read: /)
    expect(seen.length).toBe(10)
  })
})

describe('maxRows', () => {
  it('stops reading JSONL and JSON early: one chunk of a large file', async () => {
    const line = JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(1000) }] })
    const text = Buffer.from(Array.from({ length: 10_000 }, () => line).join('\n'))
    for (const [name, content] of [
      ['m.jsonl', text],
      ['m.json', Buffer.from('[' + Array.from({ length: 10_000 }, () => line).join(',') + ']')],
    ] as const) {
      const s = spy(memorySource({ [name]: content }))
      const events = await collect(s.source, fileOf(name, content.length), { maxRows: 3 })
      expect(events.map((e) => e.row)).toEqual([1, 2, 3])
      expect(s.calls.length).toBe(1)
    }
    expect(await read('x.jsonl', '{"a":1}', { maxRows: 0 })).toEqual([])
  })

  it('columns keep only those keys of a JSON row', async () => {
    const events = await read('x.jsonl', '{"messages": [], "id": 1, "other": 2}\n[1]\n', {
      columns: ['messages', 'id'],
    })
    expect(events.map((e) => e.kind === 'row' && e.value)).toEqual([{ messages: [], id: 1 }, [1]])
  })
})

// describe.each refuses an empty table: without the corpus, the block is declared and skipped.
const describeCorpus = hasCorpus ? describe.each([[CORPUS]]) : describe.skip.each([[CORPUS]])
describeCorpus('the corpus (%s)', (root) => {
  const expected: [string, number, number][] = [
    // [file, rows, bad rows]
    ['messages/llamafactory__mllm_demo.json', 6, 0],
    ['messages/openai-cookbook__drone_training.jsonl', 103, 0],
    ['messages/openai-cookbook__toy_chat_fine_tuning.jsonl', 5, 0],
    ['messages/together-cookbook__small_coqa_10.jsonl', 10, 0],
    ['not_messages_or_broken/Mita-Chat-AI__train_conversations_role_content.parquet', 83, 0],
    ['not_messages_or_broken/llamafactory__glaive_toolcall_en_demo_sharegpt.json', 300, 0],
    ['not_messages_or_broken/llamafactory__identity_alpaca.json', 91, 0],
    ['not_messages_or_broken/narendrasinghdangi__toy_chat_fine_tuning_python_repr.jsonl', 0, 4130],
  ]

  it.each(expected)('%s: %d rows, %d bad rows', async (file, rowCount, badCount) => {
    const source = await openLocalSource(root)
    const entry = (await source.list()).entries.find((e) => e.path === file)!
    const events = await collect(source, fileOf(file, entry.size))
    expect(rows(events).length).toBe(rowCount)
    expect(bad(events).length).toBe(badCount)
    expect(events.map((e) => e.row)).toEqual(Array.from({ length: rowCount + badCount }, (_, i) => i + 1))
    for (const e of rows(events)) expect(() => JSON.stringify(e.value)).not.toThrow()
  })

  it('every corpus data file is covered above', async () => {
    const source = await openLocalSource(root)
    const files = (await source.list()).entries.filter(
      (e) => e.type === 'file' && /\.(jsonl|json|parquet)$/.test(e.path),
    )
    const covered = new Set([
      ...expected.map((e) => e[0]),
      'not_messages_or_broken/Iamjuhwan__train-00000-of-00001_LFS_POINTER.parquet',
    ])
    expect(files.map((f) => f.path).filter((p) => !covered.has(p))).toEqual([])
  })

  it('the Python-repr JSONL: every row says it is a Python dict repr; continuation lines of its multi-line strings are not JSON', async () => {
    const source = await openLocalSource(root)
    const file = 'not_messages_or_broken/narendrasinghdangi__toy_chat_fine_tuning_python_repr.jsonl'
    const events = await collect(source, fileOf(file, 1013283))
    expect(events[0]).toEqual({
      kind: 'bad-row',
      row: 1,
      line: 1,
      column: 2,
      problem: 'a Python dict repr, not JSON (single quotes or True/False/None): write rows with json.dumps',
    })
    const problems = bad(events).map((e) => e.problem)
    const repr = problems.filter((p) => p.startsWith('a Python dict repr'))
    const other = bad(events).filter((e) => !e.problem.startsWith('a Python dict repr'))
    expect(repr.length + other.length).toBe(4130)
    // A few rows hold a newline inside a Python string: the line after it is plain text.
    expect(repr.length).toBe(4109)
    expect(other.length).toBe(21)
    for (const e of other)
      expect(e).toMatchObject({
        column: expect.any(Number),
        problem: expect.stringMatching(/^not JSON: Unexpected token/),
      })
  })

  it('the LFS-pointer Parquet is a DataFileError that says what it is', async () => {
    const source = await openLocalSource(root)
    const file = 'not_messages_or_broken/Iamjuhwan__train-00000-of-00001_LFS_POINTER.parquet'
    await expect(collect(source, fileOf(file, 130))).rejects.toThrow(
      new DataFileError(
        'a Git LFS pointer, not the Parquet file: the repository stores it in LFS (14.7 KiB) and this checkout has only the 130-byte pointer; fetch it with `git lfs pull` (actions/checkout: `lfs: true`)',
      ),
    )
  })

  it('the Mita Parquet: list<struct<role, content>> under another name, with extra columns', async () => {
    const source = await openLocalSource(root)
    const file = 'not_messages_or_broken/Mita-Chat-AI__train_conversations_role_content.parquet'
    const events = await collect(source, fileOf(file, 14379))
    const first = events[0] as Extract<RowEvent, { kind: 'row' }>
    expect(Object.keys(first.value as object)).toEqual(
      expect.arrayContaining(['conversations', 'source', 'score']),
    )
    expect((first.value as { conversations: unknown[] }).conversations[0]).toEqual({
      role: expect.any(String),
      content: expect.any(String),
    })
  })
})

describe('ZSTD Parquet written by Node 24, read here', () => {
  const bin = node24()
  const run = !zstdAvailable && bin ? test : test.skip
  if (zstdAvailable) console.log('ZSTD is covered by the codec tests on this Node')
  else if (!bin)
    console.log('note: no Node 24 binary (.ci/run installs it): ZSTD written by Node 24 not tested')
  run('every row of every row group, in order', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-zstd-'))
    const file = path.join(dir, 'train.parquet')
    const script = path.join(repoRoot, '__tests__/helpers/write-zstd-parquet.ts')
    const r = spawnSync(bin!, ['--import', 'tsx', script, file, '20'], { cwd: repoRoot, encoding: 'utf8' })
    expect(r.stderr).toBe('')
    const source = await openLocalSource(dir)
    const size = (await source.list()).entries[0].size
    const rows = []
    for await (const e of readRows(source, {
      path: 'train.parquet',
      size,
      format: 'parquet',
      split: 'train',
    }))
      rows.push(e)
    expect(rows.map((e) => e.kind)).toEqual(Array(20).fill('row'))
    expect(rows[19]).toMatchObject({ row: 20, value: { messages: chatRows(20, 2, 200)[19] } })
    rmSync(dir, { recursive: true, force: true })
  })
})
