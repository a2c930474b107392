/**
 * Jinja2's lexer (jinja2/lexer.py, 3.1.6) as transformers' environment configures it: the default
 * delimiters, trim_blocks, lstrip_blocks, no line statements, keep_trailing_newline=False. Written as a
 * scanner, not as Jinja2's regular expressions: every character is looked at a bounded number of times,
 * so a template of any size lexes in linear time (a run of whitespace, an unclosed tag or comment, a
 * long string or number cannot make it rescan).
 *
 * It hands the parser one token at a time (the parser looks one token ahead), so a template's tokens are
 * never all held at once. Tokens carry their offset in the source: every syntax error names the place.
 */
import { intRepr, JinjaError, normInt, parseDecimalInt, PyFloat, pyRepr, type Py } from './jinja-values.js'

export interface Token {
  /** Jinja2's token type: data, variable_begin, block_end, name, string, integer, float, add, lparen, eof, ... */
  type: string
  /** The name, the decoded string, the number, the text of data or the operator ('' for a tag's delimiters). */
  value: Py
  /** Offset of the token's first character in the source. */
  at: number
  /** 1-based line of that character. */
  line: number
}

/**
 * A template Jinja2 refuses to compile: its message (Jinja2's wording where it has one) and the offset of
 * the token it is about, from which compileTemplate gives the line and column.
 */
export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message)
  }
}

const OPERATORS = new Map([
  ['+', 'add'],
  ['-', 'sub'],
  ['/', 'div'],
  ['//', 'floordiv'],
  ['*', 'mul'],
  ['%', 'mod'],
  ['**', 'pow'],
  ['~', 'tilde'],
  ['[', 'lbracket'],
  [']', 'rbracket'],
  ['(', 'lparen'],
  [')', 'rparen'],
  ['{', 'lbrace'],
  ['}', 'rbrace'],
  ['==', 'eq'],
  ['!=', 'ne'],
  ['>', 'gt'],
  ['>=', 'gteq'],
  ['<', 'lt'],
  ['<=', 'lteq'],
  ['=', 'assign'],
  ['.', 'dot'],
  [':', 'colon'],
  ['|', 'pipe'],
  [',', 'comma'],
  [';', 'semicolon'],
])
const CLOSING = new Map([
  ['(', ')'],
  ['[', ']'],
  ['{', '}'],
])

/**
 * The text Jinja2's lexer reads: every newline sequence (\r\n, \r, \n) made \n, and one trailing newline
 * dropped (keep_trailing_newline=False). Offsets, lines and columns are counted in it.
 */
export function templateText(source: string): string {
  const text = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source
  return text.endsWith('\n') ? text.slice(0, -1) : text
}

/** Python's str.isspace() (what `\s` and str.rstrip() match), all of it in the BMP. */
const PY_SPACE = new Set(
  [
    ...' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000',
    ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
  ].map((c) => c.charCodeAt(0)),
)
export function isSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13) || code >= 28
  return code >= 128 && PY_SPACE.has(code)
}

function isAsciiWord(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95
}

/** Python's `\d` in a str pattern: any decimal digit (Unicode category Nd). */
const ND = /\p{Nd}/u
function isDigit(ch: string | undefined): boolean {
  if (ch === undefined) return false
  const c = ch.charCodeAt(0)
  return (c >= 48 && c <= 57) || (c > 127 && ND.test(ch))
}
/**
 * What Jinja2's name rule matches: Python's `\w` (letters, numbers, _) and the other characters that can
 * continue an identifier (jinja2/_identifier.py); the name is then checked with str.isidentifier().
 */
const NAME = /[\p{L}\p{N}_\p{XID_Continue}]+/uy
const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u

/** The lexer of one template: next() gives the parser one token at a time. */
export class Lexer {
  private pos = 0
  private line = 1
  private state: 'root' | 'block' | 'variable' = 'root'
  /** Brackets opened inside the current tag: a tag ends only when they are closed, as in Jinja2. */
  private readonly balance: string[] = []
  private readonly queue: Token[] = []
  private done = false
  /**
   * Characters looked at, every scan counted (tests prove the lexer linear with it: each character is
   * looked at a bounded number of times), and tokens made.
   */
  scanned = 0
  tokens = 0

  constructor(readonly src: string) {}

