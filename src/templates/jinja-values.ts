/**
 * The Python value model our chat-template interpreter works on, so that rendering matches Jinja2 as
 * transformers runs it: None / bool / int / float / str / list / tuple / dict, Jinja2's Undefined, Markup,
 * and Python's str() / repr() / equality / truthiness / comparison rules.
 *
 * Representation: None = null, bool = boolean, int = integral JS number, or a bigint for an int beyond 2^53
 * (never one within it: normInt keeps one int one spelling, so === and Map keys still compare ints), float =
 * PyFloat (always boxed, so 1.0 prints "1.0"), str = string, list = Array, tuple = Array registered in TUPLES,
 * dict = Map (insertion order, non-string keys), Undefined = Undef, Markup = Markup, callables = PyCallable,
 * namespace() = Namespace.
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

/** Python's bytes, as str.encode makes them: printed as b'...', compared and indexed byte by byte. */
export class PyBytes {
  constructor(readonly data: Uint8Array) {}
}

/** range(start, stop, step): a sequence of ints, printed as range(...), not a list. */
export class PyRange {
  readonly length: number
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {
    this.length = Math.max(0, Math.ceil((stop - start) / step))
  }
  at(i: number): number {
    return this.start + i * this.step
  }
  /** Its items, as the list that iterating it gives (the sandbox keeps a range to 100,000 items). */
  items(): number[] {
    spendOn(this.length)
    checkItems(this.length)
    return Array.from({ length: this.length }, (_, i) => this.at(i))
  }
}

