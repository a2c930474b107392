// A JSON document of rows, streamed: a small byte-level splitter tracks strings, escapes and depth, and
// cuts the top-level array into its elements, each parsed on its own with JSON.parse. Structural
// characters are ASCII, so scanning UTF-8 bytes is exact; memory holds one element at a time.
import { isUtf8 } from 'node:buffer'
import type { Source } from '../sources/source.js'
import { countNewlines, firstSignificant, readJsonl } from './read-jsonl.js'
import { chunks, parseRowBytes, refuseBinary, refuseLfsPointer, tooLong } from './read-text.js'
import { DataFileError, MAX_ROW_BYTES, type DataFile, type RowEvent } from './rows.js'

const QUOTE = 34
const BACKSLASH = 92
const COMMA = 44
const COLON = 58
const OPEN_ARRAY = 91
const CLOSE_ARRAY = 93
const OPEN_OBJECT = 123
const CLOSE_OBJECT = 125
const NEWLINE = 10

const decoder = new TextDecoder('utf-8')

const isSpace = (b: number) => b === 32 || b === 10 || b === 13 || b === 9

/**
 * A `.json` file: a top-level array of rows. Like `datasets`, a file of several top-level objects is read
 * as JSON Lines, and a single object whose only array-valued key holds objects (`{"data": [...]}`) has
 * that array streamed; any other object is a DataFileError.
 */
export async function* readJson(source: Source, file: DataFile): AsyncGenerator<RowEvent[]> {
  await refuseLfsPointer(source, file, 'JSON file')
  let line = 1
  for await (const { bytes, offset } of chunks(source, file)) {
    const start = offset === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
    if (offset === 0) refuseBinary(bytes.subarray(start), 'JSON text')
    const at = firstSignificant(bytes, start)
    if (at < 0) {
      line += countNewlines(bytes, 0, bytes.length)
      continue
    }
    line += countNewlines(bytes, 0, at)
    const b = bytes[at]
    if (b === OPEN_ARRAY) {
      yield* streamJsonArray(source, file, offset + at, line, true, bytes.subarray(at))
      return
    }
    if (b !== OPEN_OBJECT) throw new DataFileError(`holds a JSON ${jsonKind(b)}, not an array of rows`, line)
    const shape = await scanTopObject(source, file, offset + at, line)
    if (shape.kind === 'lines') {
      yield* readJsonl(source, file)
      return
    }
    const arrays = shape.keys.filter((k) => k.array)
    const rows = arrays.filter((k) => k.array!.objects)
    if (arrays.length === 1 && rows.length === 1) {
      yield* streamJsonArray(source, file, rows[0].array!.offset, rows[0].array!.line, false)
      return
    }
    const names = shape.keys.map((k) => JSON.stringify(k.name)).slice(0, 5)
    const more = shape.keys.length > names.length ? ', …' : ''
    const which =
      arrays.length > 1 ? `, ${arrays.length} of them arrays (which one holds the rows is unclear)` : ''
    throw new DataFileError(
      `holds a JSON object (keys ${names.join(', ') || 'none'}${more}${which}), not an array of rows: ` +
        'write a JSON array of row objects, or JSON Lines (one object per line)',
      line,
    )
  }
  // Empty or only whitespace: no rows.
}

function jsonKind(b: number): string {
  if (b === QUOTE) return 'string'
  if (b === 45 || (b >= 48 && b <= 57)) return 'number'
  if (b === 116 || b === 102) return 'boolean'
  if (b === 110) return 'null'
  return 'value that is not valid JSON'
}

/**
 * Stream the elements of the array whose '[' is at byte `offset` (on `line`). A top-level array must be
 * followed by nothing but whitespace; a nested one (the rows of `{"data": [...]}`) ends the read.
 */
