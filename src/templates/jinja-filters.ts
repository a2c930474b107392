/**
 * Jinja2's builtin filters and tests (jinja2/filters.py, jinja2/tests.py 3.1.6), with Python's coercions:
 * string filters stringify their input (None|trim is 'None', undefined|upper is '') and keep Markup Markup,
 * iterating filters accept undefined as empty and reject None, select/map/unique... return one-shot
 * generators, and sorting, grouping and min/max compare as Python's sorted, itertools.groupby, min and max
 * do (with their TypeErrors). `random` is the one filter whose output is not Python's: it picks at random.
 */
import { getAttrOnly, getItem, namedTuple } from './jinja-access.js'
import { bind } from './jinja-calls.js'
import { doubleToString, floatToInt, printf, roundDouble } from './jinja-format.js'
import { isIterable, iterate, pyLen, PyIter } from './jinja-iteration.js'
import { jsonDumps } from './jinja-json.js'
import { binaryOp, compareOp } from './jinja-operators.js'
import { pformat } from './jinja-pprint.js'
import {
  pyCapitalize,
  pyIsLower,
  pyIsUpper,
  pyReplace,
  pySplitlines,
  pyStrip,
  PY_WHITESPACE,
  headOf,
  reversed,
  stripTags,
} from './jinja-strings.js'
import { urlize, urlizeRel, wordwrap } from './jinja-wrap.js'
import {
  checkItems,
  checkSize,
  dictGet,
  DictView,
  floatOf,
  htmlEscape,
  intRepr,
  isDict,
  isInt,
  isNumber,
  isStr,
  isTuple,
  JinjaError,
  Markup,
  MAX_INT_DIGITS,
  MISSING,
  normInt,
  PyBytes,
  PyCallable,
  PyFloat,
  PyRange,
  pyEq,
  pyRepr,
  pyStr,
  spend,
  spendOn,
  ssize,
  SSIZE_INDEX,
  SSIZE_INT,
  strLen,
  truthy,
  tuple,
  typeName,
  Undef,
  type CallArgs,
  type Py,
} from './jinja-values.js'

export interface FilterEnv {
  callFilter(name: string, value: Py, a: CallArgs): Py
  callTest(name: string, value: Py, a: CallArgs): boolean
  /** Whether the filter runs inside {% autoescape true %} (eval_ctx.autoescape); off when not given. */
  autoescapeOn?(): boolean
}

type Filter = (value: Py, a: CallArgs, env: FilterEnv) => Py
type Test = (value: Py, a: CallArgs, env: FilterEnv) => boolean

/** soft_str: str(v), keeping Markup Markup. */
function soft(v: Py): string | Markup {
  return v instanceof Markup ? v : pyStr(v)
}
function s(v: Py): string {
  return pyStr(v)
}
/** What a str method of soft_str(v) returns: Markup stays Markup. */
function like(v: Py, text: string): string | Markup {
  return v instanceof Markup ? new Markup(text) : text
}

/** An int argument, as Python's C code takes it. */
function intArg(v: Py): number {
  if (isInt(v)) return Number(v)
  if (v instanceof Undef) v.fail()
  throw new JinjaError(`'${typeName(v)}' object cannot be interpreted as an integer`)
}

// ------------------------------------------------------------------------------------------------------------
// attribute getters, sorting and comparing as Python does

/** _prepare_attribute_parts: a dotted path, its all-digit parts as indices. */
function attributeParts(attribute: Py): Py[] {
  if (attribute === null) return []
  if (isStr(attribute))
    return String(attribute)
      .split('.')
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p))
  return [attribute]
}

/** make_attrgetter: environment.getitem along the path; `dflt` replaces an undefined step. */
function attrGetter(attribute: Py, postprocess?: (x: Py) => Py, dflt: Py = null): (item: Py) => Py {
  const parts = attributeParts(attribute)
  return (item) => {
    let v = item
    for (const p of parts) {
      v = getItem(v, p)
      if (dflt !== null && v instanceof Undef) v = dflt
    }
    return postprocess ? postprocess(v) : v
  }
}

/** make_multi_attrgetter: a list of keys, one per comma-separated path ('age,name'). */
function multiAttrGetter(attribute: Py, postprocess?: (x: Py) => Py): (item: Py) => Py {
  const paths = isStr(attribute) ? String(attribute).split(',') : [attribute]
  const getters = paths.map((p) => attrGetter(p === '' ? '' : p, postprocess))
  return (item) => getters.map((g) => g(item))
}

/** ignore_case: lower() of a str (a Markup's is Markup), anything else as it is. */
function ignoreCase(v: Py): Py {
  return isStr(v) ? like(v, String(v).toLowerCase()) : v
}

/** a < b as Python's sort and min use it (its TypeError names '<'). */
function lessThan(a: Py, b: Py): boolean {
  return compareOp('<', a, b)
}

/**
 * sorted(items, key, reverse) as CPython runs it: keys made once, compared with < only, stable; with
 * reverse the list is reversed, sorted and reversed again, so equal items keep their order and the
 * comparisons (and so the TypeError, if any) are Python's. V8's sort is the same TimSort.
 */
function pySorted(items: Py[], key: (x: Py) => Py, reverse: boolean): Py[] {
  spendOn(items.length) // each comparison spends as it walks the keys (pyCompare)
  const keyed = items.map((x) => ({ x, k: key(x) }))
  if (reverse) keyed.reverse()
  keyed.sort((p, q) => (lessThan(p.k, q.k) ? -1 : lessThan(q.k, p.k) ? 1 : 0))
  if (reverse) keyed.reverse()
  return keyed.map((e) => e.x)
}

// ------------------------------------------------------------------------------------------------------------
// numbers

