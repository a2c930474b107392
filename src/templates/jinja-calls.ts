/**
 * What a template can call, with Python's calling convention: argument binding for builtins, filters and macros
 * (bind), and the bound methods of str (including str.format as the sandbox's formatter runs it), list and dict
 * that attribute access (jinja-access.ts) hands out. The string algorithms behind the str methods are in
 * jinja-strings.ts, where the filters share them.
 */
import { vformat, type FieldLookup } from './jinja-format.js'
import { isIterable, iterate } from './jinja-iteration.js'
import {
  codePointView,
  htmlUnescape,
  PY_WHITESPACE,
  pyCapitalize,
  pyIsLower,
  pyIsUpper,
  pyReplace,
  pyRsplit,
  pySplit,
  pySplitlines,
  pyStrip,
  pyTitle,
  requireStr,
  stripTags,
} from './jinja-strings.js'
import {
  checkSize,
  dictGet,
  DictView,
  htmlEscape,
  isInt,
  isStr,
  isTuple,
  JinjaError,
  Markup,
  MISSING,
  PyBytes,
  PyCallable,
  pyEq,
  pyRepr,
  pyStr,
  spendOn,
  ssize,
  SSIZE_INT,
  strLen,
  truthy,
  tuple,
  typeName,
  type CallArgs,
  type Py,
} from './jinja-values.js'

// ------------------------------------------------------------------------------------------------------------
// argument binding

/**
 * Binds a call's arguments to `names` as a Python function does, with its TypeErrors. `leading` counts
 * the positional parameters Python passes before these (a filter's value, its environment or context),
 * which its messages count too: "do_batch() takes from 2 to 3 positional arguments but 4 were given".
 */
export function bind(fname: string, a: CallArgs, names: string[], defaults: Py[] = [], leading = 0): Py[] {
  const firstDefault = names.length - defaults.length
  const out: Py[] = []
  if (a.args.length > names.length) {
    const min = leading + firstDefault
    const max = leading + names.length
    const given = leading + a.args.length
    const takes =
      min === max
        ? `${max} positional argument${max === 1 ? '' : 's'}`
        : `from ${min} to ${max} positional arguments`
    throw new JinjaError(`${fname}() takes ${takes} but ${given} ${given === 1 ? 'was' : 'were'} given`)
  }
  for (const k of a.kwargs.keys())
    if (!names.includes(k)) throw new JinjaError(`${fname}() got an unexpected keyword argument '${k}'`)
  const missing: string[] = []
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (i < a.args.length) {
      if (a.kwargs.has(name)) throw new JinjaError(`${fname}() got multiple values for argument '${name}'`)
      out.push(a.args[i]!)
    } else if (a.kwargs.has(name)) out.push(a.kwargs.get(name)!)
    else if (i >= firstDefault) out.push(defaults[i - firstDefault]!)
    else missing.push(`'${name}'`)
  }
  if (missing.length > 0) {
    const list =
      missing.length === 1
        ? missing[0]
        : missing.length === 2
          ? `${missing[0]} and ${missing[1]}`
          : `${missing.slice(0, -1).join(', ')}, and ${missing[missing.length - 1]}`
    throw new JinjaError(
      `${fname}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`,
    )
  }
  return out
}

function method(name: string, fn: (a: CallArgs) => Py): PyCallable {
  return new PyCallable(name, fn, 'method')
}

// ------------------------------------------------------------------------------------------------------------
// str methods

/** An int argument as Python's C code takes it (__index__): bool and int, nothing else. */
function toIntArg(v: Py): number {
  if (isInt(v)) return Number(v)
  throw new JinjaError(`'${typeName(v)}' object cannot be interpreted as an integer`)
}

/** str's C methods take their arguments by position only (split, splitlines, expandtabs excepted). */
function positional(name: string, a: CallArgs): void {
  if (a.kwargs.size > 0) throw new JinjaError(`str.${name}() takes no keyword arguments`)
}

/** A start or end argument of find, count, startswith...: None or an int. */
function sliceIndex(v: Py | undefined): number | null {
  if (v === undefined || v === null) return null
  if (isInt(v)) return Number(v)
  throw new JinjaError('slice indices must be integers or None or have an __index__ method')
}

