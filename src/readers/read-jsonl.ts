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
import { MAX_ROW_BYTES, type DataFile, type RowEvent } from './rows.js'

const decoder = new TextDecoder('utf-8')

export async function* readJsonl(
  source: Source,
  file: DataFile,
  parse?: (row: number) => boolean,
): AsyncGenerator<RowEvent[]> {
  await refuseLfsPointer(source, file, 'JSON Lines file')
  let line = 0
  let row = 0
  let pieces: Uint8Array[] = [] // the start of a line that goes on in the next chunk
  let length = 0 // bytes of that line so far, held or not
  let oversized = false
  let first = true
  let batch: RowEvent[] = []

  /** The line that ends with `last` (the bytes before its '\n' in the current chunk). */
  const finish = (last: Uint8Array) => {
    line++
    const total = length + last.length
    const held = pieces
    pieces = []
    length = 0
    if (oversized || total > MAX_ROW_BYTES) {
      oversized = false
      batch.push({ kind: 'bad-row', row: ++row, line, problem: tooLong(total) })
      return
    }
    let bytes = held.length === 0 ? last : Buffer.concat([...held, last])
    if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1)
    if (isBlank(bytes)) return
    row++
    if (parse && !parse(row)) {
      batch.push({ kind: 'left', row, line })
      return
    }
    const parsed = parseRowBytes(bytes)
    if (parsed.ok) batch.push({ kind: 'row', row, line, value: parsed.value, bytes: bytes.length })
    else batch.push({ kind: 'bad-row', row, line, column: parsed.column, problem: parsed.problem })
  }

  /** Whole lines `buf[start, end)` (end is just past a '\n'), decoded at once when they are UTF-8. */
  const wholeLines = (buf: Uint8Array, start: number, end: number) => {
    const region = buf.subarray(start, end)
    if (!isUtf8(region)) {
      for (let nl = buf.indexOf(10, start); nl >= 0 && nl < end; nl = buf.indexOf(10, start)) {
        finish(buf.subarray(start, nl))
        start = nl + 1
      }
      return
    }
    const text = decoder.decode(region)
    let byteStart = start
    let charStart = 0
    for (;;) {
      const nl = text.indexOf('\n', charStart)
      if (nl < 0) return
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
        row++
        const parsed = parse && !parse(row) ? undefined : parseRowText(s)
        if (!parsed) batch.push({ kind: 'left', row, line })
        else if (parsed.ok)
          batch.push({ kind: 'row', row, line, value: parsed.value, bytes: byteEnd - byteStart })
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
      // A JSON array in a .jsonl file: `datasets` falls back to reading it as one JSON document.
      const firstByte = firstSignificant(buf, start)
      if (firstByte >= 0 && buf[firstByte] === 0x5b /* [ */) {
        yield* streamJsonArray(
          source,
          file,
          chunk.offset + firstByte,
          countNewlines(buf, 0, firstByte) + 1,
          true,
          buf.subarray(firstByte),
        )
        return
      }
    }
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
        wholeLines(buf, start, lastNl + 1)
        start = lastNl + 1
      }
    }
    // What is left has no '\n': the start (or more) of a line that ends in a later chunk.
    const rest = buf.subarray(start)
    if (!oversized && length + rest.length > MAX_ROW_BYTES) {
      oversized = true
      pieces = []
    }
    if (!oversized && rest.length > 0) pieces.push(rest)
    length += rest.length
    if (batch.length > 0) {
      yield batch
      batch = []
    }
  }
  if (length > 0 || pieces.length > 0) {
    const held = pieces
    const last = held.pop() ?? new Uint8Array(0)
    pieces = held
    length -= last.length
    finish(last)
  }
  if (batch.length > 0) yield batch
}

function isBlankText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 13) return false
  }
  return true
}

function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    if (b !== 32 && b !== 9 && b !== 13) return false
  }
  return true
}
