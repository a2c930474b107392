/**
 * Python's three ways to format a value, as a template reaches them: str % args (printf-style, also the
 * format filter; PyUnicode_Format), format(value, spec) (the format-spec mini-language of int, float, str
 * and object: Python/formatter_unicode.c) and str.format / format_map as the sandbox runs them
 * (jinja2.sandbox.SandboxedFormatter over string.Formatter, whose parsing is _string.formatter_parser:
 * Objects/stringlib/unicode_format.h). Markup's variants escape what they insert (markupsafe's
 * EscapeFormatter and _MarkupEscapeHelper). Floats are written from their exact binary value with Python's
 * rounding (half to even), as PyOS_double_to_string writes them. Every width and precision is checked
 * against the size bound before its padding is built.
 */
import { headOf } from './jinja-strings.js'
import {
  checkSize,
  dictGet,
  htmlEscape,
  intRepr,
  isInt,
  isNumber,
  isStr,
  isTuple,
  JinjaError,
  Markup,
  MISSING,
  normInt,
  PyBytes,
  PyFloat,
  PyRange,
  pyRepr,
  pyStr,
  spend,
  spendOn,
  strLen,
  typeName,
  Undef,
  type Py,
} from './jinja-values.js'

// ------------------------------------------------------------------------------------------------------------
// floats, digit by digit

/** The exact decimal value of a finite, non-zero |x|: digits (no leading zero) times 10^exp. */
function exactDecimal(x: number): { digits: string; exp: number } {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, Math.abs(x))
  const bits = view.getBigUint64(0)
  const biased = Number(bits >> 52n)
  const fraction = bits & 0xfffffffffffffn
  const m = biased === 0 ? fraction : fraction | (1n << 52n)
  const e = (biased === 0 ? 1 : biased) - 1075
  // m * 2^e: an integer when e >= 0, else m * 5^-e / 10^-e
  if (e >= 0) return { digits: (m << BigInt(e)).toString(), exp: 0 }
  return { digits: (m * 5n ** BigInt(-e)).toString(), exp: e }
}

/**
 * The digits of |x| rounded half to even at the power of ten `last` (the smallest kept), as dtoa's modes 2
 * and 3 round: digits without leading zeros ('' when it rounds to zero) and decpt, the position of the
 * decimal point counted from the first digit.
 */
function roundedDigits(x: number, last: number): { digits: string; decpt: number } {
  const { digits, exp } = exactDecimal(x)
  const top = exp + digits.length // the power of ten just above the first digit
  if (last >= top) {
    // Everything is below the kept place: 0, or 1 unit when above half of it (exactly half goes to 0, even).
    const up = last === top && (digits[0]! > '5' || (digits[0] === '5' && /[1-9]/.test(digits.slice(1))))
    return up ? { digits: '1', decpt: last + 1 } : { digits: '', decpt: last }
  }
  const keep = top - Math.max(last, exp)
  let head = digits.slice(0, keep)
  const tail = digits.slice(keep)
  const half = tail[0] ?? '0'
  if (
    half > '5' ||
    (half === '5' && (/[1-9]/.test(tail.slice(1)) || Number(head[head.length - 1]) % 2 === 1))
  )
    head = increment(head)
  let decpt = top
  if (head.length > keep) decpt++ // 999 + 1
  head = head.replace(/0+$/, '')
  return { digits: head, decpt: head === '' ? last : decpt }
}

function increment(digits: string): string {
  let i = digits.length - 1
  while (i >= 0 && digits[i] === '9') i--
  if (i < 0) return '1' + '0'.repeat(digits.length)
  return digits.slice(0, i) + String(Number(digits[i]) + 1) + '0'.repeat(digits.length - i - 1)
}

/** round(x, ndigits) of a finite float: its exact value rounded half to even, read back as a double. */
export function roundDouble(x: number, ndigits: number): number {
  const { digits, decpt } = roundedDigits(x, -ndigits)
  if (digits === '') return x < 0 ? -0 : 0
  const r = Number(`${digits}e${decpt - digits.length}`)
  return x < 0 ? -r : r
}

/** The shortest digits that read back as x (repr's), and decpt. */
function shortestDigits(x: number): { digits: string; decpt: number } {
  const [mant, e] = Math.abs(x).toExponential().split('e') as [string, string]
  return { digits: mant.replace('.', ''), decpt: Number(e) + 1 }
}

