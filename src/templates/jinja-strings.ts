/**
 * Python's str algorithms, code point by code point: whitespace as str.split / str.strip see it, strip, split,
 * rsplit, splitlines, replace, title, capitalize, islower / isupper and find. Shared by the str methods
 * (jinja-calls.ts) and the string filters (jinja-filters.ts), and they need nothing but jinja-values.
 */
import { htmlEntities } from './html-entities.js'
import {
  checkItems,
  checkSize,
  codePoints,
  isBmp,
  isStr,
  JinjaError,
  spendOn,
  typeName,
  Undef,
  type Py,
} from './jinja-values.js'

export const PY_WHITESPACE =
  ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'

const WHITESPACE_SET = new Set(PY_WHITESPACE)

function codePointSet(chars: string): Set<string> {
  spendOn(chars.length)
  return new Set(chars) // a string iterates by code point
}

export function pyStrip(s: string, chars: Py, left: boolean, right: boolean): string {
  // A set of code points, so a long `chars` costs one pass, not a pass per character stripped.
  const set =
    chars === null || chars instanceof Undef
      ? WHITESPACE_SET
      : codePointSet(requireStr(chars, () => 'strip arg must be None or str'))
  // A str of one UTF-16 unit per code point is stripped by index, without an array of its characters.
  const cps: ArrayLike<string> = isBmp(s) ? s : codePoints(s)
  let a = 0
  let b = cps.length
  if (left) while (a < b && set.has(cps[a]!)) a++ // a < b <= cps.length
  if (right) while (b > a && set.has(cps[b - 1]!)) b-- // a < b <= cps.length
  if (a === 0 && b === cps.length) return s
  return typeof cps === 'string' ? cps.slice(a, b) : Array.prototype.slice.call(cps, a, b).join('')
}

/**
 * A str argument of a str method; otherwise the TypeError `message` makes of the argument's type (Python
 * names None 'NoneType' in some of these messages and 'None' in others: `noneName` says which).
 */
export function requireStr(v: Py, message: (type: string) => string, noneName = 'NoneType'): string {
  if (isStr(v)) return String(v)
  throw new JinjaError(message(v === null ? noneName : typeName(v)))
}

/**
 * A str's code points as an indexable view: the str itself when each is one UTF-16 unit, else the offsets
 * of each (a typed array, 4 bytes a code point), so slicing a long str by code points builds no array of
 * its characters.
 */
export function codePointView(s: string): { length: number; slice(a: number, b?: number): string } {
  if (isBmp(s)) return s
  const offsets = new Uint32Array(s.length + 1)
  let n = 0
  for (let i = 0; i < s.length; i++) {
    offsets[n++] = i
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
  }
  offsets[n] = s.length
  const at = (k: number): number => offsets[Math.max(0, Math.min(k, n))]!
  return { length: n, slice: (a, b = n) => s.slice(at(a), at(Math.max(a, b))) }
}

/** s[:n] in code points (n >= 0). */
export function headOf(s: string, n: number): string {
  return codePointView(s).slice(0, n)
}

const UTF16 = new TextDecoder('utf-16le')

/** s[::-1]: the code points in reverse order, a surrogate pair kept together (UTF-16 units, no array). */
export function reversed(s: string): string {
  spendOn(s.length)
  const n = s.length
  const units = new Uint16Array(n)
  let lone = false // a lone surrogate, which the decoder would replace
  for (let i = 0, j = n - 1; i < n; i++, j--) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        // the pair's two units go to the other end together, in their order
        units[j - 1] = c
        units[j] = d
        i++
        j--
        continue
      }
      lone = true
    }
    units[j] = c
  }
  if (!lone) return UTF16.decode(units)
  let out = ''
  for (let k = 0; k < n; k += 8192)
    out += String.fromCharCode.apply(null, units.subarray(k, k + 8192) as unknown as number[])
  return out
}

/**
 * str.split with a separator, or on runs of whitespace (sep None). Whitespace is all in the BMP and a
 * surrogate never is, so the whitespace split walks UTF-16 units and cuts no pair.
 */
export function pySplit(s: string, sep: Py, maxsplit: number): string[] {
  if (sep === null) {
    spendOn(s.length)
    const out: string[] = []
    const n = s.length
    let i = 0
    while (i < n) {
      while (i < n && WHITESPACE_SET.has(s[i]!)) i++
      if (i >= n) break
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(s.slice(i)) // the rest, trailing whitespace and all, as CPython keeps it
        return out
      }
      let j = i
      while (j < n && !WHITESPACE_SET.has(s[j]!)) j++
      out.push(s.slice(i, j))
      checkItems(out.length)
      i = j
    }
    return out
  }
  const sepStr = requireStr(sep, (t) => `must be str or None, not ${t}`)
  if (sepStr === '') throw new JinjaError('empty separator', 'ValueError')
  const parts = s.split(sepStr)
  spendOn(parts.length)
  if (maxsplit >= 0 && parts.length > maxsplit + 1)
    return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sepStr)]
  return parts
}

