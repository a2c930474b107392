/**
 * The Python value model our chat-template interpreter works on, so that rendering matches Jinja2 as
 * transformers runs it: None / bool / int / float / str / list / tuple / dict, Jinja2's Undefined, Markup,
 * and Python's str() / repr() / equality / truthiness / comparison rules.
 *
 * Representation: None = null, bool = boolean, int = integral JS number, float = PyFloat (always boxed, so 1.0
 * prints "1.0"), str = string, list = Array, tuple = Array registered in TUPLES, dict = Map (insertion order,
 * non-string keys), Undefined = Undef, Markup = Markup, callables = PyCallable, namespace() = Namespace.
 */

export class PyFloat {
  constructor(readonly v: number) {}
}

/** Jinja2's Undefined; `exc` 'security' is the sandbox's unsafe_undefined (SecurityError when used). */
export class Undef {
  constructor(
    readonly name: unknown = undefined,
    readonly obj: unknown = MISSING,
    readonly hint: string | undefined = undefined,
    readonly exc: 'undefined' | 'security' = 'undefined',
  ) {}

  message(): string {
    if (this.hint !== undefined) return this.hint
    if (this.obj === MISSING) return `${pyRepr(this.name)} is undefined`
    if (typeof this.name !== 'string')
      return `${objectTypeRepr(this.obj)} has no element ${pyRepr(this.name)}`
    return `${pyRepr(objectTypeRepr(this.obj))} has no attribute ${pyRepr(this.name)}`
  }

  fail(): never {
    throw new JinjaError(this.message(), this.exc === 'security' ? 'SecurityError' : 'UndefinedError')
  }
}
export const MISSING = Symbol('missing')

/** markupsafe.Markup: a str that HTML-escapes what is concatenated to it. */
export class Markup {
  constructor(readonly s: string) {}
  toString(): string {
    return this.s
  }
}

export class Namespace {
  readonly attrs = new Map<string, Py>()
}

export interface CallArgs {
  args: Py[]
  kwargs: Map<string, Py>
}

export class PyCallable {
  constructor(
    readonly name: string,
    readonly fn: (a: CallArgs) => Py,
    readonly kind: 'builtin' | 'method' | 'macro' = 'builtin',
  ) {}
}

/** Anything the loop object or other runtime helpers expose as attributes. */
export interface AttrHolder {
  pyTypeName: string
  getAttr(name: string): Py | typeof MISSING
  repr(): string
}

export type Py =
  | null
  | boolean
  | number
  | string
  | PyFloat
  | Py[]
  | Map<Py, Py>
  | Undef
  | Markup
  | Namespace
  | PyCallable
  | AttrHolder

const TUPLES = new WeakSet<Py[]>()
export function tuple(items: Py[]): Py[] {
  TUPLES.add(items)
  return items
}
export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && TUPLES.has(v as Py[])
}

/** Errors Jinja2 would raise (TypeError, UndefinedError, SecurityError, ...). */
export class JinjaError extends Error {
  constructor(
    message: string,
    readonly pyType = 'TypeError',
  ) {
    super(message)
  }
}
/** The template's own raise_exception(msg). */
export class RaisedError extends Error {}
/** Our own bounds (time, size, recursion). */
export class LimitError extends Error {}

export function isHolder(v: unknown): v is AttrHolder {
  return typeof v === 'object' && v !== null && typeof (v as AttrHolder).getAttr === 'function'
}
export function isStr(v: Py): v is string | Markup {
  return typeof v === 'string' || v instanceof Markup
}
export function isInt(v: Py): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean'
}
export function isNumber(v: Py): v is number | boolean | PyFloat {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat
}
export function numOf(v: number | boolean | PyFloat): number {
  return v instanceof PyFloat ? v.v : Number(v)
}
export function isDict(v: Py): v is Map<Py, Py> {
  return v instanceof Map
}