/**
 * PyOS_double_to_string(x, code, precision, flags): code is e, f, g or r (repr), upper for E F G;
 * `alt` is the '#' flag, `addDot0` writes an integral value with '.0' (repr, and format's missing type).
 */
export function doubleToString(
  x: number,
  code: string,
  precision: number,
  opts: { alt?: boolean; addDot0?: boolean; upper?: boolean } = {},
): string {
  const upper = opts.upper ?? false
  if (!Number.isFinite(x)) {
    const word = Number.isNaN(x) ? 'nan' : x < 0 ? '-inf' : 'inf'
    return upper ? word.toUpperCase() : word
  }
  const sign = x < 0 || Object.is(x, -0) ? '-' : ''
  let digits: string
  let decpt: number
  let p = precision
  if (code === 'g' && p === 0) p = 1
  if (code === 'e') p++
  if (x === 0) {
    digits = '0'
    decpt = 1
  } else if (code === 'r') ({ digits, decpt } = shortestDigits(x))
  else if (code === 'f') ({ digits, decpt } = roundedDigits(x, -p))
  else {
    // p significant digits: the first digit's place comes from the exact value, after rounding
    const { digits: d, exp } = exactDecimal(x)
    ;({ digits, decpt } = roundedDigits(x, exp + d.length - p))
  }
  if (digits === '') {
    digits = '0'
    decpt = 1
  }
  let useExp = false
  let vEnd = digits.length
  if (code === 'e') {
    useExp = true
    vEnd = p
  } else if (code === 'f') vEnd = decpt + p
  else if (code === 'g') {
    if (decpt <= -4 || decpt > (opts.addDot0 ? p - 1 : p)) useExp = true
    if (opts.alt) vEnd = p
  } else if (decpt <= -4 || decpt > 16) useExp = true
  let exp = 0
  if (useExp) {
    exp = decpt - 1
    decpt = 1
  }
  const vStart = decpt <= 0 ? decpt - 1 : 0
  vEnd = !useExp && opts.addDot0 ? Math.max(vEnd, decpt + 1) : Math.max(vEnd, decpt)
  checkSize(vEnd - vStart + 8)
  spendOn(vEnd - vStart)
  // The virtual digit string, zero-padded on both sides, cut at [vStart, vEnd), with the point at decpt.
  const all = '0'.repeat(-vStart) + digits + '0'.repeat(Math.max(0, vEnd - digits.length))
  const point = decpt - vStart
  let out = all.slice(0, point) + '.' + all.slice(point)
  if (out.endsWith('.') && !opts.alt) out = out.slice(0, -1)
  if (useExp) out += `${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  return sign + out
}

/** An int value as Python's int() makes it from a float: exact, bigint beyond 2^53. */
export function floatToInt(x: number): number | bigint {
  if (Number.isNaN(x)) throw new JinjaError('cannot convert float NaN to integer', 'ValueError')
  if (!Number.isFinite(x)) throw new JinjaError('cannot convert float infinity to integer', 'OverflowError')
  const t = Math.trunc(x) + 0
  return Number.isSafeInteger(t) ? t : normInt(BigInt(t))
}

/** ascii(v): repr with every non-ASCII character escaped. */
function pyAscii(v: Py): string {
  return pyRepr(v).replace(/[\u{80}-\u{10ffff}]/gu, (c) => {
    const cp = c.codePointAt(0)!
    if (cp <= 0xff) return '\\x' + cp.toString(16).padStart(2, '0')
    if (cp <= 0xffff) return '\\u' + cp.toString(16).padStart(4, '0')
    return '\\U' + cp.toString(16).padStart(8, '0')
  })
}

// ------------------------------------------------------------------------------------------------------------
// format(value, spec)

interface Spec {
  fill: string
  align: string
  sign: string
  z: boolean
  alt: boolean
  width: number
  grouping: '' | ',' | '_'
  precision: number
  type: string
}

/** A width or precision of a spec: past sys.maxsize Python stops with a ValueError. */
function specInteger(digits: string): number {
  const n = Number(digits)
  if (n > 2 ** 63 - 1) throw new JinjaError('Too many decimal digits in format string', 'ValueError')
  return n
}

const SPEC = /^(?:([^]?)([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d*)([,_])?(?:(\.)(\d*))?([^]*)$/u

/** parse_internal_render_format_spec */
function parseSpec(spec: string, typeName_: string, defaultType: string, defaultAlign: string): Spec {
  // A fill is any one character before an align (<>=^); an align alone leaves the fill '' here
  const [, fillCh, alignCh, sign, z, alt, zero, width, grouping, dot, precision, rest] = SPEC.exec(spec)!
  if (rest!.startsWith(',') || (grouping === ',' && rest!.startsWith('_')))
    throw new JinjaError("Cannot specify both ',' and '_'.", 'ValueError')
  if (dot !== undefined && precision === '')
    throw new JinjaError('Format specifier missing precision', 'ValueError')
  if (strLen(rest!) > 1)
    throw new JinjaError(`Invalid format specifier '${spec}' for object of type '${typeName_}'`, 'ValueError')
  const fillGiven = fillCh !== undefined && fillCh !== ''
  let fill = fillGiven ? fillCh : ' '
  let align = alignCh ?? defaultAlign
  if (zero !== undefined && !fillGiven) {
    fill = '0'
    if (alignCh === undefined) align = '='
  }
  const out: Spec = {
    fill,
    align,
    sign: sign ?? '',
    z: z !== undefined,
    alt: alt !== undefined,
    width: width === '' ? -1 : specInteger(width!),
    grouping: (grouping ?? '') as Spec['grouping'],
    precision: precision === undefined ? -1 : specInteger(precision),
    type: rest === '' ? defaultType : rest!,
  }
  if (out.grouping !== '') {
    const t = out.type
    const ok = t === '' || 'defgEG%F'.includes(t) || (out.grouping === '_' && 'boxX'.includes(t))
    if (!ok) throw new JinjaError(`Cannot specify ',' with '${t}'.`, 'ValueError')
  }
  return out
}

/** The pad around `body` to the spec's width: checked against the size bound before it is built. */
function pad(body: string, spec: Spec): string {
  const n = strLen(body)
  if (spec.width <= n) return body
  checkSize(body.length + (spec.width - n) * spec.fill.length)
  const total = spec.width - n
  if (spec.align === '<') return body + spec.fill.repeat(total)
  if (spec.align === '^') {
    const left = Math.floor(total / 2)
    return spec.fill.repeat(left) + body + spec.fill.repeat(total - left)
  }
  return spec.fill.repeat(total) + body
}

/**
 * _PyUnicode_InsertThousandsGrouping: digits grouped by `size` from the right with `sep`, and zero-padded
 * on the left until the result is `minWidth` long (zero padding is grouped too).
 */
function group(digits: string, sep: string, size: number, minWidth: number): string {
  const parts: string[] = []
  let remaining = digits.length
  let min = minWidth
  for (;;) {
    spend(1)
    const l = Math.min(size, Math.max(remaining, min, 1))
    const zeros = Math.max(0, l - remaining)
    const chars = Math.max(0, Math.min(remaining, l))
    checkSize(zeros)
    parts.push('0'.repeat(zeros) + digits.slice(remaining - chars, remaining))
    remaining -= chars
    min -= l
    if (remaining <= 0 && min <= 0) break
    min -= sep.length
  }
  return parts.reverse().join(sep)
}

/**
 * A number's text laid out as calc_number_widths and fill_number do: sign, prefix, padding (inside the
 * sign for '='), grouped integer digits, and the rest (decimal point, fraction, exponent, '%').
 */
function layoutNumber(text: string, prefix: string, spec: Spec, grouping: number, isFloat: boolean): string {
  let body = text
  let signChar = ''
  if (body.startsWith('-')) {
    signChar = '-'
    body = body.slice(1)
  }
  const sign = signChar === '-' ? '-' : spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : ''
  // an int's text is all digits; a float's integer digits end at its point or exponent
  const intLen = isFloat ? /^[0-9]*/.exec(body)![0].length : body.length
  const intDigits = body.slice(0, intLen)
  const rest = body.slice(intLen)
  const fixedWidth = sign.length + prefix.length + rest.length
  const minWidth = spec.fill === '0' && spec.align === '=' ? spec.width - fixedWidth : 0
  checkSize(Math.max(0, minWidth) + intDigits.length)
  const sep = spec.grouping === '' ? '' : spec.grouping
  const grouped = intDigits === '' ? '' : group(intDigits, sep, sep === '' ? Infinity : grouping, minWidth)
  const content = grouped + rest
  const padding = spec.width - (fixedWidth + grouped.length)
  if (padding <= 0) return sign + prefix + content
  checkSize(spec.width)
  const f = spec.fill
  switch (spec.align) {
    case '<':
      return sign + prefix + content + f.repeat(padding)
    case '^': {
      const left = Math.floor(padding / 2)
      return f.repeat(left) + sign + prefix + content + f.repeat(padding - left)
    }
    case '=':
      return sign + prefix + f.repeat(padding) + content
    default:
      return f.repeat(padding) + sign + prefix + content
  }
}

function unknownCode(type: string, of: string): JinjaError {
  const code = type.codePointAt(0)!
  const shown = code > 32 && code < 128 ? type : `\\x${code.toString(16)}`
  return new JinjaError(`Unknown format code '${shown}' for object of type '${of}'`, 'ValueError')
}

function formatFloat(x: number, spec: Spec): string {
  let type = spec.type
  let precision = spec.precision
  let defaultPrecision = 6
  let addDot0 = false
  if (precision > 2 ** 31 - 1) throw new JinjaError('precision too big', 'ValueError')
  checkSize(Math.max(0, precision))
  if (type === '') {
    addDot0 = true
    type = 'r'
    defaultPrecision = 0
  }
  if (type === 'n') type = 'g'
  let value = x
  let pct = false
  if (type === '%') {
    type = 'f'
    value *= 100
    pct = true
  }
  if (precision < 0) precision = defaultPrecision
  else if (type === 'r') type = 'g'
  const upper = type === 'E' || type === 'F' || type === 'G'
  let text = doubleToString(value, type.toLowerCase(), precision, { alt: spec.alt, addDot0, upper })
  if (spec.z && text.startsWith('-') && !/[1-9]/.test(text.replace(/e.*$/i, ''))) text = text.slice(1)
  if (pct) text += '%'
  return layoutNumber(text, '', spec, 3, true)
}

function formatInt(v: number | bigint, spec: Spec): string {
  if (spec.precision !== -1)
    throw new JinjaError('Precision not allowed in integer format specifier', 'ValueError')
  if (spec.z)
    throw new JinjaError('Negative zero coercion (z) not allowed in integer format specifier', 'ValueError')
  if (spec.type === 'c') {
    if (spec.sign !== '')
      throw new JinjaError("Sign not allowed with integer format specifier 'c'", 'ValueError')
    if (spec.alt)
      throw new JinjaError("Alternate form (#) not allowed with integer format specifier 'c'", 'ValueError')
    const n = Number(v)
    if (n < 0 || n > 0x10ffff) throw new JinjaError('%c arg not in range(0x110000)', 'OverflowError')
    return pad(String.fromCodePoint(n), { ...spec, align: spec.align === '=' ? '>' : spec.align })
  }
  const base = { b: 2, o: 8, x: 16, X: 16 }[spec.type] ?? 10
  let digits = base === 10 ? intRepr(v) : v.toString(base)
  if (spec.type === 'X') digits = digits.toUpperCase()
  const prefix = spec.alt && base !== 10 ? `0${spec.type}` : ''
  return layoutNumber(digits, prefix, spec, base === 10 ? 3 : 4, false)
}

function formatStr(s: string, spec: Spec): string {
  if (spec.sign !== '') throw new JinjaError('Sign not allowed in string format specifier', 'ValueError')
  if (spec.z)
    throw new JinjaError('Negative zero coercion (z) not allowed in string format specifier', 'ValueError')
  if (spec.alt)
    throw new JinjaError('Alternate form (#) not allowed in string format specifier', 'ValueError')
  if (spec.align === '=')
    throw new JinjaError("'=' alignment not allowed in string format specifier", 'ValueError')
  let body = s
  if (spec.precision >= 0 && strLen(s) > spec.precision) body = headOf(s, spec.precision)
  return pad(body, spec)
}

/** format(v, spec): each type's __format__ (int, bool, float, str, Markup; object's for the rest). */
export function formatValue(v: Py, spec: string): string {
  if (spec === '') return pyStr(v)
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    const s = parseSpec(spec, typeName(v), 'd', '>')
    if ('bcdoxXn'.includes(s.type)) return formatInt(typeof v === 'boolean' ? Number(v) : v, s)
    if ('eEfFgG%'.includes(s.type)) return formatFloat(Number(v), s)
    throw unknownCode(s.type, typeName(v))
  }
  if (v instanceof PyFloat) {
    const s = parseSpec(spec, 'float', '', '>')
    if (s.type === '' || 'eEfFgGn%'.includes(s.type)) return formatFloat(v.v, s)
    throw unknownCode(s.type, 'float')
  }
  if (isStr(v)) {
    const s = parseSpec(spec, typeName(v), 's', '<')
    if (s.type !== 's') throw unknownCode(s.type, typeName(v))
    return formatStr(String(v), s)
  }
  throw new JinjaError(`unsupported format string passed to ${typeName(v)}.__format__`)
}

// ------------------------------------------------------------------------------------------------------------
// str.format and str.format_map, as the sandbox's formatter runs them

/** Attribute and item lookup as the sandbox does it (environment.getattr / getitem). */
export interface FieldLookup {
  attr(v: Py, name: string): Py
  item(v: Py, key: Py): Py
}

interface Field {
  literal: string
  name?: string
  conversion?: string
  spec?: string
}

/** _string.formatter_parser: literal text and fields, with its errors. */
function parseFormat(fmt: string): Field[] {
  const out: Field[] = []
  let i = 0
  const n = fmt.length
  spendOn(n)
  while (i < n) {
    const start = i
    let c = ''
    while (i < n) {
      c = fmt[i++]!
      if (c === '{' || c === '}') break
      c = ''
    }
    const atEnd = i >= n
    if (c === '}' && (atEnd || fmt[i] !== '}'))
      throw new JinjaError("Single '}' encountered in format string", 'ValueError')
    if (atEnd && c === '{') throw new JinjaError("Single '{' encountered in format string", 'ValueError')
    if (c === '' || (!atEnd && fmt[i] === c)) {
      // plain text, or an escaped brace (kept once)
      if (c !== '') i++
      out.push({ literal: fmt.slice(start, i - (c === '' ? 0 : 1)) })
      continue
    }
    const literal = fmt.slice(start, i - 1)
    // parse_field: the name up to '!', ':' or '}', a '[' skipping to its ']'
    const nameStart = i
    let ch = ''
    while (i < n) {
      ch = fmt[i++]!
      if (ch === '{') throw new JinjaError("unexpected '{' in field name", 'ValueError')
      if (ch === '[') {
        while (i < n && fmt[i] !== ']') i++
        ch = ''
        continue
      }
      if (ch === '}' || ch === ':' || ch === '!') break
      ch = ''
    }
    const name = fmt.slice(nameStart, ch === '' ? i : i - 1)
    let conversion: string | undefined
    let spec = ''
    if (ch === '!' || ch === ':') {
      let done = false
      if (ch === '!') {
        if (i >= n) throw new JinjaError('end of string while looking for conversion specifier', 'ValueError')
        conversion = String.fromCodePoint(fmt.codePointAt(i)!)
        i += conversion.length
        if (i < n) {
          const next = fmt[i++]
          if (next === '}') done = true
          else if (next !== ':') throw new JinjaError("expected ':' after conversion specifier", 'ValueError')
        }
      }
      if (!done) {
        const specStart = i
        let count = 1
        for (;;) {
          if (i >= n) throw new JinjaError("unmatched '{' in format spec", 'ValueError')
          const s = fmt[i++]
          if (s === '{') count++
          else if (s === '}' && --count === 0) break
        }
        spec = fmt.slice(specStart, i - 1)
      }
    } else if (ch !== '}') throw new JinjaError("expected '}' before end of string", 'ValueError')
    out.push({ literal, name, conversion, spec })
  }
  return out
}

/** formatter_field_name_split: the first part (an int when all digits) and the .attr / [key] parts. */
function splitFieldName(name: string): { first: string | number; rest: Array<[boolean, string | number]> } {
  const m = /^[^.[]*/.exec(name)![0]
  const first = /^\d+$/.test(m) ? specIndex(m) : m
  const rest: Array<[boolean, string | number]> = []
  let i = m.length
  while (i < name.length) {
    const c = name[i++]
    let part: string
    if (c === '.') {
      const end = name.slice(i).search(/[.[]/)
      part = end < 0 ? name.slice(i) : name.slice(i, i + end)
      i += part.length
      if (part === '') throw new JinjaError('Empty attribute in format string', 'ValueError')
      rest.push([true, part])
    } else if (c === '[') {
      const close = name.indexOf(']', i)
      if (close < 0) throw new JinjaError("Missing ']' in format string", 'ValueError')
      part = name.slice(i, close)
      i = close + 1
      if (part === '') throw new JinjaError('Empty attribute in format string', 'ValueError')
      rest.push([false, /^\d+$/.test(part) ? specIndex(part) : part])
    } else throw new JinjaError("Only '.' or '[' may follow ']' in format field specifier", 'ValueError')
  }
  return { first, rest }
}

function specIndex(digits: string): number {
  const n = Number(digits)
  if (n > 2 ** 63 - 1) throw new JinjaError('Too many decimal digits in format string', 'ValueError')
  return n
}

/** The args of str.format: positional ones, and the keyword ones (or format_map's mapping). */
export interface FormatArgs {
  args: Py[]
  kwargs: Py // a dict (Map) for format; format_map's argument, whatever it is
}

/** Output built piece by piece, its size checked as it grows (never past the output limit). */
function sizedOutput(): { put: (s: string) => void; text: () => string } {
  const out: string[] = []
  let length = 0
  return {
    put(s) {
      length += s.length
      checkSize(length)
      out.push(s)
    },
    text: () => out.join(''),
  }
}

/**
 * string.Formatter.vformat as SandboxedFormatter runs it: fields looked up with the sandbox's getattr and
 * getitem, auto-numbering as string.Formatter does it, one level of nested specs. With `escape` (a Markup
 * format string: SandboxedEscapeFormatter), each field's text is escaped unless it is Markup, whose own
 * format takes no spec.
 */
export function vformat(fmt: string, a: FormatArgs, lookup: FieldLookup, escape = false): string {
  const { put, text } = sizedOutput()
  render(fmt, a, lookup, escape, 2, { next: 0 }, put)
  return text()
}

function render(
  fmt: string,
  a: FormatArgs,
  lookup: FieldLookup,
  escape: boolean,
  depth: number,
  auto: { next: number | false },
  put: (s: string) => void,
): void {
  if (depth < 0) throw new JinjaError('Max string recursion exceeded', 'ValueError')
  for (const f of parseFormat(fmt)) {
    spend(1)
    if (f.literal) put(f.literal)
    if (f.name === undefined) continue
    let name = f.name
    if (name === '') {
      if (auto.next === false)
        throw new JinjaError(
          'cannot switch from manual field specification to automatic field numbering',
          'ValueError',
        )
      name = String(auto.next)
      auto.next++
    } else if (/^\d+$/.test(name)) {
      if (auto.next !== false && auto.next > 0)
        throw new JinjaError(
          'cannot switch from manual field specification to automatic field numbering',
          'ValueError',
        )
      auto.next = false
    }
    const { first, rest } = splitFieldName(name)
    let obj = getValue(first, a)
    for (const [isAttr, key] of rest) obj = isAttr ? lookup.attr(obj, String(key)) : lookup.item(obj, key)
    obj = convert(obj, f.conversion)
    const specParts: string[] = []
    render(f.spec ?? '', a, lookup, false, depth - 1, auto, (s) => specParts.push(s))
    const spec = specParts.join('')
    if (escape) {
      if (obj instanceof Markup) {
        if (spec !== '') throw new JinjaError('Unsupported format specification for Markup.', 'ValueError')
        put(obj.s)
      } else put(htmlEscape(formatValue(obj, spec)))
    } else put(formatValue(obj, spec))
  }
}

function getValue(key: string | number, a: FormatArgs): Py {
  if (typeof key === 'number') {
    if (key >= a.args.length) throw new JinjaError('tuple index out of range', 'IndexError')
    return a.args[key]!
  }
  const kw = a.kwargs
  if (kw instanceof Map) {
    const v = dictGet(kw, key)
    if (v === MISSING) throw new JinjaError(pyRepr(key), 'KeyError')
    return v
  }
  if (kw instanceof Undef) kw.fail()
  if (Array.isArray(kw))
    throw new JinjaError(`${isTuple(kw) ? 'tuple' : 'list'} indices must be integers or slices, not str`)
  if (isStr(kw)) throw new JinjaError("string indices must be integers, not 'str'")
  throw new JinjaError(`'${typeName(kw)}' object is not subscriptable`)
}

function convert(v: Py, conversion: string | undefined): Py {
  if (conversion === undefined) return v
  if (conversion === 's') return pyStr(v)
  if (conversion === 'r') return pyRepr(v)
  if (conversion === 'a') return pyAscii(v)
  const code = conversion.codePointAt(0)!
  const shown = code > 32 && code < 127 ? conversion : `\\x${code.toString(16)}`
  throw new JinjaError(`Unknown conversion specifier ${shown}`, 'ValueError')
}

// ------------------------------------------------------------------------------------------------------------
// str % args

/** PyMapping_Check as PyUnicode_Format uses it: what is not a tuple or str but can be subscripted. */
function isMappingArg(v: Py): boolean {
  return (
    v instanceof Map ||
    (Array.isArray(v) && !isTuple(v)) ||
    v instanceof Undef ||
    v instanceof PyRange ||
    v instanceof PyBytes
  )
}

function mappingItem(m: Py, key: string): Py {
  if (m instanceof Map) {
    const v = dictGet(m, key)
    if (v === MISSING) throw new JinjaError(pyRepr(key), 'KeyError')
    return v
  }
  if (m instanceof Undef) m.fail()
  throw new JinjaError('list indices must be integers or slices, not str')
}

/**
 * str % args, conversion by conversion (PyUnicode_Format). With `escape` (a Markup format string), the
 * text of %s, %r and %a is escaped unless it is Markup, as markupsafe's _MarkupEscapeHelper does it.
 */
export function printf(fmt: string, args: Py, escape = false): string {
  const tupleArgs = Array.isArray(args) && isTuple(args) ? args : undefined
  const dict = tupleArgs === undefined && isMappingArg(args) ? args : undefined
  let argIndex = 0
  let usedSingle = false
  const nextArg = (): Py => {
    if (tupleArgs) {
      if (argIndex >= tupleArgs.length) throw new JinjaError('not enough arguments for format string')
      return tupleArgs[argIndex++]!
    }
    if (usedSingle) throw new JinjaError('not enough arguments for format string')
    usedSingle = true
    return args
  }
  const { put, text } = sizedOutput()
  spendOn(fmt.length)
  let i = 0
  const n = fmt.length
  while (i < n) {
    const pct = fmt.indexOf('%', i)
    if (pct < 0) {
      put(fmt.slice(i))
      break
    }
    if (pct > i) put(fmt.slice(i, pct))
    i = pct + 1
    if (i >= n) throw new JinjaError('incomplete format', 'ValueError')
    spend(1)
    let source = dict
    let fromKey = false
    if (fmt[i] === '(') {
      if (dict === undefined) throw new JinjaError('format requires a mapping')
      let depth = 1
      const keyStart = ++i
      while (i < n && depth > 0) {
        if (fmt[i] === '(') depth++
        else if (fmt[i] === ')') depth--
        i++
      }
      if (depth > 0) throw new JinjaError('incomplete format key', 'ValueError')
      source = mappingItem(dict, fmt.slice(keyStart, i - 1))
      fromKey = true
    }
    let flags = ''
    while (i < n && '-+ #0'.includes(fmt[i]!)) flags += fmt[i++]
    let width = -1
    if (fmt[i] === '*') {
      const w = nextArg()
      if (!isInt(w)) throw new JinjaError('* wants int')
      width = Number(w)
      if (width < 0) {
        flags += '-'
        width = -width
      }
      i++
    } else {
      const d = /^\d*/.exec(fmt.slice(i, i + 24))![0]
      if (d !== '') {
        width = Number(d)
        if (width > 2 ** 31 - 1) throw new JinjaError('width too big', 'ValueError')
        i += d.length
      }
    }
    let precision = -1
    if (fmt[i] === '.') {
      i++
      if (fmt[i] === '*') {
        const p = nextArg()
        if (!isInt(p)) throw new JinjaError('* wants int')
        precision = Math.max(0, Number(p))
        i++
      } else {
        const d = /^\d*/.exec(fmt.slice(i, i + 24))![0]
        precision = d === '' ? 0 : Number(d)
        if (precision > 2 ** 31 - 1) throw new JinjaError('precision too big', 'ValueError')
        i += d.length
      }
    }
    while (i < n && 'hlL'.includes(fmt[i]!)) i++
    if (i >= n) throw new JinjaError('incomplete format', 'ValueError')
    const conv = fmt[i]!
    if (conv === '%' && pct === i - 1) {
      put('%')
      i++
      continue
    }
    const value = fromKey ? source! : nextArg()
    put(printfOne(conv, value, flags, width, precision, escape, i))
    i++
  }
  // An argument left over is an error, unless the argument is a mapping (which %(key)s may not use).
  const unused = tupleArgs ? argIndex < tupleArgs.length : !usedSingle
  if (unused && dict === undefined)
    throw new JinjaError('not all arguments converted during string formatting')
  return text()
}

function printfOne(
  conv: string,
  v: Py,
  flags: string,
  width: number,
  precision: number,
  escape: boolean,
  index: number,
): string {
  const left = flags.includes('-')
  const zero = flags.includes('0') && !left
  let sign = ''
  let prefix = ''
  let body: string
  let numeric = true
  switch (conv) {
    case 's':
    case 'r':
    case 'a': {
      numeric = false
      const raw = conv === 's' ? pyStr(v) : conv === 'r' ? pyRepr(v) : pyAscii(v)
      body = escape && !(conv === 's' && v instanceof Markup) ? htmlEscape(raw) : raw
      if (precision >= 0) body = headOf(body, precision)
      break
    }
    case 'c': {
      numeric = false
      if (isStr(v) && strLen(String(v)) === 1) body = String(v)
      else if (isInt(v)) {
        const code = Number(v)
        if (code < 0 || code > 0x10ffff)
          throw new JinjaError('%c arg not in range(0x110000)', 'OverflowError')
        body = String.fromCodePoint(code)
      } else throw new JinjaError('%c requires int or char')
      break
    }
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X': {
      let n: number | bigint
      if (isInt(v)) n = typeof v === 'boolean' ? Number(v) : v
      else if (v instanceof PyFloat && 'diu'.includes(conv)) n = floatToInt(v.v)
      else if ('diu'.includes(conv))
        throw new JinjaError(`%${conv} format: a real number is required, not ${typeName(v)}`)
      else throw new JinjaError(`%${conv} format: an integer is required, not ${typeName(v)}`)
      const base = conv === 'o' ? 8 : conv === 'x' || conv === 'X' ? 16 : 10
      const negative = n < 0
      let digits = base === 10 ? intRepr(negative ? normAbs(n) : n) : normAbs(n).toString(base)
      if (conv === 'X') digits = digits.toUpperCase()
      if (precision > digits.length) {
        checkSize(precision)
        digits = digits.padStart(precision, '0')
      }
      if (flags.includes('#') && base !== 10) prefix = `0${conv}`
      sign = negative ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : ''
      body = digits
      break
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      if (!isNumber(v)) throw new JinjaError(`must be real number, not ${typeName(v)}`)
      const x = v instanceof PyFloat ? v.v : Number(v)
      if (typeof v === 'bigint' && !Number.isFinite(x))
        throw new JinjaError('int too large to convert to float', 'OverflowError')
      checkSize(Math.max(0, precision))
      const text = doubleToString(x, conv.toLowerCase(), precision < 0 ? 6 : precision, {
        alt: flags.includes('#'),
        upper: conv === 'E' || conv === 'F' || conv === 'G',
      })
      sign = text.startsWith('-') ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : ''
      body = text.replace(/^-/, '')
      break
    }
    default: {
      const code = conv.codePointAt(0)!
      const shown = code > 32 && code < 127 ? conv : '?'
      throw new JinjaError(
        `unsupported format character '${shown}' (0x${code.toString(16)}) at index ${index}`,
        'ValueError',
      )
    }
  }
  const len = sign.length + prefix.length + strLen(body)
  if (width <= len) return sign + prefix + body
  checkSize(width + body.length)
  const fill = width - len
  if (left) return sign + prefix + body + ' '.repeat(fill)
  if (zero && numeric) return sign + prefix + '0'.repeat(fill) + body
  return ' '.repeat(fill) + sign + prefix + body
}

function normAbs(n: number | bigint): number | bigint {
  return typeof n === 'bigint' ? (n < 0n ? -n : n) : Math.abs(n)
}