/** int(text, base) as Python parses it (PyLong_FromString), or undefined where it raises ValueError. */
function parseInt_(text: string, base: number): number | bigint | undefined {
  if (base !== 0 && (base < 2 || base > 36)) return undefined
  let t = pyStrip(text, null, true, true)
  let sign = ''
  if (t[0] === '+' || t[0] === '-') {
    sign = t[0] === '-' ? '-' : ''
    t = t.slice(1)
  }
  let b = base
  const prefix = /^0([xob])/i.exec(t)
  if (prefix) {
    const pb = { x: 16, o: 8, b: 2 }[prefix[1]!.toLowerCase() as 'x' | 'o' | 'b']
    if (b === 0 || b === pb) {
      b = pb
      t = t.slice(2)
      if (t.startsWith('_')) t = t.slice(1) // an underscore may follow the prefix
      if (t === '') return undefined
    }
  }
  if (b === 0) {
    b = 10
    if (/^0+(_?0)*$/.test(t)) return 0
    if (t.startsWith('0')) return undefined // base 0: no leading zeros on a non-zero decimal
  }
  if (!/^[0-9a-z]+(_[0-9a-z]+)*$/i.test(t)) return undefined
  const digits = t.replace(/_/g, '').toLowerCase()
  for (const c of digits) if (parseInt(c, 36) >= b) return undefined
  if (b === 10) {
    if (digits.length > MAX_INT_DIGITS) return undefined // ValueError, past the digit limit
    return digits.length < 16 ? Number(sign + digits) : normInt(BigInt(sign + digits))
  }
  const big = [...digits].reduce((acc, c) => acc * BigInt(b) + BigInt(parseInt(c, 36)), 0n)
  spendOn(digits.length)
  return normInt(sign === '-' ? -big : big)
}

/** float(text) as Python parses it, or undefined where it raises ValueError. */
function parseFloat_(text: string): number | undefined {
  const t = pyStrip(text, null, true, true).toLowerCase()
  const special = /^([+-]?)(inf|infinity|nan)$/.exec(t)
  if (special) return special[2] === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity
  const digits = '\\d(?:_?\\d)*'
  if (!new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:e[+-]?${digits})?$`).test(t))
    return undefined
  return Number(t.replace(/_/g, ''))
}

/** do_int */
function toInt(v: Py, dflt: Py, base: Py): Py {
  if (v instanceof Undef) v.fail() // int(Undefined) raises UndefinedError, which do_int does not catch
  if (isStr(v)) {
    if (isInt(base)) {
      const r = parseInt_(String(v), Number(base))
      if (r !== undefined) return r
    }
    // "42.23"|int is 42: int(float(value)), whose OverflowError and ValueError give the default too
    const f = parseFloat_(String(v))
    return f === undefined || !Number.isFinite(f) ? dflt : floatToInt(f)
  }
  if (typeof v === 'boolean') return Number(v)
  if (isInt(v)) return v
  if (v instanceof PyFloat) return Number.isFinite(v.v) ? floatToInt(v.v) : dflt
  return dflt
}

/** do_float: float(value), or the default on TypeError and ValueError (OverflowError goes through). */
function toFloat(v: Py, dflt: Py): Py {
  if (v instanceof Undef) v.fail()
  if (isNumber(v)) return new PyFloat(floatOf(v))
  if (isStr(v)) {
    const f = parseFloat_(String(v))
    return f === undefined ? dflt : new PyFloat(f)
  }
  return dflt
}

/** round(x, ndigits) of a float: the decimal digits rounded half to even, read back as a double. */
function roundFloat(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || x === 0) return x
  if (ndigits > 323) return x
  if (ndigits < -308) return 0 * x
  const r = roundDouble(x, ndigits)
  if (!Number.isFinite(r)) throw new JinjaError('rounded value too large to represent', 'OverflowError')
  return r
}

/** round(n, ndigits) of an int: half to even at 10^-ndigits, an int. */
function roundInt(n: number | bigint, ndigits: number): number | bigint {
  if (ndigits >= 0) return n
  const unit = 10n ** BigInt(-ndigits)
  const big = BigInt(n)
  let q = big / unit
  let r = big % unit
  if (r < 0n) {
    r += unit
    q -= 1n
  }
  const twice = 2n * r
  if (twice > unit || (twice === unit && q % 2n !== 0n)) q += 1n
  return normInt(q * unit)
}

function doRound(v: Py, a: CallArgs): Py {
  const [precision, method] = bind('do_round', a, ['precision', 'method'], [0, 'common'], 1)
  const m = isStr(method!) ? String(method) : ''
  if (!['common', 'ceil', 'floor'].includes(m))
    throw new JinjaError('method must be common, ceil or floor', 'FilterArgumentError')
  if (m === 'common') {
    if (v instanceof Undef) throw new JinjaError("type Undefined doesn't define __round__ method")
    if (!isNumber(v)) throw new JinjaError(`type ${typeName(v)} doesn't define __round__ method`)
    const nd = intArg(precision!)
    if (v instanceof PyFloat) return new PyFloat(roundFloat(v.v, nd))
    return roundInt(typeof v === 'boolean' ? Number(v) : v, nd)
  }
  // math.ceil / math.floor of value * 10**precision, divided by 10**precision: an int, then a float
  const p = intArg(precision!)
  const scale: Py = p >= 0 ? binaryOp('**', 10, p) : new PyFloat(Number(`1e${p}`))
  const scaled = binaryOp('*', v, scale)
  if (!isNumber(scaled)) throw new JinjaError(`must be real number, not ${typeName(scaled)}`)
  let whole: Py
  if (scaled instanceof PyFloat) {
    const f = m === 'ceil' ? Math.ceil(scaled.v) : Math.floor(scaled.v)
    whole = floatToInt(f)
  } else whole = typeof scaled === 'boolean' ? Number(scaled) : scaled
  return binaryOp('/', whole, scale)
}

/** do_filesizeformat */
function fileSize(v: Py, a: CallArgs): string {
  const [binary] = bind('do_filesizeformat', a, ['binary'], [false], 1)
  // float(value), which raises where do_float would give its default (None marks that here)
  const f = toFloat(v, null)
  if (!(f instanceof PyFloat)) {
    if (isStr(v))
      throw new JinjaError(`could not convert string to float: ${pyRepr(String(v))}`, 'ValueError')
    throw new JinjaError(`float() argument must be a string or a real number, not '${typeName(v)}'`)
  }
  const bytes = f.v
  const bin = truthy(binary!)
  const base = bin ? 1024 : 1000
  const prefixes = bin
    ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB']
    : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB']
  if (bytes === 1) return '1 Byte'
  if (bytes < base) return `${intRepr(floatToInt(bytes))} Bytes`
  let unit = base
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2)
    if (bytes < unit) return `${doubleToString((base * bytes) / unit, 'f', 1)} ${prefixes[i]}`
  }
  return `${doubleToString((base * bytes) / unit, 'f', 1)} ${prefixes[prefixes.length - 1]}`
}

