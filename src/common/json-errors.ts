// How JSON that cannot be used is put into words, in one place for every reader: a model's JSON files
// (artifacts/json-document.ts, "config.json is not valid JSON: …") and a dataset's rows (readers/,
// "not JSON: …"). Both read jsonc-parser's error codes and V8's JSON.parse messages the same way.
import { printParseErrorCode, type ParseErrorCode } from 'jsonc-parser'
import type { Position } from './text.js'

/** Why a JSON file could not be used, each with its real position when there is one. */
export type JsonProblem =
  | { kind: 'empty' }
  | { kind: 'bom' }
  | { kind: 'encoding'; at: Position }
  | { kind: 'syntax'; detail: string; at?: Position }
  | { kind: 'not-object'; found: string; at: Position }
  /** Nested deeper than Python's json loads (`limit`); `at` is where level `limit + 1` opens. */
  | { kind: 'too-deep'; depth: number; limit: number; at: Position }

/** jsonc-parser's error codes in plain words. */
const SYNTAX_WORDS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'a property name in double quotes is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a colon is expected',
  CommaExpected: 'a comma is expected',
  CloseBraceExpected: 'a closing brace is expected',
  CloseBracketExpected: 'a closing bracket is expected',
  EndOfFileExpected: 'unexpected content after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut off',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'a control character inside a string',
}

/** A jsonc-parser error in plain words (its code's name when there are none). */
export function syntaxWords(error: ParseErrorCode): string {
  const code = printParseErrorCode(error)
  return SYNTAX_WORDS[code] ?? code
}

/**
 * JSON.parse's (V8's) message without what a finding gives its own way: the echo of the text and the
 * character offset. `unit` is what ends too early when the input stops mid-value ("the row").
 */
export function plainParseMessage(message: string, unit: string): string {
  return message
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/^Unexpected end of JSON input$/, `the ${unit} ends too early`)
}

/** Why a JSON file cannot be used, as the second half of a sentence starting with its name. */
export function describeJsonProblem(problem: JsonProblem): string {
  switch (problem.kind) {
    case 'empty':
      return 'is empty'
    case 'bom':
      return "starts with a UTF-8 byte-order mark, which Python's json module (used by transformers) rejects"
    case 'encoding':
      return `is not valid UTF-8 (first bad byte at line ${problem.at.line}, column ${problem.at.column})`
    case 'syntax':
      return problem.at
        ? `is not valid JSON: ${problem.detail} at line ${problem.at.line}, column ${problem.at.column}`
        : `is not valid JSON: ${problem.detail}`
    case 'not-object':
      return `must hold a JSON object but holds ${problem.found}`
    case 'too-deep':
      return `is ${nestedWords(problem.depth, problem.limit)} (level ${(problem.limit + 1).toLocaleString('en-US')} opens at line ${problem.at.line}, column ${problem.at.column}), so it was not parsed`
  }
}

/** "nested 100,000 levels deep; Python's json stops at 9,998": one wording for files and rows. */
export function nestedWords(depth: number, limit: number): string {
  return `nested ${depth.toLocaleString('en-US')} levels deep; Python's json module (which transformers and datasets use) stops at ${limit.toLocaleString('en-US')}`
}

/** Why one dataset row is not a JSON value, and the 1-based column of the problem when known. */
export interface RowProblem {
  ok: false
  problem: string
  column?: number
}

/** A row that is not UTF-8: the first bad byte (`at`, 0-based) and its value. */
export function rowEncodingProblem(bytes: Uint8Array, at: number): RowProblem {
  const hex = (bytes[at] ?? 0).toString(16).padStart(2, '0')
  return { ok: false, problem: `not UTF-8 text (an invalid byte 0x${hex} at byte ${at + 1} of the row)` }
}

/**
 * JSON.parse's message for a row, made plain, and recognised mistakes named: a Python dict repr
 * (single quotes, True/False/None) and NaN/Infinity (which Python's json.dumps writes and JSON does
 * not allow). One iterative pass over the text; only run for a row that failed to parse.
 */
export function explainJsonError(text: string, message: string): RowProblem {
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
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j]!)) j++
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
  let column = at ? Number(at[1]) + 1 : undefined
  // V8 leaves out the position for an unexpected token; when it is the row's first character, say so.
  const token = /^Unexpected token '(.)'/su.exec(message)?.[1]
  const lead = text.length - text.trimStart().length
  if (column === undefined && token !== undefined && text.startsWith(token, lead)) column = lead + 1
  return { ok: false, problem: `not JSON: ${plainParseMessage(message, 'row')}`, column }
}
