/**
 * The binary operators of Jinja2 expressions with Python's semantics: arithmetic (int / float, floor division and
 * modulo with Python's signs), + and * on str / Markup / list / tuple, ~ concatenation, comparisons, `in` /
 * `not in`, and str % args (written by jinja-format.ts). Short-circuiting `and` / `or`, `not` and
 * unary + / - are evaluated in jinja-interpreter.ts, next to the rest of expression evaluation.
 */
import { PyIter } from './jinja-iteration.js'
import { printf } from './jinja-format.js'
import {
  bigOf,
  bitLength,
  checkIntBits,
  checkItems,
  checkSize,
  dictGet,
  DictView,
  floatOf,
  floatRepr,
  normInt,
  htmlEscape,
  isInt,
  isNumber,
  isStr,
  isTuple,
  JinjaError,
  Markup,
  MISSING,
  numCompare,
  pyCompare,
  pyEq,
  PyBytes,
  PyRange,
  PyFloat,
  pyStr,
  spendOn,
  ssize,
  SSIZE_INDEX,
  tuple,
  typeName,
  Undef,
  type Py,
} from './jinja-values.js'

function checkUndef(...vs: Py[]): void {
  for (const v of vs) if (v instanceof Undef) v.fail()
}

function arith(op: string, a: Py, b: Py): Py {
  if (!isNumber(a) || !isNumber(b))
    throw new JinjaError(
      `unsupported operand type(s) for ${op === '**' ? '** or pow()' : op}: '${typeName(a)}' and '${typeName(b)}'`,
    )
  if (a instanceof PyFloat || b instanceof PyFloat) return floatArith(op, floatOf(a), floatOf(b))
  if (typeof a !== 'bigint' && typeof b !== 'bigint') {
    const r = smallIntArith(op, Number(a), Number(b))
    if (r !== undefined) return r
  }
  return bigIntArith(op, bigOf(a), bigOf(b))
}

const ZERO_POWER = '0.0 cannot be raised to a negative power'

/**
 * int op int on plain numbers, or undefined when the exact result leaves the safe range (then the
 * bigint path computes it): within the range every one of these is exact in doubles.
 */
function smallIntArith(op: string, x: number, y: number): Py | undefined {
  let r: number
  switch (op) {
    case '+':
      r = x + y
      break
    case '-':
      r = x - y
      break
    case '*':
      r = x * y
      break
    case '/':
      if (y === 0) throw new JinjaError('division by zero', 'ZeroDivisionError')
      return new PyFloat(x / y) // both exact doubles: the quotient is correctly rounded, as Python's
    case '//':
    case '%': {
      if (y === 0)
        throw new JinjaError(
          op === '%' ? 'integer modulo by zero' : 'integer division or modulo by zero',
          'ZeroDivisionError',
        )
      let m = x % y // exact on integers
      let q = (x - m) / y
      if (m !== 0 && m < 0 !== y < 0) {
        m += y
        q -= 1
      }
      return (op === '%' ? m : q) + 0 // + 0: no negative zero for an int
    }
    case '**':
      if (y < 0) {
        if (x === 0) throw new JinjaError(ZERO_POWER, 'ZeroDivisionError')
        return new PyFloat(x ** y)
      }
      return smallPow(x, y)
    default:
      throw new JinjaError(`unknown operator ${op}`)
  }
  return Number.isSafeInteger(r) ? r + 0 : undefined
}

/** x ** y by squaring while every product is exact; undefined when one would leave the safe range. */
function smallPow(x: number, y: number): number | undefined {
  let result = 1
  let base = x
  for (let e = y; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) {
      result *= base
      if (!Number.isSafeInteger(result)) return undefined
    }
    if (e > 1) {
      base *= base
      if (!Number.isSafeInteger(base)) return undefined
    }
  }
  return result + 0
}

/** int op int beyond 2^53: exact, each result's size checked before V8 builds it. */
function bigIntArith(op: string, x: bigint, y: bigint): Py {
  switch (op) {
    case '+':
    case '-':
      checkIntBits(Math.max(bitLength(x), bitLength(y)) + 1)
      return normInt(op === '+' ? x + y : x - y)
    case '*':
      checkIntBits(bitLength(x) + bitLength(y))
      return normInt(x * y)
    case '/': {
      if (y === 0n) throw new JinjaError('division by zero', 'ZeroDivisionError')
      // Both scaled into doubles' range first: the quotient of two huge ints may still be a float.
      const shift = BigInt(Math.max(0, Math.max(bitLength(x), bitLength(y)) - 1000))
      const r = Number(x >> shift) / Number(y >> shift)
      if (!Number.isFinite(r))
        throw new JinjaError('integer division result too large for a float', 'OverflowError')
      return new PyFloat(r)
    }
    case '//':
    case '%': {
      if (y === 0n)
        throw new JinjaError(
          op === '%' ? 'integer modulo by zero' : 'integer division or modulo by zero',
          'ZeroDivisionError',
        )
      spendOn(bitLength(x) / 8)
      let m = x % y
      let q = x / y
      if (m !== 0n && m < 0n !== y < 0n) {
        m += y
        q -= 1n
      }
      return normInt(op === '%' ? m : q)
    }
    case '**': {
      if (y < 0n) {
        if (x === 0n) throw new JinjaError(ZERO_POWER, 'ZeroDivisionError')
        return new PyFloat(floatOf(normInt(x)) ** Number(y))
      }
      if (x === 0n || x === 1n) return y === 0n ? 1 : Number(x)
      if (x === -1n) return y % 2n === 0n ? 1 : -1
      checkIntBits(bitLength(x) * Number(y)) // before V8 builds it; a huge y fails here
      return normInt(x ** y)
    }
  }
  throw new JinjaError(`unknown operator ${op}`)
}