// ------------------------------------------------------------------------------------------------------------
// the filters with more to them

function selectOrReject(value: Py, a: CallArgs, env: FilterEnv, attr: boolean, mode: boolean): Py {
  // A generator: its body, argument checks and all, runs when it is first iterated
  return new PyIter(() => {
    // `if value:` guards the loop, so None (and any falsy value) selects nothing
    if (!truthy(value)) return []
    const args = a.args.slice()
    let getter: (x: Py) => Py = (x) => x
    if (attr) {
      if (args.length === 0)
        throw new JinjaError('Missing parameter for attribute name', 'FilterArgumentError')
      getter = attrGetter(args.shift()!)
    }
    let test: (x: Py) => boolean
    if (args.length > 0) {
      const name = pyStr(args.shift()!)
      const rest = { args, kwargs: a.kwargs }
      test = (x) => env.callTest(name, x, rest)
    } else test = (x) => truthy(x)
    const items = iterate(value)
    spendOn(items.length)
    return items.filter((x) => test(getter(x)) === mode)
  }, 'generator')
}

function doMap(value: Py, a: CallArgs, env: FilterEnv): Py {
  // A generator: its body, argument checks and all, runs when it is first iterated
  return new PyIter(() => {
    // `if value:` guards the loop, so None maps to nothing, and its arguments are not even looked at
    if (!truthy(value)) return []
    let fn: (x: Py) => Py
    if (a.args.length === 0 && a.kwargs.has('attribute')) {
      const kwargs = new Map(a.kwargs)
      const attribute = kwargs.get('attribute')!
      const dflt = kwargs.get('default') ?? null
      kwargs.delete('attribute')
      kwargs.delete('default')
      if (kwargs.size > 0)
        throw new JinjaError(
          `Unexpected keyword argument ${pyRepr([...kwargs.keys()][0]!)}`,
          'FilterArgumentError',
        )
      fn = attrGetter(attribute, undefined, dflt)
    } else {
      if (a.args.length === 0) throw new JinjaError('map requires a filter argument', 'FilterArgumentError')
      const name = pyStr(a.args[0]!)
      const rest = { args: a.args.slice(1), kwargs: a.kwargs }
      fn = (x) => env.callFilter(name, x, rest)
    }
    const items = iterate(value)
    spendOn(items.length)
    return items.map(fn)
  }, 'generator')
}

function doIndent(v: Py, a: CallArgs): Py {
  const [width, first, blank] = bind('do_indent', a, ['width', 'first', 'blank'], [4, false, false], 1)
  // s += newline: do_indent does not stringify, so only a str (or Markup) gets through
  if (v instanceof Undef) v.fail()
  if (!isStr(v)) {
    if (Array.isArray(v))
      throw new JinjaError(`can only concatenate ${typeName(v)} (not "str") to ${typeName(v)}`)
    throw new JinjaError(`unsupported operand type(s) for +=: '${typeName(v)}' and 'str'`)
  }
  let indention: string
  if (isStr(width!)) indention = String(width)
  else {
    // " " * width: Python's overflow first, then our size bound, before the spaces exist
    const n = Math.max(0, ssize(intArg(width!), SSIZE_INDEX))
    checkSize(n)
    indention = ' '.repeat(n)
  }
  const str = String(v) + '\n'
  const lines = pySplitlines(str)
  spendOn(lines.length)
  // Every line that gets the indentation, counted before one is built
  const indented = truthy(blank!) ? lines.length - 1 : lines.slice(1).filter((l) => l !== '').length
  checkSize(str.length + (indented + (truthy(first!) ? 1 : 0)) * indention.length)
  let rv: string
  if (truthy(blank!)) rv = lines.join('\n' + indention)
  else {
    rv = lines.shift() ?? ''
    if (lines.length > 0) rv += '\n' + lines.map((l) => (l ? indention + l : l)).join('\n')
  }
  if (truthy(first!)) rv = indention + rv
  return like(v, rv)
}

function doTruncate(v: Py, a: CallArgs): Py {
  const [length, killwords, end, leeway] = bind(
    'do_truncate',
    a,
    ['length', 'killwords', 'end', 'leeway'],
    [255, false, '...', null],
    2,
  )
  const n = intArg(length!)
  const e = pyStr(end!)
  const lee = leeway === null ? 5 : intArg(leeway!)
  if (!(n >= strLen(e))) throw new JinjaError(`expected length >= ${strLen(e)}, got ${n}`, 'AssertionError')
  if (!(lee >= 0)) throw new JinjaError(`expected leeway >= 0, got ${lee}`, 'AssertionError')
  if (!isStr(v)) {
    // do_truncate does not stringify: a sized value short enough comes back as it is
    if (pyLen(v) <= n + lee) return v
    throw new JinjaError(`'${typeName(v)}' object has no attribute 'rsplit'`, 'AttributeError')
  }
  const text = String(v)
  if (strLen(text) <= n + lee) return v
  const head = headOf(text, Math.max(0, n - strLen(e)))
  // Markup: its slice is Markup, and Markup + str escapes the str
  const tail = v instanceof Markup ? htmlEscape(e) : e
  if (truthy(killwords!)) return like(v, head + tail)
  const cut = head.lastIndexOf(' ')
  return like(v, (cut >= 0 ? head.slice(0, cut) : head) + tail)
}

