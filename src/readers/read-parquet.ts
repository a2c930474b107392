// Parquet through hyparquet, over an AsyncBuffer built on source.readRange: the footer is read once,
// then the row groups, a batch at a time, only the wanted columns (by default the ones the dataset
// rules read, RULE_COLUMNS: a column no rule reads is never fetched or decoded). A batch of small
// groups is cut at `sliceBytes`; a larger group whose chunks have an offset index (hyparquet-writer
// and pyarrow's write_page_index write one) is read in row slices of about `sliceBytes`, only the
// slice's pages fetched and decoded; without one it is decoded whole. Every read is bounded before it
// is decoded: by what the footer says (row counts that agree with each other and with the file's size,
// row groups within PARQUET_LIMITS) and, as it is decoded, by the pages' own sizes (parquet-pages.ts).
// A row group past the limits is reported and skipped; the rest of the file is still read.
import {
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
  type RowGroup,
} from 'hyparquet'
import { SourceError } from '../common/errors.js'
import type { Source } from '../sources/source.js'
import { formatBinaryBytes, plural } from '../common/wording.js'
import { boundedCompressors, PageBudgetError, pageBudget } from './parquet-pages.js'
import { refuseLfsPointer } from './read-text.js'
import { DataFileError, MAX_ROW_BYTES, type DataFile, type RowEvent } from './rows.js'

const MAGIC = 'PAR1'
/** The smallest possible Parquet file: magic, an empty footer's length, magic. */
const MIN_SIZE = 12

/**
 * The footer is decoded whole, at about 25 times its size in memory. Real footers are kilobytes to a
 * few megabytes (thousands of row groups × columns × ~200 bytes); 32 MiB keeps the worst case under
 * 1 GiB.
 */
const MAX_FOOTER_BYTES = 32 * 1024 * 1024

export interface ParquetLimits {
  /**
   * Bytes a batch of row groups may decode to: the footer's sizes of its column chunks (compressed
   * or not, the larger) before it is read, and the pages' declared sizes as they are decompressed.
   */
  groupBytes: number
  /** Rows a batch may hold: each becomes an object, whatever the bytes say. */
  groupRows: number
  /** Rows a file may claim per byte of its size; more is a footer that does not describe the file. */
  rowsPerByte: number
  /** Row groups decoded in one call: many small groups cost one plan, one set of reads. */
  batchGroups: number
  /**
   * Bytes (the footer's sizes, as for `groupBytes`) one hyparquet read aims at: small groups are
   * batched up to it, and a larger group with an offset index is read in row slices of about it.
   */
  sliceBytes: number
}

/**
 * 256 MiB: a row group that pyarrow or `datasets` writes for chat data is a few MiB to a few tens (a
 * 1,000-row group of long conversations); 256 MiB of text decoded is about a gigabyte of memory, the
 * most a runner should spend on one batch. 1,048,576 rows is pyarrow's default largest row group.
 * 8 rows per byte: a row is at least one value in every column, and bit-packed levels take a bit
 * each; only run-length encoding packs denser, which rows of real, different text do not reach.
 */
export const PARQUET_LIMITS: ParquetLimits = {
  groupBytes: 256 * 1024 * 1024,
  groupRows: 1_048_576,
  rowsPerByte: 8,
  batchGroups: 1_024,
  sliceBytes: 16 * 1024 * 1024,
}

/**
 * The columns the dataset rules read of a Parquet row (src/rules/dataset/): `messages` (every row
 * rule: DS102, DS103, DS201's object test, DS301's message keys, DS302, DS401 and DS402 through the
 * rendering) and `tools` (the rendering, src/engine/run-dataset.ts). A file without `messages` gets
 * DS101's instead (missing-messages.ts names the format by the values of these columns, and by which
 * columns there are): the other columns are keys of the row with the value null, their names from the
 * schema, so DS101 lists them without a byte of their data decoded.
 */