export function typeName(v: Py): string {
  if (v === null) return 'NoneType'
  switch (typeof v) {
    case 'boolean':
      return 'bool'
    case 'number':
      return 'int'
    case 'string':
      return 'str'
  }
  if (v instanceof PyFloat) return 'float'
  if (Array.isArray(v)) return TUPLES.has(v) ? 'tuple' : 'list'
  if (v instanceof Map) return 'dict'
  if (v instanceof Undef) return 'Undefined'
  if (v instanceof Markup) return 'Markup'
  if (v instanceof Namespace) return 'Namespace'
  if (v instanceof PyCallable) return v.kind === 'macro' ? 'Macro' : 'builtin_function_or_method'
  if (isHolder(v)) return v.pyTypeName
  return 'object'
}

/** jinja2.utils.object_type_repr */
function objectTypeRepr(obj: unknown): string {
  if (obj === null) return 'None'
  return `${typeName(obj as Py)} object`
}

// ------------------------------------------------------------------------------------------------------------
// str() and repr()

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u

function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0')
    else if (cp < 0x7f || ch === ' ') out += ch
    else if (NON_PRINTABLE.test(ch)) {
      if (cp <= 0xff) out += '\\x' + cp.toString(16).padStart(2, '0')
      else if (cp <= 0xffff) out += '\\u' + cp.toString(16).padStart(4, '0')
      else out += '\\U' + cp.toString(16).padStart(8, '0')
    } else out += ch
  }
  return out + quote
}

/** repr(float) */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (x === Infinity) return 'inf'
  if (x === -Infinity) return '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const [mant, expStr] = x.toExponential().split('e') as [string, string]
  const exp = Number(expStr)
  const neg = mant.startsWith('-')
  const digits = mant.replace('-', '').replace('.', '')
  let body: string
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
      body = `${intPart}.${digits.slice(exp + 1) || '0'}`
    } else body = `0.${'0'.repeat(-exp - 1)}${digits}`
  } else {
    const sign = exp < 0 ? '-' : '+'
    body = `${digits[0]}${digits.length > 1 ? '.' + digits.slice(1) : ''}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`
  }
  return (neg ? '-' : '') + body
}

export function pyRepr(v: unknown, depth = 0): string {
  const x = v as Py
  if (x === null) return 'None'
  if (x === true) return 'True'
  if (x === false) return 'False'
  if (typeof x === 'number') return String(x)
  if (typeof x === 'string') return strRepr(x)
  if (x instanceof PyFloat) return floatRepr(x.v)
  if (depth > 100) throw new LimitError('value nesting deeper than 100 levels')
  if (Array.isArray(x)) {
    const inner = x.map((e) => pyRepr(e, depth + 1)).join(', ')
    if (TUPLES.has(x)) return x.length === 1 ? `(${inner},)` : `(${inner})`
    return `[${inner}]`
  }
  if (x instanceof Map) {
    const parts: string[] = []
    for (const [k, val] of x) parts.push(`${pyRepr(k, depth + 1)}: ${pyRepr(val, depth + 1)}`)
    return `{${parts.join(', ')}}`
  }
  if (x instanceof Undef) return 'Undefined'
  if (x instanceof Markup) return `Markup(${strRepr(x.s)})`
  if (x instanceof Namespace) {
    const parts: string[] = []
    for (const [k, val] of x.attrs) parts.push(`${strRepr(k)}: ${pyRepr(val, depth + 1)}`)
    return `<Namespace {${parts.join(', ')}}>`
  }
  if (x instanceof PyCallable)
    return x.kind === 'macro' ? `<Macro '${x.name}'>` : `<built-in method ${x.name} object at 0x7f0000000000>`
  if (isHolder(x)) return x.repr()
  return String(x)
}

/** str(v) as Jinja2 prints it ({{ v }}): Undefined prints as ''. */
export function pyStr(v: Py): string {
  if (typeof v === 'string') return v
  if (v instanceof Undef) return ''
  if (v instanceof Markup) return v.s
  return pyRepr(v)
}

// ------------------------------------------------------------------------------------------------------------
// truthiness, equality, ordering

