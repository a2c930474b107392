/**
 * Python's str algorithms, code point by code point: whitespace as str.split / str.strip see it, strip, split,
 * rsplit, splitlines, replace, title, capitalize, islower / isupper and find. Shared by the str methods
 * (jinja-calls.ts) and the string filters (jinja-filters.ts), and they need nothing but jinja-values.
 */
import { codePoints, isStr, JinjaError, strLen, typeName, Undef, type Py } from './jinja-values.js'

export const PY_WHITESPACE =
  ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'

export function pyStrip(s: string, chars: Py, left: boolean, right: boolean): string {
  const set = chars === null || chars instanceof Undef ? PY_WHITESPACE : requireStr(chars, 'strip arg')
  const cps = codePoints(s)
  let a = 0
  let b = cps.length
  if (left) while (a < b && set.includes(cps[a]!)) a++
  if (right) while (b > a && set.includes(cps[b - 1]!)) b--
  return a === 0 && b === cps.length ? s : cps.slice(a, b).join('')
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
      while (i < cps.length && PY_WHITESPACE.includes(cps[i]!)) i++
      if (i >= cps.length) break
      if (maxsplit >= 0 && out.length === maxsplit) {
        let rest = cps.slice(i).join('')
        rest = pyStrip(rest, null, false, true)
        out.push(rest)
        return out
      }
      let j = i
      while (j < cps.length && !PY_WHITESPACE.includes(cps[j]!)) j++
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
    const all = pySplit(s, null, -1)
    if (all.length <= maxsplit + 1) return all
    // rebuild the head keeping original spacing
    const tail = all.slice(all.length - maxsplit)
    let head = pyStrip(s, null, false, true)
    for (let k = tail.length - 1; k >= 0; k--) {
      head = head.slice(0, head.lastIndexOf(tail[k]!))
      head = pyStrip(head, null, false, true)
    }
    return [head, ...tail]
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
    let out = ''
    let n = 0
    for (let i = 0; i <= cps.length; i++) {
      if (count < 0 || n < count) {
        out += rep
        n++
      }
      if (i < cps.length) out += cps[i]
    }
    return out
  }
  if (count < 0) return s.split(old).join(rep)
  const parts = s.split(old)
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