export const RULE_COLUMNS = ['messages', 'tools']
export const FORMAT_COLUMNS = [
  'conversations',
  'conversation',
  'dialog',
  'chat',
  'turns',
  'text',
  'prompt',
  'completion',
]

/** An offset index larger than this is not read: the group is decoded whole (real ones are ~20 bytes a page). */
const MAX_OFFSET_INDEX_BYTES = 4 * 1024 * 1024

/** What a read did, for tests that prove bounds by counting. */
export interface ParquetReadCounters {
  /** hyparquet reads, one per batch of row groups. */
  batches: number
  /** Row groups handed to hyparquet, added over the batches: what its planning walks. */
  groupsPlanned: number
  /** Declared sizes of the pages decompressed. */
  pageBytes: number
  /** Pages refused before or while decompressing. */
  pagesRefused: number
  /** The most rows one hyparquet read materialized. */
  mostRows?: number
}

export async function* readParquet(
  source: Source,
  file: DataFile,
  options: {
    maxRows?: number
    /** Only these top-level columns; 'rules': RULE_COLUMNS (see there); every column when absent. */
    columns?: string[] | 'rules'
    /** The rows the footer says the file holds, once its counts are checked. */
    onRowCount?: (rows: number) => void
    /**
     * The rows to read (1-based, both included), given the rows the footer states: a shard's range. The
     * rows outside it are not read (a row group that holds only such rows is passed over, a slice starts
     * at the first); they come as `left` events, to be counted.
     */
    range?: (rows: number) => { first: number; last: number }
    limits?: Partial<ParquetLimits>
    counters?: ParquetReadCounters
  } = {},
): AsyncGenerator<RowEvent[]> {
  const rowLimit = options.maxRows ?? Infinity
  const limits = { ...PARQUET_LIMITS, ...options.limits }
  const counters = options.counters ?? { batches: 0, groupsPlanned: 0, pageBytes: 0, pagesRefused: 0 }
  const footer = await checkFraming(source, file)
  const buffer = asyncBuffer(source, file)
  let metadata: FileMetaData
  try {
    // The footer and no byte before it (hyparquet's default reads the last 512 KiB, pages included).
    metadata = await parquetMetadataAsync(buffer, { initialFetchSize: footer + 8 })
  } catch (error) {
    throw asDataFileError(error, 'the Parquet footer (its metadata) cannot be read')
  }
  checkCounts(metadata, file, limits)
  options.onRowCount?.(Number(metadata.num_rows))

  let columns: string[] | undefined
  // Keys every row has, in the schema's order, null unless read: DS101's view of a file without messages.
  let keys: string[] | undefined
  if (options.columns) {
    let names: string[]
    try {
      names = parquetSchema(metadata).children.map((c) => c.element.name)
    } catch (error) {
      throw asDataFileError(error, 'the Parquet schema cannot be read')
    }
    const present = new Set(names)
    if (options.columns !== 'rules') columns = options.columns.filter((c) => present.has(c))
    else if (present.has('messages')) columns = RULE_COLUMNS.filter((c) => present.has(c))
    else {
      columns = FORMAT_COLUMNS.filter((c) => present.has(c))
      keys = names
    }
  }
  const wanted = columns && new Set(columns)
  const groups = metadata.row_groups
  const rowsOf = (g: number) => Number(groups[g]!.num_rows) // g < groups.length
  const sizeOf = (g: number) => groupSize(groups[g]!, wanted) // g < groups.length
  const over = (g: number) => sizeOf(g) > limits.groupBytes || rowsOf(g) > limits.groupRows
  const which = (g: number, end = g + 1) =>
    `row group ${end - g > 1 ? `${g + 1} to ${end}` : g + 1} of ${groups.length}`

  // Whether a group is read in row slices: larger than a slice, and hyparquet can find a slice's pages
  // (every wanted chunk has an offset index of a sane size); else hyparquet decodes its chunks whole.
  const sliceable = (g: number) =>
    rowsOf(g) > 1 &&
    sizeOf(g) > limits.sliceBytes &&
    groups[g]!.columns.every((chunk) => {
      const name = chunk.meta_data?.path_in_schema[0] ?? ''
      if (wanted && !wanted.has(name)) return true
      const at = Number(chunk.offset_index_offset ?? -1)
      const length = chunk.offset_index_length ?? 0
      return at > 0 && length > 0 && length <= MAX_OFFSET_INDEX_BYTES && at + length <= file.size
    })

  let rowStart = 0
  let g = 0
  // After a batch failed (past the page budget, or damaged), its groups are read one at a time.
  let singleUntil = 0
  const range = options.range?.(Number(metadata.num_rows))
  const skipTo = Math.min(rowLimit, (range?.first ?? 1) - 1)
  // The rows after the range are read no more than the rows past max-rows, and said at the end.
  const rowsWanted = Math.min(rowLimit, Number(metadata.num_rows))
  // The range's end is read as max-rows is: no row group past it is read.
  const maxRows = Math.min(rowLimit, range?.last ?? Infinity)
  // Rows [0, passed) were said (read, reported or passed over): said once, though a failed batch is
  // read again group by group.
  let passed = 0
  /** Rows [from, to) (0-based) but those said already, as one `left` event. */
  function* passOver(from: number, to: number): Generator<RowEvent[]> {
    const start = Math.max(from, passed)
    if (to > start) yield [{ kind: 'left', row: start + 1, count: to - start }]
    passed = Math.max(passed, to)
  }
  next: while (g < groups.length && rowStart < maxRows) {
    const count = rowsOf(g)
    if (count === 0) {
      g++
      continue
    }
    // Passed over: a group before the range, and a group past the limits that begins before it (the
    // report of the share it begins in, whole, as one run reports it).
    if (rowStart + count <= skipTo || (over(g) && rowStart < skipTo)) {
      yield* passOver(rowStart, Math.min(rowStart + count, rowLimit))
      rowStart += count
      g++
      continue
    }
    if (over(g)) {
      const n = Math.min(count, rowLimit - rowStart)
      passed = Math.max(passed, rowStart + n)
      yield [
        skipped(
          rowStart,
          n,
          `${which(g)} is ${formatBinaryBytes(sizeOf(g))} in ${plural(count, 'row')}, past the ${formatBinaryBytes(limits.groupBytes)} and ${plural(limits.groupRows, 'row')} the check decodes at once`,
        ),
      ]
      rowStart += count
      g++
      continue
    }
    // The batch: this group and the small ones after it, within a slice together.
    let end = g + 1
    let bytes = sizeOf(g)
    let rows = count
    while (
      end < groups.length &&
      end >= singleUntil &&
      end - g < limits.batchGroups &&
      rowStart + rows < maxRows
    ) {
      if (over(end) || bytes + sizeOf(end) > limits.sliceBytes || rows + rowsOf(end) > limits.groupRows) break
      bytes += sizeOf(end)
      rows += rowsOf(end)
      end++
    }
    const want = Math.min(rows, maxRows - rowStart)
    const step =
      end - g === 1 && sliceable(g) ? Math.max(1, Math.floor((count * limits.sliceBytes) / sizeOf(g))) : want
    // The batch's rows before `fromRow` are not decoded (hyparquet reads a slice from its own start).
    const before = Math.max(0, Math.min(want, skipTo - rowStart))
    yield* passOver(rowStart, rowStart + before)
    for (let done = before; done < want;) {
      const n = Math.min(step, want - done)
      let values: Record<string, unknown>[]
      const budget = pageBudget(limits.groupBytes)
      try {
        if (columns && columns.length === 0) values = Array.from({ length: n }, () => ({}))
        else {
          counters.batches++
          counters.groupsPlanned += end - g
          values = await parquetReadObjects({
            file:
              step < want
                ? withinChunks(buffer, groups[g]!, wanted)
                : batchBuffer(buffer, groups.slice(g, end), wanted, limits.sliceBytes),
            // Only the batch's groups: hyparquet plans over every group it is given, every call.
            metadata: { ...metadata, row_groups: groups.slice(g, end), num_rows: BigInt(rows) },
            rowStart: done,
            rowEnd: done + n,
            columns,
            compressors: boundedCompressors(budget),
            // A slice: only the pages holding its rows, by the chunks' offset indexes.
            useOffsetIndex: step < want,
          })
          counters.mostRows = Math.max(counters.mostRows ?? 0, values.length)
        }
      } catch (error) {
        if (error instanceof SourceError) throw error
        // Read the batch's groups one at a time: the good ones are read, and the one at fault is named.
        if (end - g > 1) {
          singleUntil = end
          continue next
        }
        if (!(error instanceof PageBudgetError)) throw asDataFileError(error, `${which(g)} cannot be read`)
        yield [skipped(rowStart + done, want - done, `${which(g)}: ${error.message}`)]
        break
      } finally {
        counters.pageBytes += budget.decoded
        counters.pagesRefused += budget.refused
      }
      const first = rowStart + done
      yield values.map((r, k): RowEvent => {
        const row = first + k + 1
        const safe = jsonSafe(keys ? withKeys(r, keys) : r)
        return safe.bytes > MAX_ROW_BYTES
          ? {
              kind: 'bad-row',
              row,
              problem: `the row is ${formatBinaryBytes(safe.bytes)} decoded, over the ${formatBinaryBytes(MAX_ROW_BYTES)} limit for one row; it was not checked`,
            }
          : { kind: 'row', row, ...safe }
      })
      done += n
    }
    passed = Math.max(passed, rowStart + want)
    rowStart += rows
    g = end
  }
  yield* passOver(passed, rowsWanted)
}

