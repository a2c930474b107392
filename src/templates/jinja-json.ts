/**
 * json.dumps(x, ensure_ascii=False, indent, separators, sort_keys) as transformers' tojson filter calls it: the
 * exact spacing, escaping and float spelling of Python's json module. Separate from the filters because it is a
 * self-contained serializer with its own rules.
 */
import { checkSize, PyIter } from './jinja-iteration.js'
import {
  floatRepr,
  isInt,
  isStr,
  JinjaError,
  Markup,
  pyCompare,
  PyFloat,
  pyStr,
  typeName,
  Undef,
  type Py,
} from './jinja-values.js'

function jsonStr(s: string): string {
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

export function jsonDumps(
  value: Py,
  opts: { indent: Py; separators: Py; sortKeys: boolean; ensureAscii?: boolean },
): string {
  let indentStr: string | null = null
  if (opts.indent !== null && !(opts.indent instanceof Undef)) {
    if (isStr(opts.indent)) indentStr = String(opts.indent)
    else if (isInt(opts.indent)) indentStr = ' '.repeat(Math.max(0, Number(opts.indent)))
    else throw new JinjaError(`indent must be int or str, not ${typeName(opts.indent)}`)
  }
  let itemSep = indentStr === null ? ', ' : ','
  let keySep = ': '
  if (opts.separators !== null && !(opts.separators instanceof Undef)) {
    const seps = Array.isArray(opts.separators) ? opts.separators : []
    if (seps.length !== 2) throw new JinjaError('not enough values to unpack (expected 2)', 'ValueError')
    itemSep = pyStr(seps[0]!)
    keySep = pyStr(seps[1]!)
  }
  const ascii = (s: string): string =>
    opts.ensureAscii
      ? s.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
      : s
  const enc = (v: Py, level: number): string => {
    if (level > 200)
      throw new JinjaError('maximum recursion depth exceeded while encoding a JSON object', 'RecursionError')
    if (v === null) return 'null'
    if (v === true) return 'true'
    if (v === false) return 'false'
    if (typeof v === 'number') return String(v)
    if (v instanceof PyFloat) return jsonFloat(v.v)
    if (typeof v === 'string' || v instanceof Markup) return ascii(jsonStr(String(v)))
    const nl = indentStr === null ? '' : '\n' + indentStr.repeat(level + 1)
    const end = indentStr === null ? '' : '\n' + indentStr.repeat(level)
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]'
      return '[' + nl + v.map((x) => enc(x, level + 1)).join(itemSep + nl) + end + ']'
    }
    if (v instanceof Map) {
      if (v.size === 0) return '{}'
      let entries: Array<[string, Py]> = []
      for (const [k, x] of v) {
        let key: string
        if (typeof k === 'string' || k instanceof Markup) key = String(k)
        else if (k === null) key = 'null'
        else if (k === true) key = 'true'
        else if (k === false) key = 'false'
        else if (typeof k === 'number') key = String(k)
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
          .map(([, i]) => entries[i]!)
      }
      return (
        '{' +
        nl +
        entries.map(([k, x]) => ascii(jsonStr(k)) + keySep + enc(x, level + 1)).join(itemSep + nl) +
        end +
        '}'
      )
    }
    if (v instanceof PyIter) throw new JinjaError(`Object of type ${v.pyTypeName} is not JSON serializable`)
    throw new JinjaError(`Object of type ${typeName(v)} is not JSON serializable`)
  }
  const out = enc(value, 0)
  checkSize(out.length)
  return out
}
