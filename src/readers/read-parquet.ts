// Parquet through hyparquet, one row group at a time, over an AsyncBuffer built on source.readRange: the
// footer is read once, then each row group's column chunks (only the wanted columns). A row group is
// decoded whole, so memory follows the largest row group, not the file.
import {
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { SourceError } from '../common/errors.js'
import type { Source } from '../sources/source.js'
import { formatBinaryBytes } from '../common/wording.js'
import { refuseLfsPointer } from './read-text.js'
import { DataFileError, type DataFile, type RowEvent } from './rows.js'

const MAGIC = 'PAR1'
/** The smallest possible Parquet file: magic, an empty footer's length, magic. */
const MIN_SIZE = 12

export async function* readParquet(
  source: Source,
  file: DataFile,
  options: { maxRows?: number; columns?: string[] } = {},
): AsyncGenerator<RowEvent[]> {
  const maxRows = options.maxRows ?? Infinity
  await checkFraming(source, file)
  const buffer = asyncBuffer(source, file)
  let metadata: FileMetaData
  try {
    metadata = await parquetMetadataAsync(buffer)
  } catch (error) {
    throw asDataFileError(error, 'the Parquet footer (its metadata) cannot be read')
  }

  let columns = options.columns
  if (columns) {
    let present: Set<string>
    try {
      present = new Set(parquetSchema(metadata).children.map((c) => c.element.name))
    } catch (error) {
      throw asDataFileError(error, 'the Parquet schema cannot be read')
    }
    columns = columns.filter((c) => present.has(c))
  }

  let rowStart = 0
  const groups = metadata.row_groups
  for (let g = 0; g < groups.length && rowStart < maxRows; g++) {
    const count = Number(groups[g].num_rows)
    const rowEnd = Math.min(rowStart + count, maxRows)
    if (count === 0) continue
    let rows: Record<string, unknown>[]
    if (columns && columns.length === 0) {
      rows = Array.from({ length: rowEnd - rowStart }, () => ({}))
    } else {
      try {
        rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, columns, compressors })
      } catch (error) {
        throw asDataFileError(error, `row group ${g + 1} of ${groups.length} cannot be read`)
      }
    }
    const first = rowStart
    yield rows.map((r, k): RowEvent => ({ kind: 'row', row: first + k + 1, ...jsonSafe(r) }))
    rowStart += count
  }
}

/** LFS pointer, too small, not Parquet, or cut short: said in plain words before hyparquet sees it. */
async function checkFraming(source: Source, file: DataFile): Promise<void> {
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
