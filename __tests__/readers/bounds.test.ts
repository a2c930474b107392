// Parquet read within bounds, whatever the footer and the pages claim: row counts checked before any
// allocation, row groups past the limits reported and skipped, pages charged their declared size
// before they are decompressed and refused when they expand past it, rows past MAX_ROW_BYTES refused,
// and many small row groups read in batches, in linear time. Every bound is asserted as a count.
import { describe, expect, it } from '@jest/globals'
import zlib from 'node:zlib'
import {
  boundedCompressors,
  pageBudget,
  PageBudgetError,
  PageSizeError,
  zstdBound,
} from '../../src/readers/parquet-pages.js'
import {
  PARQUET_LIMITS,
  readParquet,
  type ParquetLimits,
  type ParquetReadCounters,
} from '../../src/readers/read-parquet.js'
import { DataFileError, MAX_ROW_BYTES, type DataFile, type RowEvent } from '../../src/readers/rows.js'
import { datasetRules } from '../../src/rules/registry.js'
import { runDataset } from '../helpers/dataset-tester.js'
import { collect, counting, spy, syntheticSource } from './sources.js'
import { chatRows, messagesParquet, type Message } from '../helpers/parquet.js'
import { rewriteFooter } from '../helpers/parquet-footer.js'

const fileOf = (path: string, size: number): DataFile => ({ path, size, format: 'parquet', split: 'train' })

async function read(bytes: Uint8Array, limits: Partial<ParquetLimits> = {}, maxRows?: number) {
  const { source, seen } = counting({ 'd.parquet': bytes })
  const counters: ParquetReadCounters = { batches: 0, groupsPlanned: 0, pageBytes: 0, pagesRefused: 0 }
  const events: RowEvent[] = []
  let error: unknown
  try {
    for await (const batch of readParquet(source, fileOf('d.parquet', bytes.length), {
      limits,
      counters,
      maxRows,
    }))
      events.push(...batch)
  } catch (e) {
    error = e
  }
  return { events, counters, seen, error }
}

const kinds = (events: RowEvent[]) =>
  events.map((e) => (e.kind === 'bad-row' && e.skipped !== undefined ? `skipped ${e.skipped}` : e.kind))

const chat = (content: string): Message[] => [
  { role: 'user', content },
  { role: 'assistant', content: 'ok' },
]

describe('the footer, before any allocation', () => {
  const small = messagesParquet(chatRows(10, 1, 50))

  it('refuses a footer that claims 50,000,000 rows in a file of a few hundred bytes', async () => {
    const bytes = rewriteFooter(small, (f) => {
      f.num_rows = 50_000_000n
      f.row_groups[0]!.num_rows = 50_000_000n
      for (const c of f.row_groups[0]!.columns) c.meta_data!.num_values = 50_000_000n
    })
    const r = await read(bytes)
    expect(r.error).toBeInstanceOf(DataFileError)
    expect((r.error as Error).message).toMatch(
      /^the footer says the file holds 50,000,000 rows, more than its \d+ bytes can \(at most 8 a byte\)/,
    )
    expect([r.events.length, r.counters.batches, r.counters.pageBytes]).toEqual([0, 0, 0])
  })

  it('refuses a footer over 32 MiB before decoding it: only the framing is read', async () => {
    // 'PAR1', 50 MiB of zeros, then a footer length of 40 MiB (0x02800000, little-endian) and 'PAR1'.
    const syn = syntheticSource('big.parquet', [
      'PAR1',
      { fill: 0, length: 50 * 1024 * 1024 },
      { fill: 0, length: 2 },
      { fill: 0x80, length: 1 },
      { fill: 0x02, length: 1 },
      'PAR1',
    ])
    const s = spy(syn.source)
    await expect(collect(s.source, fileOf('big.parquet', syn.size))).rejects.toThrow(
      /footer \(metadata\) is 40\.0 MiB, more than the 32\.0 MiB it was allowed/,
    )
    expect(s.totalAsked()).toBeLessThanOrEqual(16)
  })

  it('refuses a row group whose columns hold fewer values than its rows', async () => {
    const bytes = rewriteFooter(small, (f) => {
      f.num_rows = 1000n
      f.row_groups[0]!.num_rows = 1000n
    })
    const r = await read(bytes)
    expect((r.error as Error).message).toMatch(
      /^the footer's row counts disagree: row group 1 holds 1,000 rows but its column messages\.list\.element\.role holds 30 values/,
    )
    expect(r.counters.batches).toBe(0)
  })

  it("refuses a file count that is not its row groups' sum", async () => {
    const r = await read(rewriteFooter(small, (f) => void (f.num_rows = 11n)))
    expect((r.error as Error).message).toMatch(
      /^the footer's row counts disagree: the file holds 11 rows by its count, 10 by its 1 row group/,
    )
  })
})

