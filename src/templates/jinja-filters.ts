/**
 * Jinja2's builtin filters and tests (jinja2/filters.py, jinja2/tests.py 3.1), with Python's coercions:
 * string filters stringify their input (None|trim is 'None', undefined|upper is ''), iterating filters accept
 * undefined as empty and reject None, and select/map/unique... return one-shot generators.
 */
import { getAttr, getItem } from './jinja-access.js'
import { bind } from './jinja-calls.js'
import { isIterable, iterate, pyLen, PyIter } from './jinja-iteration.js'
import { jsonDumps } from './jinja-json.js'
import { printf } from './jinja-operators.js'
import { pyCapitalize, pyIsLower, pyIsUpper, pyReplace, pySplitlines, pyStrip } from './jinja-strings.js'
import {
  checkItems,
  checkSize,
  codePoints,
  dictGet,
  htmlEscape,
  isDict,
  isInt,
  isNumber,
  isStr,
  isTuple,
  JinjaError,
  Markup,
  MISSING,
  numOf,
  PyCallable,
  PyFloat,
  pyCompare,
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
}

type Filter = (value: Py, a: CallArgs, env: FilterEnv) => Py
type Test = (value: Py, a: CallArgs, env: FilterEnv) => boolean

/** soft_str */
function s(v: Py): string {
  return pyStr(v)
}

function intArg(v: Py, fname: string): number {
  if (isInt(v)) return Number(v)
  throw new JinjaError(`'${typeName(v)}' object cannot be interpreted as an integer (${fname})`)
}

/** jinja2.filters.make_attrgetter: dotted path, integer parts as indices. */
function attrGetter(attribute: Py, dflt?: Py): (item: Py) => Py {
  if (attribute === null || attribute instanceof Undef) return (x) => x
  const parts = isStr(attribute)
    ? String(attribute)
        .split('.')
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p))
    : [attribute]
  return (item) => {
    let v = item
    for (const p of parts) {
      v = getItem(v, p)
      if (dflt !== undefined && v instanceof Undef) return dflt
    }
    return v
  }
}

function lowerIfStr(v: Py, caseSensitive: boolean): Py {
  return !caseSensitive && isStr(v) ? String(v).toLowerCase() : v
}

function sortValues(items: Py[], key: (x: Py) => Py, reverse: boolean): Py[] {
  spendOn(items.length) // and each comparison spends as it walks the keys (pyCompare)
  const keyed = items.map((x, i) => ({ x, k: key(x), i }))
  keyed.sort((p, q) => {
    const c = pyCompare(p.k, q.k)
    return c !== 0 ? (reverse ? -c : c) : p.i - q.i
  })
  return keyed.map((e) => e.x)
}

function selectOrReject(value: Py, a: CallArgs, env: FilterEnv, attr: boolean, mode: boolean): Py {
  const args = a.args.slice()
  let getter: (x: Py) => Py = (x) => x
  if (attr) {
    if (args.length === 0) throw new JinjaError('Missing parameter for attribute name', 'FilterArgumentError')
    getter = attrGetter(args.shift()!)
  }
  let test: (x: Py) => boolean
  if (args.length > 0) {
    const name = pyStr(args.shift()!)
    const rest = { args, kwargs: a.kwargs }
    test = (x) => env.callTest(name, x, rest)
  } else test = (x) => truthy(x)
  // Jinja2: `if value:` guards the loop, so None (and any falsy value) selects nothing
  const items = truthy(value) ? iterate(value).filter((x) => test(getter(x)) === mode) : []
  return new PyIter(items, 'generator')
}

function doIndent(v: Py, a: CallArgs): Py {
  const [width, first, blank] = bind('do_indent', a, ['width', 'first', 'blank'], [4, false, false])
  let indention: string
  if (isStr(width!)) indention = String(width)
  else {
    // Jinja2 builds " " * width: Python's overflow first, then our size bound, before the spaces exist.
    const n = Math.max(0, ssize(intArg(width!, 'indent'), SSIZE_INDEX))
    checkSize(n)
    indention = ' '.repeat(n)
  }
  const str = s(v) + '\n'
  const lines = pySplitlines(str)
  spendOn(lines.length)
  // Every line that gets the indentation, counted before one is built.
  const indented = truthy(blank!) ? lines.length - 1 : lines.slice(1).filter((l) => l !== '').length
  checkSize(str.length + (indented + (truthy(first!) ? 1 : 0)) * indention.length)
  let rv: string
  if (truthy(blank!)) rv = lines.join('\n' + indention)
  else {
    rv = lines.shift() ?? ''
    if (lines.length > 0) rv += '\n' + lines.map((l) => (l ? indention + l : l)).join('\n')
  }
  if (truthy(first!)) rv = indention + rv
  return rv
}