  /** The next token the parser sees (whitespace and comments dropped, as Jinja2's TokenStream does). */
  next(): Token {
    while (this.queue.length === 0 && !this.done) this.step()
    return this.queue.shift() ?? { type: 'eof', value: '', at: this.src.length, line: this.line }
  }

  // ------------------------------------------------------------------------------------------------------
  // positions

  /** Moves to `to`, counting the lines passed (not with indexOf: it would look past `to`, once per token). */
  private moveTo(to: number): void {
    const src = this.src
    for (let i = this.pos; i < to; i++) if (src.charCodeAt(i) === 10) this.line++
    this.scanned += Math.max(0, to - this.pos)
    this.pos = to
  }

  private emit(type: string, value: Py, at: number): void {
    // The line of `at`: `at` is never behind the position already counted to.
    this.moveTo(at)
    this.tokens++
    this.queue.push({ type, value, at, line: this.line })
  }

  private fail(message: string, at: number): never {
    throw new TemplateSyntaxError(message, at)
  }

  private skipSpace(from: number): number {
    const src = this.src
    let i = from
    while (i < src.length && isSpace(src.charCodeAt(i))) i++
    this.scanned += i - from + 1
    return i
  }

  /** Whether the match before `i` ended a line: Jinja2's line_starting, which lstrip_blocks needs. */
  private lineStarting(i: number): boolean {
    return i === 0 || this.src[i - 1] === '\n'
  }

  /**
   * Text before a tag, as Jinja2 trims it: all trailing whitespace for a `-` sign, else (lstrip_blocks,
   * not before {{, not for a `+` sign) the spaces between the last line start and the tag.
   */
  private trimmed(start: number, end: number, sign: string, lstrip: boolean): string {
    const src = this.src
    if (sign === '-') {
      let e = end
      while (e > start && isSpace(src.charCodeAt(e - 1))) e--
      this.scanned += end - e + 1
      return src.slice(start, e)
    }
    if (sign !== '+' && lstrip) {
      // Back from the tag over whitespace: stripped when it reaches a line start. (Not lastIndexOf: that
      // would scan back past `start` into text already read, once per tag.)
      let i = end
      while (i > start && src[i - 1] !== '\n' && isSpace(src.charCodeAt(i - 1))) i--
      this.scanned += end - i + 1
      const atLineStart = i > start ? src[i - 1] === '\n' : this.lineStarting(start)
      if (atLineStart && i < end) return src.slice(start, i)
    }
    return src.slice(start, end)
  }

  // ------------------------------------------------------------------------------------------------------
  // states

  private step(): void {
    this.scanned++
    if (this.state === 'root') this.root()
    else this.inTag()
  }

  private root(): void {
    const src = this.src
    const n = src.length
    const start = this.pos
    let t = -1
    for (let j = src.indexOf('{', start); j !== -1 && j + 1 < n; j = src.indexOf('{', j + 1)) {
      const c = src[j + 1]
      if (c === '{' || c === '%' || c === '#') {
        t = j
        break
      }
    }
    this.scanned += (t === -1 ? n : t) - start
    if (t === -1) {
      if (start < n) this.emit('data', src.slice(start), start)
      this.moveTo(n)
      this.done = true
      return
    }
    const kind = src[t + 1]!
    const sign = src[t + 2] === '-' || src[t + 2] === '+' ? src[t + 2]! : ''
    const rawEnd = kind === '%' ? this.rawBegin(t) : -1
    const text = this.trimmed(start, t, sign, kind !== '{')
    if (text !== '') this.emit('data', text, start)
    const after = t + 2 + sign.length
    if (kind === '{') {
      this.emit('variable_begin', '', t)
      this.state = 'variable'
      this.moveTo(after)
    } else if (kind === '#') this.comment(t, after)
    else if (rawEnd !== -1) this.raw(t, rawEnd)
    else {
      this.emit('block_begin', '', t)
      this.state = 'block'
      this.moveTo(after)
    }
  }

  /** The end of `{% raw %}` (or `{%- raw -%}` and its trailing whitespace) at t, or -1. */
  private rawBegin(t: number): number {
    const src = this.src
    let k = t + 2
    if (src[k] === '-' || src[k] === '+') k++
    k = this.skipSpace(k)
    if (!src.startsWith('raw', k)) return -1
    k = this.skipSpace(k + 3)
    if (src.startsWith('-%}', k)) return this.skipSpace(k + 3)
    if (src.startsWith('%}', k)) return k + 2
    return -1
  }