describe('row groups past the limits', () => {
  // Three groups of four 64 KiB rows (dictionary-encoded, GZIP): about 256 KiB of text each.
  const text = (i: number) => `${i}`.padEnd(64 * 1024, 'x')
  const rows = Array.from({ length: 12 }, (_, i) => chat(text(i)))
  const gzip = messagesParquet(rows, { codec: 'GZIP', rowGroupSize: 4 })

  it('skips a group whose footer size is past the limit, and reads the others', async () => {
    const bytes = rewriteFooter(gzip, (f) => {
      for (const c of f.row_groups[1]!.columns) c.meta_data!.total_uncompressed_size = 300n << 20n
    })
    const r = await read(bytes)
    expect(kinds(r.events)).toEqual([
      ...Array<string>(4).fill('row'),
      'skipped 4',
      ...Array<string>(4).fill('row'),
    ])
    const skipped = r.events[4] as Extract<RowEvent, { kind: 'bad-row' }>
    expect(skipped).toMatchObject({ row: 5, skipped: 4 })
    expect(skipped.problem).toMatch(/^row group 2 of 3 is 600\.\d MiB in 4 rows, past the 256\.0 MiB/)
    // Nothing of the skipped group was decompressed: two groups' pages, about 260 KB each.
    expect(r.counters.pageBytes).toBeLessThan(2 * 300 * 1024)
  })

  it('refuses pages whose declared sizes pass the budget when the footer understates them', async () => {
    const bytes = rewriteFooter(gzip, (f) => {
      for (const g of f.row_groups) for (const c of g.columns) c.meta_data!.total_uncompressed_size = 100n
    })
    const r = await read(bytes, { groupBytes: 200 * 1024 })
    // Each group's pages declare about 256 KiB: each is refused at its first large page, decoded no further.
    expect(kinds(r.events)).toEqual(['skipped 4', 'skipped 4', 'skipped 4'])
    expect((r.events[0] as { problem: string }).problem).toMatch(
      /^row group 1 of 3: a GZIP page declares 256\.\d KiB uncompressed, past the 200\.0 KiB the check decodes at once/,
    )
    expect(r.counters.pagesRefused).toBeGreaterThanOrEqual(3)
    expect(r.counters.pageBytes).toBeLessThan(3 * 200 * 1024)
  })

  it('skips a group of more rows than are decoded at once', async () => {
    const r = await read(messagesParquet(chatRows(30, 1, 10), { rowGroupSize: 10 }), { groupRows: 9 })
    expect(kinds(r.events)).toEqual(['skipped 10', 'skipped 10', 'skipped 10'])
    expect(r.counters.batches).toBe(0)
  })

  it('counts skipped rows towards max-rows', async () => {
    const r = await read(messagesParquet(chatRows(30, 1, 10), { rowGroupSize: 10 }), { groupRows: 9 }, 15)
    expect(kinds(r.events)).toEqual(['skipped 10', 'skipped 5'])
    // Through the runner: 4 rows skipped, then 2 of the next group read, for max-rows 6.
    const bytes = rewriteFooter(gzip, (f) => {
      for (const c of f.row_groups[0]!.columns) c.meta_data!.total_uncompressed_size = 300n << 20n
    })
    const { stats, findings } = await runDataset(datasetRules, { 'train.parquet': bytes }, { maxRows: 6 })
    expect(stats).toMatchObject({ rows: 2, badRows: 0 })
    expect(findings.filter((f) => f.messageId === 'skippedRows')).toHaveLength(1)
    expect(findings.filter((f) => f.messageId === 'noRows')).toEqual([])
  })

  it('refuses a row past MAX_ROW_BYTES once decoded, and reads the next', async () => {
    const big = 'a'.repeat(MAX_ROW_BYTES + 1)
    const r = await read(messagesParquet([chat(big), chat('small')], { codec: 'GZIP' }))
    expect(kinds(r.events)).toEqual(['bad-row', 'row'])
    expect((r.events[0] as { problem: string }).problem).toMatch(
      /^the row is 16\.0 MiB decoded, over the 16\.0 MiB limit for one row; it was not checked$/,
    )
  })

  it('reports skipped rows as a dataset-files warning, not as bad rows', async () => {
    const bytes = rewriteFooter(gzip, (f) => {
      for (const c of f.row_groups[0]!.columns) c.meta_data!.total_uncompressed_size = 300n << 20n
    })
    const { findings, stats } = await runDataset(datasetRules, { 'train.parquet': bytes })
    expect(
      findings.filter((f) => f.ruleId === 'DS102').map((f) => [f.messageId, f.severity, f.location.row]),
    ).toEqual([['skippedRows', 'warning', 1]])
    expect(findings.filter((f) => f.ruleId === 'DS201')).toEqual([])
    expect(stats).toMatchObject({ rows: 8, badRows: 0 })
  })
})