/** ADJUST_INDICES: start and end of a str method's slice, in code points, clamped as CPython does. */
function bounds(len: number, start: Py | undefined, end: Py | undefined): [number, number] {
  let a = sliceIndex(start) ?? 0
  let b = sliceIndex(end) ?? len
  if (b > len) b = len
  else if (b < 0) b = Math.max(0, b + len)
  if (a < 0) a = Math.max(0, a + len)
  return [a, b]
}

/** The tail-match of startswith / endswith (CPython's tailmatch). */
function tailMatch(
  s: string,
  sub: string,
  start: Py | undefined,
  end: Py | undefined,
  atEnd: boolean,
): boolean {
  const seq = codePointView(s)
  const [a, b] = bounds(seq.length, start, end)
  const n = strLen(sub)
  if (a > seq.length || b - a < n) return false
  return atEnd ? seq.slice(b - n, b) === sub : seq.slice(a, a + n) === sub
}

const PY_ALNUM_DIGITS =
  '\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792'
const IS_DIGIT = new RegExp(`^[\\p{Nd}${PY_ALNUM_DIGITS}]+$`, 'u')
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u

/** str.istitle: cased characters, upper or title case only after uncased ones, lower only after cased. */
function pyIsTitle(s: string): boolean {
  let cased = false
  let previousCased = false
  for (const ch of s) {
    const upper = ch !== ch.toLowerCase()
    const lower = ch !== ch.toUpperCase()
    if (upper && !lower) {
      if (previousCased) return false
      previousCased = true
      cased = true
    } else if (lower && !upper) {
      if (!previousCased) return false
      previousCased = true
      cased = true
    } else previousCased = false
  }
  return cased
}

/** str.expandtabs: each tab to the next multiple of tabsize, columns counted from each line's start. */
function expandTabs(s: string, tabsize: number): string {
  const size = Math.max(0, tabsize)
  let out = ''
  let column = 0
  for (const ch of s) {
    if (ch === '\t') {
      if (size > 0) {
        const n = size - (column % size)
        checkSize(out.length + n)
        out += ' '.repeat(n)
        column += n
      }
    } else {
      out += ch
      column = ch === '\n' || ch === '\r' ? 0 : column + 1
    }
    if ((column & 1023) === 0) spendOn(1024)
  }
  return out
}

/**
 * The bound method `name` of a str (or of a Markup when `markup`: markupsafe's overrides return Markup
 * and escape what they insert), or undefined when str has no such method.
 */
/** The str methods that take no arguments. */
const NO_ARGS = new Set([
  'lower',
  'casefold',
  'upper',
  'title',
  'capitalize',
  'swapcase',
  'isdigit',
  'isdecimal',
  'isnumeric',
  'isalpha',
  'isalnum',
  'isascii',
  'isidentifier',
  'isprintable',
  'isspace',
  'islower',
  'isupper',
  'istitle',
  'unescape',
  'striptags',
])