export function pyRsplit(s: string, sep: Py, maxsplit: number): string[] {
  if (maxsplit < 0) return pySplit(s, sep, -1)
  if (sep === null) {
    // From the right, one pass: up to maxsplit words, then the rest with its trailing whitespace
    // stripped and its leading whitespace kept, as CPython's rsplit does.
    spendOn(s.length)
    const words: string[] = []
    let j = s.length
    for (;;) {
      while (j > 0 && WHITESPACE_SET.has(s[j - 1]!)) j--
      if (j === 0) break
      if (words.length === maxsplit) {
        words.push(s.slice(0, j))
        break
      }
      let i = j
      while (i > 0 && !WHITESPACE_SET.has(s[i - 1]!)) i--
      words.push(s.slice(i, j))
      checkItems(words.length)
      j = i
    }
    return words.reverse()
  }
  const sepStr = requireStr(sep, (t) => `must be str or None, not ${t}`)
  if (sepStr === '') throw new JinjaError('empty separator', 'ValueError')
  const parts = s.split(sepStr)
  spendOn(parts.length)
  if (parts.length <= maxsplit + 1) return parts
  return [parts.slice(0, parts.length - maxsplit).join(sepStr), ...parts.slice(parts.length - maxsplit)]
}

// str.splitlines boundaries: \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029
// eslint-disable-next-line no-control-regex
const LINE_BREAKS = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/g
export function pySplitlines(s: string, keepends = false): string[] {
  const out: string[] = []
  let last = 0
  for (const m of s.matchAll(LINE_BREAKS)) {
    const end = m.index + m[0].length
    out.push(keepends ? s.slice(last, end) : s.slice(last, m.index))
    last = end
  }
  if (last < s.length) out.push(s.slice(last))
  return out
}

export function pyReplace(s: string, old: string, rep: string, count: number): string {
  if (count === 0) return s
  if (old === '') {
    const cps = codePoints(s)
    const copies = count < 0 ? cps.length + 1 : Math.min(count, cps.length + 1)
    checkSize(s.length + copies * rep.length) // before the copies of `rep` are built
    spendOn(copies)
    let out = ''
    for (let i = 0; i <= cps.length; i++) {
      if (i < copies) out += rep
      if (i < cps.length) out += cps[i]
    }
    return out
  }
  const parts = s.split(old)
  spendOn(parts.length)
  const replaced = count < 0 ? parts.length - 1 : Math.min(count, parts.length - 1)
  checkSize(s.length + replaced * (rep.length - old.length)) // before the join builds it
  if (count < 0) return parts.join(rep)
  if (parts.length - 1 <= count) return parts.join(rep)
  return parts.slice(0, count + 1).join(rep) + old + parts.slice(count + 1).join(old)
}

/** Title case where it is not upper case: the digraphs (ǆ → ǅ) and the Greek iota subscripts (ᾳ → ᾼ). */
const TITLE_CASE = new Map<string, string>([
  ...[0x1c4, 0x1c5, 0x1c6].map((c): [string, string] => [String.fromCodePoint(c), '\u01c5']),
  ...[0x1c7, 0x1c8, 0x1c9].map((c): [string, string] => [String.fromCodePoint(c), '\u01c8']),
  ...[0x1ca, 0x1cb, 0x1cc].map((c): [string, string] => [String.fromCodePoint(c), '\u01cb']),
  ...[0x1f1, 0x1f2, 0x1f3].map((c): [string, string] => [String.fromCodePoint(c), '\u01f2']),
  ...[0x1f80, 0x1f90, 0x1fa0].flatMap((base) =>
    Array.from({ length: 16 }, (_, i): [string, string] => [
      String.fromCodePoint(base + i),
      String.fromCodePoint(base + 8 + (i % 8)),
    ]),
  ),
  ['\u1fb3', '\u1fbc'],
  ['\u1fc3', '\u1fcc'],
  ['\u1ff3', '\u1ffc'],
  ['\u0149', '\u02bcN'],
])

/**
 * A character in title case, as str.title and str.capitalize make it: its title-case mapping, which is
 * its upper case except for the digraphs, the iota subscripts and the characters that upper-case into
 * several (ß → Ss, ﬁ → Fi: the first upper-cased, the rest lower-cased, as SpecialCasing.txt has them).
 */
function titleChar(ch: string): string {
  const t = TITLE_CASE.get(ch)
  if (t !== undefined) return t
  const upper = ch.toUpperCase()
  if (upper.length <= ch.length) return upper
  const first = String.fromCodePoint(upper.codePointAt(0)!)
  return first + upper.slice(first.length).toLowerCase()
}

export function pyTitle(s: string): string {
  spendOn(s.length)
  let prevCased = false
  let out = ''
  for (const ch of s) {
    const lower = ch.toLowerCase()
    const cased = lower !== ch.toUpperCase()
    out += cased ? (prevCased ? lower : titleChar(ch)) : ch
    prevCased = cased
  }
  return out
}

