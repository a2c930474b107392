/**
 * Attribute and subscript access as ImmutableSandboxedEnvironment does it: environment.getattr (foo.bar),
 * environment.getitem (foo[bar]), slicing (foo[a:b:c]), and the sandbox's rules for what is unsafe (dunders,
 * _private names, the mutating methods of list and dict). The bound methods it hands out are built in
 * jinja-calls.ts; this file only decides which names resolve and which are refused.
 */
import { bytesMethod, dictMethod, listMethod, strMethod } from './jinja-calls.js'
import type { FieldLookup } from './jinja-format.js'
import { PyIter } from './jinja-iteration.js'
import {
  codePoints,
  dictGet,
  isBmp,
  isHolder,
  isInt,
  isNumber,
  isStr,
  isTuple,
  Markup,
  MISSING,
  Namespace,
  PyBytes,
  PyRange,
  PyFloat,
  pyRepr,
  tuple,
  typeName,
  Undef,
  type Py,
} from './jinja-values.js'

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
    const m = strMethod(String(obj), name, FIELD_LOOKUP, obj instanceof Markup)
    return m ?? MISSING
  }
  if (Array.isArray(obj)) {
    const field = FIELDS.get(obj)?.indexOf(name) ?? -1
    if (field >= 0) return obj[field]!
    if (isTuple(obj)) return name === 'index' || name === 'count' ? listMethod(obj, name) : MISSING
    if (LIST_METHODS.has(name)) return UNSAFE_LIST.has(name) ? unsafe(obj, name) : listMethod(obj, name)
    return MISSING
  }
  if (obj instanceof Map) {
    if (DICT_METHODS.has(name)) return UNSAFE_DICT.has(name) ? unsafe(obj, name) : dictMethod(obj, name)
    return MISSING
  }
  if (obj instanceof Namespace) return obj.attrs.has(name) ? obj.attrs.get(name)! : MISSING
  if (obj instanceof PyBytes) return bytesMethod(obj, name) ?? MISSING
  if (obj instanceof PyRange) {
    if (name === 'start' || name === 'stop' || name === 'step') return obj[name]
    return name === 'index' || name === 'count' ? listMethod(obj.items(), name) : MISSING
  }
  if (isHolder(obj)) return obj.getAttr(name)
  if (obj instanceof PyIter) return MISSING
  if (isNumber(obj)) {
    if (name === 'real') return obj
    if (name === 'imag') return obj instanceof PyFloat ? new PyFloat(0) : 0
    return MISSING
  }
  return MISSING
}

/**
 * How str.format resolves `{0.name}` and `{0[key]}`: with the sandbox's own getattr and getitem. Passed
 * to the str methods rather than imported there, so the methods do not import attribute access back.
 */
const FIELD_LOOKUP: FieldLookup = { attr: (v, name) => getAttr(v, name), item: (v, key) => getItem(v, key) }

/** The tuples whose items also answer to names (collections.namedtuple; groupby's (grouper, list)). */
const FIELDS = new WeakMap<Py[], readonly string[]>()
export function namedTuple(items: Py[], fields: readonly string[]): Py[] {
  FIELDS.set(items, fields)
  return tuple(items)
}

/**
 * The attr filter's lookup: the attribute only, never the item foo.bar falls back to, and undefined when
 * there is none (jinja2.filters.do_attr); what is unsafe is unsafe as for foo.bar.
 */
export function getAttrOnly(obj: Py, name: string): Py {
  const v = pyGetattr(obj, name)
  if (v === MISSING) return new Undef(name, obj)
  if (name.startsWith('_') && !(v instanceof Undef && v.exc === 'security') && !(obj instanceof Namespace))
    return unsafe(obj, name)
  return v
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
    // A str of one UTF-16 unit per code point is indexed as it is, without an array of its characters.
    const text = Array.isArray(obj) ? '' : String(obj)
    const seq = Array.isArray(obj) ? obj : isBmp(text) ? text : codePoints(text)
    let i = Number(key)
    if (i < 0) i += seq.length
    if (i < 0 || i >= seq.length) return MISSING
    return obj instanceof Markup ? new Markup(seq[i] as string) : seq[i]!
  }
  if (obj instanceof PyRange) {
    if (!isInt(key)) return MISSING
    let i = Number(key)
    if (i < 0) i += obj.length
    return i >= 0 && i < obj.length ? obj.at(i) : MISSING
  }
  if (obj instanceof PyBytes) {
    if (!isInt(key)) return MISSING
    let i = Number(key)
    if (i < 0) i += obj.data.length
    return i >= 0 && i < obj.data.length ? obj.data[i]! : MISSING
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