export function strMethod(
  s: string,
  name: string,
  lookup: FieldLookup,
  markup = false,
): PyCallable | undefined {
  const m = (fn: (a: CallArgs) => Py): PyCallable =>
    method(
      `str.${name}`,
      NO_ARGS.has(name)
        ? (a) => {
            const n = a.args.length + a.kwargs.size
            if (n > 0) throw new JinjaError(`str.${name}() takes no arguments (${n} given)`)
            return fn(a)
          }
        : fn,
    )
  // What markupsafe wraps back into Markup, and how it escapes an inserted argument.
  const wrap = (r: string): Py => (markup ? new Markup(r) : r)
  const esc = (v: Py): Py => (markup && !(v instanceof Markup) && isStr(v) ? htmlEscape(String(v)) : v)
  switch (name) {
    case 'strip':
    case 'lstrip':
    case 'rstrip':
      return m((a) => {
        positional(name, a)
        const [chars] = bind(name, a, ['chars'], [null])
        return wrap(pyStrip(s, chars!, name !== 'rstrip', name !== 'lstrip'))
      })
    case 'split':
    case 'rsplit':
      return m((a) => {
        const [sep, maxsplit] = bind(name, a, ['sep', 'maxsplit'], [null, -1])
        const parts = (name === 'split' ? pySplit : pyRsplit)(s, sep!, toIntArg(maxsplit!))
        return markup ? parts.map((p) => new Markup(p)) : parts
      })
    case 'splitlines':
      return m((a) => {
        const lines = pySplitlines(s, truthy(bind(name, a, ['keepends'], [false])[0]!))
        return markup ? lines.map((p) => new Markup(p)) : lines
      })
    case 'startswith':
    case 'endswith':
      return m((a) => {
        positional(name, a)
        const [prefix, start, end] = bind(name, a, ['prefix', 'start', 'end'], [null, null])
        const options = Array.isArray(prefix) && isTuple(prefix) ? prefix : [prefix!]
        return options.some((p) => {
          if (!isStr(p))
            throw new JinjaError(
              options === prefix
                ? `tuple for ${name} must only contain str, not ${typeName(p)}`
                : `${name} first arg must be str or a tuple of str, not ${typeName(p)}`,
            )
          return tailMatch(s, String(p), start, end, name === 'endswith')
        })
      })
    case 'lower':
      return m(() => wrap(s.toLowerCase()))
    case 'casefold':
      // Full case folding, near enough: what upper case then lower case makes of it (ß -> ss).
      return m(() => wrap(s.toUpperCase().toLowerCase()))
    case 'upper':
      return m(() => wrap(s.toUpperCase()))
    case 'title':
      return m(() => wrap(pyTitle(s)))
    case 'capitalize':
      return m(() => wrap(pyCapitalize(s)))
    case 'swapcase':
      return m(() =>
        wrap([...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')),
      )
    case 'replace':
      return m((a) => {
        positional(name, a)
        const [old, rep, count] = bind(name, a, ['old', 'new', 'count'], [-1])
        const r = pyReplace(
          s,
          requireStr(old!, (t) => `replace() argument 1 must be str, not ${t}`, 'None'),
          requireStr(esc(rep!), (t) => `replace() argument 2 must be str, not ${t}`, 'None'),
          toIntArg(count!),
        )
        checkSize(r.length)
        return wrap(r)
      })
    case 'find':
    case 'rfind':
    case 'index':
    case 'rindex':
    case 'count':
      return m((a) => {
        positional(name, a)
        const [sub, start, end] = bind(name, a, ['sub', 'start', 'end'], [null, null])
        const needle = requireStr(sub!, (t) => `must be str, not ${t}`)
        const seq = codePointView(s)
        const [lo, hi] = bounds(seq.length, start, end)
        if (name === 'count') {
          if (lo > seq.length) return 0
          const hay = seq.slice(lo, Math.max(lo, hi))
          if (needle === '') return strLen(hay) + 1
          return hay.split(needle).length - 1
        }
        let pos = -1
        if (lo <= seq.length && hi - lo >= 0) {
          const hay = seq.slice(lo, hi)
          const at = name.startsWith('r') ? hay.lastIndexOf(needle) : hay.indexOf(needle)
          if (at >= 0) pos = lo + strLen(hay.slice(0, at))
        }
        if (pos < 0 && name.endsWith('index')) throw new JinjaError('substring not found', 'ValueError')
        return pos
      })
    case 'join':
      return m((a) => {
        positional(name, a)
        const [items] = bind(name, a, ['iterable'])
        if (!isIterable(items!)) throw new JinjaError('can only join an iterable')
        const list = iterate(items!)
        spendOn(list.length)
        let length = s.length * Math.max(0, list.length - 1)
        const parts = list.map((x, i) => {
          if (!isStr(x))
            throw new JinjaError(`sequence item ${i}: expected str instance, ${typeName(x)} found`)
          const text = markup && !(x instanceof Markup) ? htmlEscape(String(x)) : String(x)
          length += text.length
          return text
        })
        checkSize(length) // before the join builds it
        return wrap(parts.join(s))
      })
    case 'format':
      return m((a) => wrap(vformat(s, { args: a.args, kwargs: new Map<Py, Py>(a.kwargs) }, lookup, markup)))
    case 'format_map':
      return m((a) => {
        if (a.kwargs.size > 0) throw new JinjaError('format_map() takes no keyword arguments')
        if (a.args.length !== 1)
          throw new JinjaError(`format_map() takes exactly one argument (${a.args.length} given)`)
        return wrap(vformat(s, { args: [], kwargs: a.args[0]! }, lookup, markup))
      })
    case 'isdigit':
      return m(() => IS_DIGIT.test(s))
    case 'isdecimal':
      return m(() => /^\p{Nd}+$/u.test(s))
    case 'isnumeric':
      return m(() => /^\p{N}+$/u.test(s))
    case 'isalpha':
      return m(() => /^\p{L}+$/u.test(s))
    case 'isalnum':
      return m(() => /^[\p{L}\p{N}]+$/u.test(s))
    case 'isascii':
      return m(() => /^[\x00-\x7f]*$/.test(s)) // eslint-disable-line no-control-regex
    case 'isidentifier':
      return m(() => /^[\p{XID_Start}_]\p{XID_Continue}*$/u.test(s))
    case 'isprintable':
      return m(() => !NON_PRINTABLE.test(s.replace(/ /g, '')))
    case 'isspace':
      return m(() => s.length > 0 && [...s].every((c) => PY_WHITESPACE.includes(c)))
    case 'islower':
      return m(() => pyIsLower(s))
    case 'isupper':
      return m(() => pyIsUpper(s))
    case 'istitle':
      return m(() => pyIsTitle(s))
    case 'zfill':
      return m((a) => {
        positional(name, a)
        const width = ssize(toIntArg(bind(name, a, ['width'])[0]!), SSIZE_INT)
        const n = strLen(s)
        if (n >= width) return wrap(s)
        checkSize(s.length + width - n) // before the zeros are built
        const sign = s[0] === '-' || s[0] === '+' ? s[0] : ''
        return wrap(sign + '0'.repeat(width - n) + s.slice(sign.length))
      })
    case 'center':
    case 'ljust':
    case 'rjust':
      return m((a) => {
        positional(name, a)
        const [w, fill = ' '] = bind(name, a, ['width', 'fillchar'], [' '])
        const width = ssize(toIntArg(w!), SSIZE_INT)
        // Markup escapes the fill first, so '<' becomes '&lt;', which is then too long, as in Python
        const f = esc(fill)
        if (!isStr(f))
          throw new JinjaError(
            `The fill character must be a unicode character, not ${typeName(f)}`,
            'TypeError',
          )
        const fc = String(f)
        if (strLen(fc) !== 1)
          throw new JinjaError('The fill character must be exactly one character long', 'TypeError')
        const n = strLen(s)
        if (n >= width) return wrap(s)
        const total = width - n
        checkSize(s.length + total * fc.length) // before the fill is built
        if (name === 'ljust') return wrap(s + fc.repeat(total))
        if (name === 'rjust') return wrap(fc.repeat(total) + s)
        const left = Math.floor(total / 2) + (total & width & 1)
        return wrap(fc.repeat(left) + s + fc.repeat(total - left))
      })
    case 'partition':
    case 'rpartition':
      return m((a) => {
        positional(name, a)
        const sep = requireStr(bind(name, a, ['sep'])[0]!, (t) => `must be str, not ${t}`)
        if (sep === '') throw new JinjaError('empty separator', 'ValueError')
        const pos = name === 'partition' ? s.indexOf(sep) : s.lastIndexOf(sep)
        const parts =
          pos < 0
            ? name === 'partition'
              ? [s, '', '']
              : ['', '', s]
            : [s.slice(0, pos), sep, s.slice(pos + sep.length)]
        return tuple(parts.map(wrap))
      })
    case 'removeprefix':
    case 'removesuffix':
      return m((a) => {
        positional(name, a)
        const p = requireStr(
          bind(name, a, ['affix'])[0]!,
          (t) => `${name}() argument must be str, not ${t}`,
          'None',
        )
        if (p === '') return wrap(s)
        if (name === 'removeprefix') return wrap(s.startsWith(p) ? s.slice(p.length) : s)
        return wrap(s.endsWith(p) ? s.slice(0, s.length - p.length) : s)
      })
    case 'expandtabs':
      return m((a) => wrap(expandTabs(s, toIntArg(bind(name, a, ['tabsize'], [8])[0]!))))
    case 'translate':
      return m((a) => {
        positional(name, a)
        const [table] = bind(name, a, ['table'])
        if (!(table instanceof Map)) throw new JinjaError(`'${typeName(table!)}' object is not subscriptable`)
        spendOn(s.length)
        let out = ''
        for (const ch of s) {
          const to = dictGet(table, ch.codePointAt(0)!)
          if (to === MISSING) out += ch
          else if (to === null) continue
          else if (isInt(to)) out += String.fromCodePoint(Number(to))
          else if (isStr(to)) out += String(to)
          else throw new JinjaError('character mapping must return integer, None or str')
          checkSize(out.length)
        }
        return wrap(out)
      })
    case 'encode':
      return m((a) => {
        const [encoding, errors] = bind('encode', a, ['encoding', 'errors'], ['utf-8', 'strict'])
        return new PyBytes(encode(s, codecName(encoding!), errorsName(errors!)))
      })
    case 'escape':
      // Markup.escape, a classmethod: the argument escaped into Markup
      if (!markup) return undefined
      return m((a) => {
        const [v] = bind(name, a, ['s'])
        return v instanceof Markup ? v : new Markup(htmlEscape(pyStr(v!)))
      })
    case 'unescape':
      return markup ? m(() => htmlUnescape(s)) : undefined
    case 'striptags':
      return markup ? m(() => stripTags(s)) : undefined
    default:
      return undefined
  }
}

// ------------------------------------------------------------------------------------------------------------
// bytes: str.encode and bytes.decode, in UTF-8, ASCII and Latin-1

type Codec = 'utf-8' | 'ascii' | 'latin-1'

/** An encoding name as Python's codec registry normalises the common ones. */
function codecName(v: Py): Codec {
  if (!isStr(v)) throw new JinjaError(`encode() argument 'encoding' must be str, not ${typeName(v)}`)
  const name = String(v).toLowerCase().replace(/_/g, '-')
  if (['utf-8', 'utf8', 'u8', 'utf'].includes(name)) return 'utf-8'
  if (['ascii', 'us-ascii', '646'].includes(name)) return 'ascii'
  if (['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1', 'latin'].includes(name)) return 'latin-1'
  throw new JinjaError(`unknown encoding: ${String(v)}`, 'LookupError')
}

function errorsName(v: Py): string {
  if (!isStr(v)) throw new JinjaError(`encode() argument 'errors' must be str, not ${typeName(v)}`)
  return String(v)
}

/** '\xe9', '\u20ac', '\U0001f600': a character as a codec's error message shows it. */
function charEscape(cp: number): string {
  if (cp <= 0xff) return '\\x' + cp.toString(16).padStart(2, '0')
  if (cp <= 0xffff) return '\\u' + cp.toString(16).padStart(4, '0')
  return '\\U' + cp.toString(16).padStart(8, '0')
}

/** str.encode: strict, ignore or replace ('?') for what the codec cannot encode. */
function encode(s: string, codec: Codec, errors: string): Uint8Array {
  spendOn(s.length)
  checkSize(s.length * (codec === 'utf-8' ? 3 : 1))
  const out: number[] = []
  let position = 0
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    const surrogate = cp >= 0xd800 && cp <= 0xdfff
    const limit = codec === 'ascii' ? 0x80 : codec === 'latin-1' ? 0x100 : Infinity
    if (surrogate || cp >= limit) {
      if (errors === 'strict')
        throw new JinjaError(
          `'${codec}' codec can't encode character '${charEscape(cp)}' in position ${position}: ${
            surrogate && codec === 'utf-8' ? 'surrogates not allowed' : `ordinal not in range(${limit})`
          }`,
          'UnicodeEncodeError',
        )
      if (errors === 'replace') out.push(0x3f)
      else if (errors !== 'ignore')
        throw new JinjaError(`unknown error handler name '${errors}'`, 'LookupError')
    } else if (codec === 'utf-8') out.push(...new TextEncoder().encode(ch))
    else out.push(cp)
    position++
  }
  return Uint8Array.from(out)
}

/** bytes.decode: strict, ignore or replace (U+FFFD) for what the codec cannot decode. */
function decode(data: Uint8Array, codec: Codec, errors: string): string {
  spendOn(data.length)
  if (codec === 'latin-1') return String.fromCharCode(...data)
  if (codec === 'ascii' || errors === 'strict') {
    const bad = codec === 'ascii' ? data.findIndex((b) => b >= 0x80) : utf8Error(data)
    if (bad >= 0) {
      if (errors === 'strict') {
        const reason = codec === 'ascii' ? 'ordinal not in range(128)' : utf8Reason(data, bad)
        throw new JinjaError(
          `'${codec}' codec can't decode byte 0x${data[bad]!.toString(16).padStart(2, '0')} in position ${bad}: ${reason}`,
          'UnicodeDecodeError',
        )
      }
    }
    if (codec === 'ascii') {
      if (errors !== 'ignore' && errors !== 'replace')
        throw new JinjaError(`unknown error handler name '${errors}'`, 'LookupError')
      return Array.from(data, (b) =>
        b < 0x80 ? String.fromCharCode(b) : errors === 'replace' ? '\ufffd' : '',
      ).join('')
    }
  }
  if (errors === 'ignore') return new TextDecoder('utf-8').decode(data).replace(/\ufffd/g, '')
  if (errors !== 'replace' && errors !== 'strict')
    throw new JinjaError(`unknown error handler name '${errors}'`, 'LookupError')
  return new TextDecoder('utf-8').decode(data)
}

/** Where UTF-8 decoding of data first fails, or -1. */
function utf8Error(data: Uint8Array): number {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data)
    return -1
  } catch {
    for (let i = 0; i < data.length; i++) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(0, i + 1))
      } catch {
        // the byte that starts the sequence which fails
        let start = i
        while (start > 0 && (data[start]! & 0xc0) === 0x80 && i - start < 3) start--
        return start
      }
    }
    return data.length - 1
  }
}

