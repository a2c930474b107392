/**
 * The binary operators of Jinja2 expressions with Python's semantics: arithmetic (int / float, floor division and
 * modulo with Python's signs), + and * on str / Markup / list / tuple, ~ concatenation, comparisons, `in` /
 * `not in`, and str % args (printf-style, also the format filter). Short-circuiting `and` / `or`, `not` and
 * unary + / - are evaluated in jinja-interpreter.ts, next to the rest of expression evaluation.
 */
import { PyIter } from './jinja-iteration.js'
import { fixed } from './jinja-strings.js'
import {
  checkItems,
  checkSize,
  dictGet,
  htmlEscape,
  isInt,
  isNumber,
  isStr,
  isTuple,
  JinjaError,
  Markup,
  MISSING,
  numOf,
  pyCompare,
  pyEq,
  PyFloat,
  pyRepr,
  pyStr,
  spend,
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

/** seq * n: Python's own overflow first, then the size bound, both before anything is built. */
function repeat(seq: Py, n: Py): Py {
  const count = Math.max(0, ssize(Number(n), SSIZE_INDEX))
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

function contains(container: Py, item: Py): boolean {
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

/**
 * One conversion of str % args. The width cannot start with 0 (a 0 there is a flag, as in Python), so the
 * flags and the width never compete for the same digits: a long run of zeros costs one pass, not a pass
 * per zero.
 */
const CONVERSION = /%(\(\w+\))?([-+ #0]*)(\*|[1-9]\d*)?(?:\.(\d+))?([sdirfgeExXoc%])/g

/** Python's printf width and precision are C ssize_t: beyond sys.maxsize it is a ValueError. */
function printfNumber(digits: string | undefined, what: 'width' | 'precision'): number {
  if (digits === undefined || digits === '*') return 0
  const n = Number(digits)
  if (n > 2 ** 63 - 1) throw new JinjaError(`${what} too big`, 'ValueError')
  return n
}

/** str % args (printf-style), the common conversions. */
export function printf(fmt: string, args: Py): string {
  const list = Array.isArray(args) && isTuple(args) ? args : [args]
  let k = 0
  let produced = 0
  spendOn(fmt.length)
  const out = fmt.replace(
    CONVERSION,
    (
      _m: string,
      key: string | undefined,
      flags: string,
      width: string | undefined,
      prec: string | undefined,
      conv: string,
    ) => {
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
        case 'f': {
          if (!isNumber(v)) throw new JinjaError(`must be real number, not ${typeName(v)}`)
          const p = prec === undefined ? 6 : printfNumber(prec, 'precision')
          s = fixed(numOf(v), p)
          break
        }
        default:
          s = pyStr(v)
      }
      const w = printfNumber(width, 'width')
      if (s.length < w) {
        // The padded conversion, and the output so far, within the size bound before the pad is built.
        checkSize(produced + w)
        s = String(flags).includes('-') ? s.padEnd(w) : s.padStart(w, String(flags).includes('0') ? '0' : ' ')
      }
      produced += s.length
      checkSize(produced)
      spend(1)
      return s
    },
  )
  if (k < list.length && !(args instanceof Map) && list.length > 0 && Array.isArray(args))
    throw new JinjaError('not all arguments converted during string formatting')
  return out
}