  private comment(t: number, from: number): void {
    const src = this.src
    const q = src.indexOf('#}', from)
    this.scanned += (q === -1 ? src.length : q) - from
    if (q === -1) {
      // Jinja2 fails only when text follows the opening: a template ending in `{#` renders.
      if (from < src.length) this.fail('Missing end of comment tag', t)
      this.moveTo(src.length)
      this.done = true
      return
    }
    const endSign = q - 1 >= from && (src[q - 1] === '-' || src[q - 1] === '+') ? src[q - 1] : ''
    let after = q + 2
    if (endSign === '-') after = this.skipSpace(after)
    else if (endSign === '' && src[after] === '\n') after++
    this.moveTo(after)
  }

  private raw(t: number, from: number): void {
    const src = this.src
    let seen = from // how far the search for {% endraw %} has looked
    for (let j = src.indexOf('{%', from); j !== -1; j = src.indexOf('{%', j + 1)) {
      this.scanned += j - seen
      seen = j
      let k = j + 2
      const sign = src[k] === '-' || src[k] === '+' ? src[k]! : ''
      k = this.skipSpace(k + sign.length)
      if (!src.startsWith('endraw', k)) continue
      k = this.skipSpace(k + 6)
      let end: number
      if (src.startsWith('+%}', k)) end = k + 3
      else if (src.startsWith('-%}', k)) end = this.skipSpace(k + 3)
      else if (src.startsWith('%}', k)) end = src[k + 2] === '\n' ? k + 3 : k + 2
      else continue
      const text = this.trimmed(from, j, sign, true)
      if (text !== '') this.emit('data', text, from)
      this.moveTo(end)
      return
    }
    this.scanned += src.length - seen
    // Jinja2 fails only when text follows the tag: a template ending in {% raw %} renders.
    if (from < src.length) this.fail('Missing end of raw directive', t)
    this.moveTo(src.length)
    this.done = true
  }

  /** One token (or a run of whitespace) inside {{ }} or {% %}. */
  private inTag(): void {
    const src = this.src
    const p = this.pos
    if (p >= src.length) {
      // The template ends inside a tag: the lexer stops, the parser reports what it missed.
      this.done = true
      return
    }
    if (this.balance.length === 0) {
      let end = -1
      if (this.state === 'block') {
        if (src.startsWith('+%}', p)) end = p + 3
        else if (src.startsWith('-%}', p)) end = this.skipSpace(p + 3)
        else if (src.startsWith('%}', p)) end = src[p + 2] === '\n' ? p + 3 : p + 2
      } else if (src.startsWith('-}}', p)) end = this.skipSpace(p + 3)
      else if (src.startsWith('}}', p)) end = p + 2
      if (end !== -1) {
        this.emit(this.state === 'block' ? 'block_end' : 'variable_end', '', p)
        this.state = 'root'
        this.moveTo(end)
        return
      }
    }
    const c = src.charCodeAt(p)
    if (isSpace(c)) {
      this.moveTo(this.skipSpace(p))
      return
    }
    if (this.number(p) || this.name(p) || this.string(p) || this.operator(p)) return
    this.fail(
      `unexpected char ${pyRepr(String.fromCodePoint(src.codePointAt(p)!))} at ${codePointIndex(src, p)}`,
      p,
    )
  }

  /** A float or an integer at p, as Jinja2's float_re, then integer_re, read it. */
  private number(p: number): boolean {
    const src = this.src
    if (!isDigit(src[p])) return false
    const f = src[p - 1] === '.' ? -1 : floatEnd(src, p, this)
    if (f !== -1) {
      const text = src.slice(p, f).replace(/_/g, '')
      const other = /[^0-9.eE+-]/.exec(text)
      // Python's own parser, which Jinja2 hands the float to, takes ASCII digits only.
      if (other)
        this.fail(
          `invalid character ${pyRepr(other[0])} (U+${other[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`,
          p,
        )
      this.emit('float', new PyFloat(Number(text)), p)
      this.moveTo(f)
      return true
    }
    const i = integerEnd(src, p, this)
    if (i === -1) return false
    this.emit('integer', this.intValue(src.slice(p, i), p), p)
    this.moveTo(i)
    return true
  }