function doWordwrap(v: Py, a: CallArgs): Py {
  const [width, breakLong, wrapstring, breakOnHyphens] = bind(
    'do_wordwrap',
    a,
    ['width', 'break_long_words', 'wrapstring', 'break_on_hyphens'],
    [79, true, null, true],
    2,
  )
  // s.splitlines() and wrapstring.join(): both must be str
  if (v instanceof Undef) v.fail()
  if (!isStr(v))
    throw new JinjaError(`'${typeName(v)}' object has no attribute 'splitlines'`, 'AttributeError')
  const wrap = wrapstring === null ? '\n' : wrapstring!
  if (wrap instanceof Undef) wrap.fail()
  if (!isStr(wrap))
    throw new JinjaError(`'${typeName(wrap)}' object has no attribute 'join'`, 'AttributeError')
  return wordwrap(String(v), intArg(width!), truthy(breakLong!), String(wrap), truthy(breakOnHyphens!))
}

const URI_SCHEME = /^[\p{L}\p{N}_.+-]{2,}:\/{0,2}$/u

function doUrlize(v: Py, a: CallArgs, env: FilterEnv): Py {
  const [trimUrlLimit, nofollow, target, rel, extraSchemes] = bind(
    'do_urlize',
    a,
    ['trim_url_limit', 'nofollow', 'target', 'rel', 'extra_schemes'],
    [null, false, null, null, null],
    2,
  )
  let schemes: string[] | null = null
  if (extraSchemes !== null) {
    schemes = iterate(extraSchemes!).map((x) => {
      if (!isStr(x)) throw new JinjaError(`expected string or bytes-like object, got '${typeName(x)}'`)
      if (!URI_SCHEME.test(String(x)))
        throw new JinjaError(`${pyRepr(x)} is not a valid URI scheme prefix.`, 'FilterArgumentError')
      return String(x)
    })
  }
  const relText = rel === null || !truthy(rel!) ? null : pyStr(rel!)
  const out = urlize(s(v), {
    markup: v instanceof Markup,
    trimUrlLimit: trimUrlLimit === null ? null : intArg(trimUrlLimit!),
    rel: urlizeRel(relText, truthy(nofollow!)),
    target: target === null || !truthy(target!) ? null : pyStr(target!),
    extraSchemes: schemes,
  })
  return env.autoescapeOn?.() ? new Markup(out) : out
}

const ATTR_KEY = /[\t\n\x0b\x0c\r /=>]/ // eslint-disable-line no-control-regex -- \s with re.ASCII, and / > =

function doXmlattr(v: Py, a: CallArgs, env: FilterEnv): Py {
  const [autospace] = bind('do_xmlattr', a, ['autospace'], [true], 2)
  if (v instanceof Undef) v.fail()
  if (!(v instanceof Map))
    throw new JinjaError(`'${typeName(v)}' object has no attribute 'items'`, 'AttributeError')
  const items: string[] = []
  let length = 0
  for (const [key, value] of v) {
    spend(1)
    if (value === null || value instanceof Undef) continue
    if (!isStr(key)) throw new JinjaError(`expected string or bytes-like object, got '${typeName(key)}'`)
    if (ATTR_KEY.test(String(key)))
      throw new JinjaError(`Invalid character in attribute name: ${pyRepr(key)}`, 'ValueError')
    const esc = (x: Py): string => (x instanceof Markup ? x.s : htmlEscape(pyStr(x)))
    const item = `${esc(key)}="${esc(value)}"`
    length += item.length + 1
    checkSize(length)
    items.push(item)
  }
  let rv = items.join(' ')
  if (truthy(autospace!) && rv) rv = ' ' + rv
  return env.autoescapeOn?.() ? new Markup(rv) : rv
}

/** url_quote: UTF-8 percent-encoding, '/' kept unless for a query string (where ' ' is '+'). */
function urlQuote(v: Py, forQs: boolean): string {
  const text = pyStr(v)
  spendOn(text.length)
  let quoted: string
  try {
    quoted = encodeURIComponent(text)
  } catch {
    const at = [...text].findIndex((c) => /[\ud800-\udfff]/.test(c))
    const cp = [...text][at]!.codePointAt(0)!.toString(16)
    throw new JinjaError(
      `'utf-8' codec can't encode character '\\u${cp}' in position ${at}: surrogates not allowed`,
      'UnicodeEncodeError',
    )
  }
  quoted = quoted.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
  if (!forQs) quoted = quoted.replace(/%2F/g, '/')
  else quoted = quoted.replace(/%20/g, '+')
  checkSize(quoted.length)
  return quoted
}

function doUrlencode(v: Py): string {
  if (isStr(v) || !isIterable(v)) return urlQuote(v, false)
  const pairs = v instanceof Map ? [...v] : iterate(v).map((item) => unpackPair(item))
  spendOn(pairs.length)
  let length = 0
  return pairs
    .map(([k, x]) => {
      const part = `${urlQuote(k, true)}=${urlQuote(x, true)}`
      length += part.length + 1
      checkSize(length)
      return part
    })
    .join('&')
}

/** for k, v in items: each item unpacked into two. */
function unpackPair(item: Py): [Py, Py] {
  if (item instanceof Undef) item.fail()
  if (!isIterable(item)) throw new JinjaError(`cannot unpack non-iterable ${typeName(item)} object`)
  const parts = iterate(item)
  if (parts.length > 2) throw new JinjaError('too many values to unpack (expected 2)', 'ValueError')
  if (parts.length < 2)
    throw new JinjaError(`not enough values to unpack (expected 2, got ${parts.length})`, 'ValueError')
  return [parts[0]!, parts[1]!]
}

function doGroupby(v: Py, a: CallArgs): Py {
  const [attribute, dflt, cs] = bind(
    'sync_do_groupby',
    a,
    ['attribute', 'default', 'case_sensitive'],
    [null, false],
    2,
  )
  const caseSensitive = truthy(cs!)
  const expr = attrGetter(attribute!, caseSensitive ? undefined : ignoreCase, dflt)
  const sorted = pySorted(iterate(v), expr, false)
  // itertools.groupby: runs of equal (==) keys, each key made once
  const groups: Array<[Py, Py[]]> = []
  for (const x of sorted) {
    spend(1)
    const k = expr(x)
    const last = groups[groups.length - 1]
    if (last && pyEq(last[0], k)) last[1].push(x)
    else groups.push([k, [x]])
  }
  // Not case-sensitive: each group is named by its first item's own key, not the lowered one
  const output = caseSensitive ? undefined : attrGetter(attribute!, undefined, dflt)
  return groups.map(([k, items]) => namedTuple([output ? output(items[0]!) : k, items], ['grouper', 'list']))
}

