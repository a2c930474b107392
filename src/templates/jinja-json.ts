/**
 * json.dumps(x, ensure_ascii=False, indent, separators, sort_keys) as transformers' tojson filter calls it: the
 * exact spacing, escaping and float spelling of Python's json module. Separate from the filters because it is a
 * self-contained serializer with its own rules.
 */
import { PyIter } from './jinja-iteration.js'
import {
  checkSize,
  floatRepr,
  intRepr,
  isInt,
  isStr,
  JinjaError,
  Markup,
  pyCompare,
  PyFloat,
  pyStr,
  spend,
  spendOn,
  ssize,
  SSIZE_INDEX,
  typeName,
  Undef,
  Writer,
  type Py,
} from './jinja-values.js'

function jsonStr(s: string): string {
  spendOn(s.length)
  checkSize(s.length + 2) // the JSON of a string is at least as long as the string and its quotes
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    const code = c.charCodeAt(0)
    if (c === '"') out += '\\"'
    else if (c === '\\') out += '\\\\'
    else if (c === '\n') out += '\\n'
    else if (c === '\r') out += '\\r'
    else if (c === '\t') out += '\\t'
    else if (c === '\b') out += '\\b'
    else if (c === '\f') out += '\\f'
    else if (code < 0x20) out += '\\u' + code.toString(16).padStart(4, '0')
    else out += c
  }
  return out + '"'
}

function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  return floatRepr(x)
}

/**
 * json.dumps. The output is written into one Writer, its size checked as it grows and every node visited
 * spending work, so a value whose lists are shared (a list doubled forty times: 41 lists, 2^40 leaves)
 * ends at the size bound after about that many characters instead of walking every path.
 */
export function jsonDumps(
  value: Py,
  opts: { indent: Py; separators: Py; sortKeys: boolean; ensureAscii?: boolean },
): string {
  let indentStr: string | null = null
  if (opts.indent !== null && !(opts.indent instanceof Undef)) {
    if (isStr(opts.indent)) indentStr = String(opts.indent)
    else if (isInt(opts.indent)) {
      // json.dumps builds ' ' * indent: Python's own overflow first, then our size bound.
      const n = Math.max(0, ssize(Number(opts.indent), SSIZE_INDEX))
      checkSize(n)
      indentStr = ' '.repeat(n)
    } else throw new JinjaError(`indent must be int or str, not ${typeName(opts.indent)}`)
  }
  let itemSep = indentStr === null ? ', ' : ','
  let keySep = ': '
  if (opts.separators !== null && !(opts.separators instanceof Undef)) {
    const seps = Array.isArray(opts.separators) ? opts.separators : []
    if (seps.length !== 2) throw new JinjaError('not enough values to unpack (expected 2)', 'ValueError')
    itemSep = pyStr(seps[0]!) // length 2
    keySep = pyStr(seps[1]!)
  }
  const ascii = (s: string): string =>
    opts.ensureAscii
      ? s.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
      : s
  const w = new Writer()
  // The newline and indentation before an item at `level`, each checked before it is built.
  const newline = (level: number): void => {
    if (indentStr === null) return
    checkSize(w.length + 1 + indentStr.length * level)
    w.push('\n' + indentStr.repeat(level))
  }
  const enc = (v: Py, level: number): void => {
    spend(1)
    if (level > 200)
      throw new JinjaError('maximum recursion depth exceeded while encoding a JSON object', 'RecursionError')
    if (v === null) return w.push('null')
    if (v === true) return w.push('true')
    if (v === false) return w.push('false')
    if (typeof v === 'number' || typeof v === 'bigint') return w.push(intRepr(v))
    if (v instanceof PyFloat) return w.push(jsonFloat(v.v))
    if (typeof v === 'string' || v instanceof Markup) return w.push(ascii(jsonStr(String(v))))
    if (Array.isArray(v)) {
      if (v.length === 0) return w.push('[]')
      w.push('[')
      for (let i = 0; i < v.length; i++) {
        if (i > 0) w.push(itemSep)
        newline(level + 1)
        enc(v[i]!, level + 1) // i < v.length
      }
      newline(level)
      return w.push(']')
    }
    if (v instanceof Map) {
      if (v.size === 0) return w.push('{}')
      spend(v.size)
      let entries: Array<[string, Py]> = []
      for (const [k, x] of v) {
        let key: string
        if (typeof k === 'string' || k instanceof Markup) key = String(k)
        else if (k === null) key = 'null'
        else if (k === true) key = 'true'
        else if (k === false) key = 'false'
        else if (typeof k === 'number' || typeof k === 'bigint') key = intRepr(k)
        else if (k instanceof PyFloat) key = jsonFloat(k.v)
        else throw new JinjaError(`keys must be str, int, float, bool or None, not ${typeName(k)}`)
        entries.push([key, x])
      }
      if (opts.sortKeys) {
        const kinds = new Set([...v.keys()].map((k) => typeName(k)))
        if (kinds.size > 1)
          throw new JinjaError(
            `'<' not supported between instances of '${[...kinds][1]}' and '${[...kinds][0]}'`,
          )
        entries = [...v]
          .map(([k], i) => [k, i] as const)
          .sort((p, q) => pyCompare(p[0], q[0]))
          .map(([, i]) => entries[i]!) // i indexes entries, built from v in the same order
      }
      w.push('{')
      entries.forEach(([k, x], i) => {
        if (i > 0) w.push(itemSep)
        newline(level + 1)
        w.push(ascii(jsonStr(k)))
        w.push(keySep)
        enc(x, level + 1)
      })
      newline(level)
      return w.push('}')
    }
    if (v instanceof PyIter) throw new JinjaError(`Object of type ${v.pyTypeName} is not JSON serializable`)
    throw new JinjaError(`Object of type ${typeName(v)} is not JSON serializable`)
  }
  enc(value, 0)
  return w.toString()
}
