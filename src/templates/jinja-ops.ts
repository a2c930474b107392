/**
 * Python / Jinja2 sandbox semantics of the operations a chat template performs: iteration, len(), attribute and
 * item access (ImmutableSandboxedEnvironment rules), the methods of str / list / dict, binary operators, calls
 * with Python argument binding, and json.dumps for the tojson filter.
 */
import {
  codePoints,
  dictGet,
  floatRepr,
  htmlEscape,
  isHolder,
  isInt,
  isNumber,
  isStr,
  isTuple,
  JinjaError,
  LimitError,
  Markup,
  MISSING,
  Namespace,
  numOf,
  PyCallable,
  PyFloat,
  pyCompare,
  pyEq,
  pyRepr,
  pyStr,
  strLen,
  truthy,
  tuple,
  typeName,
  Undef,
  type CallArgs,
  type Py,
} from './jinja-values.js'

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

/** The size bound for strings and lists built while rendering (set per render). */
export const bounds = { maxChars: 1_000_000 }

export function checkSize(n: number): void {
  if (n > bounds.maxChars)
    throw new LimitError(`the output grew past ${bounds.maxChars.toLocaleString('en-US')} characters`)
}

// ------------------------------------------------------------------------------------------------------------
// iteration and len()

export function iterate(v: Py): Py[] {
  if (Array.isArray(v)) return v
  if (typeof v === 'string') return codePoints(v)
  if (v instanceof Map) return [...v.keys()]
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

// ------------------------------------------------------------------------------------------------------------
// attribute / item access, ImmutableSandboxedEnvironment rules

const UNSAFE_LIST = new Set(['append', 'clear', 'pop', 'reverse', 'insert', 'sort', 'extend', 'remove'])
const UNSAFE_DICT = new Set(['clear', 'pop', 'popitem', 'setdefault', 'update'])
const LIST_METHODS = new Set([...UNSAFE_LIST, 'index', 'count', 'copy'])
const DICT_METHODS = new Set([...UNSAFE_DICT, 'items', 'keys', 'values', 'get', 'copy', 'fromkeys'])

function unsafe(obj: Py, attr: string): Undef {
  return new Undef(
    attr,
    obj,
    `access to attribute ${pyRepr(attr)} of ${pyRepr(typeName(obj))} object is unsafe.`,
    'security',
  )
}

function isDunder(name: string): boolean {
  return name.startsWith('__') && name.endsWith('__') && name.length > 4
}

/** Python getattr(obj, name): the value, or MISSING when Python would raise AttributeError. */
function pyGetattr(obj: Py, name: string): Py | typeof MISSING {
  if (isDunder(name) && !(obj instanceof Namespace) && !(obj instanceof Undef)) return unsafe(obj, name)
  if (obj instanceof Undef) {
    if (name.startsWith('__')) return MISSING
    obj.fail()
  }
  if (isStr(obj)) {
    const m = strMethod(String(obj), name)
    return m ?? MISSING
  }
  if (Array.isArray(obj)) {
    if (isTuple(obj)) return name === 'index' || name === 'count' ? listMethod(obj, name) : MISSING
    if (LIST_METHODS.has(name)) return UNSAFE_LIST.has(name) ? unsafe(obj, name) : listMethod(obj, name)
    return MISSING
  }
  if (obj instanceof Map) {
    if (DICT_METHODS.has(name)) return UNSAFE_DICT.has(name) ? unsafe(obj, name) : dictMethod(obj, name)
    return MISSING
  }
  if (obj instanceof Namespace) return obj.attrs.has(name) ? obj.attrs.get(name)! : MISSING
  if (isHolder(obj)) return obj.getAttr(name)
  if (obj instanceof PyIter) return MISSING
  if (isNumber(obj)) {
    if (name === 'real') return obj
    if (name === 'imag') return obj instanceof PyFloat ? new PyFloat(0) : 0
    return MISSING
  }
  return MISSING
}

/** environment.getattr (foo.bar) */
export function getAttr(obj: Py, name: string): Py {
  const v = pyGetattr(obj, name)
  if (v !== MISSING) {
    if (name.startsWith('_') && !(v instanceof Undef && v.exc === 'security') && !(obj instanceof Namespace))
      return unsafe(obj, name)
    return v
  }
  const item = rawItem(obj, name)
  if (item !== MISSING) return item
  return new Undef(name, obj)
}

/** obj[key] as Python does it, MISSING when it raises TypeError / LookupError. */
function rawItem(obj: Py, key: Py): Py | typeof MISSING {
  if (obj instanceof Map) return dictGet(obj, key)
  if (Array.isArray(obj) || isStr(obj)) {
    if (!isInt(key)) return MISSING
    const seq = Array.isArray(obj) ? obj : codePoints(String(obj))
    let i = Number(key)
    if (i < 0) i += seq.length
    if (i < 0 || i >= seq.length) return MISSING
    return seq[i]!
  }
  if (obj instanceof Undef) obj.fail()
  return MISSING
}

/** environment.getitem (foo[bar]) */
export function getItem(obj: Py, key: Py): Py {
  const v = rawItem(obj, key)
  if (v !== MISSING) return v
  if (typeof key === 'string') {
    const a = pyGetattr(obj, key)
    if (a !== MISSING) {
      if (key.startsWith('_') && !(obj instanceof Namespace)) return unsafe(obj, key)
      return a
    }
  }
  return new Undef(key, obj)
}

export function getSlice(obj: Py, start: Py, stop: Py, step: Py): Py {
  if (obj instanceof Undef) obj.fail()
  const isString = isStr(obj)
  if (!Array.isArray(obj) && !isString) throw new JinjaError(`'${typeName(obj)}' object is not subscriptable`)
  const seq = Array.isArray(obj) ? obj : codePoints(String(obj))
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
    for (let i = lo; i < hi; i += st) out.push(seq[i]!)
  } else {
    lo = lo === undefined ? n - 1 : lo < 0 ? Math.max(-1, lo + n) : Math.min(lo, n - 1)
    hi = hi === undefined ? -1 : hi < 0 ? Math.max(-1, hi + n) : Math.min(hi, n - 1)
    for (let i = lo; i > hi; i += st) out.push(seq[i]!)
  }
  if (isString) return out.join('')
  return isTuple(obj) ? tuple(out) : out
}

