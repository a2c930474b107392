/**
 * Python's str algorithms, code point by code point: whitespace as str.split / str.strip see it, strip, split,
 * rsplit, splitlines, replace, title, capitalize, islower / isupper and find. Shared by the str methods
 * (jinja-calls.ts) and the string filters (jinja-filters.ts), and they need nothing but jinja-values.
 */
import {
  checkSize,
  codePoints,
  isBmp,
  isStr,
  JinjaError,
  spendOn,
  strLen,
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
    chars === null || chars instanceof Undef ? WHITESPACE_SET : codePointSet(requireStr(chars, 'strip arg'))
  // A str of one UTF-16 unit per code point is stripped by index, without an array of its characters.
  const cps: ArrayLike<string> = isBmp(s) ? s : codePoints(s)
  let a = 0
  let b = cps.length
  if (left) while (a < b && set.has(cps[a]!)) a++ // a < b <= cps.length
  if (right) while (b > a && set.has(cps[b - 1]!)) b-- // a < b <= cps.length
  if (a === 0 && b === cps.length) return s
  return typeof cps === 'string' ? cps.slice(a, b) : Array.prototype.slice.call(cps, a, b).join('')
}

export function requireStr(v: Py, what: string): string {
  if (isStr(v)) return String(v)
  throw new JinjaError(`${what} must be str or None, not ${typeName(v)}`)
}

export function pySplit(s: string, sep: Py, maxsplit: number): string[] {
  if (sep === null) {
    const out: string[] = []
    const cps = codePoints(s)
    let i = 0
    while (i < cps.length) {
      while (i < cps.length && WHITESPACE_SET.has(cps[i]!)) i++
      if (i >= cps.length) break
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(cps.slice(i).join('')) // the rest, trailing whitespace and all, as CPython keeps it
        return out
      }
      let j = i
      while (j < cps.length && !WHITESPACE_SET.has(cps[j]!)) j++
      out.push(cps.slice(i, j).join(''))
      i = j
    }
    return out
  }
  const sepStr = requireStr(sep, 'sep')
  if (sepStr === '') throw new JinjaError('empty separator', 'ValueError')
  const parts = s.split(sepStr)
  if (maxsplit >= 0 && parts.length > maxsplit + 1)
    return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sepStr)]
  return parts
}

export function pyRsplit(s: string, sep: Py, maxsplit: number): string[] {
  if (maxsplit < 0) return pySplit(s, sep, -1)
  if (sep === null) {
    // From the right, one pass: up to maxsplit words, then the rest with its trailing whitespace
    // stripped and its leading whitespace kept, as CPython's rsplit does.
    const cps = codePoints(s)
    const words: string[] = []
    let j = cps.length
    for (;;) {
      while (j > 0 && WHITESPACE_SET.has(cps[j - 1]!)) j-- // 0 < j <= cps.length
      if (j === 0) break
      if (words.length === maxsplit) {
        words.push(cps.slice(0, j).join(''))
        break
      }
      let i = j
      while (i > 0 && !WHITESPACE_SET.has(cps[i - 1]!)) i-- // 0 < i <= cps.length
      words.push(cps.slice(i, j).join(''))
      j = i
    }
    return words.reverse()
  }
  const sepStr = requireStr(sep, 'sep')
  if (sepStr === '') throw new JinjaError('empty separator', 'ValueError')
  const parts = s.split(sepStr)
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

export function pyTitle(s: string): string {
  let prevCased = false
  let out = ''
  for (const ch of s) {
    const lower = ch.toLowerCase()
    const upper = ch.toUpperCase()
    const cased = lower !== upper
    out += cased ? (prevCased ? lower : upper) : ch
    prevCased = cased
  }
  return out
}

export function pyCapitalize(s: string): string {
  const cps = codePoints(s)
  if (cps.length === 0) return s
  return cps[0]!.toUpperCase() + cps.slice(1).join('').toLowerCase()
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

export function findIndex(s: string, sub: string, start: Py, end: Py, reverse: boolean): number {
  const cps = codePoints(s)
  const n = cps.length
  let a = start === null || start instanceof Undef ? 0 : Number(start)
  let b = end === null || end instanceof Undef ? n : Number(end)
  if (a < 0) a = Math.max(0, a + n)
  if (b < 0) b = Math.max(0, b + n)
  b = Math.min(b, n)
  const hay = cps.slice(a, b).join('')
  const pos = reverse ? hay.lastIndexOf(sub) : hay.indexOf(sub)
  if (pos < 0) return -1
  return a + strLen(hay.slice(0, pos))
}

/**
 * x with `digits` decimals, as Python's '%.Nf' and '{:.Nf}' write it. toFixed serves up to 100 decimals
 * below 1e21; past either, the exact decimal expansion of the double (m * 2^e is m * 5^-e / 10^-e) is
 * written with BigInt and rounded half to even, as Python rounds, after the size bound has allowed it.
 */
export function fixed(x: number, digits: number): string {
  if (!Number.isFinite(x) || (digits <= 100 && Math.abs(x) < 1e21)) return x.toFixed(digits)
  checkSize(digits + 312) // a double's integer part has at most 309 digits; a sign and a point
  spendOn(digits)
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const bits = view.getBigUint64(0)
  const negative = bits >> 63n === 1n
  const biased = Number((bits >> 52n) & 0x7ffn)
  const fraction = bits & 0xfffffffffffffn
  const m = biased === 0 ? fraction : fraction | (1n << 52n)
  const e = (biased === 0 ? 1 : biased) - 1075
  let scaled: bigint // the value times 10^places, exactly
  let places: number
  if (e >= 0) {
    scaled = m << BigInt(e)
    places = 0
  } else {
    scaled = m * 5n ** BigInt(-e)
    places = -e
  }
  let digitsOut: bigint
  if (places <= digits) digitsOut = scaled * 10n ** BigInt(digits - places)
  else {
    const unit = 10n ** BigInt(places - digits)
    const q = scaled / unit
    const r = scaled % unit
    const twice = 2n * r
    digitsOut = twice > unit || (twice === unit && q % 2n === 1n) ? q + 1n : q
  }
  let text = digitsOut.toString().padStart(digits + 1, '0')
  if (digits > 0) text = `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`
  return (negative ? '-' : '') + text
}
