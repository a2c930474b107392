// Parquet read within bounds of what the rules use: only the columns the dataset rules read are
// fetched and decoded (a huge column no rule reads costs no byte of it through readRange), a file
// without `messages` still shows DS101 every column name (from the schema), a large row group is
// read in row slices (rows materialized at once counted), and the findings are those of whole rows.
import { describe, expect, it } from '@jest/globals'
import { parquetMetadata } from 'hyparquet'
import { readRows } from '../../src/readers/read-rows.js'
import { readParquet, type ParquetReadCounters } from '../../src/readers/read-parquet.js'
import type { DataFile, RowEvent } from '../../src/readers/rows.js'
import type { DatasetRow } from '../../src/rules/dataset-rule.js'
import { datasetRules } from '../../src/rules/registry.js'
import { memorySource } from '../../src/sources/memory.js'
import type { Source } from '../../src/sources/source.js'
import { chatRows, messagesParquet, type ExtraColumn, type Message } from '../helpers/parquet.js'
import { counting } from './sources.js'

const fileOf = (path: string, size: number): DataFile => ({ path, size, format: 'parquet', split: 'train' })

/** The file as a counting source (sources.ts) and its DataFile. */
function countingFile(bytes: Uint8Array) {
  return { ...counting({ 'd.parquet': bytes }), file: fileOf('d.parquet', bytes.length) }
}

async function rowsOf(bytes: Uint8Array, columns?: string[] | 'all') {
  const { source, seen, file } = countingFile(bytes)
  const events: RowEvent[] = []
  for await (const e of readRows(source, file, columns ? { columns } : {})) events.push(e)
  return { events, seen }
}

/** The compressed bytes of a column's chunks, over every row group: what reading it fetches. */
function chunkBytes(bytes: Uint8Array, column: string): number {
  let sum = 0
  for (const group of parquetMetadata(bytes.buffer as ArrayBuffer).row_groups)
    for (const chunk of group.columns)
      if (chunk.meta_data?.path_in_schema[0] === column) sum += Number(chunk.meta_data.total_compressed_size)
  return sum
}

const values = (events: RowEvent[]) => events.map((e) => (e.kind === 'row' ? e.value : e))

/** A string of `n` characters that snappy does not shrink much. */
function noise(i: number, n: number): string {
  let seed = i + 1
  let s = ''
  while (s.length < n) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    s += seed.toString(36)
  }
  return s.slice(0, n)
}

/** The findings every dataset rule reports on a file's rows, as the streaming pass hands them over. */
async function findingsOf(bytes: Uint8Array, columns?: 'all'): Promise<string[]> {
  const { source, file } = countingFile(bytes)
  const out: string[] = []
  const visitors = datasetRules.map((rule) =>
    rule.create({
      report: (key, data, location) => out.push(JSON.stringify([rule.meta.id, key, data, location])),
    }),
  )
  for (const v of visitors) v.files?.([file], [], false)
  let n = 0
  for await (const e of readRows(source, file, columns ? { columns } : {})) {
    n++
    if (e.kind === 'bad-row') for (const v of visitors) v.badRow?.(file, e)
    else if (e.kind === 'left') throw new Error('no row is left unparsed here')
    else {
      const row: DatasetRow = {
        file,
        row: e.row,
        value: e.value,
        bytes: e.bytes,
        location: { path: file.path, row: e.row },
        rendered: () => undefined,
        tokens: () => undefined,
      }
      for (const v of visitors) v.row?.(row)
    }
  }
  for (const v of visitors) v.end?.(n)
  return out
}

const str = (name: string, data: (string | null)[]): ExtraColumn => ({ name, type: 'STRING', data })