// ------------------------------------------------------------------------------------------------------------
// argument binding

export function bind(fname: string, a: CallArgs, names: string[], defaults: Py[] = []): Py[] {
  const firstDefault = names.length - defaults.length
  const out: Py[] = []
  if (a.args.length > names.length)
    throw new JinjaError(`${fname}() takes at most ${names.length} arguments (${a.args.length} given)`)
  for (const k of a.kwargs.keys())
    if (!names.includes(k)) throw new JinjaError(`${fname}() got an unexpected keyword argument '${k}'`)
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (i < a.args.length) {
      if (a.kwargs.has(name)) throw new JinjaError(`${fname}() got multiple values for argument '${name}'`)
      out.push(a.args[i]!)
    } else if (a.kwargs.has(name)) out.push(a.kwargs.get(name)!)
    else if (i >= firstDefault) out.push(defaults[i - firstDefault]!)
    else throw new JinjaError(`${fname}() missing required argument: '${name}'`)
  }
  return out
}

function method(name: string, fn: (a: CallArgs) => Py): PyCallable {
  return new PyCallable(name, fn, 'method')
}

// ------------------------------------------------------------------------------------------------------------
// str methods

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

function requireStr(v: Py, what: string): string {
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

function pyRsplit(s: string, sep: Py, maxsplit: number): string[] {
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

function pyTitle(s: string): string {
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

function toIntArg(v: Py, fname: string): number {
  if (isInt(v)) return Number(v)
  if (v === null) return -1
  throw new JinjaError(`'${typeName(v)}' object cannot be interpreted as an integer (${fname})`)
}

function findIndex(s: string, sub: string, start: Py, end: Py, reverse: boolean): number {
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

function strMethod(s: string, name: string): PyCallable | undefined {
  const m = (fn: (a: CallArgs) => Py): PyCallable => method(`str.${name}`, fn)
  switch (name) {
    case 'strip':
    case 'lstrip':
    case 'rstrip':
      return m((a) => {
        const [chars] = bind(name, a, ['chars'], [null])
        return pyStrip(s, chars!, name !== 'rstrip', name !== 'lstrip')
      })
    case 'split':
    case 'rsplit':
      return m((a) => {
        const [sep, maxsplit] = bind(name, a, ['sep', 'maxsplit'], [null, -1])
        return (name === 'split' ? pySplit : pyRsplit)(s, sep!, toIntArg(maxsplit!, name))
      })
    case 'splitlines':
      return m((a) => pySplitlines(s, truthy(bind(name, a, ['keepends'], [false])[0]!)))
    case 'startswith':
    case 'endswith':
      return m((a) => {
        const [prefix, start, end] = bind(name, a, ['prefix', 'start', 'end'], [null, null])
        const hay = start !== null || end !== null ? (getSlice(s, start!, end!, null) as string) : s
        const options = Array.isArray(prefix) && isTuple(prefix) ? prefix : [prefix!]
        return options.some((p) => {
          if (!isStr(p))
            throw new JinjaError(`${name} first arg must be str or a tuple of str, not ${typeName(p)}`)
          return name === 'startswith' ? hay.startsWith(String(p)) : hay.endsWith(String(p))
        })
      })
    case 'lower':
    case 'casefold':
      return m(() => s.toLowerCase())
    case 'upper':
      return m(() => s.toUpperCase())
    case 'title':
      return m(() => pyTitle(s))
    case 'capitalize':
      return m(() => pyCapitalize(s))
    case 'swapcase':
      return m(() => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''))
    case 'replace':
      return m((a) => {
        const [old, rep, count] = bind(name, a, ['old', 'new', 'count'], [-1])
        const r = pyReplace(
          s,
          requireStr(old!, 'replace arg 1'),
          requireStr(rep!, 'replace arg 2'),
          toIntArg(count!, name),
        )
        checkSize(r.length)
        return r
      })
    case 'find':
    case 'rfind':
    case 'index':
    case 'rindex':
    case 'count':
      return m((a) => {
        const [sub, start, end] = bind(name, a, ['sub', 'start', 'end'], [null, null])
        const needle = requireStr(sub!, name)
        if (name === 'count') {
          const hay = start !== null || end !== null ? (getSlice(s, start!, end!, null) as string) : s
          if (needle === '') return strLen(hay) + 1
          return hay.split(needle).length - 1
        }
        const pos = findIndex(s, needle, start!, end!, name.startsWith('r'))
        if (pos < 0 && name.endsWith('index')) throw new JinjaError('substring not found', 'ValueError')
        return pos
      })
    case 'join':
      return m((a) => {
        const [items] = bind(name, a, ['iterable'])
        const parts = iterate(items!).map((x, i) => {
          if (!isStr(x))
            throw new JinjaError(`sequence item ${i}: expected str instance, ${typeName(x)} found`)
          return String(x)
        })
        const r = parts.join(s)
        checkSize(r.length)
        return r
      })
    case 'format':
      return m((a) => pyFormat(s, a))
    case 'isdigit':
    case 'isdecimal':
    case 'isnumeric':
      return m(() => s.length > 0 && /^\p{Nd}+$/u.test(s))
    case 'isalpha':
      return m(() => s.length > 0 && /^\p{L}+$/u.test(s))
    case 'isalnum':
      return m(() => s.length > 0 && /^[\p{L}\p{Nd}]+$/u.test(s))
    case 'isspace':
      return m(() => s.length > 0 && [...s].every((c) => PY_WHITESPACE.includes(c)))
    case 'islower':
      return m(() => pyIsLower(s))
    case 'isupper':
      return m(() => pyIsUpper(s))
    case 'zfill':
      return m((a) => {
        const width = toIntArg(bind(name, a, ['width'])[0]!, name)
        const n = strLen(s)
        if (n >= width) return s
        const sign = s[0] === '-' || s[0] === '+' ? s[0] : ''
        return sign + '0'.repeat(width - n) + s.slice(sign.length)
      })
    case 'center':
    case 'ljust':
    case 'rjust':
      return m((a) => {
        const [w, fill] = bind(name, a, ['width', 'fillchar'], [' '])
        const width = toIntArg(w!, name)
        const n = strLen(s)
        if (n >= width) return s
        const f = String(fill)
        const total = width - n
        checkSize(width)
        if (name === 'ljust') return s + f.repeat(total)
        if (name === 'rjust') return f.repeat(total) + s
        const left = Math.floor(total / 2) + (total & width & 1)
        return f.repeat(left) + s + f.repeat(total - left)
      })
    case 'partition':
    case 'rpartition':
      return m((a) => {
        const sep = requireStr(bind(name, a, ['sep'])[0]!, name)
        const pos = name === 'partition' ? s.indexOf(sep) : s.lastIndexOf(sep)
        if (pos < 0) return name === 'partition' ? tuple([s, '', '']) : tuple(['', '', s])
        return tuple([s.slice(0, pos), sep, s.slice(pos + sep.length)])
      })
    case 'removeprefix':
      return m((a) => {
        const p = requireStr(bind(name, a, ['prefix'])[0]!, name)
        return p && s.startsWith(p) ? s.slice(p.length) : s
      })
    case 'removesuffix':
      return m((a) => {
        const p = requireStr(bind(name, a, ['suffix'])[0]!, name)
        return p && s.endsWith(p) ? s.slice(0, s.length - p.length) : s
      })
    case 'expandtabs':
      return m(() => s.replace(/\t/g, '        '))
    case 'encode':
      return undefined
    default:
      return undefined
  }
}

/** str.format, as the sandbox's SandboxedFormatter runs it (fields: index, name, attributes, items). */
export function pyFormat(fmt: string, a: CallArgs): string {
  let auto = 0
  let out = ''
  let i = 0
  while (i < fmt.length) {
    const c = fmt[i]!
    if (c === '{') {
      if (fmt[i + 1] === '{') {
        out += '{'
        i += 2
        continue
      }
      const close = fmt.indexOf('}', i)
      if (close < 0) throw new JinjaError("Single '{' encountered in format string", 'ValueError')
      const field = fmt.slice(i + 1, close)
      i = close + 1
      const [ref, spec] = field.split(':', 2) as [string, string | undefined]
      const conv = ref.includes('!') ? ref.slice(ref.indexOf('!') + 1) : ''
      const path = ref.includes('!') ? ref.slice(0, ref.indexOf('!')) : ref
      const m = /^([^.[]*)(.*)$/.exec(path)!
      let v: Py
      if (m[1] === '') {
        v = a.args[auto++] ?? null
        if (auto > a.args.length)
          throw new JinjaError('Replacement index 0 out of range for positional args tuple', 'IndexError')
      } else if (/^\d+$/.test(m[1]!)) v = a.args[Number(m[1])] ?? null
      else {
        if (!a.kwargs.has(m[1]!)) throw new JinjaError(`'${m[1]}'`, 'KeyError')
        v = a.kwargs.get(m[1]!)!
      }
      for (const part of m[2]!.matchAll(/\.(\w+)|\[([^\]]*)\]/g)) {
        if (part[1] !== undefined) v = getAttr(v, part[1])
        else v = getItem(v, /^\d+$/.test(part[2]!) ? Number(part[2]) : part[2]!)
      }
      let text = conv === 'r' ? pyRepr(v) : pyStr(v)
      if (spec) text = applyFormatSpec(v, text, spec)
      out += text
    } else if (c === '}') {
      if (fmt[i + 1] === '}') {
        out += '}'
        i += 2
        continue
      }
      throw new JinjaError("Single '}' encountered in format string", 'ValueError')
    } else {
      out += c
      i++
    }
  }
  return out
}

function applyFormatSpec(v: Py, text: string, spec: string): string {
  const m = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?(,)?(?:\.(\d+))?([a-zA-Z%])?$/.exec(spec)
  if (!m) return text
  const [, fill = ' ', align, , , zero, width, , precision, type] = m
  let body = text
  if (isNumber(v) && (type === 'f' || type === 'F' || (precision !== undefined && !type))) {
    body = numOf(v).toFixed(Number(precision ?? 6))
  } else if (isNumber(v) && type === 'd') body = String(Math.trunc(numOf(v)))
  else if (isStr(v) && precision !== undefined) body = codePoints(text).slice(0, Number(precision)).join('')
  const w = Number(width ?? 0)
  const n = strLen(body)
  if (n >= w) return body
  const pad = w - n
  const f = zero && !align ? '0' : fill
  const al = align ?? (isNumber(v) ? '>' : '<')
  if (al === '<') return body + f.repeat(pad)
  if (al === '>' || al === '=') return f.repeat(pad) + body
  const left = Math.floor(pad / 2)
  return f.repeat(left) + body + f.repeat(pad - left)
}

// ------------------------------------------------------------------------------------------------------------
// list and dict methods

function listMethod(list: Py[], name: string): PyCallable {
  const m = (fn: (a: CallArgs) => Py): PyCallable => method(`list.${name}`, fn)
  switch (name) {
    case 'index':
      return m((a) => {
        const [x] = bind(name, a, ['value', 'start', 'stop'], [0, list.length])
        const i = list.findIndex((e) => pyEq(e, x!))
        if (i < 0) throw new JinjaError(`${pyRepr(x)} is not in list`, 'ValueError')
        return i
      })
    case 'count':
      return m((a) => {
        const [x] = bind(name, a, ['value'])
        return list.filter((e) => pyEq(e, x!)).length
      })
    default:
      return m(() => list.slice())
  }
}

function dictMethod(d: Map<Py, Py>, name: string): PyCallable {
  const m = (fn: (a: CallArgs) => Py): PyCallable => method(`dict.${name}`, fn)
  switch (name) {
    case 'items':
      return m(() => [...d].map(([k, v]) => tuple([k, v])))
    case 'keys':
      return m(() => [...d.keys()])
    case 'values':
      return m(() => [...d.values()])
    case 'get':
      return m((a) => {
        const [k, dflt] = bind(name, a, ['key', 'default'], [null])
        const v = dictGet(d, k!)
        return v === MISSING ? dflt! : v
      })
    case 'copy':
      return m(() => new Map(d))
    default:
      return m(() => {
        throw new JinjaError(`dict.${name} is not supported`)
      })
  }
}

// ------------------------------------------------------------------------------------------------------------
// operators

function checkUndef(...vs: Py[]): void {
  for (const v of vs) if (v instanceof Undef) v.fail()
}

function arith(op: string, a: Py, b: Py): Py {
  if (!isNumber(a) || !isNumber(b))
    throw new JinjaError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`)
  const isFloat = a instanceof PyFloat || b instanceof PyFloat
  const x = numOf(a)
  const y = numOf(b)
  const wrap = (r: number): Py => (isFloat ? new PyFloat(r) : r)
  switch (op) {
    case '+':
      return wrap(x + y)
    case '-':
      return wrap(x - y)
    case '*':
      return wrap(x * y)
    case '/':
      if (y === 0) throw new JinjaError('division by zero', 'ZeroDivisionError')
      return new PyFloat(x / y)
    case '//':
      if (y === 0) throw new JinjaError('integer division or modulo by zero', 'ZeroDivisionError')
      return wrap(Math.floor(x / y))
    case '%': {
      if (y === 0) throw new JinjaError('integer modulo by zero', 'ZeroDivisionError')
      const r = x % y
      return wrap(r !== 0 && r < 0 !== y < 0 ? r + y : r)
    }
    case '**': {
      const r = x ** y
      if (!isFloat && y < 0) return new PyFloat(r)
      if (!isFloat && !Number.isSafeInteger(r)) checkSize(Math.ceil(Math.log10(Math.abs(r) + 1)))
      return wrap(r)
    }
  }
  throw new JinjaError(`unknown operator ${op}`)
}

function repeat(seq: Py, n: Py): Py {
  const count = Math.max(0, Number(n))
  if (typeof seq === 'string' || seq instanceof Markup) {
    const s = String(seq)
    checkSize(s.length * count)
    return s.repeat(count)
  }
  const list = seq as Py[]
  checkSize(list.length * count)
  const out: Py[] = []
  for (let i = 0; i < count; i++) out.push(...list)
  return isTuple(list) ? tuple(out) : out
}

export function binaryOp(op: string, a: Py, b: Py): Py {
  switch (op) {
    case '+': {
      checkUndef(a, b)
      if (isStr(a) && isStr(b)) {
        const r = concatMarkup(a, b)
        checkSize(String(r).length)
        return r
      }
      if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
        checkSize(a.length + b.length)
        const r = [...a, ...b]
        return isTuple(a) ? tuple(r) : r
      }
      if (isStr(a) || Array.isArray(a)) {
        if (a instanceof Markup && !isNumber(b) && b !== null) return concatMarkup(a, pyStr(b))
        throw new JinjaError(`can only concatenate ${typeName(a)} (not "${typeName(b)}") to ${typeName(a)}`)
      }
      return arith(op, a, b)
    }
    case '*':
      checkUndef(a, b)
      if ((isStr(a) || Array.isArray(a)) && isInt(b)) return repeat(a, b)
      if ((isStr(b) || Array.isArray(b)) && isInt(a)) return repeat(b, a)
      if (isStr(a) || Array.isArray(a) || isStr(b) || Array.isArray(b)) {
        const nonInt = isStr(a) || Array.isArray(a) ? b : a
        if (isNumber(nonInt) || nonInt === null || isStr(nonInt) || Array.isArray(nonInt))
          throw new JinjaError(`can't multiply sequence by non-int of type '${typeName(nonInt)}'`)
      }
      return arith(op, a, b)
    case '%':
      checkUndef(a, b)
      if (isStr(a)) return printf(String(a), b)
      return arith(op, a, b)
    case '-':
    case '/':
    case '//':
    case '**':
      checkUndef(a, b)
      return arith(op, a, b)
    case '~': {
      const r = pyStr(a) + pyStr(b)
      checkSize(r.length)
      return r
    }
    case '==':
      return pyEq(a, b)
    case '!=':
      return !pyEq(a, b)
    case '<':
      return pyCompare(a, b, op) < 0
    case '>':
      return pyCompare(a, b, op) > 0
    case '<=':
      return pyCompare(a, b, op) <= 0
    case '>=':
      return pyCompare(a, b, op) >= 0
    case 'in':
      return contains(b, a)
    case 'not in':
      return !contains(b, a)
  }
  throw new JinjaError(`unknown operator ${op}`)
}

function concatMarkup(a: string | Markup, b: string | Markup): string | Markup {
  if (a instanceof Markup) return new Markup(a.s + (b instanceof Markup ? b.s : htmlEscape(b)))
  if (b instanceof Markup) return new Markup(htmlEscape(a) + b.s)
  return a + b
}

export function contains(container: Py, item: Py): boolean {
  if (isStr(container)) {
    if (!isStr(item))
      throw new JinjaError(`'in <string>' requires string as left operand, not ${typeName(item)}`)
    return String(container).includes(String(item))
  }
  if (container instanceof Map) return dictGet(container, item) !== MISSING
  if (Array.isArray(container)) return container.some((e) => pyEq(e, item))
  if (container instanceof Undef) {
    // Undefined has no __contains__, Python falls back to __iter__ (empty)
    return false
  }
  if (container instanceof PyIter) return container.take().some((e) => pyEq(e, item))
  throw new JinjaError(`argument of type '${typeName(container)}' is not iterable`)
}

/** str % args (printf-style), the common conversions. */
export function printf(fmt: string, args: Py): string {
  const list = Array.isArray(args) && isTuple(args) ? args : [args]
  let k = 0
  const out = fmt.replace(
    /%(\(\w+\))?([-+ #0]*)(\d+|\*)?(?:\.(\d+))?([sdirfgeExXoc%])/g,
    (_m, key, flags, width, prec, conv) => {
      if (conv === '%') return '%'
      let v: Py
      if (key) v = args instanceof Map ? (dictGet(args, key.slice(1, -1)) as Py) : null
      else {
        if (k >= list.length) throw new JinjaError('not enough arguments for format string')
        v = list[k++]!
      }
      let s: string
      switch (conv) {
        case 's':
          s = pyStr(v)
          break
        case 'r':
          s = pyRepr(v)
          break
        case 'd':
        case 'i':
          if (!isNumber(v))
            throw new JinjaError(`%${conv} format: a real number is required, not ${typeName(v)}`)
          s = String(Math.trunc(numOf(v)))
          break
        case 'f':
          if (!isNumber(v)) throw new JinjaError(`must be real number, not ${typeName(v)}`)
          s = numOf(v).toFixed(prec === undefined ? 6 : Number(prec))
          break
        default:
          s = pyStr(v)
      }
      const w = width && width !== '*' ? Number(width) : 0
      if (s.length < w)
        s = String(flags).includes('-') ? s.padEnd(w) : s.padStart(w, String(flags).includes('0') ? '0' : ' ')
      return s
    },
  )
  if (k < list.length && !(args instanceof Map) && list.length > 0 && Array.isArray(args))
    throw new JinjaError('not all arguments converted during string formatting')
  return out
}

// ------------------------------------------------------------------------------------------------------------
// json.dumps(x, ensure_ascii=False, indent, separators, sort_keys), as transformers' tojson

function jsonStr(s: string): string {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    const code = c.charCodeAt(0)
    if (c === '"') out += '\\"'
    else if (c === '\\') out += '\\\\'
    else if (c === '\n') out += '\\n'
    else if (c === '\r') out += '\\r'
    else if (c === '\t') out += '\\t'
    else if (c === '\b') out += '\\b'
    else if (c === '\f') out += '\\f'
    else if (code < 0x20) out += '\\u' + code.toString(16).padStart(4, '0')
    else out += c
  }
  return out + '"'
}

function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  return floatRepr(x)
}

export function jsonDumps(
  value: Py,
  opts: { indent: Py; separators: Py; sortKeys: boolean; ensureAscii?: boolean },
): string {
  let indentStr: string | null = null
  if (opts.indent !== null && !(opts.indent instanceof Undef)) {
    if (isStr(opts.indent)) indentStr = String(opts.indent)
    else if (isInt(opts.indent)) indentStr = ' '.repeat(Math.max(0, Number(opts.indent)))
    else throw new JinjaError(`indent must be int or str, not ${typeName(opts.indent)}`)
  }
  let itemSep = indentStr === null ? ', ' : ','
  let keySep = ': '
  if (opts.separators !== null && !(opts.separators instanceof Undef)) {
    const seps = Array.isArray(opts.separators) ? opts.separators : []
    if (seps.length !== 2) throw new JinjaError('not enough values to unpack (expected 2)', 'ValueError')
    itemSep = pyStr(seps[0]!)
    keySep = pyStr(seps[1]!)
  }
  const ascii = (s: string): string =>
    opts.ensureAscii
      ? s.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
      : s
  const enc = (v: Py, level: number): string => {
    if (level > 200)
      throw new JinjaError('maximum recursion depth exceeded while encoding a JSON object', 'RecursionError')
    if (v === null) return 'null'
    if (v === true) return 'true'
    if (v === false) return 'false'
    if (typeof v === 'number') return String(v)
    if (v instanceof PyFloat) return jsonFloat(v.v)
    if (typeof v === 'string' || v instanceof Markup) return ascii(jsonStr(String(v)))
    const nl = indentStr === null ? '' : '\n' + indentStr.repeat(level + 1)
    const end = indentStr === null ? '' : '\n' + indentStr.repeat(level)
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]'
      return '[' + nl + v.map((x) => enc(x, level + 1)).join(itemSep + nl) + end + ']'
    }
    if (v instanceof Map) {
      if (v.size === 0) return '{}'
      let entries: Array<[string, Py]> = []
      for (const [k, x] of v) {
        let key: string
        if (typeof k === 'string' || k instanceof Markup) key = String(k)
        else if (k === null) key = 'null'
        else if (k === true) key = 'true'
        else if (k === false) key = 'false'
        else if (typeof k === 'number') key = String(k)
        else if (k instanceof PyFloat) key = jsonFloat(k.v)
        else throw new JinjaError(`keys must be str, int, float, bool or None, not ${typeName(k)}`)
        entries.push([key, x])
      }
      if (opts.sortKeys) {
        const kinds = new Set([...v.keys()].map((k) => typeName(k)))
        if (kinds.size > 1)
          throw new JinjaError(
            `'<' not supported between instances of '${[...kinds][1]}' and '${[...kinds][0]}'`,
          )
        entries = [...v]
          .map(([k], i) => [k, i] as const)
          .sort((p, q) => pyCompare(p[0], q[0]))
          .map(([, i]) => entries[i]!)
      }
      return (
        '{' +
        nl +
        entries.map(([k, x]) => ascii(jsonStr(k)) + keySep + enc(x, level + 1)).join(itemSep + nl) +
        end +
        '}'
      )
    }
    if (v instanceof PyIter) throw new JinjaError(`Object of type ${v.pyTypeName} is not JSON serializable`)
    throw new JinjaError(`Object of type ${typeName(v)} is not JSON serializable`)
  }
  const out = enc(value, 0)
  checkSize(out.length)
  return out
}