function doSlice(v: Py, a: CallArgs): Py {
  const [n, fill] = bind('sync_do_slice', a, ['slices', 'fill_with'], [null], 1)
  return new PyIter(() => {
    const seq = iterate(v).slice()
    const slices = intArg(n!)
    if (slices === 0) throw new JinjaError('integer division or modulo by zero', 'ZeroDivisionError')
    const length = seq.length
    const perSlice = Math.floor(length / slices)
    const withExtra = ((length % slices) + slices) % slices
    checkItems(Math.max(0, slices) + length) // every slice, before one is made
    const out: Py[] = []
    let offset = 0
    for (let i = 0; i < slices; i++) {
      spend(1)
      const start = offset + i * perSlice
      if (i < withExtra) offset++
      const end = offset + (i + 1) * perSlice
      const tmp = pySliceOf(seq, start, end)
      if (fill !== null && i >= withExtra) tmp.push(fill!)
      out.push(tmp)
    }
    return out
  }, 'generator')
}

/** seq[start:end] with Python's clamping of negative and large bounds. */
function pySliceOf(seq: Py[], start: number, end: number): Py[] {
  const n = seq.length
  const lo = start < 0 ? Math.max(0, start + n) : Math.min(start, n)
  const hi = end < 0 ? Math.max(0, end + n) : Math.min(end, n)
  return seq.slice(lo, Math.max(lo, hi))
}

function doSum(v: Py, a: CallArgs): Py {
  const [attribute, start] = bind('sync_do_sum', a, ['attribute', 'start'], [null, 0], 2)
  if (isStr(start!)) throw new JinjaError("sum() can't sum strings [use ''.join(seq) instead]")
  let items = iterate(v)
  spendOn(items.length)
  if (attribute !== null) items = items.map(attrGetter(attribute!))
  let total: Py = start!
  for (const x of items) total = binaryOp('+', total, x)
  return total
}

function minMax(v: Py, a: CallArgs, op: '<' | '>'): Py {
  const [cs, attribute] = bind(
    op === '>' ? 'do_max' : 'do_min',
    a,
    ['case_sensitive', 'attribute'],
    [false, null],
    2,
  )
  const items = iterate(v)
  if (items.length === 0) return new Undef(undefined, MISSING, 'No aggregated item, sequence was empty.')
  const key = attrGetter(attribute!, truthy(cs!) ? undefined : ignoreCase)
  // min and max compare each new key with the best so far: key(x) < key(best), or >
  let best = items[0]!
  let bestKey = key(best)
  for (let i = 1; i < items.length; i++) {
    const k = key(items[i]!)
    if (compareOp(op, k, bestKey)) {
      best = items[i]!
      bestKey = k
    }
  }
  return best
}

function doUnique(v: Py, a: CallArgs): Py {
  // A set of the keys seen: str, int, float, bool, None and tuples of them hash here (one lookup each,
  // not a comparison with every key kept); a list or dict is unhashable, as in Python; anything else is
  // compared with ==, each comparison spending work.
  const [cs, attribute] = bind('sync_do_unique', a, ['case_sensitive', 'attribute'], [false, null], 2)
  const key = attrGetter(attribute!, truthy(cs!) ? undefined : ignoreCase)
  return new PyIter(() => {
    const hashed = new Set<string>()
    const others: Py[] = []
    const out: Py[] = []
    for (const x of iterate(v)) {
      spend(1)
      const k = key(x)
      const h = hashKey(k)
      if (h !== undefined) {
        if (hashed.has(h)) continue
        hashed.add(h)
      } else {
        if (others.some((y) => pyEq(y, k))) continue
        others.push(k)
      }
      out.push(x)
    }
    return out
  }, 'generator')
}

/**
 * A string that is equal exactly when Python's == (and so its set) says the keys are equal: numbers by
 * value (1 == 1.0 == True, 2**64 == 2.0**64), str and Markup by text, None, and tuples of those. NaN,
 * Undefined and the other objects are left to ==; a list or dict raises TypeError as Python's set does.
 */
function hashKey(k: Py): string | undefined {
  spend(1)
  if (k === null) return 'N'
  if (isNumber(k)) {
    if (typeof k === 'bigint') return `n${k}`
    const n = k instanceof PyFloat ? k.v : Number(k)
    if (Number.isNaN(n)) return undefined
    if (Number.isInteger(n) && !Number.isSafeInteger(n)) return `n${BigInt(n)}`
    return `n${n === 0 ? 0 : n}`
  }
  if (isStr(k)) return `s${String(k)}`
  if (k instanceof PyBytes) return `b${Buffer.from(k.data).toString('hex')}`
  // ranges are equal as sequences: their length, and first item and step where those matter
  if (k instanceof PyRange) return `r${k.length}:${k.length > 0 ? k.start : ''}:${k.length > 1 ? k.step : ''}`
  if (Array.isArray(k)) {
    if (!isTuple(k)) throw new JinjaError("unhashable type: 'list'")
    const parts: string[] = []
    for (const x of k) {
      const h = hashKey(x)
      if (h === undefined) return undefined
      parts.push(JSON.stringify(h))
    }
    return `t[${parts.join(',')}]`
  }
  if (k instanceof Map) throw new JinjaError("unhashable type: 'dict'")
  if (k instanceof DictView) throw new JinjaError(`unhashable type: '${k.pyTypeName}'`)
  return undefined
}

function doReverse(v: Py): Py {
  if (isStr(v)) return like(v, reversed(String(v)))
  if (v instanceof Map) return new PyIter([...v.keys()].reverse(), 'dict_reversekeyiterator')
  if (Array.isArray(v))
    return new PyIter(v.slice().reverse(), isTuple(v) ? 'reversed' : 'list_reverseiterator')
  if (v instanceof Undef) return new PyIter([], 'reversed')
  if (v instanceof PyRange) return new PyIter(v.items().reverse(), 'range_iterator')
  if (v instanceof DictView)
    return new PyIter(v.items().reverse(), `dict_reverse${v.kind.slice(0, -1)}iterator`)
  if (!isIterable(v)) throw new JinjaError('argument must be iterable', 'FilterArgumentError')
  return iterate(v).slice().reverse()
}