/**
 * Reads of a sliced group only within its wanted column chunks and their offset indexes: the pages an
 * offset index points to are the file's say, so one pointing outside its chunk (past what the group's
 * sizes were checked for) is a damaged group, not a read.
 */
function withinChunks(file: AsyncBuffer, group: RowGroup, wanted: Set<string> | undefined): AsyncBuffer {
  const ranges: [number, number][] = []
  for (const chunk of group.columns) {
    const meta = chunk.meta_data
    if (!meta || (wanted && !wanted.has(meta.path_in_schema[0] ?? ''))) continue
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset)
    ranges.push([start, start + Number(meta.total_compressed_size)])
    const at = Number(chunk.offset_index_offset ?? 0)
    ranges.push([at, at + (chunk.offset_index_length ?? 0)])
  }
  return {
    byteLength: file.byteLength,
    slice(start: number, end = file.byteLength) {
      if (!(start <= end) || !ranges.some(([from, to]) => start >= from && end <= to))
        throw new Error(
          `its offset index points to bytes ${start} to ${end}, outside the column chunk it indexes`,
        )
      return file.slice(start, end)
    },
  }
}

/** The row with every key of the schema, in its order: the values read, null for the others. */
function withKeys(row: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of keys) out[k] = Object.hasOwn(row, k) ? row[k] : null
  return out
}

