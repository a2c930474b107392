/**
 * What a template can call, with Python's calling convention: argument binding for builtins, filters and macros
 * (bind), and the bound methods of str (including str.format as the sandbox's formatter runs it), list and dict
 * that attribute access (jinja-access.ts) hands out. The string algorithms behind the str methods are in
 * jinja-strings.ts, where the filters share them.
 */
import { getSlice, iterate } from './jinja-iteration.js'
import {
  findIndex,
  fixed,
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
} from './jinja-strings.js'
import {
  checkSize,
  codePoints,
  dictGet,
  isInt,
  isNumber,
  isStr,
  isTuple,
  JinjaError,
  MISSING,
  numOf,
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

export function bind(fname: string, a: CallArgs, names: string[], defaults: Py[] = []): Py[] {
  const firstDefault = names.length - defaults.length
  const out: Py[] = []
  if (a.args.length > names.length)
    throw new JinjaError(`${fname}() takes at most ${names.length} arguments (${a.args.length} given)`)
  for (const k of a.kwargs.keys())
    if (!names.includes(k)) throw new JinjaError(`${fname}() got an unexpected keyword argument '${k}'`)
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (i < a.args.length) {
      if (a.kwargs.has(name)) throw new JinjaError(`${fname}() got multiple values for argument '${name}'`)
      out.push(a.args[i]!)
    } else if (a.kwargs.has(name)) out.push(a.kwargs.get(name)!)
    else if (i >= firstDefault) out.push(defaults[i - firstDefault]!)
    else throw new JinjaError(`${fname}() missing required argument: '${name}'`)
  }
  return out
}

function method(name: string, fn: (a: CallArgs) => Py): PyCallable {
  return new PyCallable(name, fn, 'method')
}

// ------------------------------------------------------------------------------------------------------------
// str methods

function toIntArg(v: Py, fname: string): number {
  if (isInt(v)) return Number(v)
  if (v === null) return -1
  throw new JinjaError(`'${typeName(v)}' object cannot be interpreted as an integer (${fname})`)
}