/** float op float with Python's errors and its floor division and modulo (floatobject.c's divmod). */
function floatArith(op: string, x: number, y: number): Py {
  switch (op) {
    case '+':
      return new PyFloat(x + y)
    case '-':
      return new PyFloat(x - y)
    case '*':
      return new PyFloat(x * y)
    case '/':
      if (y === 0) throw new JinjaError('float division by zero', 'ZeroDivisionError')
      return new PyFloat(x / y)
    case '//':
    case '%': {
      if (y === 0)
        throw new JinjaError(
          op === '%' ? 'float modulo' : 'float floor division by zero',
          'ZeroDivisionError',
        )
      let mod = x % y
      let div = (x - mod) / y
      if (mod !== 0) {
        if (y < 0 !== mod < 0) {
          mod += y
          div -= 1
        }
      } else mod = y < 0 ? -0 : 0
      if (op === '%') return new PyFloat(mod)
      let floordiv: number
      if (div !== 0) {
        floordiv = Math.floor(div)
        if (div - floordiv > 0.5) floordiv += 1
      } else floordiv = x / y < 0 || Object.is(x / y, -0) ? -0 : 0
      return new PyFloat(floordiv)
    }
    case '**': {
      if (x === 1 || (x === -1 && !Number.isFinite(y))) return new PyFloat(1) // C pow, not JS **
      if (x === 0 && y < 0) throw new JinjaError(ZERO_POWER, 'ZeroDivisionError')
      const r = x ** y
      // A negative base to a fractional power is a complex number in Python, which we do not model
      if (Number.isNaN(r) && x < 0 && Number.isFinite(y))
        throw new JinjaError(`${floatRepr(x)} ** ${floatRepr(y)} is a complex number, which is not supported`)
      if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y))
        throw new JinjaError("(34, 'Numerical result out of range')", 'OverflowError')
      return new PyFloat(r)
    }
  }
  throw new JinjaError(`unknown operator ${op}`)
}

/** Unary - and + (the interpreter's, here beside the binary ones): bool becomes int, ints stay exact. */
export function unaryOp(op: string, v: Py): Py {
  if (v instanceof Undef) v.fail()
  if (typeof v === 'bigint') return op === '-' ? normInt(-v) : v
  if (typeof v === 'number' || typeof v === 'boolean') return (op === '-' ? -Number(v) : Number(v)) + 0
  if (v instanceof PyFloat) return new PyFloat(op === '-' ? -v.v : v.v)
  throw new JinjaError(`bad operand type for unary ${op}: '${typeName(v)}'`)
}

/** seq * n: Python's own overflow first, then the size bound, both before anything is built. */
function repeat(seq: Py, n: Py): Py {
  const count = Math.max(0, ssize(Number(n), SSIZE_INDEX))
  if (seq instanceof PyBytes) {
    checkSize(seq.data.length * count)
    spendOn(seq.data.length * count)
    const r = new Uint8Array(seq.data.length * count)
    for (let i = 0; i < count; i++) r.set(seq.data, i * seq.data.length)
    return new PyBytes(r)
  }
  if (typeof seq === 'string' || seq instanceof Markup) {
    const s = String(seq)
    checkSize(s.length * count)
    spendOn(s.length * count)
    const r = s.repeat(count)
    return seq instanceof Markup ? new Markup(r) : r
  }
  const list = seq as Py[]
  checkItems(list.length * count)
  spendOn(list.length * count)
  const out: Py[] = []
  for (let i = 0; i < count; i++) for (const x of list) out.push(x)
  return isTuple(list) ? tuple(out) : out
}