function doLast(v: Py): Py {
  if (v instanceof PyIter) throw new JinjaError(`'${v.pyTypeName}' object is not reversible`)
  const reversible =
    Array.isArray(v) ||
    isStr(v) ||
    v instanceof Map ||
    v instanceof Undef ||
    v instanceof PyRange ||
    v instanceof PyBytes ||
    v instanceof DictView
  if (!reversible) throw new JinjaError(`'${typeName(v)}' object is not reversible`)
  const items = v instanceof Map ? [...v.keys()] : iterate(v)
  return items.length > 0
    ? items[items.length - 1]!
    : new Undef(undefined, MISSING, 'No last item, sequence was empty.')
}

function doRandom(v: Py): Py {
  // random.choice(seq): a sequence with a length, indexed at random (nondeterministic, as in Python)
  if (v instanceof PyIter) throw new JinjaError(`object of type '${v.pyTypeName}' has no len()`)
  const n = pyLen(v)
  if (n === 0) return new Undef(undefined, MISSING, 'No random item, sequence was empty.')
  const i = Math.floor(Math.random() * n)
  if (v instanceof Map) {
    const item = dictGet(v, i)
    if (item === MISSING) throw new JinjaError(String(i), 'KeyError')
    return item
  }
  return iterate(v)[i]!
}

function doDictsort(v: Py, a: CallArgs): Py {
  const [cs, by, reverse] = bind(
    'do_dictsort',
    a,
    ['case_sensitive', 'by', 'reverse'],
    [false, 'key', false],
    1,
  )
  const pos = pyEq(by!, 'key') ? 0 : pyEq(by!, 'value') ? 1 : -1
  if (pos < 0) throw new JinjaError('You can only sort by either "key" or "value"', 'FilterArgumentError')
  if (v instanceof Undef) v.fail()
  if (!(v instanceof Map))
    throw new JinjaError(`'${typeName(v)}' object has no attribute 'items'`, 'AttributeError')
  const items = [...v].map(([k, x]) => tuple([k, x]))
  const caseSensitive = truthy(cs!)
  return pySorted(
    items,
    (t) => (caseSensitive ? (t as Py[])[pos]! : ignoreCase((t as Py[])[pos]!)),
    truthy(reverse!),
  )
}

function doSort(v: Py, a: CallArgs): Py {
  const [reverse, cs, attribute] = bind(
    'do_sort',
    a,
    ['reverse', 'case_sensitive', 'attribute'],
    [false, false, null],
    2,
  )
  const key = multiAttrGetter(attribute!, truthy(cs!) ? undefined : ignoreCase)
  return pySorted(iterate(v), key, truthy(reverse!))
}

function doJoin(v: Py, a: CallArgs, env: FilterEnv): Py {
  const [d, attribute] = bind('sync_do_join', a, ['d', 'attribute'], ['', null], 2)
  let items = iterate(v)
  spendOn(items.length)
  if (attribute !== null) items = items.map(attrGetter(attribute!))
  // Inside {% autoescape true %}, a Markup item (or separator) makes the join Markup, escaping the rest
  const markup = env.autoescapeOn?.() && (d instanceof Markup || items.some((x) => x instanceof Markup))
  const text = (x: Py): string => (markup && !(x instanceof Markup) ? htmlEscape(pyStr(x)) : pyStr(x))
  const sep = text(d!)
  let length = sep.length * Math.max(0, items.length - 1)
  const parts = items.map((x) => {
    const p = text(x)
    length += p.length
    checkSize(length) // as the parts are made, so a join of shared values stops early
    return p
  })
  return markup ? new Markup(parts.join(sep)) : parts.join(sep)
}

function doReplace(v: Py, a: CallArgs, env: FilterEnv): Py {
  const [old, rep, count] = bind('do_replace', a, ['old', 'new', 'count'], [null], 2)
  const n = count === null ? -1 : intArg(count!)
  if (!env.autoescapeOn?.()) {
    const r = pyReplace(s(v), pyStr(old!), pyStr(rep!), n)
    checkSize(r.length)
    return r
  }
  // Inside {% autoescape true %}: the value escaped when the old or new text is Markup and it is not
  const escape = (old instanceof Markup || rep instanceof Markup) && !(v instanceof Markup)
  const base = escape ? htmlEscape(pyStr(v)) : pyStr(v)
  const markup = v instanceof Markup || escape
  const newText = markup && !(rep instanceof Markup) ? htmlEscape(pyStr(rep!)) : pyStr(rep!)
  const r = pyReplace(base, pyStr(old!), newText, n)
  checkSize(r.length)
  return markup ? new Markup(r) : r
}

/** do_title: the first character of each word upper-cased, the rest lower-cased (Jinja2's own regex). */
const WORD_BEGINNING = new RegExp(`([-${PY_WHITESPACE}({\\[<]+)`, 'u')
function doTitle(v: Py): string {
  return s(v)
    .split(WORD_BEGINNING)
    .filter((w) => w !== '')
    .map((w) => {
      const first = String.fromCodePoint(w.codePointAt(0)!)
      return first.toUpperCase() + w.slice(first.length).toLowerCase()
    })
    .join('')
}

function doCenter(v: Py, a: CallArgs): Py {
  // value.center(width): Python's overflow, then our size bound, then the pad
  const [w] = bind('do_center', a, ['width'], [80], 1)
  const str = s(v)
  const width = ssize(intArg(w!), SSIZE_INT)
  const n = strLen(str)
  if (n >= width) return like(v, str)
  const total = width - n
  checkSize(str.length + total)
  const left = Math.floor(total / 2) + (total & width & 1)
  return like(v, ' '.repeat(left) + str + ' '.repeat(total - left))
}

function doFormat(v: Py, a: CallArgs): Py {
  if (a.args.length > 0 && a.kwargs.size > 0)
    throw new JinjaError(
      "can't handle positional and keyword arguments at the same time",
      'FilterArgumentError',
    )
  // soft_str(value) % (kwargs or args)
  const args: Py = a.kwargs.size > 0 ? new Map<Py, Py>(a.kwargs) : tuple(a.args)
  if (v instanceof Markup) return new Markup(printf(v.s, args, true))
  return printf(s(v), args)
}