export function strMethod(s: string, name: string, lookup: FieldLookup): PyCallable | undefined {
  const m = (fn: (a: CallArgs) => Py): PyCallable => method(`str.${name}`, fn)
  switch (name) {
    case 'strip':
    case 'lstrip':
    case 'rstrip':
      return m((a) => {
        const [chars] = bind(name, a, ['chars'], [null])
        return pyStrip(s, chars!, name !== 'rstrip', name !== 'lstrip')
      })
    case 'split':
    case 'rsplit':
      return m((a) => {
        const [sep, maxsplit] = bind(name, a, ['sep', 'maxsplit'], [null, -1])
        return (name === 'split' ? pySplit : pyRsplit)(s, sep!, toIntArg(maxsplit!, name))
      })
    case 'splitlines':
      return m((a) => pySplitlines(s, truthy(bind(name, a, ['keepends'], [false])[0]!)))
    case 'startswith':
    case 'endswith':
      return m((a) => {
        const [prefix, start, end] = bind(name, a, ['prefix', 'start', 'end'], [null, null])
        const hay = start !== null || end !== null ? (getSlice(s, start!, end!, null) as string) : s
        const options = Array.isArray(prefix) && isTuple(prefix) ? prefix : [prefix!]
        return options.some((p) => {
          if (!isStr(p))
            throw new JinjaError(`${name} first arg must be str or a tuple of str, not ${typeName(p)}`)
          return name === 'startswith' ? hay.startsWith(String(p)) : hay.endsWith(String(p))
        })
      })
    case 'lower':
    case 'casefold':
      return m(() => s.toLowerCase())
    case 'upper':
      return m(() => s.toUpperCase())
    case 'title':
      return m(() => pyTitle(s))
    case 'capitalize':
      return m(() => pyCapitalize(s))
    case 'swapcase':
      return m(() => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''))
    case 'replace':
      return m((a) => {
        const [old, rep, count] = bind(name, a, ['old', 'new', 'count'], [-1])
        const r = pyReplace(
          s,
          requireStr(old!, 'replace arg 1'),
          requireStr(rep!, 'replace arg 2'),
          toIntArg(count!, name),
        )
        checkSize(r.length)
        return r
      })
    case 'find':
    case 'rfind':
    case 'index':
    case 'rindex':
    case 'count':
      return m((a) => {
        const [sub, start, end] = bind(name, a, ['sub', 'start', 'end'], [null, null])
        const needle = requireStr(sub!, name)
        if (name === 'count') {
          const hay = start !== null || end !== null ? (getSlice(s, start!, end!, null) as string) : s
          if (needle === '') return strLen(hay) + 1
          return hay.split(needle).length - 1
        }
        const pos = findIndex(s, needle, start!, end!, name.startsWith('r'))
        if (pos < 0 && name.endsWith('index')) throw new JinjaError('substring not found', 'ValueError')
        return pos
      })
    case 'join':
      return m((a) => {
        const [items] = bind(name, a, ['iterable'])
        const list = iterate(items!)
        spendOn(list.length)
        let length = s.length * Math.max(0, list.length - 1)
        const parts = list.map((x, i) => {
          if (!isStr(x))
            throw new JinjaError(`sequence item ${i}: expected str instance, ${typeName(x)} found`)
          length += String(x).length
          return String(x)
        })
        checkSize(length) // before the join builds it
        return parts.join(s)
      })
    case 'format':
      return m((a) => pyFormat(s, a, lookup))
    case 'isdigit':
    case 'isdecimal':
    case 'isnumeric':
      return m(() => s.length > 0 && /^\p{Nd}+$/u.test(s))
    case 'isalpha':
      return m(() => s.length > 0 && /^\p{L}+$/u.test(s))
    case 'isalnum':
      return m(() => s.length > 0 && /^[\p{L}\p{Nd}]+$/u.test(s))
    case 'isspace':
      return m(() => s.length > 0 && [...s].every((c) => PY_WHITESPACE.includes(c)))
    case 'islower':
      return m(() => pyIsLower(s))
    case 'isupper':
      return m(() => pyIsUpper(s))
    case 'zfill':
      return m((a) => {
        const width = ssize(toIntArg(bind(name, a, ['width'])[0]!, name), SSIZE_INT)
        const n = strLen(s)
        if (n >= width) return s
        checkSize(s.length + width - n) // before the zeros are built
        const sign = s[0] === '-' || s[0] === '+' ? s[0] : ''
        return sign + '0'.repeat(width - n) + s.slice(sign.length)
      })
    case 'center':
    case 'ljust':
    case 'rjust':
      return m((a) => {
        const [w, fill = ' '] = bind(name, a, ['width', 'fillchar'], [' '])
        const width = ssize(toIntArg(w!, name), SSIZE_INT)
        const n = strLen(s)
        if (n >= width) return s
        // Python's rule, which also keeps the result within `width` (checked below) characters.
        if (!isStr(fill))
          throw new JinjaError(
            `The fill character must be a unicode character, not ${typeName(fill)}`,
            'TypeError',
          )
        const f = String(fill)
        if (strLen(f) !== 1)
          throw new JinjaError('The fill character must be exactly one character long', 'TypeError')
        const total = width - n
        checkSize(s.length + total) // before the fill is built
        if (name === 'ljust') return s + f.repeat(total)
        if (name === 'rjust') return f.repeat(total) + s
        const left = Math.floor(total / 2) + (total & width & 1)
        return f.repeat(left) + s + f.repeat(total - left)
      })
    case 'partition':
    case 'rpartition':
      return m((a) => {
        const sep = requireStr(bind(name, a, ['sep'])[0]!, name)
        const pos = name === 'partition' ? s.indexOf(sep) : s.lastIndexOf(sep)
        if (pos < 0) return name === 'partition' ? tuple([s, '', '']) : tuple(['', '', s])
        return tuple([s.slice(0, pos), sep, s.slice(pos + sep.length)])
      })
    case 'removeprefix':
      return m((a) => {
        const p = requireStr(bind(name, a, ['prefix'])[0]!, name)
        return p && s.startsWith(p) ? s.slice(p.length) : s
      })
    case 'removesuffix':
      return m((a) => {
        const p = requireStr(bind(name, a, ['suffix'])[0]!, name)
        return p && s.endsWith(p) ? s.slice(0, s.length - p.length) : s
      })
    case 'expandtabs':
      return m(() => {
        checkSize(s.length + 7 * (s.split('\t').length - 1))
        return s.replace(/\t/g, '        ')
      })
    case 'encode':
      return undefined
    default:
      return undefined
  }
}

