/**
 * The Python value model our chat-template interpreter works on, so that rendering matches Jinja2 as
 * transformers runs it: None / bool / int / float / str / list / tuple / dict, Jinja2's Undefined, Markup,
 * and Python's str() / repr() / equality / truthiness / comparison rules.
 *
 * Representation: None = null, bool = boolean, int = integral JS number, float = PyFloat (always boxed, so 1.0
 * prints "1.0"), str = string, list = Array, tuple = Array registered in TUPLES, dict = Map (insertion order,
 * non-string keys), Undefined = Undef, Markup = Markup, callables = PyCallable, namespace() = Namespace.
 */
import v8 from 'node:v8'

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
/** Our own bounds (time, size, work, recursion). */
export class LimitError extends Error {}

// ------------------------------------------------------------------------------------------------------------
// the bounds of the render in progress: size, work and time

/** The clock is read once every this many units of work. */
export const CLOCK_EVERY = 1024

/**
 * The bounds of the render in progress (renderTemplate sets them; renders never nest). `maxChars` bounds
 * every string and list built while rendering, and is checked BEFORE the allocation (checkSize): V8 aborts
 * the process on a heap it cannot grow, which no catch survives. `work` counts units of work: one per
 * statement, call and node a value walk visits (equality, ordering, repr, tojson, unique, sort, join, ...),
 * and about one per 64 characters or items a string or list operation reads or writes; the clock is read
 * every CLOCK_EVERY units, so a walk over a value whose nodes are shared (a list doubled forty times has
 * 2^40 paths through 41 lists) ends at the deadline or at `maxWork`, whichever comes first, instead of
 * running between two statements for hours.
 */
export const meter = {
  maxChars: 1_000_000,
  maxWork: Infinity,
  work: 0,
  deadline: Infinity,
  /** What the limit says when the deadline passes. */
  lateMessage: 'rendering took too long',
  nextClock: CLOCK_EVERY,
  /** The V8 heap this render may grow to (bytes), read with the clock; and what it was allowed to grow. */
  heapCeiling: Infinity,
  heapGrowth: 0,
}

/** Spends units of work; throws LimitError past the work bound, the deadline or the heap ceiling. */
export function spend(units: number): void {
  const m = meter
  m.work += units
  if (m.work < m.nextClock) return
  m.nextClock = (Math.floor(m.work / CLOCK_EVERY) + 1) * CLOCK_EVERY
  if (m.work > m.maxWork)
    throw new LimitError(`rendering took more than ${m.maxWork.toLocaleString('en-US')} steps`)
  if (m.deadline !== Infinity && Date.now() > m.deadline) throw new LimitError(m.lateMessage)
  // Every value is bounded, but many bounded values kept (a list of a thousand 1 MB strings) still fill
  // the heap, and V8 aborts the process when it cannot grow it: the heap is read with the clock (a
  // fifth of a microsecond) and the render ends well before that.
  if (m.heapCeiling !== Infinity && v8.getHeapStatistics().used_heap_size > m.heapCeiling)
    throw new LimitError(`rendering used more than ${Math.round(m.heapGrowth / 2 ** 20)} MiB of memory`)
}

/** The heap a render may grow to from now: `growth` bytes, less when the heap is near its own limit. */
export function heapCeiling(growth: number): { heapCeiling: number; heapGrowth: number } {
  const { used_heap_size: used, heap_size_limit: limit } = v8.getHeapStatistics()
  const allowed = Math.min(growth, Math.max(64 * 2 ** 20, 0.75 * limit - used))
  return { heapCeiling: used + allowed, heapGrowth: allowed }
}

/** The work of reading or writing n characters or items. */
export function spendOn(n: number): void {
  spend(1 + (n >>> 6))
}

/** Refuses a string of n characters before it is built. */
export function checkSize(n: number): void {
  if (n > meter.maxChars)
    throw new LimitError(`the output grew past ${meter.maxChars.toLocaleString('en-US')} characters`)
}

/**
 * What one list item weighs against the size bound, in characters: an array holds an 8-byte reference
 * per item where a string holds one or two bytes a character, so a list of n items is bounded as n * 8.
 */
export const ITEM_CHARS = 8

/** Refuses a list of n items before it is built. */
export function checkItems(n: number): void {
  checkSize(n * ITEM_CHARS)
}

/** Python's sys.maxsize: a size or width beyond it is an OverflowError before anything is allocated. */
const MAX_SSIZE = 2 ** 63 - 1

/**
 * A width, count or size as Python's C code takes it (Py_ssize_t): beyond sys.maxsize Python raises
 * OverflowError with `message` (which differs by call site), checked before our own size bound.
 */