function skipped(rowStart: number, count: number, why: string): RowEvent {
  return {
    kind: 'bad-row',
    row: rowStart + 1,
    skipped: count,
    problem: `${why}; its ${plural(count, 'row')} were not read`,
  }
}

/**
 * The batch's column chunks read at once when they lie together: hyparquet reads each row group's
 * chunks on their own, so 200,000 one-row groups would be 200,000 reads (requests, on the Hub).
 * Reads outside the span, or of a span with gaps of unwanted bytes past half the wanted ones (a column
 * no rule reads, between the wanted ones), go to the file as asked.
 */
function batchBuffer(
  file: AsyncBuffer,
  batch: readonly RowGroup[],
  wanted: Set<string> | undefined,
  limit: number,
): AsyncBuffer {
  let from = Infinity
  let to = -Infinity
  let sum = 0
  for (const group of batch)
    for (const chunk of group.columns) {
      const meta = chunk.meta_data
      if (!meta || (wanted && !wanted.has(meta.path_in_schema[0] ?? ''))) continue
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset)
      const size = Number(meta.total_compressed_size)
      from = Math.min(from, start)
      to = Math.max(to, start + size)
      sum += size
    }
  const span = to - from
  if (
    batch.length < 2 ||
    !(span > 0) ||
    span > limit ||
    span > sum + sum / 2 + 64 * 1024 ||
    to > file.byteLength
  )
    return file
  let whole: Promise<ArrayBuffer> | undefined
  return {
    byteLength: file.byteLength,
    slice(start: number, end = file.byteLength) {
      if (start < from || end > to) return file.slice(start, end)
      whole ??= Promise.resolve(file.slice(from, to))
      return whole.then((b) => b.slice(start - from, end - from))
    },
  }
}

