/**
 * The globals a chat template sees under transformers: Jinja2's defaults (range as the sandbox limits it, dict,
 * namespace, cycler, joiner, lipsum) plus raise_exception and strftime_now.
 */
import { bind } from './jinja-calls.js'
import {
  isInt,
  JinjaError,
  Namespace,
  PyCallable,
  PyRange,
  pyStr,
  RaisedError,
  typeName,
  Undef,
  type AttrHolder,
  type Py,
} from './jinja-values.js'

/** jinja2.sandbox.MAX_RANGE */
const MAX_RANGE = 100_000

/** Clock used by strftime_now; tests fix it so outputs compare with the Python reference. */
let fixedNow: Date | undefined

/** Fix the date strftime_now sees (its UTC fields are used as local time); undefined restores the real clock. */
export function setFixedNow(date: Date | undefined): void {
  fixedNow = date
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

/** C strftime (glibc, C locale), as Python's datetime.strftime calls it. */
function strftime(fmt: string, d: Date, utc: boolean): string {
  const Y = utc ? d.getUTCFullYear() : d.getFullYear()
  const m = utc ? d.getUTCMonth() : d.getMonth()
  const day = utc ? d.getUTCDate() : d.getDate()
  const H = utc ? d.getUTCHours() : d.getHours()
  const M = utc ? d.getUTCMinutes() : d.getMinutes()
  const S = utc ? d.getUTCSeconds() : d.getSeconds()
  const ms = utc ? d.getUTCMilliseconds() : d.getMilliseconds()
  const wd = utc ? d.getUTCDay() : d.getDay()
  const start = Date.UTC(Y, 0, 1)
  const yday = Math.floor((Date.UTC(Y, m, day) - start) / 86_400_000)
  const pad = (n: number, w = 2, c = '0'): string => String(n).padStart(w, c)
  const week = (firstDay: number): number => Math.floor((yday + 7 - ((wd - firstDay + 7) % 7)) / 7)
  return fmt.replace(/%([-_0^#]?)([a-zA-Z%])/g, (whole, flag: string, c: string) => {
    const num = (n: number, w = 2): string =>
      flag === '-' ? String(n) : flag === '_' ? pad(n, w, ' ') : pad(n, w)
    switch (c) {
      case 'a':
        return DAYS[wd]!.slice(0, 3)
      case 'A':
        return DAYS[wd]!
      case 'b':
      case 'h':
        return MONTHS[m]!.slice(0, 3)
      case 'B':
        return MONTHS[m]!
      case 'c':
        return `${DAYS[wd]!.slice(0, 3)} ${MONTHS[m]!.slice(0, 3)} ${pad(day, 2, ' ')} ${pad(H)}:${pad(M)}:${pad(S)} ${Y}`
      case 'd':
        return num(day)
      case 'e':
        return flag === '-' ? String(day) : pad(day, 2, ' ')
      case 'f':
        return pad(ms * 1000, 6)
      case 'H':
        return num(H)
      case 'I':
        return num(H % 12 === 0 ? 12 : H % 12)
      case 'j':
        return num(yday + 1, 3)
      case 'm':
        return num(m + 1)
      case 'M':
        return num(M)
      case 'p':
        return H < 12 ? 'AM' : 'PM'
      case 'S':
        return num(S)
      case 'U':
        return num(week(0))
      case 'W':
        return num(week(1))
      case 'w':
        return String(wd)
      case 'u':
        return String(wd === 0 ? 7 : wd)
      case 'x':
        return `${pad(m + 1)}/${pad(day)}/${pad(Y % 100)}`
      case 'X':
        return `${pad(H)}:${pad(M)}:${pad(S)}`
      case 'y':
        return num(Y % 100)
      case 'Y':
        return String(Y)
      case 'Z':
        return utc ? '' : 'UTC'
      case 'z':
        return utc ? '' : '+0000'
      case 'D':
        return `${pad(m + 1)}/${pad(day)}/${pad(Y % 100)}`
      case 'F':
        return `${Y}-${pad(m + 1)}-${pad(day)}`
      case 'T':
        return `${pad(H)}:${pad(M)}:${pad(S)}`
      case 'R':
        return `${pad(H)}:${pad(M)}`
      case 'n':
        return '\n'
      case 't':
        return '\t'
      case '%':
        return '%'
      default:
        return whole
    }
  })
}

function toInt(v: Py): number {
  if (isInt(v)) return Number(v)
  if (v instanceof Undef) v.fail()
  throw new JinjaError(`'${typeName(v)}' object cannot be interpreted as an integer`)
}

class Cycler implements AttrHolder {
  readonly pyTypeName = 'Cycler'
  private pos = 0
  constructor(private readonly items: Py[]) {}
  getAttr(name: string): Py | typeof import('./jinja-values.js').MISSING {
    if (name === 'current') return this.items[this.pos]!
    if (name === 'next')
      return new PyCallable('next', () => {
        const v = this.items[this.pos]!
        this.pos = (this.pos + 1) % this.items.length
        return v
      })
    if (name === 'reset')
      return new PyCallable('reset', () => {
        this.pos = 0
        return null
      })
    return MISSING_
  }
  repr(): string {
    return '<jinja2.utils.Cycler object at 0x7f0000000000>'
  }
}
import { MISSING as MISSING_ } from './jinja-values.js'

export function makeGlobals(): Map<string, Py> {
  const g = new Map<string, Py>()
  g.set(
    'range',
    new PyCallable('range', ({ args, kwargs }) => {
      if (kwargs.size > 0) throw new JinjaError('range() takes no keyword arguments')
      if (args.length === 0 || args.length > 3)
        throw new JinjaError(
          `range expected at ${args.length === 0 ? 'least 1' : 'most 3'} arguments, got ${args.length}`,
        )
      const [a, b, c] = args.map(toInt)
      const [start, stop, step] = args.length === 1 ? [0, a!, 1] : [a!, b!, c ?? 1]
      if (step === 0) throw new JinjaError('range() arg 3 must not be zero', 'ValueError')
      const len = Math.max(0, Math.ceil((stop - start) / step))
      if (len > MAX_RANGE)
        throw new JinjaError(
          `Range too big. The sandbox blocks ranges larger than MAX_RANGE (${MAX_RANGE}).`,
          'OverflowError',
        )
      return new PyRange(start, stop, step)
    }),
  )
  g.set(
    'dict',
    new PyCallable('dict', ({ args, kwargs }) => {
      const m = new Map<Py, Py>()
      if (args.length > 0) {
        const src = args[0]!
        if (src instanceof Map) for (const [k, v] of src) m.set(k, v)
        else throw new JinjaError(`dict() positional argument of type '${typeName(src)}' is not supported`)
      }
      for (const [k, v] of kwargs) m.set(k, v)
      return m
    }),
  )
  g.set(
    'namespace',
    new PyCallable('namespace', ({ args, kwargs }) => {
      const ns = new Namespace()
      for (const a of args) {
        if (a instanceof Map) for (const [k, v] of a) ns.attrs.set(pyStr(k), v)
        else throw new JinjaError(`'${typeName(a)}' object is not iterable`)
      }
      for (const [k, v] of kwargs) ns.attrs.set(k, v)
      return ns
    }),
  )
  g.set(
    'cycler',
    new PyCallable('cycler', ({ args }) => {
      if (args.length === 0) throw new JinjaError('at least one item has to be provided')
      return new Cycler(args)
    }),
  )
  g.set(
    'joiner',
    new PyCallable('joiner', (a) => {
      const [sep] = bind('joiner', a, ['sep'], [', '])
      let used = false
      return new PyCallable('joiner', () => {
        if (!used) {
          used = true
          return ''
        }
        return sep!
      })
    }),
  )
  g.set(
    'raise_exception',
    new PyCallable('raise_exception', (a) => {
      const [msg] = bind('raise_exception', a, ['message'])
      throw new RaisedError(pyStr(msg!))
    }),
  )
  g.set(
    'strftime_now',
    new PyCallable('strftime_now', (a) => {
      const [fmt] = bind('strftime_now', a, ['format'])
      if (typeof fmt !== 'string')
        throw new JinjaError(`strftime() argument 1 must be str, not ${typeName(fmt!)}`)
      return fixedNow ? strftime(fmt, fixedNow, true) : strftime(fmt, new Date(), false)
    }),
  )
  return g
}