export function truthy(v: Py): boolean {
  if (v === null || v === false) return false
  if (v === true) return true
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'string') return v.length > 0
  if (v instanceof PyFloat) return v.v !== 0
  if (Array.isArray(v)) return v.length > 0
  if (v instanceof Map) return v.size > 0
  if (v instanceof Undef) return false
  if (v instanceof Markup) return v.s.length > 0
  return true
}

export function pyEq(a: Py, b: Py): boolean {
  if (a === b) return true
  if (isNumber(a) && isNumber(b)) return numOf(a) === numOf(b)
  if (isStr(a) && isStr(b)) return String(a) === String(b)
  if (Array.isArray(a) && Array.isArray(b)) {
    if (TUPLES.has(a) !== TUPLES.has(b) || a.length !== b.length) return false
    return a.every((x, i) => pyEq(x, b[i]!))
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false
    for (const [k, v] of a) {
      const other = dictGet(b, k)
      if (other === MISSING || !pyEq(v, other)) return false
    }
    return true
  }
  if (a instanceof Undef && b instanceof Undef) return true
  return false
}

/** Dict lookup with Python key equality (1 == 1.0 == True). */
export function dictGet(d: Map<Py, Py>, key: Py): Py | typeof MISSING {
  if (d.has(key)) return d.get(key)!
  if (key instanceof PyFloat || typeof key === 'boolean' || key instanceof Markup || Array.isArray(key)) {
    for (const [k, v] of d) if (pyEq(k, key)) return v
  } else if (typeof key === 'number') {
    for (const [k, v] of d) if ((k instanceof PyFloat || typeof k === 'boolean') && pyEq(k, key)) return v
  }
  return MISSING
}

/** Python's <, used by comparisons and sort: throws TypeError for unorderable types. */
export function pyCompare(a: Py, b: Py, op = '<'): number {
  if (isNumber(a) && isNumber(b)) return numOf(a) < numOf(b) ? -1 : numOf(a) > numOf(b) ? 1 : 0
  if (isStr(a) && isStr(b)) return compareCodePoints(String(a), String(b))
  if (Array.isArray(a) && Array.isArray(b) && TUPLES.has(a) === TUPLES.has(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEq(a[i]!, b[i]!)) return pyCompare(a[i]!, b[i]!, op)
    }
    return a.length - b.length
  }
  if (a instanceof Undef) a.fail()
  if (b instanceof Undef) b.fail()
  throw new JinjaError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`)
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!
    const cb = b.codePointAt(i)!
    if (ca !== cb) return ca < cb ? -1 : 1
    if (ca > 0xffff) i++
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
}

// ------------------------------------------------------------------------------------------------------------
// strings as sequences of code points

const SURROGATE = /[\uD800-\uDFFF]/
export function codePoints(s: string): string[] {
  return SURROGATE.test(s) ? Array.from(s) : s.split('')
}
export function strLen(s: string): number {
  return SURROGATE.test(s) ? Array.from(s).length : s.length
}

export function htmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/>/g, '&gt;')
    .replace(/</g, '&lt;')
    .replace(/'/g, '&#39;')
    .replace(/"/g, '&#34;')
}

// ------------------------------------------------------------------------------------------------------------
// conversion from / to JSON-like JS values

export function fromJs(v: unknown, depth = 0): Py {
  if (v === undefined) return new Undef()
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v
  if (typeof v === 'number') return Number.isInteger(v) ? v : new PyFloat(v)
  if (typeof v === 'bigint') return Number(v)
  if (depth > 200) throw new LimitError('input nesting deeper than 200 levels')
  if (Array.isArray(v)) return v.map((x) => fromJs(x, depth + 1))
  if (v instanceof Map) {
    const m = new Map<Py, Py>()
    for (const [k, x] of v) m.set(fromJs(k, depth + 1), fromJs(x, depth + 1))
    return m
  }
  if (typeof v === 'object') {
    const m = new Map<Py, Py>()
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue
      m.set(k, fromJs(x, depth + 1))
    }
    return m
  }
  if (typeof v === 'function') {
    const f = v as (...a: unknown[]) => unknown
    return new PyCallable(f.name || 'function', ({ args }) => fromJs(f(...args)))
  }
  return (v as symbol).toString() // every other type is handled above
}