  /** int(text.replace('_', ''), 0), with Python's limit on the digits of an int it prints. */
  private intValue(text: string, at: number): number | bigint {
    const digits = [...text.replace(/_/g, '')].map(asciiDigit).join('')
    try {
      if (/^0[box]/i.test(digits)) {
        const v = normInt(BigInt(digits))
        intRepr(v) // Jinja2's compiler prints the int into the code it generates: the same limit applies
        return v
      }
      return parseDecimalInt(digits)
    } catch (e) {
      if (e instanceof JinjaError) this.fail(e.message, at)
      throw e
    }
  }

  private name(p: number): boolean {
    const src = this.src
    // ASCII names, nearly all of them, without the Unicode expressions: [A-Za-z_][A-Za-z0-9_]*.
    let i = p
    for (let c = src.charCodeAt(i); isAsciiWord(c); c = src.charCodeAt(++i));
    const first = src.charCodeAt(p)
    if (i > p && !(first >= 48 && first <= 57) && !(src.charCodeAt(i) > 127)) {
      this.scanned += i - p + 1
      this.emit('name', src.slice(p, i), p)
      this.moveTo(i)
      return true
    }
    NAME.lastIndex = p
    const m = NAME.exec(src)
    if (!m) return false
    this.scanned += 2 * m[0].length + 1 // the match, then the identifier check
    if (!IDENTIFIER.test(m[0])) this.fail('Invalid character in identifier', p)
    this.emit('name', m[0], p)
    this.moveTo(p + m[0].length)
    return true
  }

  private string(p: number): boolean {
    const src = this.src
    const quote = src[p]
    if (quote !== "'" && quote !== '"') return false
    let i = p + 1
    for (;;) {
      if (i >= src.length) return false // no closing quote: Jinja2's string rule does not match
      const ch = src[i]
      if (ch === quote) break
      i += ch === '\\' ? 2 : 1
    }
    this.scanned += 3 * (i - p) // the scan, then the literal copied and decoded
    this.emit('string', decodeString(src, p + 1, i), p)
    this.moveTo(i + 1)
    return true
  }

  private operator(p: number): boolean {
    const src = this.src
    const two = src.slice(p, p + 2)
    const op = OPERATORS.has(two) ? two : src[p]!
    const type = OPERATORS.get(op)
    if (type === undefined) return false
    const expected = CLOSING.get(op)
    if (expected) this.balance.push(expected)
    else if (op === ')' || op === ']' || op === '}') {
      const open = this.balance.pop()
      if (open === undefined) this.fail(`unexpected '${op}'`, p)
      if (open !== op) this.fail(`unexpected '${op}', expected '${open}'`, p)
    }
    this.emit(type, op, p)
    this.moveTo(p + op.length)
    return true
  }
}

/** What a scan reports the characters it looked at to. */
interface Counter {
  scanned: number
}

/** Digits with single underscores between them ((\d+_)*\d+): the end, or -1. */
function digitsEnd(src: string, p: number, c: Counter): number {
  c.scanned++
  if (!isDigit(src[p])) return -1
  let i = p + 1
  for (;;) {
    if (isDigit(src[i])) i++
    else if (src[i] === '_' && isDigit(src[i + 1])) i += 2
    else {
      c.scanned += i - p + 1
      return i
    }
  }
}

/** Jinja2's float_re at p: digits, then an exponent (after an optional fraction) or a fraction. */
function floatEnd(src: string, p: number, c: Counter): number {
  const whole = digitsEnd(src, p, c)
  const fraction = src[whole] === '.' ? digitsEnd(src, whole + 1, c) : -1
  const exponent = (from: number): number => {
    if (src[from] !== 'e' && src[from] !== 'E') return -1
    const sign = src[from + 1] === '+' || src[from + 1] === '-' ? 1 : 0
    return digitsEnd(src, from + 1 + sign, c)
  }
  if (fraction !== -1) {
    const e = exponent(fraction)
    return e !== -1 ? e : fraction
  }
  return exponent(whole)
}