export async function* streamJsonArray(
  source: Source,
  file: DataFile,
  offset: number,
  line: number,
  topLevel: boolean,
  /** The file's bytes from `offset`, when the caller has them already. */
  first?: Uint8Array,
): AsyncGenerator<RowEvent[]> {
  const arrayLine = line
  let depth = 0 // 1 inside the array itself
  let inString = false
  let escaped = false
  let row = 0
  let done = false
  // The element being cut: where it starts in the current chunk (-1: none), what earlier chunks held.
  let elemStart = -1
  let elemLine = 0
  let pieces: Uint8Array[] = []
  let held = 0
  let oversized = false
  let sawComma = false // a comma since the last element: `[1,]` and `[1,,2]` are not JSON

  let batch: RowEvent[] = []
  // Elements wholly inside the current chunk wait here, to be parsed together in one JSON.parse.
  let spans: { index: number; start: number; end: number }[] = []
  const emit = (buf: Uint8Array, end: number): RowEvent => {
    const tail = buf.subarray(elemStart, end)
    const total = held + tail.length
    row++
    let event: RowEvent
    if (oversized || total > MAX_ROW_BYTES) {
      event = { kind: 'bad-row', row, line: elemLine, problem: tooLong(total) }
    } else if (pieces.length === 0) {
      event = { kind: 'row', row, line: elemLine, value: undefined, bytes: trimmedLength(tail) }
      spans.push({ index: batch.length, start: elemStart, end })
    } else {
      const bytes = Buffer.concat([...pieces, tail])
      event = rowEvent(bytes, row, elemLine)
    }
    elemStart = -1
    pieces = []
    held = 0
    oversized = false
    return event
  }
  /** Parse the waiting elements: all at once as one array when they are all valid, else one by one. */
  const resolve = (buf: Uint8Array) => {
    if (spans.length === 0) return
    const from = spans[0].start
    const to = spans[spans.length - 1].end
    let values: unknown[] | undefined
    const region = buf.subarray(from, to)
    if (isUtf8(region)) {
      try {
        const parsed: unknown = JSON.parse('[' + decoder.decode(region) + ']')
        if (Array.isArray(parsed) && parsed.length === spans.length) values = parsed
      } catch {
        // some element is bad: each is parsed on its own below, for its own problem
      }
    }
    for (let k = 0; k < spans.length; k++) {
      const { index, start, end } = spans[k]
      const event = batch[index] as Extract<RowEvent, { kind: 'row' }>
      if (values) event.value = values[k]
      else batch[index] = rowEvent(buf.subarray(start, end), event.row, event.line ?? 0)
    }
    spans = []
  }

  for await (const { bytes: buf } of chunks(source, file, offset, first)) {
    let i = 0
    const n = buf.length
    // Where the next quote, backslash and newline are, so a string's text is skipped natively.
    const next = (byte: number, from: number) => {
      const at = buf.indexOf(byte, from)
      return at < 0 ? n : at
    }
    let nextQuote = -1
    let nextBackslash = -1
    let nextNewline = -1
    if (done) {
      // Only whitespace may follow a top-level array.
      const at = firstSignificant(buf, 0)
      if (at >= 0)
        throw new DataFileError(
          `more text after the array of rows ends (line ${line + countNewlines(buf, 0, at)}): a JSON file holds one array`,
          line + countNewlines(buf, 0, at),
        )
      line += countNewlines(buf, 0, n)
      continue
    }
    for (; i < n; i++) {
      const b = buf[i]
      if (inString) {
        if (b === NEWLINE) line++
        if (escaped) escaped = false
        else if (b === BACKSLASH) escaped = true
        else if (b === QUOTE) inString = false
        else {
          const from = i + 1
          if (nextQuote < from) nextQuote = next(QUOTE, from)
          if (nextBackslash < from) nextBackslash = next(BACKSLASH, from)
          const stop = nextQuote < nextBackslash ? nextQuote : nextBackslash
          if (nextNewline < from) nextNewline = next(NEWLINE, from)
          while (nextNewline < stop) {
            line++
            nextNewline = next(NEWLINE, nextNewline + 1)
          }
          i = stop - 1
        }
        continue
      }
      if (b === NEWLINE) {
        line++
        continue
      }
      if (b === 32 || b === 13 || b === 9) continue
      if (depth === 1) {
        if (b === COMMA) {
          if (elemStart >= 0) batch.push(emit(buf, i))
          else
            batch.push({
              kind: 'bad-row',
              row: ++row,
              line,
              problem: 'not JSON: an empty element (two commas in a row)',
            })
          sawComma = true
          continue
        }
        if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
          if (elemStart >= 0) batch.push(emit(buf, i))
          else if (sawComma)
            batch.push({
              kind: 'bad-row',
              row: ++row,
              line,
              problem: "not JSON: a comma before the closing ']'",
            })
          depth = 0
          done = true
          i++
          break
        }
        if (elemStart < 0) {
          elemStart = i
          elemLine = line
          sawComma = false
        }
      }
      if (b === QUOTE) inString = true
      else if (b === OPEN_ARRAY || b === OPEN_OBJECT) depth++
      else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--
    }
    resolve(buf)
    if (elemStart >= 0 && !done) {
      // The element goes on in the next chunk: keep what this one holds, unless it is already too long.
      const rest = buf.subarray(elemStart)
      held += rest.length
      if (held > MAX_ROW_BYTES) {
        oversized = true
        pieces = []
      } else pieces.push(rest)
      elemStart = 0
    }
    if (batch.length > 0) {
      yield batch
      batch = []
    }
    if (done) {
      if (!topLevel) return
      const at = firstSignificant(buf, i)
      if (at >= 0) {
        const where = line + countNewlines(buf, i, at)
        throw new DataFileError(
          `more text after the array of rows ends (line ${where}): a JSON file holds one array`,
          where,
        )
      }
      line += countNewlines(buf, i, n)
    }
  }
  if (!done) {
    const where =
      elemStart >= 0 || oversized || pieces.length > 0
        ? `inside row ${row + 1} (line ${elemLine})`
        : `after row ${row}`
    throw new DataFileError(
      `truncated: the array of rows that starts on line ${arrayLine} is never closed; the file ends ${where}`,
      line,
    )
  }
}