function pyRound(x: number, precision: number, method: string): number {
  const f = 10 ** precision
  if (method === 'ceil') return Math.ceil(x * f) / f
  if (method === 'floor') return Math.floor(x * f) / f
  // Python's round(): half to even on the decimal representation
  const y = x * f
  const r = Math.round(y)
  if (Math.abs(y % 1) === 0.5) return (r % 2 === 0 ? r : r - 1) / f
  return r / f
}

function toInt(v: Py, dflt: Py, base: number): Py {
  if (isStr(v)) {
    const t = pyStrip(String(v), null, true, true).replace(/_/g, '')
    if (base === 10 && /^[+-]?\d+$/.test(t)) return Number(t)
    if (base !== 10) {
      const n = parseInt(t, base)
      if (!Number.isNaN(n)) return n
    }
    const f = Number(t)
    if (t !== '' && /^[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t) && Number.isFinite(f))
      return Math.trunc(f)
    return dflt
  }
  if (isNumber(v)) return Math.trunc(numOf(v))
  return dflt
}

function toFloat(v: Py, dflt: Py): Py {
  if (isNumber(v)) return new PyFloat(numOf(v))
  if (isStr(v)) {
    const t = pyStrip(String(v), null, true, true).toLowerCase()
    if (/^[+-]?(\d+(?:\.\d*)?|\.\d+)(e[+-]?\d+)?$/.test(t)) return new PyFloat(Number(t))
    if (/^[+-]?(inf|infinity)$/.test(t)) return new PyFloat(t.startsWith('-') ? -Infinity : Infinity)
    if (/^[+-]?nan$/.test(t)) return new PyFloat(NaN)
  }
  return dflt
}

