// JSON Lines, one line at a time: the file is read in bounded chunks and split on '\n' (a trailing '\r'
// is dropped), so memory stays flat whatever the file's size. A line longer than MAX_ROW_BYTES is
// counted to its end and reported, never held. Events come out in batches, one per chunk, so the cost
// of an async step is paid per chunk rather than per row.
import { isUtf8 } from 'node:buffer'
import type { Source } from '../sources/source.js'
import { streamJsonArray } from './json-array.js'
import {
  chunks,
  countNewlines,
  firstSignificant,
  parseRowBytes,
  parseRowText,
  refuseBinary,
  refuseLfsPointer,
  tooLong,
} from './read-text.js'
import { eventRows, MAX_ROW_BYTES, type DataFile, type RowEvent } from './rows.js'

const decoder = new TextDecoder('utf-8')

/**
 * A shard's share of a JSON Lines file: the lines that begin in bytes [from, to). The lines before `from`
 * are counted, not decoded (their rows are one `left` event per chunk), so rows and lines keep their
 * numbers in the file. Reading stops at the first line that begins at `to` or later, unless `countAfter`:
 * then those are counted too, for a caller that needs the file's rows (max-rows).
 */
export interface JsonlShare {
  from: number
  to: number
  countAfter?: boolean
}

export async function* readJsonl(
  source: Source,
  file: DataFile,
  share?: JsonlShare,
): AsyncGenerator<RowEvent[]> {
  await refuseLfsPointer(source, file, 'JSON Lines file')
  const from = share?.from ?? 0
  const to = share?.to ?? Infinity
  const countAfter = share?.countAfter === true
  let line = 0
  let row = 0
  let pieces: Uint8Array[] = [] // the start of a line that goes on in the next chunk
  let length = 0 // bytes of that line so far, held or not
  let oversized = false
  let first = true
  let batch: RowEvent[] = []
  /** Where the line being read begins in the file. */
  let lineStart = 0
  /** Rows before `from`, counted since the last `left` event. */
  let before = 0
  const countBefore = () => {
    if (before === 0) return
    batch.push({ kind: 'left', row: row - before + 1, count: before })
    before = 0
  }

  /** The line that ends with `last` (the bytes before its '\n' in the current chunk). */
  const finish = (last: Uint8Array) => {
    line++
    const total = length + last.length
    const held = pieces
    pieces = []
    length = 0
    const counted = lineStart < from || lineStart >= to
    if (oversized || total > MAX_ROW_BYTES) {
      oversized = false
      if (counted) {
        row++
        before++
      } else batch.push({ kind: 'bad-row', row: ++row, line, problem: tooLong(total) })
      return
    }
    if (counted) {
      // Counted, not copied: a row unless every piece is blank ('\r' is blank too).
      if (![...held, last].every((p) => isBlank(p, 0, p.length))) {
        row++
        before++
      }
      return
    }
    let bytes = held.length === 0 ? last : Buffer.concat([...held, last])
    if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1)
    if (isBlank(bytes, 0, bytes.length)) return
    countBefore()
    row++
    const parsed = parseRowBytes(bytes)
    if (parsed.ok) batch.push({ kind: 'row', row, line, value: parsed.value, bytes: bytes.length })
    else batch.push({ kind: 'bad-row', row, line, column: parsed.column, problem: parsed.problem })
  }

  /**
   * The whole lines of `buf[start, end)` (end is just past a '\n') that begin where `counted` says,
   * counted and not decoded; `offset` is where `buf` is in the file. Returns where the first other line
   * begins.
   */
  const countLines = (
    buf: Uint8Array,
    offset: number,
    start: number,
    end: number,
    counted: (at: number) => boolean,
  ): number => {
    while (start < end && counted(offset + start)) {
      const nl = buf.indexOf(10, start) // < end: buf[end - 1] is a '\n'
      line++
      if (!isBlank(buf, start, nl)) {
        row++
        before++
      }
      start = nl + 1
    }
    return start
  }

  /**
   * Whole lines `buf[start, end)` (end is just past a '\n'), decoded at once when they are UTF-8; `offset`
   * is where `buf` is in the file. Stops at a line that begins at `to` or later: returns where it
   * begins, or `end`.
   */
  const wholeLines = (buf: Uint8Array, offset: number, start: number, end: number): number => {
    // Lines begin at `start` and after each '\n': the first at `to` or later begins at `last`.
    const rel = to - offset
    const last = rel >= end ? end : rel <= start ? start : buf.indexOf(10, rel - 1) + 1
    const region = buf.subarray(start, last)
    if (!isUtf8(region)) {
      for (let nl = buf.indexOf(10, start); nl >= 0 && nl < last; nl = buf.indexOf(10, start)) {
        lineStart = offset + start
        finish(buf.subarray(start, nl))
        start = nl + 1
      }
      return last
    }
    const text = decoder.decode(region)
    let byteStart = start
    let charStart = 0
    for (;;) {
      const nl = text.indexOf('\n', charStart)
      if (nl < 0) return last
      const byteNl = buf.indexOf(10, byteStart)
      line++
      let charEnd = nl
      let byteEnd = byteNl
      if (charEnd > charStart && text.charCodeAt(charEnd - 1) === 13) {
        charEnd--
        byteEnd--
      }
      const s = text.slice(charStart, charEnd)
      if (!isBlankText(s)) {
        countBefore()
        row++
        const parsed = parseRowText(s)
        if (parsed.ok) batch.push({ kind: 'row', row, line, value: parsed.value, bytes: byteEnd - byteStart })
        else batch.push({ kind: 'bad-row', row, line, column: parsed.column, problem: parsed.problem })
      }
      charStart = nl + 1
      byteStart = byteNl + 1
    }
  }

  for await (const chunk of chunks(source, file)) {
    const buf = chunk.bytes
    let start = 0
    if (first) {
      first = false
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3
      refuseBinary(buf.subarray(start), 'JSON Lines text')
      // A JSON array in a .jsonl file: `datasets` falls back to reading it as one JSON document, whose
      // rows are all one share's (its elements' places are known only by parsing it).
      const firstByte = firstSignificant(buf, start)
      if (firstByte >= 0 && buf[firstByte] === 0x5b /* [ */) {
        const rows = streamJsonArray(
          source,
          file,
          chunk.offset + firstByte,
          countNewlines(buf, 0, firstByte) + 1,
          true,
          buf.subarray(firstByte),
        )
        // The array is the share's whose bytes its '[' begins in, as a line is.
        const at = chunk.offset + firstByte
        if (at >= from && at < to) yield* rows
        else if (countAfter)
          for await (const events of rows)
            if (events.length > 0)
              yield [
                { kind: 'left', row: events[0]!.row, count: events.reduce((n, e) => n + eventRows(e), 0) },
              ]
        return
      }
    }
    let more = true
    // The end of a line begun in an earlier chunk.
    if (length > 0 || pieces.length > 0) {
      const nl = buf.indexOf(10, start)
      if (nl >= 0) {
        finish(buf.subarray(start, nl))
        start = nl + 1
      }
    }
    if (length === 0 && pieces.length === 0) {
      const lastNl = buf.lastIndexOf(10)
      if (lastNl >= start) {
        const end = lastNl + 1
        start = countLines(buf, chunk.offset, start, end, (at) => at < from)
        start = wholeLines(buf, chunk.offset, start, end)
        if (start < end && countAfter) start = countLines(buf, chunk.offset, start, end, () => true)
        more = start === end
        start = end
      }
    }
    // What is left has no '\n': the start (or more) of a line that ends in a later chunk.
    const rest = buf.subarray(start)
    if (more && rest.length > 0 && length === 0 && pieces.length === 0) {
      lineStart = chunk.offset + start
      more = lineStart < to || countAfter
    }
    if (more) {
      if (!oversized && length + rest.length > MAX_ROW_BYTES) {
        oversized = true
        pieces = []
      }
      if (!oversized && rest.length > 0) pieces.push(rest)
      length += rest.length
    }
    countBefore()
    if (batch.length > 0) {
      yield batch
      batch = []
    }
    if (!more) return
  }
  if (length > 0 || pieces.length > 0) {
    const held = pieces
    const last = held.pop() ?? new Uint8Array(0)
    pieces = held
    length -= last.length
    finish(last)
  }
  countBefore()
  if (batch.length > 0) yield batch
}

function isBlankText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 13) return false
  }
  return true
}

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i]
    if (b !== 32 && b !== 9 && b !== 13) return false
  }
  return true
}