/** Jinja2's integer_re at p: 0b, 0o, 0x (digits with optional single underscores), decimal, zeros. */
function integerEnd(src: string, p: number, c: Counter): number {
  const run = (from: number, ok: (ch: string | undefined) => boolean): number => {
    let i = from
    for (;;) {
      if (ok(src[i])) i++
      else if (src[i] === '_' && ok(src[i + 1])) i += 2
      else {
        c.scanned += i - from + 1
        return i === from ? -1 : i
      }
    }
  }
  if (src[p] === '0') {
    const prefix = src[p + 1]?.toLowerCase()
    const digits =
      prefix === 'b'
        ? (ch?: string) => ch === '0' || ch === '1'
        : prefix === 'o'
          ? (ch?: string) => ch !== undefined && ch >= '0' && ch <= '7'
          : prefix === 'x'
            ? (ch?: string) => isDigit(ch) || (ch !== undefined && /^[a-fA-F]$/.test(ch))
            : undefined
    const end = digits ? run(p + 2, digits) : -1
    if (end !== -1) return end
    const zeros = run(p + 1, (ch) => ch === '0')
    return zeros === -1 ? p + 1 : zeros
  }
  if (src[p]! < '1' || src[p]! > '9') return -1
  const rest = run(p + 1, isDigit)
  return rest === -1 ? p + 1 : rest
}

/** A decimal digit of any script as its ASCII digit (Python's int() reads them all). */
function asciiDigit(ch: string): string {
  const c = ch.codePointAt(0)!
  if (c < 128 || !ND.test(ch)) return ch
  // Unicode lays every script's digits out as a run from 0 to 9: count back to the run's start.
  let zero = c
  while (zero > c - 9 && ND.test(String.fromCodePoint(zero - 1))) zero--
  return String((c - zero) % 10)
}

/** The index of offset p counted in code points, as Python counts a position in a str. */
export function codePointIndex(src: string, p: number): number {
  let n = p
  for (let i = 0; i < p; i++) {
    const c = src.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < p) {
      const d = src.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--
        i++
      }
    }
  }
  return n
}

const SIMPLE_ESCAPES = new Map([
  ['\\', '\\'],
  ["'", "'"],
  ['"', '"'],
  ['a', '\x07'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
  ['v', '\v'],
])

/**
 * The value of the string literal between `from` and `to`, as Jinja2 decodes it:
 * value.encode("ascii", "backslashreplace").decode("unicode-escape"). Non-ASCII characters go through a
 * \x / \u / \U escape and back, so a backslash before one ends up before that escape's text, as in
 * Python; unknown escapes keep their backslash. A \N{NAME} escape is kept as written: the Unicode name
 * table is not at hand.
 */
function decodeString(source: string, from: number, to: number): string {
  // The literal alone, so that looking for the next backslash never reads past its end.
  const lit = source.slice(from, to)
  let out = ''
  let copied = 0
  for (let i = lit.indexOf('\\'); i !== -1; i = lit.indexOf('\\', i)) {
    out += lit.slice(copied, i)
    const next = lit[i + 1]! // a backslash inside a literal is always followed by a character
    const bad = (message: string): never => {
      throw new TemplateSyntaxError(message, from + i)
    }
    const simple = SIMPLE_ESCAPES.get(next)
    let end = i + 2
    if (simple !== undefined) out += simple
    else if (next === '\n')
      out += '' // a backslash at a line's end joins the lines
    else if (next >= '0' && next <= '7') {
      while (end < i + 4 && lit[end]! >= '0' && lit[end]! <= '7') end++
      out += String.fromCharCode(parseInt(lit.slice(i + 1, end), 8))
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const width = next === 'x' ? 2 : next === 'u' ? 4 : 8
      const hex = lit.slice(i + 2, i + 2 + width)
      if (hex.length < width || !/^[0-9a-fA-F]+$/.test(hex))
        bad(`truncated \\${next}${'X'.repeat(width)} escape`)
      const cp = parseInt(hex, 16)
      if (cp > 0x10ffff) bad('illegal Unicode character')
      out += String.fromCodePoint(cp)
      end += width
    } else if (next === 'N') {
      const close = lit[i + 2] === '{' ? lit.indexOf('}', i + 3) : -1
      if (close === -1 || close === i + 3) bad('malformed \\N character escape')
      out += lit.slice(i, close + 1)
      end = close + 1
    } else if (next.charCodeAt(0) > 127) {
      // backslashreplace turned the character into an escape: the backslash escapes that escape's own.
      const cp = lit.codePointAt(i + 1)!
      const hex = cp.toString(16)
      out +=
        '\\' +
        (cp <= 0xff
          ? `x${hex.padStart(2, '0')}`
          : cp <= 0xffff
            ? `u${hex.padStart(4, '0')}`
            : `U${hex.padStart(8, '0')}`)
      end = i + 1 + (cp > 0xffff ? 2 : 1)
    } else out += '\\' + next
    copied = end
    i = end
  }
  return out + lit.slice(copied)
}