function utf8Reason(data: Uint8Array, at: number): string {
  const b = data[at]!
  if (b < 0xc2 || b > 0xf4) return 'invalid start byte'
  const need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1
  for (let k = 1; k <= need; k++) {
    if (at + k >= data.length) return 'unexpected end of data'
    if ((data[at + k]! & 0xc0) !== 0x80) return 'invalid continuation byte'
  }
  return 'invalid continuation byte'
}

/** The bound methods of bytes that a template may call: decode and hex. */
export function bytesMethod(b: PyBytes, name: string): PyCallable | undefined {
  const m = (fn: (a: CallArgs) => Py): PyCallable => method(`bytes.${name}`, fn)
  switch (name) {
    case 'decode':
      return m((a) => {
        const [encoding, errors] = bind('decode', a, ['encoding', 'errors'], ['utf-8', 'strict'])
        return decode(b.data, codecName(encoding!), errorsName(errors!))
      })
    case 'hex':
      return m(() => {
        checkSize(b.data.length * 2)
        return Array.from(b.data, (x) => x.toString(16).padStart(2, '0')).join('')
      })
    default:
      return undefined
  }
}

// ------------------------------------------------------------------------------------------------------------
// list and dict methods

export function listMethod(list: Py[], name: string): PyCallable {
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

export function dictMethod(d: Map<Py, Py>, name: string): PyCallable {
  const m = (fn: (a: CallArgs) => Py): PyCallable => method(`dict.${name}`, fn)
  switch (name) {
    case 'items':
    case 'keys':
    case 'values':
      return m((a) => {
        const n = a.args.length + a.kwargs.size
        if (n > 0) throw new JinjaError(`dict.${name}() takes no arguments (${n} given)`)
        return new DictView(d, name)
      })
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
