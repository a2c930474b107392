// Shared pieces of the JSON Lines and JSON array readers: reading a file in bounded chunks, turning a
// row's bytes into a value or a plain-words problem, and recognising files that are not text at all.
import { isUtf8 } from 'node:buffer'
import { isLfsPointer, LFS_POINTER_MAX_SIZE, lfsPointerSize } from '../sources/lfs.js'
import { formatBinaryBytes } from '../common/wording.js'
import type { Source } from '../sources/source.js'
import { DataFileError, MAX_ROW_BYTES, type DataFile } from './rows.js'

/** How much one readRange asks for: large enough to be fast, small enough to keep memory flat. */
export const CHUNK_BYTES = 1024 * 1024

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

/** A small file that is a Git LFS pointer instead of the data: a checkout without `lfs: true`. */
export async function refuseLfsPointer(source: Source, file: DataFile, what: string): Promise<void> {
  if (file.size === 0 || file.size > LFS_POINTER_MAX_SIZE) return
  const bytes = await source.readRange(file.path, 0, file.size)
  if (!isLfsPointer(bytes)) return
  const real = lfsPointerSize(bytes)
  throw new DataFileError(
    `a Git LFS pointer, not the ${what}: the repository stores it in LFS${real !== undefined ? ` (${formatBinaryBytes(real)})` : ''} and this checkout has only the pointer; fetch it with \`git lfs pull\` (actions/checkout: \`lfs: true\`)`,
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

export type Parsed = { ok: true; value: unknown } | { ok: false; problem: string; column?: number }

/** One row's bytes (one JSONL line or one array element) to its value, or why not. */
export function parseRowBytes(bytes: Uint8Array): Parsed {
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes)
    return {
      ok: false,
      problem: `not UTF-8 text (an invalid byte 0x${hex(bytes[at])} at byte ${at + 1} of the row)`,
    }
  }
  return parseRowText(decoder.decode(bytes))
}

/** One row's text to its value, or why not. */
export function parseRowText(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    return explainJsonError(text, error instanceof Error ? error.message : String(error))
  }
}

function hex(b: number | undefined): string {
  return (b ?? 0).toString(16).padStart(2, '0')
}

/** The index of the first byte that breaks UTF-8 (only called once the text is known to be invalid). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1
    if (need < 0 || (need > 0 && i + need >= bytes.length)) return i
    for (let k = 1; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i
    const cp = need === 2 ? ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) : 0
    if (need === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return i
    if (need === 3 && ((b === 0xf0 && bytes[i + 1] < 0x90) || (b === 0xf4 && bytes[i + 1] >= 0x90))) return i
    i += need + 1
  }
  return Math.max(0, bytes.length - 1)
}

/**
 * JSON.parse's message, made plain, and recognised mistakes named: a Python dict repr (single quotes,
 * True/False/None) and NaN/Infinity (which Python's json.dumps writes and JSON does not allow).
 * One iterative pass over the text; only run for a row that failed to parse.
 */
export function explainJsonError(text: string, message: string): Parsed {
  let python = -1
  let nonFinite = -1
  let nonFiniteWord = ''
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */ || c === 39 /* ' */) {
      if (c === 39 && python < 0) python = i
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i)
        if (d === 92) i++
        else if (d === c) break
      }
    } else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      let j = i + 1
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j])) j++
      const word = text.slice(i, j)
      if ((word === 'NaN' || word === 'Infinity') && nonFinite < 0) {
        nonFinite = i > 0 && text[i - 1] === '-' ? i - 1 : i
        nonFiniteWord = nonFinite < i ? '-Infinity' : word
      } else if ((word === 'True' || word === 'False' || word === 'None') && python < 0) python = i
      i = j - 1
    }
  }
  if (python >= 0)
    return {
      ok: false,
      problem: `a Python dict repr, not JSON (single quotes or True/False/None): write rows with json.dumps`,
      column: python + 1,
    }
  if (nonFinite >= 0)
    return {
      ok: false,
      problem: `${nonFiniteWord} is not allowed in JSON (Python's json.dumps writes it for a float that is not finite; JSON has no such number): write null or a number`,
      column: nonFinite + 1,
    }
  const at = /\bat position (\d+)/.exec(message)
  const plain = message
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'the row ends too early')
  let column = at ? Number(at[1]) + 1 : undefined
  // V8 leaves out the position for an unexpected token; when it is the row's first character, say so.
  const token = /^Unexpected token '(.)'/su.exec(message)?.[1]
  const lead = text.length - text.trimStart().length
  if (column === undefined && token !== undefined && text.startsWith(token, lead)) column = lead + 1
  return { ok: false, problem: `not JSON: ${plain}`, column }
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