function doAbs(v: Py): Py {
  if (typeof v === 'bigint') return v < 0n ? -v : v
  if (typeof v === 'number' || typeof v === 'boolean') return Math.abs(Number(v))
  if (v instanceof PyFloat) return new PyFloat(Math.abs(v.v))
  throw new JinjaError(`bad operand type for abs(): '${typeName(v)}'`)
}

function doTojson(v: Py, a: CallArgs): Py {
  const [ensureAscii, indent, separators, sortKeys] = bind(
    'tojson',
    a,
    ['ensure_ascii', 'indent', 'separators', 'sort_keys'],
    [false, null, null, false],
    1,
  )
  return jsonDumps(v, {
    indent: indent!,
    separators: separators!,
    sortKeys: truthy(sortKeys!),
    ensureAscii: truthy(ensureAscii!),
  })
}

function doBatch(v: Py, a: CallArgs): Py {
  // jinja2.filters.do_batch, step by step: a batch is yielded when it holds `linecount` items (so 0
  // yields one empty batch first), and only the last one is filled: tmp += [fill_with] * missing.
  const [n, fill] = bind('do_batch', a, ['linecount', 'fill_with'], [null], 1)
  return new PyIter(() => {
    const size = intArg(n!)
    const items = iterate(v)
    spendOn(items.length)
    const out: Py[] = []
    let tmp: Py[] = []
    for (const item of items) {
      if (tmp.length === size) {
        out.push(tmp)
        tmp = []
      }
      tmp.push(item)
    }
    if (tmp.length > 0) {
      if (fill !== null && tmp.length < size) {
        const missing = ssize(size - tmp.length, SSIZE_INDEX)
        checkItems(size) // the filled batch, before the fill is built
        spendOn(missing)
        for (let i = 0; i < missing; i++) tmp.push(fill!)
      }
      out.push(tmp)
    }
    return out
  }, 'generator')
}

// ------------------------------------------------------------------------------------------------------------
// the table (jinja2.filters.FILTERS)

const first = (v: Py): Py => {
  // next(iter(seq)): a generator gives up one item only
  const item =
    v instanceof PyIter
      ? v.next()
      : isStr(v)
        ? String(v) === ''
          ? MISSING
          : String.fromCodePoint(String(v).codePointAt(0)!) // no list of every character
        : (iterate(v)[0] ?? MISSING)
  return item !== MISSING ? item : new Undef(undefined, MISSING, 'No first item, sequence was empty.')
}

/** A filter of the value alone: more arguments are the TypeError of its Python function. */
function plain(fname: string, fn: (v: Py) => Py, leading = 1): Filter {
  return (v, a) => {
    if (a.args.length > 0 || a.kwargs.size > 0) bind(fname, a, [], [], leading)
    return fn(v)
  }
}

export const FILTERS: ReadonlyMap<string, Filter> = new Map<string, Filter>([
  ['abs', plain('abs', doAbs, 0)],
  ['attr', (v, a) => getAttrOnly(v, attrName(bind('do_attr', a, ['name'], [], 2)[0]!))],
  ['batch', doBatch],
  ['capitalize', plain('do_capitalize', (v) => like(v, pyCapitalize(s(v))))],
  ['center', doCenter],
  ['count', plain('len', (v) => pyLen(v), 0)],
  [
    'default',
    (v, a) => {
      const [dflt, boolean] = bind('do_default', a, ['default_value', 'boolean'], ['', false], 1)
      return v instanceof Undef || (truthy(boolean!) && !truthy(v)) ? dflt! : v
    },
  ],
  ['dictsort', doDictsort],
  ['escape', plain('escape', (v) => (v instanceof Markup ? v : new Markup(htmlEscape(s(v)))), 0)],
  ['filesizeformat', fileSize],
  ['first', plain('sync_do_first', first, 2)],
  ['float', (v, a) => toFloat(v, bind('do_float', a, ['default'], [new PyFloat(0)], 1)[0]!)],
  ['forceescape', plain('do_forceescape', (v) => new Markup(htmlEscape(s(v))))],
  ['format', doFormat],
  ['groupby', doGroupby],
  ['indent', doIndent],
  [
    'int',
    (v, a) => {
      const [dflt, base] = bind('do_int', a, ['default', 'base'], [0, 10], 1)
      return toInt(v, dflt!, base!)
    },
  ],
  [
    'items',
    (v) => {
      return new PyIter(() => {
        if (v instanceof Undef) return []
        if (!(v instanceof Map)) throw new JinjaError('Can only get item pairs from a mapping.')
        spendOn(v.size)
        return [...v].map(([k, x]) => tuple([k, x]))
      }, 'generator')
    },
  ],
  ['join', doJoin],
  ['last', plain('do_last', doLast, 2)],
  ['length', plain('len', (v) => pyLen(v), 0)],
  [
    'list',
    (v) => {
      const items = iterate(v)
      spendOn(items.length)
      return items.slice()
    },
  ],
  ['lower', plain('do_lower', (v) => like(v, s(v).toLowerCase()))],
  ['map', doMap],
  ['max', (v, a) => minMax(v, a, '>')],
  ['min', (v, a) => minMax(v, a, '<')],
  ['pprint', plain('do_pprint', (v) => pformat(v))],
  ['random', plain('do_random', doRandom, 2)],
  ['reject', (v, a, env) => selectOrReject(v, a, env, false, false)],
  ['rejectattr', (v, a, env) => selectOrReject(v, a, env, true, false)],
  ['replace', doReplace],
  ['reverse', plain('do_reverse', doReverse)],
  ['round', doRound],
  ['safe', plain('do_mark_safe', (v) => (v instanceof Markup ? v : new Markup(s(v))))],
  ['select', (v, a, env) => selectOrReject(v, a, env, false, true)],
  ['selectattr', (v, a, env) => selectOrReject(v, a, env, true, true)],
  ['slice', doSlice],
  ['sort', doSort],
  ['string', plain('soft_str', (v) => soft(v), 0)],
  ['striptags', plain('do_striptags', (v) => stripTags(s(v)))],
  ['sum', doSum],
  ['title', plain('do_title', doTitle)],
  ['tojson', doTojson],
  [
    'trim',
    (v, a) => {
      const [chars] = bind('do_trim', a, ['chars'], [null], 1)
      if (chars !== null && !isStr(chars!) && !(chars instanceof Undef))
        throw new JinjaError('strip arg must be None or str')
      return like(v, pyStrip(s(v), chars, true, true))
    },
  ],
  ['truncate', doTruncate],
  ['unique', doUnique],
  ['upper', plain('do_upper', (v) => like(v, s(v).toUpperCase()))],
  ['urlencode', plain('do_urlencode', doUrlencode)],
  ['urlize', doUrlize],
  ['wordcount', plain('do_wordcount', (v) => (s(v).match(/[\p{L}\p{N}_]+/gu) ?? []).length)],
  ['wordwrap', doWordwrap],
  ['xmlattr', doXmlattr],
])
for (const [alias, target] of [
  ['d', 'default'],
  ['e', 'escape'],
])
  (FILTERS as Map<string, Filter>).set(alias!, FILTERS.get(target!)!)