export function binaryOp(op: string, a: Py, b: Py): Py {
  switch (op) {
    case '+': {
      checkUndef(a, b)
      if (isStr(a) && isStr(b)) {
        checkSize(String(a).length + String(b).length)
        const r = concatMarkup(a, b)
        checkSize(String(r).length)
        return r
      }
      if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
        checkItems(a.length + b.length)
        spendOn(a.length + b.length)
        const r = [...a, ...b]
        return isTuple(a) ? tuple(r) : r
      }
      if (a instanceof PyBytes) {
        if (!(b instanceof PyBytes)) throw new JinjaError(`can't concat ${typeName(b)} to bytes`)
        checkSize(a.data.length + b.data.length)
        const r = new Uint8Array(a.data.length + b.data.length)
        r.set(a.data)
        r.set(b.data, a.data.length)
        return new PyBytes(r)
      }
      if (isStr(a) || Array.isArray(a)) {
        if (a instanceof Markup && !isNumber(b) && b !== null) return concatMarkup(a, pyStr(b))
        throw new JinjaError(`can only concatenate ${typeName(a)} (not "${typeName(b)}") to ${typeName(a)}`)
      }
      return arith(op, a, b)
    }
    case '*':
      checkUndef(a, b)
      if (a instanceof PyBytes && isInt(b)) return repeat(a, b)
      if (b instanceof PyBytes && isInt(a)) return repeat(b, a)
      if ((isStr(a) || Array.isArray(a)) && isInt(b)) return repeat(a, b)
      if ((isStr(b) || Array.isArray(b)) && isInt(a)) return repeat(b, a)
      if (isStr(a) || Array.isArray(a) || isStr(b) || Array.isArray(b)) {
        const nonInt = isStr(a) || Array.isArray(a) ? b : a
        if (isNumber(nonInt) || nonInt === null || isStr(nonInt) || Array.isArray(nonInt))
          throw new JinjaError(`can't multiply sequence by non-int of type '${typeName(nonInt)}'`)
      }
      return arith(op, a, b)
    case '%':
      // str % x is str's own: an undefined x is formatted (as ''), not failed
      checkUndef(a)
      if (a instanceof Markup) return new Markup(printf(a.s, b, true))
      if (typeof a === 'string') return printf(a, b)
      checkUndef(b)
      return arith(op, a, b)
    case '-':
    case '/':
    case '//':
    case '**':
      checkUndef(a, b)
      return arith(op, a, b)
    case '~': {
      const x = pyStr(a)
      const y = pyStr(b)
      checkSize(x.length + y.length)
      return x + y
    }
    case '==':
      return pyEq(a, b)
    case '!=':
      return !pyEq(a, b)
    case '<':
    case '>':
    case '<=':
    case '>=':
      return compareOp(op, a, b)
    case 'in':
      return contains(b, a)
    case 'not in':
      return !contains(b, a)
  }
  throw new JinjaError(`unknown operator ${op}`)
}

/**
 * a < b and the others as Python evaluates them: numbers directly, so that NaN is neither smaller, equal
 * nor larger (every comparison with it is False); the rest through the three-way pyCompare.
 */
export function compareOp(op: string, a: Py, b: Py): boolean {
  const c = isNumber(a) && isNumber(b) ? numCompare(a, b) : pyCompare(a, b, op)
  if (op === '<') return c < 0
  if (op === '>') return c > 0
  if (op === '<=') return c <= 0
  return c >= 0
}

function concatMarkup(a: string | Markup, b: string | Markup): string | Markup {
  if (a instanceof Markup) return new Markup(a.s + (b instanceof Markup ? b.s : htmlEscape(b)))
  if (b instanceof Markup) return new Markup(htmlEscape(a) + b.s)
  return a + b
}

function contains(container: Py, item: Py): boolean {
  if (isStr(container)) {
    if (!isStr(item))
      throw new JinjaError(`'in <string>' requires string as left operand, not ${typeName(item)}`)
    return String(container).includes(String(item))
  }
  if (container instanceof Map) return dictGet(container, item) !== MISSING
  if (Array.isArray(container)) return container.some((e) => pyEq(e, item))
  if (container instanceof DictView) {
    if (container.kind === 'keys') return dictGet(container.dict, item) !== MISSING
    if (container.kind === 'items' && Array.isArray(item) && isTuple(item) && item.length === 2) {
      const v = dictGet(container.dict, item[0]!)
      return v !== MISSING && pyEq(v, item[1]!)
    }
    return container.items().some((e) => pyEq(e, item))
  }
  if (container instanceof PyRange) {
    // an int is found by arithmetic; anything else compared with each item, as Python falls back to
    if (typeof item === 'number' || typeof item === 'boolean') {
      const n = Number(item)
      const { start, step, length } = container
      const k = (n - start) / step
      return Number.isInteger(k) && k >= 0 && k < length
    }
    return container.items().some((e) => pyEq(e, item))
  }
  if (container instanceof PyBytes) {
    const data = container.data
    if (isInt(item)) {
      const n = Number(item)
      if (n < 0 || n > 255) throw new JinjaError('byte must be in range(0, 256)', 'ValueError')
      return data.includes(n)
    }
    if (!(item instanceof PyBytes))
      throw new JinjaError(`a bytes-like object is required, not '${typeName(item)}'`)
    spendOn(data.length)
    return Buffer.from(data).includes(Buffer.from(item.data))
  }
  if (container instanceof Undef) {
    // Undefined has no __contains__, Python falls back to __iter__ (empty)
    return false
  }
  if (container instanceof PyIter) {
    // `in` consumes the generator up to the item found, leaving the rest
    for (let e = container.next(); e !== MISSING; e = container.next()) if (pyEq(e, item)) return true
    return false
  }
  throw new JinjaError(`argument of type '${typeName(container)}' is not iterable`)
}