/** What a row group's wanted column chunks take: compressed or not, the larger. */
function groupSize(group: RowGroup, wanted: Set<string> | undefined): number {
  let bytes = 0
  for (const chunk of group.columns) {
    const meta = chunk.meta_data
    if (!meta || (wanted && !wanted.has(meta.path_in_schema[0] ?? ''))) continue
    const a = Number(meta.total_uncompressed_size)
    const b = Number(meta.total_compressed_size)
    bytes += Math.max(a >= 0 ? a : Infinity, b >= 0 ? b : Infinity)
  }
  return bytes
}

/**
 * The footer's row counts, before anything is allocated from them: the file's count is its row
 * groups' sum, each column chunk holds at least a value per row of its group, and the file is large
 * enough to hold them. A footer that fails is a file that cannot be read, not an allocation.
 */
function checkCounts(metadata: FileMetaData, file: DataFile, limits: ParquetLimits): void {
  const disagree = (what: string) =>
    new DataFileError(`the footer's row counts disagree: ${what}; the footer does not describe the file`)
  const n = (v: bigint) => v.toLocaleString('en-US')
  let sum = 0n
  for (const [g, group] of metadata.row_groups.entries()) {
    if (group.num_rows < 0n) throw disagree(`row group ${g + 1} holds ${n(group.num_rows)} rows`)
    sum += group.num_rows
    for (const chunk of group.columns) {
      const meta = chunk.meta_data
      if (meta && meta.num_values < group.num_rows)
        throw disagree(
          `row group ${g + 1} holds ${n(group.num_rows)} rows but its column ${meta.path_in_schema.join('.')} holds ${n(meta.num_values)} values (a row has one in every column)`,
        )
    }
  }
  if (sum !== metadata.num_rows)
    throw disagree(
      `the file holds ${n(metadata.num_rows)} rows by its count, ${n(sum)} by its ${plural(metadata.row_groups.length, 'row group')}`,
    )
  if (sum > BigInt(limits.rowsPerByte) * BigInt(file.size))
    throw new DataFileError(
      `the footer says the file holds ${n(sum)} rows, more than its ${formatBinaryBytes(file.size)} can (at most ${limits.rowsPerByte} a byte); the footer does not describe the file`,
    )
}

/**
 * LFS pointer, too small, not Parquet, or cut short: said in plain words before hyparquet sees it.
 * Returns the footer's length.
 */
