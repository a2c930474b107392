/**
 * The binary operators of Jinja2 expressions with Python's semantics: arithmetic (int / float, floor division and
 * modulo with Python's signs), + and * on str / Markup / list / tuple, ~ concatenation, comparisons, `in` /
 * `not in`, and str % args (printf-style, also the format filter). Short-circuiting `and` / `or`, `not` and
 * unary + / - are evaluated in jinja-interpreter.ts, next to the rest of expression evaluation.
 */
import { checkSize, PyIter } from './jinja-iteration.js'
import {
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

/** str % args (printf-style), the common conversions. */
export function printf(fmt: string, args: Py): string {
  const list = Array.isArray(args) && isTuple(args) ? args : [args]
  let k = 0
  const out = fmt.replace(
    /%(\(\w+\))?([-+ #0]*)(\d+|\*)?(?:\.(\d+))?([sdirfgeExXoc%])/g,
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