/** getattr's name: a str (a Markup is one too). */
function attrName(v: Py): string {
  if (isStr(v)) return String(v)
  throw new JinjaError(`attribute name must be string, not '${typeName(v)}'`)
}

// ------------------------------------------------------------------------------------------------------------
// tests (jinja2.tests.TESTS)

/** The other operand of an operator test (operator.eq and the rest, which take two arguments). */
function opArg(name: string, a: CallArgs): Py {
  if (a.kwargs.size > 0) throw new JinjaError(`${name}() takes no keyword arguments`)
  if (a.args.length !== 1) throw new JinjaError(`${name} expected 2 arguments, got ${a.args.length + 1}`)
  return a.args[0]!
}

/** A test of the value alone: more arguments are the TypeError of its Python function. */
function valueTest(fname: string, fn: (v: Py) => boolean, leading = 1): Test {
  return (v, a) => {
    if (a.args.length > 0 || a.kwargs.size > 0) bind(fname, a, [], [], leading)
    return fn(v)
  }
}

/** value % n == r, with Python's % (so a str value formats, and an undefined one fails). */
function modIs(v: Py, n: Py, r: number): boolean {
  return pyEq(binaryOp('%', v, n), r)
}

function compareTest(op: '<' | '>' | '<=' | '>='): Test {
  const name = { '<': 'lt', '>': 'gt', '<=': 'le', '>=': 'ge' }[op]
  return (v, a) => compareOp(op, v, opArg(name, a))
}

/** `is`: the same object. None, True and False are singletons; CPython caches the ints -5..256. */
function sameAs(a: Py, b: Py): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b && a >= -5 && a <= 256
  if (typeof a === 'string' || typeof b === 'string') return false
  return a === b
}

export const TESTS: ReadonlyMap<string, Test> = new Map<string, Test>([
  ['boolean', valueTest('test_boolean', (v) => v === true || v === false)],
  // Undefined is callable (calling it fails), as are macros, functions and methods
  ['callable', valueTest('callable', (v) => v instanceof PyCallable || v instanceof Undef, 0)],
  ['defined', valueTest('test_defined', (v) => !(v instanceof Undef))],
  ['divisibleby', (v, a) => modIs(v, bind('test_divisibleby', a, ['num'], [], 1)[0]!, 0)],
  ['eq', (v, a) => pyEq(v, opArg('eq', a))],
  ['equalto', (v, a) => pyEq(v, opArg('eq', a))],
  ['==', (v, a) => pyEq(v, opArg('eq', a))],
  ['escaped', valueTest('test_escaped', (v) => v instanceof Markup)],
  ['even', valueTest('test_even', (v) => modIs(v, 2, 0))],
  ['false', valueTest('test_false', (v) => v === false)],
  ['filter', valueTest('test_filter', (v) => isStr(v) && FILTERS.has(String(v)), 2)],
  ['float', valueTest('test_float', (v) => v instanceof PyFloat)],
  ['ge', compareTest('>=')],
  ['>=', compareTest('>=')],
  ['gt', compareTest('>')],
  ['>', compareTest('>')],
  ['greaterthan', compareTest('>')],
  ['in', (v, a) => binaryOp('in', v, bind('test_in', a, ['seq'], [], 1)[0]!) === true],
  ['integer', valueTest('test_integer', (v) => typeof v === 'number' || typeof v === 'bigint')],
  ['iterable', valueTest('test_iterable', (v) => isIterable(v))],
  ['le', compareTest('<=')],
  ['<=', compareTest('<=')],
  ['lower', valueTest('test_lower', (v) => pyIsLower(pyStr(v)))],
  ['lt', compareTest('<')],
  ['<', compareTest('<')],
  ['lessthan', compareTest('<')],
  ['mapping', valueTest('test_mapping', (v) => isDict(v))],
  ['ne', (v, a) => !pyEq(v, opArg('ne', a))],
  ['!=', (v, a) => !pyEq(v, opArg('ne', a))],
  ['none', valueTest('test_none', (v) => v === null)],
  ['number', valueTest('test_number', (v) => isNumber(v))],
  ['odd', valueTest('test_odd', (v) => modIs(v, 2, 1))],
  ['sameas', (v, a) => sameAs(v, bind('test_sameas', a, ['other'], [], 1)[0]!)],
  [
    'sequence',
    valueTest(
      'test_sequence',
      (v) =>
        Array.isArray(v) ||
        isStr(v) ||
        v instanceof Map ||
        v instanceof Undef ||
        v instanceof PyBytes ||
        v instanceof PyRange,
    ),
  ],
  ['string', valueTest('test_string', (v) => isStr(v))],
  ['test', valueTest('test_test', (v) => isStr(v) && TESTS.has(String(v)), 2)],
  ['true', valueTest('test_true', (v) => v === true)],
  ['undefined', valueTest('test_undefined', (v) => v instanceof Undef)],
  ['upper', valueTest('test_upper', (v) => pyIsUpper(pyStr(v)))],
])