describe('Parquet: only the columns the rules read', () => {
  const n = 40
  const chats = chatRows(n, 1, 40)
  const huge = str(
    'source',
    Array.from({ length: n }, (_, i) => noise(i, 50_000)),
  )

  it('a huge column no rule reads is never fetched: readRange returns fewer bytes than it holds', async () => {
    const bytes = messagesParquet(chats, { rowGroupSize: 10, extra: [huge] })
    const unused = chunkBytes(bytes, 'source')
    expect(unused).toBeGreaterThan(1_500_000)
    const { events, seen } = await rowsOf(bytes)
    expect(values(events)).toEqual(chats.map((messages) => ({ messages })))
    // Everything read is at most the file without that column, and the framing checks' 12 bytes
    // (the magic at the start, the footer's length and magic at the end) read twice.
    expect(seen.bytes).toBeLessThanOrEqual(bytes.length - unused + 12)
    // Every column, asked for: the unused one is read too.
    const all = await rowsOf(bytes, 'all')
    expect(all.seen.bytes).toBeGreaterThan(unused)
    expect((values(all.events)[3] as { source: string }).source).toBe(huge.data[3])
  })

  it('the unused column is never decompressed: pages charged are the messages column only', async () => {
    const bytes = messagesParquet(chats, { rowGroupSize: 10, extra: [huge] })
    const counters: ParquetReadCounters = { batches: 0, groupsPlanned: 0, pageBytes: 0, pagesRefused: 0 }
    const { source, file } = countingFile(bytes)
    for await (const batch of readParquet(source, file, { columns: 'rules', counters })) void batch
    const md = parquetMetadata(bytes.buffer as ArrayBuffer)
    let messages = 0
    for (const g of md.row_groups)
      for (const c of g.columns)
        if (c.meta_data?.path_in_schema[0] === 'messages')
          messages += Number(c.meta_data.total_uncompressed_size)
    expect(counters.pageBytes).toBeGreaterThan(0)
    expect(counters.pageBytes).toBeLessThanOrEqual(messages)
  })

  it('tools is read with messages (the rendering passes it to the template)', async () => {
    const tools = str(
      'tools',
      Array.from({ length: n }, (_, i) => (i % 2 ? '[{"name":"f"}]' : null)),
    )
    const bytes = messagesParquet(chats, { extra: [tools, huge] })
    const { events } = await rowsOf(bytes)
    expect(values(events)[1]).toEqual({ messages: chats[1], tools: '[{"name":"f"}]' })
    expect(values(events)[0]).toEqual({ messages: chats[0], tools: null })
  })

  it('without messages: DS101 gets every column name, in order, and only the values it reads', async () => {
    const bytes = messagesParquet(chats, {
      column: 'conversations',
      extra: [
        huge,
        str(
          'id',
          chats.map((_, i) => `r${i}`),
        ),
      ],
    })
    const { events, seen } = await rowsOf(bytes)
    expect(values(events)[2]).toEqual({ conversations: chats[2], source: null, id: null })
    expect(Object.keys(values(events)[2] as object)).toEqual(['conversations', 'source', 'id'])
    expect(seen.bytes).toBeLessThanOrEqual(bytes.length - chunkBytes(bytes, 'source') + 12)
  })

  const formats: [string, () => Uint8Array][] = [
    [
      'messages, an unused column and tools',
      () =>
        messagesParquet(
          chats.map((m, i) => (i === 5 ? [{ role: 'robot', content: 'x' }] : i === 6 ? [] : m)),
          {
            rowGroupSize: 7,
            extra: [
              huge,
              str(
                'tools',
                chats.map(() => null),
              ),
            ],
          },
        ),
    ],
    ['ShareGPT-like conversations', () => messagesParquet(chats, { column: 'conversations', extra: [huge] })],
    [
      'Alpaca columns',
      () =>
        messagesParquet(chats, {
          column: 'history',
          extra: ['instruction', 'input', 'output'].map((c) =>
            str(
              c,
              chats.map((_, i) => `${c} ${i}`),
            ),
          ),
        }),
    ],
    [
      'preference data',
      () =>
        messagesParquet(chats, {
          column: 'chosen',
          extra: [
            str(
              'rejected',
              chats.map(() => 'no'),
            ),
          ],
        }),
    ],
    [
      'rendered text',
      () =>
        messagesParquet(chats, {
          column: 'raw',
          extra: [
            str(
              'text',
              chats.map((_, i) => `<|im_start|>user ${i}`),
            ),
          ],
        }),
    ],
    [
      'prompt and completion',
      () =>
        messagesParquet(chats, {
          column: 'raw',
          extra: [
            str(
              'prompt',
              chats.map(() => 'p'),
            ),
            str(
              'completion',
              chats.map(() => 'c'),
            ),
          ],
        }),
    ],
    [
      'other columns',
      () =>
        messagesParquet(chats, {
          column: 'foo',
          extra: [
            str(
              'bar',
              chats.map(() => 'b'),
            ),
          ],
        }),
    ],
  ]
  it.each(formats)('%s: every rule reports what it reports on whole rows', async (_, make) => {
    const bytes = make()
    const whole = await findingsOf(bytes, 'all')
    expect(whole.length).toBeGreaterThan(0)
    expect(await findingsOf(bytes)).toEqual(whole)
  })
})