export function ssize(n: number, message: string): number {
  if (Math.abs(n) > MAX_SSIZE) throw new JinjaError(message, 'OverflowError')
  return n
}
export const SSIZE_INT = 'Python int too large to convert to C ssize_t'
export const SSIZE_INDEX = "cannot fit 'int' into an index-sized integer"

/**
 * A string built in parts whose length is checked against the size bound as it grows. The parts are
 * joined into one string every WRITER_CHUNK pushes: a walk writes a '[' or a ', ' per node, and tens of
 * millions of tiny parts held in an array would weigh ten times the characters they hold.
 */
export class Writer {
  private readonly chunks: string[] = []
  private parts: string[] = []
  length = 0
  push(s: string): void {
    this.length += s.length
    checkSize(this.length)
    this.parts.push(s)
    if (this.parts.length >= WRITER_CHUNK) {
      this.chunks.push(this.parts.join(''))
      this.parts = []
    }
  }
  toString(): string {
    this.chunks.push(this.parts.join(''))
    this.parts = []
    return this.chunks.join('')
  }
}
const WRITER_CHUNK = 4096

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
  spendOn(s.length)
  checkSize(s.length + 2) // the repr is at least as long as the string and its quotes
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

/**
 * repr(v). Written into one Writer, so the output's size is checked while it is produced and every node
 * visited spends work: a value whose lists are shared (doubled forty times) ends at the size bound.
 */
export function pyRepr(v: unknown): string {
  const w = new Writer()
  writeRepr(w, v as Py, 0)
  return w.toString()
}

function writeRepr(w: Writer, x: Py, depth: number): void {
  spend(1)
  if (x === null) return w.push('None')
  if (x === true) return w.push('True')
  if (x === false) return w.push('False')
  if (typeof x === 'number') return w.push(String(x))
  if (typeof x === 'string') return w.push(strRepr(x))
  if (x instanceof PyFloat) return w.push(floatRepr(x.v))
  if (depth > 100) throw new LimitError('value nesting deeper than 100 levels')
  if (Array.isArray(x)) {
    const tup = TUPLES.has(x)
    w.push(tup ? '(' : '[')
    for (let i = 0; i < x.length; i++) {
      if (i > 0) w.push(', ')
      writeRepr(w, x[i]!, depth + 1) // i < x.length
    }
    return w.push(tup ? (x.length === 1 ? ',)' : ')') : ']')
  }
  if (x instanceof Map) {
    w.push('{')
    let first = true
    for (const [k, val] of x) {
      if (!first) w.push(', ')
      first = false
      writeRepr(w, k, depth + 1)
      w.push(': ')
      writeRepr(w, val, depth + 1)
    }
    return w.push('}')
  }
  if (x instanceof Undef) return w.push('Undefined')
  if (x instanceof Markup) return w.push(`Markup(${strRepr(x.s)})`)
  if (x instanceof Namespace) {
    w.push('<Namespace {')
    let first = true
    for (const [k, val] of x.attrs) {
      if (!first) w.push(', ')
      first = false
      w.push(`${strRepr(k)}: `)
      writeRepr(w, val, depth + 1)
    }
    return w.push('}>')
  }
  if (x instanceof PyCallable)
    return w.push(
      x.kind === 'macro' ? `<Macro '${x.name}'>` : `<built-in method ${x.name} object at 0x7f0000000000>`,
    )
  if (isHolder(x)) return w.push(x.repr())
  w.push(String(x))
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

/** Python's ==, every pair of nodes compared spending one unit of work (shared lists are not free). */
export function pyEq(a: Py, b: Py): boolean {
  spend(1)
  if (a === b) return true
  if (isNumber(a) && isNumber(b)) return numOf(a) === numOf(b)
  if (isStr(a) && isStr(b)) {
    const x = String(a)
    const y = String(b)
    if (x.length === y.length) spendOn(x.length)
    return x === y
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (TUPLES.has(a) !== TUPLES.has(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!pyEq(a[i]!, b[i]!)) return false // i < a.length === b.length
    return true
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
  spend(1)
  if (isNumber(a) && isNumber(b)) return numOf(a) < numOf(b) ? -1 : numOf(a) > numOf(b) ? 1 : 0
  if (isStr(a) && isStr(b)) {
    const x = String(a)
    const y = String(b)
    spendOn(Math.min(x.length, y.length))
    return compareCodePoints(x, y)
  }
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
/** Whether every code point of s is one UTF-16 unit, so that s[i] is its i-th code point. */
export function isBmp(s: string): boolean {
  spendOn(s.length)
  return !SURROGATE.test(s)
}
export function codePoints(s: string): string[] {
  spendOn(s.length)
  checkItems(s.length) // one item a character
  return SURROGATE.test(s) ? Array.from(s) : s.split('')
}
export function strLen(s: string): number {
  if (isBmp(s)) return s.length
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) n++
    else {
      const d = s.charCodeAt(i + 1)
      n++
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
  }
  return n
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