export function pyCapitalize(s: string): string {
  if (s === '') return s
  const first = String.fromCodePoint(s.codePointAt(0)!)
  return titleChar(first) + s.slice(first.length).toLowerCase()
}

function isCased(s: string): boolean {
  return s.toLowerCase() !== s.toUpperCase()
}
export function pyIsLower(s: string): boolean {
  return isCased(s) && s === s.toLowerCase()
}
export function pyIsUpper(s: string): boolean {
  return isCased(s) && s === s.toUpperCase()
}

// ------------------------------------------------------------------------------------------------------------
// markup: html.unescape and Markup.striptags

/** html._invalid_charrefs: the C1 controls as Windows-1252 reads them, and NUL and CR. */
const INVALID_CHARREFS: ReadonlyMap<number, string> = new Map([
  [0x00, '\ufffd'],
  [0x0d, '\r'],
  ...Array.from('€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ', (c, i): [number, string] => [0x80 + i, c]),
])

/** html._invalid_codepoints: control characters and noncharacters, which a reference drops. */
function invalidCodePoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) ||
    n === 0xb ||
    (n >= 0xe && n <= 0x1f) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) ||
    (n & 0xfffe) === 0xfffe
  )
}

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu

/** Python's html.unescape: numeric and named character references, with HTML5's rules for both. */
export function htmlUnescape(s: string): string {
  if (!s.includes('&')) return s
  spendOn(s.length)
  const table = htmlEntities()
  return s.replace(CHARREF, (_, ref: string) => {
    if (ref[0] === '#') {
      const hex = ref[1] === 'x' || ref[1] === 'X'
      const digits = ref
        .slice(hex ? 2 : 1)
        .replace(/;$/, '')
        .replace(/^0+(?=.)/, '')
      // past 8 digits (after the leading zeros) it is beyond U+10FFFF anyway
      const n = digits.length > 8 ? Infinity : parseInt(digits, hex ? 16 : 10)
      const invalid = INVALID_CHARREFS.get(n)
      if (invalid !== undefined) return invalid
      if ((n >= 0xd800 && n <= 0xdfff) || n > 0x10ffff) return '\ufffd'
      if (invalidCodePoint(n)) return ''
      return String.fromCodePoint(n)
    }
    const whole = table.get(ref)
    if (whole !== undefined) return whole
    // the longest name that starts the reference (legacy names need no ';')
    for (let x = ref.length - 1; x > 1; x--) {
      const v = table.get(ref.slice(0, x))
      if (v !== undefined) return v + ref.slice(x)
    }
    return '&' + ref
  })
}

/**
 * markupsafe's Markup.striptags: comments removed first, each from the first '<!--' to the first '-->'
 * after it (a removal may join a new '<!--'); then tags, each from the first '<' to the first '>' after
 * it; whitespace runs become one space; then the references are unescaped. Python removes one at a time
 * and searches from the start again; the same removals are made here in one pass.
 */
export function stripTags(text: string): string {
  spendOn(text.length)
  const noComments = removeComments(text)
  let out = ''
  let pos = 0
  for (;;) {
    const lt = noComments.indexOf('<', pos)
    if (lt < 0) break
    const gt = noComments.indexOf('>', lt)
    if (gt < 0) break
    out += noComments.slice(pos, lt)
    pos = gt + 1
  }
  out += noComments.slice(pos)
  // " ".join(value.split()): runs of whitespace made one space, none at either end
  return htmlUnescape(out.replace(WHITESPACE_RUN, ' ').replace(/^ | $/g, ''))
}
const WHITESPACE_RUN = new RegExp(`[${PY_WHITESPACE}]+`, 'gu')

function removeComments(text: string): string {
  const OPEN = '<!--'
  let out = ''
  let pos = 0
  let joined = false // whether `out` was just cut, so that its end and the text may form a new '<!--'
  for (;;) {
    let start = -1
    if (joined) {
      for (let k = 3; k >= 1 && start < 0; k--)
        if (out.endsWith(OPEN.slice(0, k)) && text.startsWith(OPEN.slice(k), pos)) {
          start = out.length - k
          out += OPEN.slice(k)
          pos += 4 - k
        }
    }
    if (start < 0) {
      const at = text.indexOf(OPEN, pos)
      if (at < 0) break
      out += text.slice(pos, at + 4)
      start = out.length - 4
      pos = at + 4
    }
    // the first '-->' from the comment's own start: it may overlap the '<!--' ('<!-->', '<!--->')
    let end: number
    if (text[pos] === '>') end = pos + 1
    else if (text.startsWith('->', pos)) end = pos + 2
    else {
      const close = text.indexOf('-->', pos)
      if (close < 0) break
      end = close + 3
    }
    out = out.slice(0, start)
    pos = end
    joined = true
    spendOn(32)
  }
  return out + text.slice(pos)
}
