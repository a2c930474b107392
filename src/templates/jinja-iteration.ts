/**
 * Iteration, len() and slicing over template values, and the one-shot PyIter that Jinja2's filters return. Kept
 * apart because operators, calls, attribute access, filters, tojson and the interpreter all build on it, and it
 * needs nothing but jinja-values (where the per-render bounds, checkSize and spend, live).
 */
import {
  codePoints,
  isBmp,
  isInt,
  isStr,
  isTuple,
  JinjaError,
  Markup,
  MISSING,
  spendOn,
  strLen,
  tuple,
  typeName,
  Undef,
  type Py,
} from './jinja-values.js'

// ------------------------------------------------------------------------------------------------------------
// iteration and len()

/** A one-shot Python iterator (generator, reversed(), dict_items...), as Jinja2's filters return. */
export class PyIter {
  consumed = false
  constructor(
    private readonly items: Py[],
    readonly pyTypeName: string,
  ) {}
  take(): Py[] {
    if (this.consumed) return []
    this.consumed = true
    return this.items
  }
  getAttr(): typeof MISSING {
    return MISSING
  }
  repr(): string {
    return `<${this.pyTypeName} object at 0x7f0000000000>`
  }
}

export function iterate(v: Py): Py[] {
  if (Array.isArray(v)) return v
  if (typeof v === 'string') return codePoints(v)
  if (v instanceof Map) {
    spendOn(v.size)
    return [...v.keys()]
  }
  if (v instanceof Undef) {
    if (v.exc === 'security') return []
    return []
  }
  if (v instanceof Markup) return codePoints(v.s)
  if (v instanceof PyIter) return v.take()
  throw new JinjaError(`'${typeName(v)}' object is not iterable`)
}

export function isIterable(v: Py): boolean {
  return (
    Array.isArray(v) ||
    typeof v === 'string' ||
    v instanceof Map ||
    v instanceof Undef ||
    v instanceof Markup ||
    v instanceof PyIter
  )
}

export function pyLen(v: Py): number {
  if (Array.isArray(v)) return v.length
  if (typeof v === 'string') return strLen(v)
  if (v instanceof Markup) return strLen(v.s)
  if (v instanceof Map) return v.size
  if (v instanceof Undef) return 0
  throw new JinjaError(`object of type '${typeName(v)}' has no len()`)
}

/** obj[start:stop:step] on a str, list or tuple, as Python slices. */
export function getSlice(obj: Py, start: Py, stop: Py, step: Py): Py {
  if (obj instanceof Undef) obj.fail()
  const isString = isStr(obj)
  if (!Array.isArray(obj) && !isString) throw new JinjaError(`'${typeName(obj)}' object is not subscriptable`)
  // A str of one UTF-16 unit per code point is sliced as it is, without an array of its characters.
  const text = isString ? String(obj) : ''
  const seq = Array.isArray(obj) ? obj : isBmp(text) ? text : codePoints(text)
  const idx = (v: Py, name: string): number | undefined => {
    if (v === null || v instanceof Undef) return undefined
    if (!isInt(v)) throw new JinjaError(`slice indices must be integers or None or have an __index__ method`)
    void name
    return Number(v)
  }
  const n = seq.length
  const st = idx(step, 'step') ?? 1
  if (st === 0) throw new JinjaError('slice step cannot be zero', 'ValueError')
  let lo = idx(start, 'start')
  let hi = idx(stop, 'stop')
  const out: Py[] = []
  if (st > 0) {
    lo = lo === undefined ? 0 : lo < 0 ? Math.max(0, lo + n) : Math.min(lo, n)
    hi = hi === undefined ? n : hi < 0 ? Math.max(0, hi + n) : Math.min(hi, n)
    if (typeof seq === 'string' && st === 1) return seq.slice(lo, hi)
    spendOn(Math.max(0, hi - lo) / st)
    for (let i = lo; i < hi; i += st) out.push(seq[i]!) // lo <= i < hi <= n
  } else {
    lo = lo === undefined ? n - 1 : lo < 0 ? Math.max(-1, lo + n) : Math.min(lo, n - 1)
    hi = hi === undefined ? -1 : hi < 0 ? Math.max(-1, hi + n) : Math.min(hi, n - 1)
    spendOn(Math.max(0, lo - hi) / -st)
    for (let i = lo; i > hi; i += st) out.push(seq[i]!) // n > lo >= i > hi >= -1
  }
  if (isString) return (out as string[]).join('') // code points of a str
  return isTuple(obj) ? tuple(out) : out
}