/** dict.keys(), values() and items(): views of the dict, iterated again and again, printed as such. */
export class DictView {
  constructor(
    readonly dict: Map<Py, Py>,
    readonly kind: 'keys' | 'values' | 'items',
  ) {}
  get pyTypeName(): string {
    return `dict_${this.kind}`
  }
  /** The items it gives, in the dict's order. */
  items(): Py[] {
    spendOn(this.dict.size)
    checkItems(this.dict.size)
    if (this.kind === 'keys') return [...this.dict.keys()]
    if (this.kind === 'values') return [...this.dict.values()]
    return Array.from(this.dict, ([k, v]) => tuple([k, v]))
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
  | bigint
  | string
  | PyFloat
  | Py[]
  | Map<Py, Py>
  | Undef
  | Markup
  | PyBytes
  | PyRange
  | DictView
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
export function isInt(v: Py): v is number | boolean | bigint {
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint'
}
export function isNumber(v: Py): v is number | boolean | bigint | PyFloat {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat || typeof v === 'bigint'
}
/** The value as a double: an int beyond 2^53 rounded, as Python's float(int) rounds it (see floatOf). */
export function numOf(v: number | boolean | bigint | PyFloat): number {
  return v instanceof PyFloat ? v.v : Number(v)
}

// ------------------------------------------------------------------------------------------------------------
// integers beyond 2^53: a bigint, only there, so the common ints stay plain numbers

/** One int, one spelling: a bigint within the safe range becomes the number it equals. */
export function normInt(b: bigint): number | bigint {
  return b >= -MAX_SAFE_BIG && b <= MAX_SAFE_BIG ? Number(b) : b
}
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER)

/** An int (or bool) as a bigint, for the arithmetic that leaves the safe range. */
export function bigOf(v: number | boolean | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(Number(v))
}

/** float(v) for a number: OverflowError for an int past the largest double, as Python raises. */
export function floatOf(v: number | boolean | bigint | PyFloat): number {
  const x = numOf(v)
  if (typeof v === 'bigint' && !Number.isFinite(x))
    throw new JinjaError('int too large to convert to float', 'OverflowError')
  return x
}

/**
 * Python's limit on int <-> str conversion (sys.int_info.default_max_str_digits, 3.11 and later): more
 * digits is a ValueError, which also keeps every int we print short.
 */
export const MAX_INT_DIGITS = 4300
const INT_DIGITS_MESSAGE = `Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`

/** repr(int) / str(int). A bigint past 4300 digits is refused before its digits are made. */
export function intRepr(v: number | bigint): string {
  if (typeof v === 'number') return String(v)
  // 2^14285 has 4301 digits: a bigint of more bits is surely too long; one of fewer is checked after.
  const bits = (v < 0n ? -v : v).toString(16).length * 4
  const text = bits > 14_300 ? '' : v.toString()
  if (text === '' || text.length - (v < 0n ? 1 : 0) > MAX_INT_DIGITS)
    throw new JinjaError(
      `${INT_DIGITS_MESSAGE}; use sys.set_int_max_str_digits() to increase the limit`,
      'ValueError',
    )
  return text
}

/** int(text) for a string of decimal digits (sign and underscores already checked by the caller). */
export function parseDecimalInt(digits: string): number | bigint {
  const n = digits.replace(/^[+-]/, '').length
  if (n > MAX_INT_DIGITS)
    throw new JinjaError(
      `${INT_DIGITS_MESSAGE}: value has ${n} digits; use sys.set_int_max_str_digits() to increase the limit`,
      'ValueError',
    )
  if (n < 16) return Number(digits)
  return normInt(BigInt(digits))
}

/**
 * The size of an int about to be made from operands of these bit lengths: refused past the size bound (a
 * bigint of b bits weighs b / 8 characters) before V8 builds it, and its limbs counted as work.
 */
export function checkIntBits(bits: number): void {
  checkSize(Math.ceil(bits / 8))
  spendOn(bits / 8)
}
export function bitLength(v: number | boolean | bigint): number {
  if (typeof v !== 'bigint') return Math.max(1, Math.ceil(Math.log2(Math.abs(Number(v)) + 1)))
  return (v < 0n ? -v : v).toString(16).length * 4
}

/** Exact ==, < and > between any two numbers (ints of any size, floats, bools). */
export function numCompare(
  a: number | boolean | bigint | PyFloat,
  b: number | boolean | bigint | PyFloat,
): number {
  const x = a instanceof PyFloat ? a.v : typeof a === 'boolean' ? Number(a) : a
  const y = b instanceof PyFloat ? b.v : typeof b === 'boolean' ? Number(b) : b
  return x < y ? -1 : x > y ? 1 : x == y ? 0 : NaN
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
    case 'bigint':
      return 'int'
    case 'string':
      return 'str'
  }
  if (v instanceof PyFloat) return 'float'
  if (Array.isArray(v)) return TUPLES.has(v) ? 'tuple' : 'list'
  if (v instanceof Map) return 'dict'
  if (v instanceof Undef) return 'Undefined'
  if (v instanceof Markup) return 'Markup'
  if (v instanceof PyBytes) return 'bytes'
  if (v instanceof PyRange) return 'range'
  if (v instanceof DictView) return v.pyTypeName
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

/** repr(bytes): b'...' with \\x escapes for what is not printable ASCII. */
function bytesRepr(data: Uint8Array): string {
  spendOn(data.length)
  checkSize(data.length + 3)
  let hasSingle = false
  let hasDouble = false
  for (const b of data) {
    if (b === 0x27) hasSingle = true
    else if (b === 0x22) hasDouble = true
  }
  const quote = hasSingle && !hasDouble ? '"' : "'"
  let out = 'b' + quote
  for (const b of data) {
    const ch = String.fromCharCode(b)
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\t') out += '\\t'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (b < 0x20 || b >= 0x7f) out += '\\x' + b.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + quote
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  spendOn(Math.min(a.length, b.length))
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
  return a.length - b.length
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
  if (typeof x === 'bigint') return w.push(intRepr(x))
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
  if (x instanceof PyBytes) return w.push(bytesRepr(x.data))
  if (x instanceof DictView) {
    w.push(`${x.pyTypeName}(`)
    writeRepr(w, x.items(), depth + 1)
    return w.push(')')
  }
  if (x instanceof PyRange) return w.push(`range(${x.start}, ${x.stop}${x.step === 1 ? '' : `, ${x.step}`})`)
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
  if (x instanceof PyCallable) return w.push(x.kind === 'macro' ? `<Macro '${x.name}'>` : builtinRepr(x.name))
  if (isHolder(x)) return w.push(x.repr())
  w.push(String(x))
}

/** A builtin's repr: 'str.upper' is a method of a str, as Python names it (the address is made up). */
function builtinRepr(name: string): string {
  const dot = name.indexOf('.')
  if (dot < 0) return `<built-in function ${name}>`
  return `<built-in method ${name.slice(dot + 1)} of ${name.slice(0, dot)} object at 0x7f0000000000>`
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
  if (v instanceof PyBytes) return v.data.length > 0
  if (v instanceof PyRange) return v.length > 0
  if (v instanceof DictView) return v.dict.size > 0
  return true
}

/** Python's ==, every pair of nodes compared spending one unit of work (shared lists are not free). */
export function pyEq(a: Py, b: Py): boolean {
  spend(1)
  if (a === b) return true
  if (isNumber(a) && isNumber(b)) return numCompare(a, b) === 0
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
  if (a instanceof PyBytes && b instanceof PyBytes) return compareBytes(a.data, b.data) === 0
  if (a instanceof DictView && b instanceof DictView) {
    // keys and items views compare as sets; values views only with themselves
    if (a.kind !== b.kind || a.kind === 'values' || a.dict.size !== b.dict.size) return false
    if (a.kind === 'keys') return [...a.dict.keys()].every((k) => dictGet(b.dict, k) !== MISSING)
    return [...a.dict].every(([k, v]) => {
      const other = dictGet(b.dict, k)
      return other !== MISSING && pyEq(v, other)
    })
  }
  if (a instanceof PyRange && b instanceof PyRange)
    // equal as sequences: same length, and the same first item and step where that matters
    return (
      a.length === b.length &&
      (a.length === 0 || (a.start === b.start && (a.length === 1 || a.step === b.step)))
    )
  return false
}

/** Dict lookup with Python key equality (1 == 1.0 == True). */
export function dictGet(d: Map<Py, Py>, key: Py): Py | typeof MISSING {
  if (d.has(key)) return d.get(key)!
  if (key instanceof PyFloat || typeof key === 'boolean' || key instanceof Markup || Array.isArray(key)) {
    for (const [k, v] of d) if (pyEq(k, key)) return v
  } else if (typeof key === 'number' || typeof key === 'bigint') {
    for (const [k, v] of d) if ((k instanceof PyFloat || typeof k === 'boolean') && pyEq(k, key)) return v
  }
  return MISSING
}

/** Python's <, used by comparisons and sort: throws TypeError for unorderable types. */
export function pyCompare(a: Py, b: Py, op = '<'): number {
  spend(1)
  if (isNumber(a) && isNumber(b)) return numCompare(a, b) || 0 // NaN compares as neither < nor >
  if (isStr(a) && isStr(b)) {
    const x = String(a)
    const y = String(b)
    spendOn(Math.min(x.length, y.length))
    return compareCodePoints(x, y)
  }
  if (a instanceof PyBytes && b instanceof PyBytes) return compareBytes(a.data, b.data)
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
  if (typeof v === 'bigint') return normInt(v)
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
