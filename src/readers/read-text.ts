// Shared pieces of the JSON Lines and JSON array readers: reading a file in bounded chunks, turning a
// row's bytes into a value or a plain-words problem, and recognising files that are not text at all.
import { isUtf8 } from 'node:buffer'
import { isLfsPointer, LFS_POINTER_MAX_SIZE, lfsPointerSize } from '../sources/lfs.js'
import { formatBinaryBytes } from '../common/wording.js'
import { explainJsonError, nestedWords, rowEncodingProblem, type RowProblem } from '../common/json-errors.js'
import { jsonNesting, mayNestDeeperThan, PYTHON_JSON_MAX_DEPTH } from '../common/json.js'
import { firstInvalidUtf8 } from '../common/text.js'
import type { Source } from '../sources/source.js'
import { DataFileError, MAX_ROW_BYTES, type DataFile } from './rows.js'

/** How much one readRange asks for: large enough to be fast, small enough to keep memory flat. */
const CHUNK_BYTES = 1024 * 1024

/** The file's bytes from `start`, one bounded chunk at a time, never past the listed size. */
export async function* chunks(
  source: Source,
  file: DataFile,
  start = 0,
  /** Bytes from `start` already read: given first, and reading goes on after them. */
  first?: Uint8Array,
): AsyncGenerator<{ bytes: Uint8Array; offset: number }> {
  let pos = start
  if (first && first.length > 0) {
    yield { bytes: first, offset: start }
    pos += first.length
  }
  while (pos < file.size) {
    const end = Math.min(file.size, pos + CHUNK_BYTES)
    const bytes = await source.readRange(file.path, pos, end)
    if (bytes.length === 0) return
    yield { bytes, offset: pos }
    if (bytes.length < end - pos) return // shorter than asked: the file ended early
    pos = end
  }
}

/**
 * A small file that is a Git LFS pointer instead of the data: a checkout without `lfs: true`. With
 * `sayPointerSize`, the message names the pointer's own size (Parquet: "too small" would mislead).
 */
export async function refuseLfsPointer(
  source: Source,
  file: DataFile,
  what: string,
  sayPointerSize = false,
): Promise<void> {
  if (file.size === 0 || file.size > LFS_POINTER_MAX_SIZE) return
  const bytes = await source.readRange(file.path, 0, file.size)
  if (!isLfsPointer(bytes)) return
  const real = lfsPointerSize(bytes)
  const pointer = sayPointerSize ? `${file.size}-byte pointer` : 'pointer'
  throw new DataFileError(
    `a Git LFS pointer, not the ${what}: the repository stores it in LFS${real !== undefined ? ` (${formatBinaryBytes(real)})` : ''} and this checkout has only the ${pointer}; fetch it with \`git lfs pull\` (actions/checkout: \`lfs: true\`)`,
  )
}

/** A text file that begins with a compression or archive signature: JSON readers cannot read it. */
export function refuseBinary(first: Uint8Array, what: string): void {
  const sig = (bytes: number[]) => bytes.every((b, i) => first[i] === b)
  const kind = sig([0x1f, 0x8b])
    ? 'gzip-compressed'
    : sig([0x50, 0x4b, 0x03, 0x04])
      ? 'a zip archive'
      : sig([0x28, 0xb5, 0x2f, 0xfd])
        ? 'zstd-compressed'
        : sig([0x50, 0x41, 0x52, 0x31])
          ? 'a Parquet file'
          : undefined
  if (kind)
    throw new DataFileError(`${kind}, not ${what}: name it by what it holds, or store it uncompressed`)
}

export function tooLong(bytes: number): string {
  return `the row is ${formatBinaryBytes(bytes)}, over the ${formatBinaryBytes(MAX_ROW_BYTES)} limit for one row; it was skipped without being read`
}

const decoder = new TextDecoder('utf-8')

type Parsed = { ok: true; value: unknown } | RowProblem

/** One row's bytes (one JSONL line or one array element) to its value, or why not. */
export function parseRowBytes(bytes: Uint8Array): Parsed {
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes)
    return rowEncodingProblem(bytes, at === -1 ? Math.max(0, bytes.length - 1) : at)
  }
  return parseRowText(decoder.decode(bytes))
}

/** One row's text to its value, or why not. */
export function parseRowText(text: string): Parsed {
  // JSON.parse does not recurse, but the rules that read the value may: a row nested deeper than
  // Python's json loads is refused first. Only a row with that many brackets is scanned.
  if (mayNestDeeperThan(text, PYTHON_JSON_MAX_DEPTH)) {
    const nesting = jsonNesting(text, PYTHON_JSON_MAX_DEPTH)
    if (nesting.over >= 0)
      return {
        ok: false,
        problem: `${nestedWords(nesting.depth, PYTHON_JSON_MAX_DEPTH)}; it was not parsed`,
        column: nesting.over + 1,
      }
  }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    return explainJsonError(text, error instanceof Error ? error.message : String(error))
  }
}

/** The index of the first byte that is not JSON whitespace, or -1. */
export function firstSignificant(buf: Uint8Array, start: number): number {
  for (let i = start; i < buf.length; i++) {
    const b = buf[i]
    if (b !== 32 && b !== 9 && b !== 13 && b !== 10) return i
  }
  return -1
}

export function countNewlines(buf: Uint8Array, start: number, end: number): number {
  let n = 0
  for (let i = start; i < end; i++) if (buf[i] === 10) n++
  return n
}

/** JSON structural bytes: ASCII, so scanning UTF-8 bytes for them is exact. */
export const QUOTE = 34
export const BACKSLASH = 92
export const COMMA = 44
export const COLON = 58
export const OPEN_ARRAY = 91
export const CLOSE_ARRAY = 93
export const OPEN_OBJECT = 123
export const CLOSE_OBJECT = 125
export const NEWLINE = 10

export const isSpace = (b: number) => b === 32 || b === 10 || b === 13 || b === 9