function rowEvent(bytes: Uint8Array, row: number, line: number): RowEvent {
  const parsed = parseRowBytes(bytes)
  return parsed.ok
    ? { kind: 'row', row, line, value: parsed.value, bytes: trimmedLength(bytes) }
    : { kind: 'bad-row', row, line, column: parsed.column, problem: parsed.problem }
}

/** The element's size without the whitespace the splitter kept after it. */
function trimmedLength(bytes: Uint8Array): number {
  let end = bytes.length
  while (end > 0 && isSpace(bytes[end - 1])) end--
  return end
}

interface TopKey {
  name: string
  /** Set when the value is an array: where its '[' is, and whether its first element is an object. */
  array?: { offset: number; line: number; objects: boolean }
}

type TopShape = { kind: 'lines' } | { kind: 'object'; keys: TopKey[] }

/**
 * Walk the top-level object that starts at `offset` without holding it: its keys, which values are
 * arrays (and of what), and whether another value follows it (then the file is JSON Lines).
 */
async function scanTopObject(
  source: Source,
  file: DataFile,
  offset: number,
  line: number,
): Promise<TopShape> {
  const keys: TopKey[] = []
  let depth = 0
  let inString = false
  let escaped = false
  let expectKey = false
  let key: number[] | undefined // bytes of the key being read (capped)
  let expectValue = false
  let pendingArray: TopKey | undefined // a key whose array value's first element is not seen yet
  let closed = false
  for await (const { bytes: buf, offset: base } of chunks(source, file, offset)) {
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]
      if (inString) {
        if (escaped) escaped = false
        else if (b === BACKSLASH) escaped = true
        else if (b === QUOTE) {
          inString = false
          if (key) {
            keys.push({ name: Buffer.from(key).toString('utf8') })
            key = undefined
          }
        } else if (b === NEWLINE) line++
        if (key && inString && key.length < 200) key.push(b)
        continue
      }
      if (b === NEWLINE) line++
      if (isSpace(b)) continue
      if (closed) return { kind: 'lines' } // another value after the object: JSON Lines
      if (pendingArray) {
        pendingArray.array!.objects = b === OPEN_OBJECT
        pendingArray = undefined
      }
      if (depth === 1 && expectValue) {
        expectValue = false
        if (b === OPEN_ARRAY) {
          const last = keys[keys.length - 1]
          if (last) {
            last.array = { offset: base + i, line, objects: false }
            pendingArray = last
          }
        }
      }
      if (b === QUOTE) {
        inString = true
        if (depth === 1 && expectKey) {
          key = []
          expectKey = false
        }
      } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
        depth++
        if (depth === 1) expectKey = true
      } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
        depth--
        if (depth === 0) closed = true
      } else if (depth === 1 && b === COMMA) expectKey = true
      else if (depth === 1 && b === COLON) expectValue = true
    }
  }
  if (!closed)
    throw new DataFileError(`truncated: the JSON object that starts the file is never closed`, line)
  return { kind: 'object', keys }
}
