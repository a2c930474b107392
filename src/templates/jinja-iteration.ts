/**
 * Iteration, len() and slicing over template values, and the one-shot PyIter that Jinja2's filters return. Kept
 * apart because operators, calls, attribute access, filters, tojson and the interpreter all build on it, and it
 * needs nothing but jinja-values (where the per-render bounds, checkSize and spend, live).
 */
import {
  checkItems,
  DictView,
  codePoints,
  isBmp,
  isInt,
  isStr,
  isTuple,
  JinjaError,
  Markup,
  MISSING,
  PyBytes,
  PyRange,
  spendOn,
  strLen,
  tuple,
  typeName,
  Undef,
  type Py,
} from './jinja-values.js'

// ------------------------------------------------------------------------------------------------------------
// iteration and len()

/**
 * A one-shot Python iterator (generator, reversed(), dict_items...), as Jinja2's filters return. A
 * generator's items may be given as a function, run on first use as its body is in Python: a filter whose
 * result is never iterated raises nothing. Taking one item (next) leaves the rest for later.
 */
export class PyIter {
  private items: Py[] | undefined
  private produce: (() => Py[]) | undefined
  private pos = 0
  constructor(
    items: Py[] | (() => Py[]),
    readonly pyTypeName: string,
  ) {
    if (typeof items === 'function') this.produce = items
    else this.items = items
  }
  private all(): Py[] {
    if (this.items === undefined) {
      const produce = this.produce!
      this.produce = undefined
      this.items = [] // a body that raises leaves an exhausted generator, as in Python
      this.items = produce()
    }
    return this.items
  }
  /** The items not taken yet; the iterator is exhausted after. */
  take(): Py[] {
    const all = this.all()
    const rest = this.pos === 0 ? all : all.slice(this.pos)
    this.pos = all.length
    return rest
  }
  /** The next item, or MISSING when there is none. */
  next(): Py | typeof MISSING {
    const all = this.all()
    return this.pos < all.length ? all[this.pos++]! : MISSING
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
  if (v instanceof PyBytes) {
    spendOn(v.data.length)
    checkItems(v.data.length)
    return Array.from(v.data)
  }
  if (v instanceof PyRange || v instanceof DictView) return v.items()
  throw new JinjaError(`'${typeName(v)}' object is not iterable`)
}

export function isIterable(v: Py): boolean {
  return (
    Array.isArray(v) ||
    typeof v === 'string' ||
    v instanceof Map ||
    v instanceof Undef ||
    v instanceof Markup ||
    v instanceof PyIter ||
    v instanceof PyBytes ||
    v instanceof PyRange ||
    v instanceof DictView
  )
}

export function pyLen(v: Py): number {
  if (Array.isArray(v)) return v.length
  if (typeof v === 'string') return strLen(v)
  if (v instanceof Markup) return strLen(v.s)
  if (v instanceof Map) return v.size
  if (v instanceof Undef) return 0
  if (v instanceof PyBytes) return v.data.length
  if (v instanceof PyRange) return v.length
  if (v instanceof DictView) return v.dict.size
  throw new JinjaError(`object of type '${typeName(v)}' has no len()`)
}

/** PySlice_AdjustIndices: a slice's start, stop and step over n items, clamped as Python clamps them. */
function sliceIndices(n: number, start: Py, stop: Py, step: Py): [number, number, number] {
  const idx = (v: Py): number | undefined => {
    if (v === null || v instanceof Undef) return undefined
    if (!isInt(v)) throw new JinjaError(`slice indices must be integers or None or have an __index__ method`)
    return Number(v)
  }
  const st = idx(step) ?? 1
  if (st === 0) throw new JinjaError('slice step cannot be zero', 'ValueError')
  let lo = idx(start)
  let hi = idx(stop)
  if (st > 0) {
    lo = lo === undefined ? 0 : lo < 0 ? Math.max(0, lo + n) : Math.min(lo, n)
    hi = hi === undefined ? n : hi < 0 ? Math.max(0, hi + n) : Math.min(hi, n)
  } else {
    lo = lo === undefined ? n - 1 : lo < 0 ? Math.max(-1, lo + n) : Math.min(lo, n - 1)
    hi = hi === undefined ? -1 : hi < 0 ? Math.max(-1, hi + n) : Math.min(hi, n - 1)
  }
  return [lo, hi, st]
}

/** obj[start:stop:step] on a str, list, tuple, bytes or range, as Python slices. */
export function getSlice(obj: Py, start: Py, stop: Py, step: Py): Py {
  if (obj instanceof Undef) obj.fail()
  if (obj instanceof PyRange) {
    // a range of the range: its items at the slice's (clamped) indices, as rangeobject.c computes it
    const [lo, hi, st] = sliceIndices(obj.length, start, stop, step)
    return new PyRange(obj.at(lo), obj.at(hi), obj.step * st)
  }
  if (obj instanceof PyBytes) {
    // as a list of its byte values, made bytes again
    const bytes = getSlice(Array.from(obj.data), start, stop, step) as number[]
    return new PyBytes(Uint8Array.from(bytes))
  }
  const isString = isStr(obj)
  if (!Array.isArray(obj) && !isString) throw new JinjaError(`'${typeName(obj)}' object is not subscriptable`)
  // A str of one UTF-16 unit per code point is sliced as it is, without an array of its characters.
  const text = isString ? String(obj) : ''
  const seq = Array.isArray(obj) ? obj : isBmp(text) ? text : codePoints(text)
  const [lo, hi, st] = sliceIndices(seq.length, start, stop, step)
  const out: Py[] = []
  if (st > 0) {
    if (typeof seq === 'string' && st === 1)
      return obj instanceof Markup ? new Markup(seq.slice(lo, hi)) : seq.slice(lo, hi)
    spendOn(Math.max(0, hi - lo) / st)
    for (let i = lo; i < hi; i += st) out.push(seq[i]!) // lo <= i < hi <= n
  } else {
    spendOn(Math.max(0, lo - hi) / -st)
    for (let i = lo; i > hi; i += st) out.push(seq[i]!) // n > lo >= i > hi >= -1
  }
  if (isString) {
    const text = (out as string[]).join('') // code points of a str
    return obj instanceof Markup ? new Markup(text) : text
  }
  return isTuple(obj) ? tuple(out) : out
}