async function checkFraming(source: Source, file: DataFile): Promise<number> {
  await refuseLfsPointer(source, file, 'Parquet file', true)
  if (file.size < MIN_SIZE)
    throw new DataFileError(
      `too small to be a Parquet file (${formatBinaryBytes(file.size)}): the file is empty or cut short`,
    )
  const head = await source.readRange(file.path, 0, 4)
  if (Buffer.from(head).toString('latin1') !== MAGIC) {
    const first = head[0]
    const looks =
      first === 0x7b || first === 0x5b
        ? ': it looks like JSON text'
        : first === 0x3c
          ? ': it looks like HTML or XML'
          : head[0] === 0x1f && head[1] === 0x8b
            ? ': it is gzip-compressed'
            : ''
    throw new DataFileError(`not a Parquet file: it does not start with the PAR1 signature${looks}`)
  }
  const tail = await source.readRange(file.path, file.size - 8, file.size)
  if (tail.length < 8 || Buffer.from(tail.subarray(4)).toString('latin1') !== MAGIC)
    throw new DataFileError(
      'truncated: the footer is missing (a Parquet file ends with its metadata and PAR1); the file was cut short or is still being written',
    )
  const footer = new DataView(tail.buffer, tail.byteOffset, tail.byteLength).getUint32(0, true)
  if (footer > file.size - MIN_SIZE)
    throw new DataFileError(
      `truncated or damaged: the footer says its metadata is ${formatBinaryBytes(footer)}, more than the ${formatBinaryBytes(file.size)} file holds`,
    )
  if (footer > MAX_FOOTER_BYTES)
    throw new DataFileError(
      `its footer (metadata) is ${formatBinaryBytes(footer)}, more than the ${formatBinaryBytes(MAX_FOOTER_BYTES)} it was allowed: decoding it would take about 25 times that in memory; write fewer, larger row groups`,
    )
  return footer
}

function asyncBuffer(source: Source, file: DataFile): AsyncBuffer {
  return {
    byteLength: file.size,
    async slice(start: number, end = file.size): Promise<ArrayBuffer> {
      const bytes = await source.readRange(file.path, start, end)
      if (bytes.length < Math.min(end, file.size) - start)
        throw new DataFileError(
          `truncated: the file is shorter than its listed ${formatBinaryBytes(file.size)}`,
        )
      if (
        bytes.byteOffset === 0 &&
        bytes.byteLength === bytes.buffer.byteLength &&
        bytes.buffer instanceof ArrayBuffer
      )
        return bytes.buffer
      return bytes.slice().buffer
    },
  }
}

function asDataFileError(error: unknown, what: string): Error {
  if (error instanceof DataFileError || error instanceof SourceError) return error
  const message = error instanceof Error ? error.message : String(error)
  const plain = message.replace(/^parquet /, '')
  return new DataFileError(`${what}: ${plain}`)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Make a decoded row JSON-safe in place, without recursion (a row nests as deep as it likes): BigInt to
 * a number, or a decimal string past 2^53; Date to an ISO string; bytes to text when they are UTF-8,
 * else base64; other typed arrays to plain arrays. On the way, it adds up the row's size as compact
 * JSON in UTF-8 (escape characters not counted), which is what `bytes` reports for a Parquet row.
 */
export function jsonSafe(root: unknown): { value: unknown; bytes: number } {
  let bytes = 0
  const stack: object[] = []
  const visit = (v: unknown): unknown => {
    const c = scalar(v)
    if (c !== null && typeof c === 'object') stack.push(c)
    else bytes += scalarSize(c)
    return c
  }
  const value = visit(root)
  while (stack.length > 0) {
    const node = stack.pop()!
    if (Array.isArray(node)) {
      bytes += 2 + Math.max(0, node.length - 1)
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i]
        const c = visit(v)
        if (c !== v) node[i] = c
      }
    } else {
      const record = node as Record<string, unknown>
      const keys = Object.keys(record)
      bytes += 2 + Math.max(0, keys.length - 1)
      for (const k of keys) {
        bytes += Buffer.byteLength(k) + 3
        const v = record[k]
        const c = visit(v)
        if (c !== v) record[k] = c
      }
    }
  }
  return { value, bytes }
}

function scalar(v: unknown): unknown {
  if (typeof v === 'bigint')
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString()
  if (v === null || typeof v !== 'object') return v
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString()
  if (v instanceof Uint8Array) {
    try {
      return utf8.decode(v)
    } catch {
      return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
    }
  }
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>)
  return v
}

function scalarSize(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return Buffer.byteLength(v) + 2
    case 'number':
      return Number.isFinite(v) ? String(v).length : 4
    case 'boolean':
      return v ? 4 : 5
    case 'undefined':
      return 0
    default:
      return 4
  }
}
