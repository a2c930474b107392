// A .json file of rows: its top-level shape decides how it is read (an array streamed element by
// element, `{"data": [...]}` by its one array of objects, several top-level objects as JSON Lines).
// The shape is found by a byte-level scan that never holds the document.
import { isObject } from '../common/json.js'
import type { Source } from '../sources/source.js'
import { streamJsonArray } from './json-array.js'
import { readJsonl } from './read-jsonl.js'
import {
  BACKSLASH,
  chunks,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  countNewlines,
  firstSignificant,
  isSpace,
  NEWLINE,
  OPEN_ARRAY,
  OPEN_OBJECT,
  parseRowBytes,
  QUOTE,
  refuseBinary,
  refuseLfsPointer,
  tooLong,
} from './read-text.js'
import { DataFileError, MAX_ROW_BYTES, type DataFile, type RowEvent } from './rows.js'

/**
 * A `.json` file: a top-level array of rows. Like `datasets`, a file of several top-level objects is read
 * as JSON Lines, and a single object whose only array-valued key holds objects (`{"data": [...]}`) has
 * that array streamed, unless it is one ShareGPT conversation (`{"conversations": [{"from", "value"}]}`),
 * which is one row; any other object is a DataFileError.
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
      const elements = streamJsonArray(source, file, rows[0].array!.offset, rows[0].array!.line, false)
      const first = await elements.next()
      // {"conversations": [{"from": "human", "value": …}, …]} is one ShareGPT conversation, not a list of
      // rows: it is read whole, as one row, so the rules name its format instead of its turns' keys.
      if (rows[0].name === 'conversations' && !first.done && isShareGptTurn(first.value[0])) {
        await elements.return(undefined)
        yield [await wholeObject(source, file, offset + at, line)]
        return
      }
      if (!first.done) yield first.value
      yield* elements
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

/**
 * A ShareGPT turn: {"from": "human", "value": "…"}, with a string speaker and no "messages" of its own
 * (an element that carries "messages" is a row of the right format, whatever else it holds).
 */
function isShareGptTurn(event: RowEvent | undefined): boolean {
  if (event?.kind !== 'row' || !isObject(event.value)) return false
  const turn = event.value
  return typeof turn.from === 'string' && 'value' in turn && !('messages' in turn)
}

/** The object that starts at byte `start` (on `line`) and ends the file, as one row. */
async function wholeObject(source: Source, file: DataFile, start: number, line: number): Promise<RowEvent> {
  const size = file.size - start
  if (size > MAX_ROW_BYTES) return { kind: 'bad-row', row: 1, line, problem: tooLong(size) }
  const parsed = parseRowBytes(await source.readRange(file.path, start, file.size))
  return parsed.ok
    ? { kind: 'row', row: 1, line, value: parsed.value, bytes: size }
    : { kind: 'bad-row', row: 1, line, problem: parsed.problem }
}

function jsonKind(b: number): string {
  if (b === QUOTE) return 'string'
  if (b === 45 || (b >= 48 && b <= 57)) return 'number'
  if (b === 116 || b === 102) return 'boolean'
  if (b === 110) return 'null'
  return 'value that is not valid JSON'
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