describe('Parquet: a large row group in row slices', () => {
  const chats: Message[][] = chatRows(3_000, 1, 300)
  // ~2 MB in one row group, pages of 32 KiB, each chunk with its offset index (hyparquet-writer writes one).
  const bytes = messagesParquet(chats, { pageSize: 32 * 1024 })

  async function read(sliceBytes?: number, maxRows?: number) {
    const { source, seen, file } = countingFile(bytes)
    const counters: ParquetReadCounters = { batches: 0, groupsPlanned: 0, pageBytes: 0, pagesRefused: 0 }
    const events: RowEvent[] = []
    for await (const batch of readParquet(source, file, {
      columns: 'rules',
      counters,
      maxRows,
      limits: sliceBytes ? { sliceBytes } : {},
    })) {
      counters.mostRows = Math.max(counters.mostRows ?? 0, batch.length)
      events.push(...batch)
    }
    return { events, seen, counters }
  }

  it('reads every row, in order, at most a slice of rows at once, each page decoded about once', async () => {
    const whole = await read()
    expect(whole.counters.batches).toBe(1)
    expect(whole.counters.mostRows).toBe(3_000)
    const sliced = await read(128 * 1024)
    expect(sliced.events).toEqual(whole.events)
    expect(sliced.events.map((e) => e.row)).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1))
    expect(sliced.counters.batches).toBeGreaterThan(10)
    expect(sliced.counters.mostRows).toBeLessThanOrEqual(250)
    // Only the slice's pages (and the one it starts in) are fetched and decompressed: about the
    // whole once, not once per slice.
    expect(sliced.counters.pageBytes).toBeLessThan(2 * whole.counters.pageBytes)
    expect(sliced.seen.bytes).toBeLessThan(2 * whole.seen.bytes)
  })

  it('maxRows stops within the group: the pages after it are not fetched', async () => {
    const whole = await read(128 * 1024)
    const few = await read(128 * 1024, 300)
    expect(few.events.map((e) => e.row)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    expect(few.seen.bytes).toBeLessThan(whole.seen.bytes / 3)
  })

  it('an offset index pointing into another chunk: the group cannot be read, and no byte outside the wanted chunks is fetched', async () => {
    const { rewriteFooter } = await import('../helpers/parquet-footer.js')
    // The content column's offset index swapped for the role column's: its pages lie in another chunk.
    const swapped = rewriteFooter(bytes, (f) => {
      const [role, content] = f.row_groups[0]!.columns
      content!.offset_index_offset = role!.offset_index_offset
      content!.offset_index_length = role!.offset_index_length
    })
    const md = parquetMetadata(swapped.buffer as ArrayBuffer)
    const inside: [number, number][] = [[0, 4]]
    for (const c of md.row_groups[0]!.columns) {
      const at = Number(c.meta_data!.dictionary_page_offset || c.meta_data!.data_page_offset)
      inside.push([at, at + Number(c.meta_data!.total_compressed_size)])
      inside.push([Number(c.offset_index_offset), Number(c.offset_index_offset) + c.offset_index_length!])
    }
    const footer = new DataView(swapped.buffer).getUint32(swapped.length - 8, true)
    inside.push([swapped.length - footer - 8, swapped.length])
    const inner = memorySource({ 'd.parquet': swapped })
    const reads: [number, number][] = []
    const source: Source = {
      ...inner,
      readRange: (p, start, end) => (reads.push([start, end]), inner.readRange(p, start, end)),
    }
    const events: RowEvent[] = []
    await expect(
      (async () => {
        for await (const batch of readParquet(source, fileOf('d.parquet', swapped.length), {
          columns: 'rules',
          limits: { sliceBytes: 128 * 1024 },
        }))
          events.push(...batch)
      })(),
    ).rejects.toThrow(/^row group 1 of 1 cannot be read: /)
    expect(events).toEqual([])
    expect(reads.length).toBeGreaterThan(3)
    for (const [start, end] of reads) expect(inside.some(([a, b]) => start >= a && end <= b)).toBe(true)
  })

  it('a group without offset index is decoded whole, as before (one read)', async () => {
    const { rewriteFooter } = await import('../helpers/parquet-footer.js')
    const bare = rewriteFooter(bytes, (f) => {
      for (const g of f.row_groups)
        for (const c of g.columns) {
          delete c.offset_index_offset
          delete c.offset_index_length
        }
    })
    const { source, file } = countingFile(bare)
    const counters: ParquetReadCounters = { batches: 0, groupsPlanned: 0, pageBytes: 0, pagesRefused: 0 }
    let rows = 0
    for await (const batch of readParquet(source, file, {
      columns: 'rules',
      counters,
      limits: { sliceBytes: 128 * 1024 },
    }))
      rows += batch.length
    expect(rows).toBe(3_000)
    expect(counters.batches).toBe(1)
  })
})