/** Attribute and item lookup as the sandbox does it, for str.format's fields (given by jinja-access.ts). */
export interface FieldLookup {
  attr(v: Py, name: string): Py
  item(v: Py, key: Py): Py
}

/** str.format, as the sandbox's SandboxedFormatter runs it (fields: index, name, attributes, items). */
function pyFormat(fmt: string, a: CallArgs, lookup: FieldLookup): string {
  let auto = 0
  let out = ''
  let i = 0
  while (i < fmt.length) {
    const c = fmt[i]!
    if (c === '{') {
      if (fmt[i + 1] === '{') {
        out += '{'
        i += 2
        continue
      }
      const close = fmt.indexOf('}', i)
      if (close < 0) throw new JinjaError("Single '{' encountered in format string", 'ValueError')
      const field = fmt.slice(i + 1, close)
      i = close + 1
      const [ref, spec] = field.split(':', 2) as [string, string | undefined]
      const conv = ref.includes('!') ? ref.slice(ref.indexOf('!') + 1) : ''
      const path = ref.includes('!') ? ref.slice(0, ref.indexOf('!')) : ref
      const m = /^([^.[]*)(.*)$/.exec(path)!
      let v: Py
      if (m[1] === '') {
        v = a.args[auto++] ?? null
        if (auto > a.args.length)
          throw new JinjaError('Replacement index 0 out of range for positional args tuple', 'IndexError')
      } else if (/^\d+$/.test(m[1]!)) v = a.args[Number(m[1])] ?? null
      else {
        if (!a.kwargs.has(m[1]!)) throw new JinjaError(`'${m[1]}'`, 'KeyError')
        v = a.kwargs.get(m[1]!)!
      }
      for (const part of m[2]!.matchAll(/\.(\w+)|\[([^\]]*)\]/g)) {
        if (part[1] !== undefined) v = lookup.attr(v, part[1])
        else v = lookup.item(v, /^\d+$/.test(part[2]!) ? Number(part[2]) : part[2]!)
      }
      let text = conv === 'r' ? pyRepr(v) : pyStr(v)
      if (spec) text = applyFormatSpec(v, text, spec, out.length)
      checkSize(out.length + text.length)
      out += text
    } else if (c === '}') {
      if (fmt[i + 1] === '}') {
        out += '}'
        i += 2
        continue
      }
      throw new JinjaError("Single '}' encountered in format string", 'ValueError')
    } else {
      out += c
      i++
    }
  }
  return out
}

/** A width or precision of a format spec: past sys.maxsize Python stops parsing it with a ValueError. */
function specNumber(digits: string | undefined, fallback: number): number {
  if (digits === undefined) return fallback
  const n = Number(digits)
  if (n > 2 ** 63 - 1) throw new JinjaError('Too many decimal digits in format string', 'ValueError')
  return n
}

/** One field's format spec; `before` is the length of the output so far, which the pad must fit beside. */
function applyFormatSpec(v: Py, text: string, spec: string, before: number): string {
  const m = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?(,)?(?:\.(\d+))?([a-zA-Z%])?$/.exec(spec)
  if (!m) return text
  const [, fill = ' ', align, , , zero, width, , precision, type] = m
  const w = specNumber(width, 0)
  const p = specNumber(precision, 6)
  let body = text
  if (isNumber(v) && (type === 'f' || type === 'F' || (precision !== undefined && !type))) {
    body = fixed(numOf(v), p)
  } else if (isNumber(v) && type === 'd') body = String(Math.trunc(numOf(v)))
  else if (isStr(v) && precision !== undefined) body = codePoints(text).slice(0, p).join('')
  const n = strLen(body)
  if (n >= w) return body
  checkSize(before + body.length + w - n) // before the pad is built
  const pad = w - n
  const f = zero && !align ? '0' : fill
  const al = align ?? (isNumber(v) ? '>' : '<')
  if (al === '<') return body + f.repeat(pad)
  if (al === '>' || al === '=') return f.repeat(pad) + body
  const left = Math.floor(pad / 2)
  return f.repeat(left) + body + f.repeat(pad - left)
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
      return m(() => [...d].map(([k, v]) => tuple([k, v])))
    case 'keys':
      return m(() => [...d.keys()])
    case 'values':
      return m(() => [...d.values()])
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