export const FILTERS: ReadonlyMap<string, Filter> = new Map<string, Filter>([
  [
    'abs',
    (v) =>
      isNumber(v) ? (v instanceof PyFloat ? new PyFloat(Math.abs(v.v)) : Math.abs(Number(v))) : badAbs(v),
  ],
  [
    'attr',
    (v, a) => {
      const [name] = bind('do_attr', a, ['name'])
      return getAttr(v, pyStr(name!))
    },
  ],
  [
    'batch',
    (v, a) => {
      // jinja2.filters.do_batch, step by step: a batch is yielded when it holds `linecount` items (so 0
      // yields one empty batch first), and only the last one is filled: tmp += [fill_with] * missing.
      const [n, fill] = bind('do_batch', a, ['linecount', 'fill_with'], [null])
      const size = intArg(n!, 'batch')
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
      return new PyIter(out, 'generator')
    },
  ],
  ['capitalize', (v) => pyCapitalize(s(v))],
  [
    'center',
    (v, a) => {
      // value.center(width), as Jinja2 calls it: Python's overflow, then our size bound, then the pad.
      const [w] = bind('do_center', a, ['width'], [80])
      const str = s(v)
      const width = ssize(intArg(w!, 'center'), SSIZE_INT)
      const n = strLen(str)
      if (n >= width) return str
      const total = width - n
      checkSize(str.length + total)
      const left = Math.floor(total / 2) + (total & width & 1)
      return ' '.repeat(left) + str + ' '.repeat(total - left)
    },
  ],
  ['count', (v) => pyLen(v)],
  [
    'default',
    (v, a) => {
      const [dflt, boolean] = bind('do_default', a, ['default_value', 'boolean'], ['', false])
      return v instanceof Undef || (truthy(boolean!) && !truthy(v)) ? dflt! : v
    },
  ],
  [
    'dictsort',
    (v, a) => {
      const [cs, by, reverse] = bind(
        'do_dictsort',
        a,
        ['case_sensitive', 'by', 'reverse'],
        [false, 'key', false],
      )
      if (!(v instanceof Map)) {
        if (v instanceof Undef) v.fail()
        throw new JinjaError(`'${typeName(v)}' object has no attribute 'items'`, 'AttributeError')
      }
      const pos = pyStr(by!) === 'key' ? 0 : pyStr(by!) === 'value' ? 1 : -1
      if (pos < 0) throw new JinjaError('You can only sort by either "key" or "value"', 'FilterArgumentError')
      const items = [...v].map(([k, x]) => tuple([k, x]))
      return sortValues(items, (t) => lowerIfStr((t as Py[])[pos]!, truthy(cs!)), truthy(reverse!))
    },
  ],
  ['escape', (v) => (v instanceof Markup ? v : new Markup(htmlEscape(s(v))))],
  [
    'first',
    (v) => {
      const items = iterate(v)
      return items.length > 0
        ? items[0]!
        : new Undef(undefined, MISSING, 'No first item, sequence was empty.')
    },
  ],
  [
    'float',
    (v, a) => {
      const [dflt] = bind('do_float', a, ['default'], [new PyFloat(0)])
      return toFloat(v, dflt!)
    },
  ],
  ['forceescape', (v) => new Markup(htmlEscape(s(v)))],
  [
    'format',
    (v, a) => {
      if (a.args.length > 0 && a.kwargs.size > 0)
        throw new JinjaError(
          "can't handle positional and keyword arguments at the same time",
          'FilterArgumentError',
        )
      if (a.kwargs.size > 0) return printf(s(v), new Map([...a.kwargs]))
      return printf(s(v), tuple(a.args))
    },
  ],
  ['indent', (v, a) => doIndent(v, a)],
  [
    'int',
    (v, a) => {
      const [dflt, base] = bind('do_int', a, ['default', 'base'], [0, 10])
      return toInt(v, dflt!, intArg(base!, 'int'))
    },
  ],
  [
    'items',
    (v) => {
      if (v instanceof Undef) return new PyIter([], 'generator')
      if (!(v instanceof Map)) throw new JinjaError('Can only get item pairs from a mapping.')
      return new PyIter(
        [...v].map(([k, x]) => tuple([k, x])),
        'generator',
      )
    },
  ],
  [
    'join',
    (v, a) => {
      const [d, attribute] = bind('do_join', a, ['d', 'attribute'], ['', null])
      let items = iterate(v)
      spendOn(items.length)
      if (attribute !== null) items = items.map(attrGetter(attribute!))
      const sep = pyStr(d!)
      let length = sep.length * Math.max(0, items.length - 1)
      const parts = items.map((x) => {
        const p = pyStr(x)
        length += p.length
        checkSize(length) // as the parts are made, so a join of shared values stops early
        return p
      })
      return parts.join(sep)
    },
  ],
  [
    'last',
    (v) => {
      if (v instanceof PyIter) throw new JinjaError(`'${v.pyTypeName}' object is not reversible`)
      if (v instanceof Map) {
        const keys = [...v.keys()]
        return keys.length
          ? keys[keys.length - 1]!
          : new Undef(undefined, MISSING, 'No last item, sequence was empty.')
      }
      if (!Array.isArray(v) && !isStr(v) && !(v instanceof Undef))
        throw new JinjaError(`'${typeName(v)}' object is not reversible`)
      const items = iterate(v)
      return items.length > 0
        ? items[items.length - 1]!
        : new Undef(undefined, MISSING, 'No last item, sequence was empty.')
    },
  ],
  ['length', (v) => pyLen(v)],
  [
    'list',
    (v) => {
      const items = iterate(v)
      spendOn(items.length)
      return items.slice()
    },
  ],
  ['lower', (v) => s(v).toLowerCase()],
  [
    'map',
    (v, a, env) => {
      // Jinja2: `if value:` guards the loop, so None maps to nothing
      const items = truthy(v) ? iterate(v) : []
      if (a.args.length === 0 && a.kwargs.has('attribute')) {
        const dflt = a.kwargs.get('default')
        const g = attrGetter(a.kwargs.get('attribute')!, dflt)
        return new PyIter(items.map(g), 'generator')
      }
      if (a.args.length === 0) {
        if (a.kwargs.size > 0) throw new JinjaError('Unexpected keyword argument', 'FilterArgumentError')
        return new PyIter(items, 'generator')
      }
      const name = pyStr(a.args[0]!)
      const rest = { args: a.args.slice(1), kwargs: a.kwargs }
      return new PyIter(
        items.map((x) => env.callFilter(name, x, rest)),
        'generator',
      )
    },
  ],
  ['max', (v, a) => minMax(v, a, 1)],
  ['min', (v, a) => minMax(v, a, -1)],
  ['pprint', (v) => pyRepr(v)],
  ['reject', (v, a, env) => selectOrReject(v, a, env, false, false)],
  ['rejectattr', (v, a, env) => selectOrReject(v, a, env, true, false)],
  [
    'replace',
    (v, a) => {
      const [old, rep, count] = bind('do_replace', a, ['old', 'new', 'count'], [null])
      const r = pyReplace(s(v), pyStr(old!), pyStr(rep!), count === null ? -1 : intArg(count!, 'replace'))
      checkSize(r.length)
      return r
    },
  ],
  [
    'reverse',
    (v) => {
      if (isStr(v)) return codePoints(String(v)).reverse().join('')
      if (v instanceof Map) return new PyIter([...v.keys()].reverse(), 'dict_reversekeyiterator')
      if (Array.isArray(v)) return new PyIter(v.slice().reverse(), 'list_reverseiterator')
      return iterate(v).slice().reverse()
    },
  ],
  [
    'round',
    (v, a) => {
      const [precision, method] = bind('do_round', a, ['precision', 'method'], [0, 'common'])
      const m = pyStr(method!)
      if (!['common', 'ceil', 'floor'].includes(m))
        throw new JinjaError('method must be common, ceil or floor', 'FilterArgumentError')
      if (!isNumber(v)) throw new JinjaError(`type ${typeName(v)} doesn't define __round__ method`)
      return new PyFloat(pyRound(numOf(v), intArg(precision!, 'round'), m))
    },
  ],
  ['safe', (v) => (v instanceof Markup ? v : new Markup(s(v)))],
  ['select', (v, a, env) => selectOrReject(v, a, env, false, true)],
  ['selectattr', (v, a, env) => selectOrReject(v, a, env, true, true)],
  [
    'sort',
    (v, a) => {
      const [reverse, cs, attribute] = bind(
        'do_sort',
        a,
        ['reverse', 'case_sensitive', 'attribute'],
        [false, false, null],
      )
      const g = attrGetter(attribute!)
      return sortValues(iterate(v), (x) => lowerIfStr(g(x), truthy(cs!)), truthy(reverse!))
    },
  ],
  ['string', (v) => (v instanceof Markup ? v : s(v))],
  ['striptags', (v) => stripTags(s(v))],
  [
    'sum',
    (v, a) => {
      const [attribute, start] = bind('do_sum', a, ['attribute', 'start'], [null, 0])
      let items = iterate(v)
      if (attribute !== null) items = items.map(attrGetter(attribute!))
      let total: Py = start!
      for (const x of items) {
        if (!isNumber(total) || !isNumber(x))
          throw new JinjaError(`unsupported operand type(s) for +: '${typeName(total)}' and '${typeName(x)}'`)
        const f: boolean = total instanceof PyFloat || x instanceof PyFloat
        const r: number = numOf(total) + numOf(x)
        total = f ? new PyFloat(r) : r
      }
      return total
    },
  ],
  [
    'title',
    (v) =>
      s(v)
        .split(/([-\s({[<]+)/u)
        .filter((w) => w !== '')
        .map((w) => codePoints(w)[0]!.toUpperCase() + codePoints(w).slice(1).join('').toLowerCase())
        .join(''),
  ],
  [
    'tojson',
    (v, a) => {
      const [ensureAscii, indent, separators, sortKeys] = bind(
        'tojson',
        a,
        ['ensure_ascii', 'indent', 'separators', 'sort_keys'],
        [false, null, null, false],
      )
      return jsonDumps(v, {
        indent: indent!,
        separators: separators!,
        sortKeys: truthy(sortKeys!),
        ensureAscii: truthy(ensureAscii!),
      })
    },
  ],
  [
    'trim',
    (v, a) => {
      const [chars] = bind('do_trim', a, ['chars'], [null])
      return pyStrip(s(v), chars!, true, true)
    },
  ],
  [
    'truncate',
    (v, a) => {
      const [length, killwords, end, leeway] = bind(
        'do_truncate',
        a,
        ['length', 'killwords', 'end', 'leeway'],
        [255, false, '...', 5],
      )
      const str = s(v)
      const n = intArg(length!, 'truncate')
      const e = pyStr(end!)
      const cps = codePoints(str)
      if (cps.length <= n + intArg(leeway!, 'truncate')) return str
      if (truthy(killwords!)) return cps.slice(0, n - strLen(e)).join('') + e
      const head = cps.slice(0, n - strLen(e)).join('')
      const cut = head.lastIndexOf(' ')
      return (cut >= 0 ? head.slice(0, cut) : head) + e
    },
  ],
  [
    'unique',
    (v, a) => {
      // Jinja2 keeps a set of the keys seen: str, int, float, bool, None and tuples of them hash here
      // (one lookup each, not a comparison with every key kept); a list or dict is unhashable, as in
      // Python; anything else is compared with ==, each comparison spending work.
      const [cs, attribute] = bind('do_unique', a, ['case_sensitive', 'attribute'], [false, null])
      const g = attrGetter(attribute!)
      const hashed = new Set<string>()
      const others: Py[] = []
      const out: Py[] = []
      for (const x of iterate(v)) {
        spend(1)
        const k = lowerIfStr(g(x), truthy(cs!))
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
      return new PyIter(out, 'generator')
    },
  ],
  ['upper', (v) => s(v).toUpperCase()],
  ['wordcount', (v) => (s(v).match(/[\p{L}\p{N}_]+/gu) ?? []).length],
  [
    'urlencode',
    (v) =>
      encodeURIComponent(s(v))
        .replace(/%2F/g, '/')
        .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()),
  ],
])

/**
 * A string that is equal exactly when Python's == (and so its set) says the keys are equal: numbers by
 * value (1 == 1.0 == True), str and Markup by text, None, and tuples of those. NaN, Undefined and the
 * other objects are left to ==; a list or dict raises TypeError as Python's set does.
 */
function hashKey(k: Py): string | undefined {
  spend(1)
  if (k === null) return 'N'
  if (isNumber(k)) {
    const n = numOf(k)
    return Number.isNaN(n) ? undefined : `n${n === 0 ? 0 : n}`
  }
  if (isStr(k)) return `s${String(k)}`
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
  return undefined
}

/**
 * striptags as a scan: a comment `<!--...-->` or a tag `<...>` is removed, then whitespace runs become one
 * space. The same matches as /<!--.*?-->|<[^>]*>/gs, found with indexOf from positions that only move
 * forward, so many `<` or `<!--` with no end cost one pass, not a scan to the end for each.
 */
function stripTags(text: string): string {
  spendOn(text.length)
  let out = ''
  let pos = 0
  let nextGt = -2 // -2: not looked for yet; -1: there is none
  let nextCommentEnd = -2
  for (;;) {
    const lt = text.indexOf('<', pos)
    if (lt < 0) break
    if (text.startsWith('<!--', lt)) {
      if (nextCommentEnd !== -1 && nextCommentEnd < lt + 4) nextCommentEnd = text.indexOf('-->', lt + 4)
      if (nextCommentEnd >= 0) {
        out += text.slice(pos, lt)
        pos = nextCommentEnd + 3
        continue
      }
    }
    if (nextGt !== -1 && nextGt < lt + 1) nextGt = text.indexOf('>', lt + 1)
    if (nextGt < 0) break // no '>' after this '<', so none after any later one
    out += text.slice(pos, lt)
    pos = nextGt + 1
  }
  out += text.slice(pos)
  return out.replace(/\s+/g, ' ').trim()
}

function badAbs(v: Py): never {
  if (v instanceof Undef) v.fail()
  throw new JinjaError(`bad operand type for abs(): '${typeName(v)}'`)
}

function minMax(v: Py, a: CallArgs, sign: number): Py {
  const [cs, attribute] = bind(
    sign > 0 ? 'do_max' : 'do_min',
    a,
    ['case_sensitive', 'attribute'],
    [false, null],
  )
  const g = attrGetter(attribute!)
  const items = iterate(v)
  if (items.length === 0) return new Undef(undefined, MISSING, `No aggregated item, sequence was empty.`)
  let best: Py = items[0]!
  for (const x of items.slice(1)) {
    const c = pyCompare(lowerIfStr(g(x), truthy(cs!)), lowerIfStr(g(best), truthy(cs!)))
    if (c * sign > 0) best = x
  }
  return best
}

FILTERS satisfies ReadonlyMap<string, Filter>
const aliases: Array<[string, string]> = [
  ['d', 'default'],
  ['e', 'escape'],
]
for (const [alias, target] of aliases) (FILTERS as Map<string, Filter>).set(alias, FILTERS.get(target)!)

function oneArg(name: string, a: CallArgs): Py {
  return bind(name, a, ['other'])[0]!
}

export const TESTS: ReadonlyMap<string, Test> = new Map<string, Test>([
  ['boolean', (v) => v === true || v === false],
  ['callable', (v) => v instanceof PyCallable],
  ['defined', (v) => !(v instanceof Undef)],
  [
    'divisibleby',
    (v, a) => {
      const n = oneArg('divisibleby', a)
      if (!isNumber(v) || !isNumber(n)) throw new JinjaError(`unsupported operand type(s) for %`)
      return numOf(v) % numOf(n) === 0
    },
  ],
  ['eq', (v, a) => pyEq(v, oneArg('eq', a))],
  ['equalto', (v, a) => pyEq(v, oneArg('eq', a))],
  ['==', (v, a) => pyEq(v, oneArg('eq', a))],
  ['escaped', (v) => v instanceof Markup],
  ['even', (v) => parity(v) === 0],
  ['false', (v) => v === false],
  ['filter', (v) => isStr(v) && FILTERS.has(String(v))],
  ['float', (v) => v instanceof PyFloat],
  ['ge', (v, a) => pyCompare(v, oneArg('ge', a), '>=') >= 0],
  ['>=', (v, a) => pyCompare(v, oneArg('ge', a), '>=') >= 0],
  ['gt', (v, a) => pyCompare(v, oneArg('gt', a), '>') > 0],
  ['>', (v, a) => pyCompare(v, oneArg('gt', a), '>') > 0],
  ['greaterthan', (v, a) => pyCompare(v, oneArg('gt', a), '>') > 0],
  [
    'in',
    (v, a) => {
      const seq = bind('test_in', a, ['seq'])[0]!
      if (isStr(seq)) return isStr(v) && String(seq).includes(String(v))
      if (seq instanceof Map) return dictGet(seq, v) !== MISSING
      return iterate(seq).some((x) => pyEq(x, v))
    },
  ],
  ['integer', (v) => typeof v === 'number'],
  ['iterable', (v) => isIterable(v)],
  ['le', (v, a) => pyCompare(v, oneArg('le', a), '<=') <= 0],
  ['<=', (v, a) => pyCompare(v, oneArg('le', a), '<=') <= 0],
  ['lower', (v) => pyIsLower(pyStr(v))],
  ['lt', (v, a) => pyCompare(v, oneArg('lt', a), '<') < 0],
  ['<', (v, a) => pyCompare(v, oneArg('lt', a), '<') < 0],
  ['lessthan', (v, a) => pyCompare(v, oneArg('lt', a), '<') < 0],
  ['mapping', (v) => isDict(v)],
  ['ne', (v, a) => !pyEq(v, oneArg('ne', a))],
  ['!=', (v, a) => !pyEq(v, oneArg('ne', a))],
  ['none', (v) => v === null],
  ['number', (v) => isNumber(v)],
  ['odd', (v) => parity(v) === 1],
  ['sameas', (v, a) => sameAs(v, oneArg('sameas', a))],
  ['sequence', (v) => Array.isArray(v) || isStr(v) || v instanceof Map || v instanceof Undef],
  ['string', (v) => isStr(v)],
  ['test', (v) => isStr(v) && TESTS.has(String(v))],
  ['true', (v) => v === true],
  ['undefined', (v) => v instanceof Undef],
  ['upper', (v) => pyIsUpper(pyStr(v))],
])

function parity(v: Py): number {
  if (v instanceof Undef) v.fail()
  if (!isNumber(v)) throw new JinjaError(`not all arguments converted during string formatting`)
  const r = numOf(v) % 2
  return r < 0 ? r + 2 : r
}

function sameAs(a: Py, b: Py): boolean {
  if (a === b) return true
  if (typeof a === 'number' && typeof b === 'number') return a === b && Math.abs(a) <= 256
  return false
}
