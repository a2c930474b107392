// The elements of a JSON array, streamed: a small byte-level splitter tracks strings, escapes and
// depth, and cuts the array into its elements, each parsed on its own with JSON.parse. Memory holds one
// element at a time. Both readers use it: a .json file's top-level array (or the rows of
// `{"data": [...]}`), and a JSON Lines file whose first line opens an array.
import { isUtf8 } from 'node:buffer'
import { PYTHON_JSON_MAX_DEPTH } from '../common/json.js'
import { nestedWords } from '../common/json-errors.js'
import type { Source } from '../sources/source.js'
import {
  BACKSLASH,
  chunks,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COMMA,
  countNewlines,
  firstSignificant,
  isSpace,
  NEWLINE,
  OPEN_ARRAY,
  OPEN_OBJECT,
  parseRowBytes,
  QUOTE,
  tooLong,
} from './read-text.js'
import { DataFileError, MAX_ROW_BYTES, type DataFile, type RowEvent } from './rows.js'

const decoder = new TextDecoder('utf-8')

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
  // The element's deepest nesting (its own levels: the array's is not counted), so an element deeper
  // than Python's json loads is a bad row before any parser sees it.
  let elemDepth = 0
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
    } else if (elemDepth > PYTHON_JSON_MAX_DEPTH) {
      event = {
        kind: 'bad-row',
        row,
        line: elemLine,
        problem: `${nestedWords(elemDepth, PYTHON_JSON_MAX_DEPTH)}; it was not parsed`,
      }
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
    elemDepth = 0
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
      const { index, start, end } = spans[k]! // k < spans.length
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
      else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
        if (++depth - 1 > elemDepth) elemDepth = depth - 1
      } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--
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