describe('many small row groups', () => {
  it('reads 5,000 one-row groups in batches: each group planned once, a read per batch', async () => {
    // As a hostile writer makes them: one row group, and a footer that lists it 5,000 times (200,000:
    // __tests__/scale/hostile-floods.test.ts).
    const n = 5_000
    const bytes = rewriteFooter(messagesParquet(chatRows(1, 1, 4)), (f) => {
      f.row_groups = Array.from({ length: n }, () => f.row_groups[0]!)
      f.num_rows = BigInt(n)
    })
    const r = await read(bytes)
    expect(r.events).toHaveLength(n)
    expect(r.events.every((e, i) => e.kind === 'row' && e.row === i + 1)).toBe(true)
    // Linear: hyparquet plans each group once (it used to walk every group of the file per group).
    expect(r.counters.groupsPlanned).toBe(n)
    expect(r.counters.batches).toBe(Math.ceil(n / PARQUET_LIMITS.batchGroups))
    // Framing and footer reads, then one read per batch; every byte read about once.
    expect(r.seen.reads).toBeLessThanOrEqual(r.counters.batches + 5)
    expect(r.seen.bytes).toBeLessThan(2 * bytes.length)
    // It was quadratic: hyparquet walked every group of the footer for each group read (10,000
    // groups took 2.5 s, 40,000 took 30 s, 200,000 would take minutes).
  })
})

describe('page decompressors', () => {
  const zeros = new Uint8Array(4 * 1024 * 1024)

  it('charges a page its declared size before decompressing, and refuses one past the budget', () => {
    const budget = pageBudget(1024 * 1024)
    const c = boundedCompressors(budget)
    const page = zlib.gzipSync(zeros.subarray(0, 512 * 1024))
    expect(c.GZIP!(page, 512 * 1024)).toHaveLength(512 * 1024)
    expect(() => c.GZIP!(page, 3_000_000_000)).toThrow(PageBudgetError)
    expect(() => c.ZSTD!(new Uint8Array(16), 2_000_000)).toThrow(PageBudgetError)
    expect(budget).toEqual({ left: 512 * 1024, decoded: 512 * 1024, refused: 2 })
  })

  it('refuses a GZIP or BROTLI page that expands past its declared size, and stops there', () => {
    const budget = pageBudget(64 * 1024 * 1024)
    const c = boundedCompressors(budget)
    // 4 MiB of zeros in 4 KB, declared as 1,000 bytes.
    expect(() => c.GZIP!(zlib.gzipSync(zeros), 1000)).toThrow(PageSizeError)
    expect(() => c.GZIP!(zlib.deflateRawSync(zeros), 1000)).toThrow(PageSizeError)
    expect(() => c.BROTLI!(zlib.brotliCompressSync(zeros), 1000)).toThrow(PageSizeError)
    expect(budget.refused).toBe(3)
    expect(budget.decoded).toBe(3000)
  })

  it('refuses a SNAPPY page whose own length is past its declared size', () => {
    const c = boundedCompressors(pageBudget(1 << 20))
    // Snappy: the uncompressed length as a varint (1,000,000), then a literal of nothing.
    expect(() => c.SNAPPY!(Uint8Array.from([0xc0, 0x84, 0x3d, 0x00]), 100)).toThrow(PageSizeError)
  })

  describe('ZSTD, read from its frame and block headers before decoding', () => {
    /** A frame: magic, a descriptor, the content size when given, then blocks. */
    const frame = (blocks: Uint8Array[], contentSize?: number) => {
      const header =
        contentSize === undefined
          ? [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58] // no content size; window 1 MiB
          : [0x28, 0xb5, 0x2f, 0xfd, 0xa0, ...u32(contentSize)] // single segment, 4-byte size
      return Uint8Array.from([...header, ...blocks.flatMap((b) => [...b])])
    }
    const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24]
    /** An RLE block: `size` copies of `byte`. */
    const rle = (size: number, byte: number, last: boolean) => {
      const h = (size << 3) | (1 << 1) | (last ? 1 : 0)
      return Uint8Array.from([h & 255, (h >> 8) & 255, (h >> 16) & 255, byte])
    }

    it('reads what the headers say without decoding', () => {
      const bomb = frame([
        ...Array.from({ length: 999 }, () => rle(128 * 1024, 0, false)),
        rle(128 * 1024, 0, true),
      ])
      expect(zstdBound(bomb)).toEqual({
        contentSize: undefined,
        exact: 1000 * 128 * 1024,
        most: 1000 * 128 * 1024,
        frames: 1,
      })
    })

    it('decodes a page that is what it declares', () => {
      const c = boundedCompressors(pageBudget(1 << 20))
      const page = frame([rle(1000, 0x61, true)], 1000)
      expect(Buffer.from(c.ZSTD!(page, 1000)).toString()).toBe('a'.repeat(1000))
    })

    it('refuses 4,000 bytes of blocks that make 128 MiB, declared as 1,000 bytes, before decoding', () => {
      const budget = pageBudget(1 << 20)
      const bomb = frame([
        ...Array.from({ length: 999 }, () => rle(128 * 1024, 0, false)),
        rle(128 * 1024, 0, true),
      ])
      expect(() => boundedCompressors(budget).ZSTD!(bomb, 1000)).toThrow(PageSizeError)
      expect(budget).toMatchObject({ decoded: 1000, refused: 1 })
    })

    it('refuses a frame whose content size is not the declared size', () => {
      const page = frame([rle(1000, 0x61, true)], 1000)
      expect(() => boundedCompressors(pageBudget(1 << 20)).ZSTD!(page, 10)).toThrow(PageSizeError)
    })
  })
})
