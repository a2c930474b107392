// Parquet fixtures for the dataset readers, written with hyparquet-writer in the layout pyarrow and HF
// `datasets` write a chat column: `messages: list<struct<role: string, content: string>>` as a 3-level
// LIST (messages OPTIONAL LIST > list REPEATED > element OPTIONAL struct > role, content).
import zlib from 'node:zlib'
import { parquetWriteBuffer, type ColumnSource, type SchemaElement } from 'hyparquet-writer'

export type Codec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'BROTLI' | 'ZSTD'

export interface Message {
  role: string
  content: string
}

export interface ExtraColumn {
  name: string
  type: 'STRING' | 'INT64' | 'DOUBLE' | 'BOOLEAN'
  /** One value per row (null for a missing value); INT64 values as bigint. */
  data: (string | bigint | number | boolean | null)[]
}

type Compress = (input: Uint8Array) => Uint8Array
const zstd = (zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Buffer }).zstdCompressSync

/** Compressors the writer lacks (it has only SNAPPY), from node:zlib. ZSTD needs Node 24. */
const COMPRESSORS: Partial<Record<Codec, Compress>> = {
  GZIP: (b) => zlib.gzipSync(b),
  BROTLI: (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }),
  ...(zstd ? { ZSTD: (b: Uint8Array) => zstd(b) } : {}),
}

export const zstdAvailable = zstd !== undefined

/** The codecs this Node can write: ZSTD only where node:zlib has zstdCompressSync (Node 24+). */
export function availableCodecs(): Codec[] {
  const all: Codec[] = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD']
  return all.filter((c) => c === 'UNCOMPRESSED' || c === 'SNAPPY' || COMPRESSORS[c])
}

export interface MessagesParquetOptions {
  codec?: Codec
  /** Rows per row group (default: all rows in one group). */
  rowGroupSize?: number
  /** Columns after `messages`, in order. */
  extra?: ExtraColumn[]
  /** The chat column's name (default `messages`). */
  column?: string
  /** Bytes a page holds before the next begins, at a row's end (hyparquet-writer's default: 1 MiB). */
  pageSize?: number
}

const PRIMITIVE: Record<ExtraColumn['type'], Partial<SchemaElement>> = {
  STRING: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  INT64: { type: 'INT64' },
  DOUBLE: { type: 'DOUBLE' },
  BOOLEAN: { type: 'BOOLEAN' },
}

/** Parquet bytes for rows of `{messages: [{role, content}, ...]}`, plus any extra columns. */
export function messagesParquet(rows: Message[][], options: MessagesParquetOptions = {}): Uint8Array {
  const { codec = 'SNAPPY', extra = [], column = 'messages' } = options
  if (codec !== 'UNCOMPRESSED' && codec !== 'SNAPPY' && !COMPRESSORS[codec])
    throw new Error(`this Node cannot write ${codec} (node:zlib has no compressor for it)`)
  const schema: SchemaElement[] = [
    { name: 'root', num_children: 1 + extra.length },
    { name: column, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'role', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'content', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ...extra.map((c): SchemaElement => ({ name: c.name, repetition_type: 'OPTIONAL', ...PRIMITIVE[c.type] })),
  ]
  const columnData: ColumnSource[] = [
    { name: column, data: rows },
    ...extra.map((c) => ({ name: c.name, data: c.data as ColumnSource['data'] })),
  ]
  const buffer = parquetWriteBuffer({
    schema,
    columnData,
    codec,
    compressors: COMPRESSORS,
    rowGroupSize: options.rowGroupSize ?? Math.max(1, rows.length),
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
  })
  return new Uint8Array(buffer)
}

/** `n` ultrachat-like conversations: a system turn and `turns` user/assistant pairs of ~`chars` each. */
export function chatRows(n: number, turns = 2, chars = 600): Message[][] {
  const filler = 'The quick brown fox jumps over the lazy dog, and then explains why. '
  const text = (i: number, k: number) => {
    const head = `Row ${i} turn ${k}: `
    return head + filler.repeat(Math.ceil(chars / filler.length)).slice(0, Math.max(0, chars - head.length))
  }
  const rows: Message[][] = []
  for (let i = 0; i < n; i++) {
    const messages: Message[] = [{ role: 'system', content: 'You are a helpful assistant.' }]
    for (let k = 0; k < turns; k++) {
      messages.push({ role: 'user', content: text(i, 2 * k) })
      messages.push({ role: 'assistant', content: text(i, 2 * k + 1) })
    }
    rows.push(messages)
  }
  return rows
}
