/**
 * The pprint filter: Python's pprint.pformat(value) (width 80, indent 1, dict keys sorted), as
 * Lib/pprint.py's PrettyPrinter writes it. A value whose repr fits in what is left of the line is written
 * whole; a list, tuple, dict or str that does not is split, one item (or one run of words) per line. Every
 * repr made on the way is bounded and metered like repr itself (pyRepr's Writer and spend).
 */
import { pySplitlines, PY_WHITESPACE } from './jinja-strings.js'
import {
  checkSize,
  isTuple,
  JinjaError,
  LimitError,
  pyCompare,
  pyRepr,
  spend,
  strLen,
  typeName,
  Writer,
  type Py,
} from './jinja-values.js'

const WIDTH = 80

/** The type name Python's str(type(x)) shows, which _safe_key falls back to for unorderable keys. */
function classRepr(v: Py): string {
  return `<class '${typeName(v)}'>`
}

/**
 * sorted(d.items(), key=_safe_tuple): keys compared with <, and where that raises TypeError, by their
 * classes' names (then by id in Python, which we cannot know: insertion order).
 */
function sortedItems(d: Map<Py, Py>): Array<[Py, Py]> {
  const items = [...d]
  spend(items.length)
  items.sort(([a], [b]) => {
    try {
      return pyCompare(a, b) < 0 ? -1 : pyCompare(b, a) < 0 ? 1 : 0
    } catch (e) {
      if (!(e instanceof JinjaError) || e.pyType !== 'TypeError') throw e
      const x = classRepr(a)
      const y = classRepr(b)
      return x < y ? -1 : x > y ? 1 : 0
    }
  })
  return items
}

/** PrettyPrinter._safe_repr: repr, with every dict's items sorted. */
function safeRepr(v: Py): string {
  const w = new Writer()
  writeSafe(w, v, 0)
  return w.toString()
}

function writeSafe(w: Writer, v: Py, depth: number): void {
  spend(1)
  if (depth > 100) throw new LimitError('value nesting deeper than 100 levels')
  if (v instanceof Map) {
    w.push('{')
    let first = true
    for (const [k, x] of sortedItems(v)) {
      if (!first) w.push(', ')
      first = false
      writeSafe(w, k, depth + 1)
      w.push(': ')
      writeSafe(w, x, depth + 1)
    }
    return w.push('}')
  }
  if (Array.isArray(v)) {
    const tup = isTuple(v)
    w.push(tup ? '(' : '[')
    v.forEach((x, i) => {
      if (i > 0) w.push(', ')
      writeSafe(w, x, depth + 1)
    })
    return w.push(tup ? (v.length === 1 ? ',)' : ')') : ']')
  }
  w.push(pyRepr(v))
}

/** pprint.pformat(value) */
export function pformat(value: Py): string {
  const w = new Writer()
  format(w, value, 0, 0, 0)
  return w.toString()
}

function format(w: Writer, v: Py, indent: number, allowance: number, level: number): void {
  spend(1)
  if (level > 100) throw new LimitError('value nesting deeper than 100 levels')
  const rep = safeRepr(v)
  if (strLen(rep) > WIDTH - indent - allowance) {
    if (v instanceof Map) return formatDict(w, v, indent, allowance, level + 1)
    if (Array.isArray(v)) return formatSeq(w, v, indent, allowance, level + 1)
    if (typeof v === 'string') return formatStr(w, v, indent, allowance, level + 1)
  }
  w.push(rep)
}

function formatDict(w: Writer, d: Map<Py, Py>, indent: number, allowance: number, level: number): void {
  w.push('{')
  const items = sortedItems(d)
  const inner = indent + 1
  const delim = ',\n' + spaces(inner)
  items.forEach(([k, x], i) => {
    const last = i === items.length - 1
    const rep = safeRepr(k)
    w.push(rep)
    w.push(': ')
    format(w, x, inner + strLen(rep) + 2, last ? allowance + 1 : 1, level)
    if (!last) w.push(delim)
  })
  w.push('}')
}

function formatSeq(w: Writer, seq: Py[], indent: number, allowance: number, level: number): void {
  const tup = isTuple(seq)
  const end = tup ? (seq.length === 1 ? ',)' : ')') : ']'
  w.push(tup ? '(' : '[')
  const inner = indent + 1
  const delim = ',\n' + spaces(inner)
  const rest = allowance + (tup ? end.length : 1)
  seq.forEach((x, i) => {
    if (i > 0) w.push(delim)
    format(w, x, inner, i === seq.length - 1 ? rest : 1, level)
  })
  w.push(end)
}

const WORDS = new RegExp(`[^${PY_WHITESPACE}]*[${PY_WHITESPACE}]*`, 'gu')

/** A str too long for its line: one repr per line of it, a long line cut into runs of words. */
function formatStr(w: Writer, s: string, indent0: number, allowance0: number, level: number): void {
  if (s === '') return w.push(pyRepr(s))
  let indent = indent0
  let allowance = allowance0
  if (level === 1) {
    indent++
    allowance++
  }
  const chunks: string[] = []
  const lines = pySplitlines(s, true)
  const maxWidth = WIDTH - indent
  let rep = ''
  lines.forEach((line, i) => {
    spend(1)
    rep = pyRepr(line)
    const lastLine = i === lines.length - 1
    const maxWidth1 = lastLine ? maxWidth - allowance : maxWidth
    if (strLen(rep) <= maxWidth1) {
      chunks.push(rep)
      return
    }
    const parts = line.match(WORDS)!.filter((p) => p !== '')
    let current = ''
    parts.forEach((part, j) => {
      spend(1)
      const candidate = current + part
      const maxWidth2 = j === parts.length - 1 && lastLine ? maxWidth - allowance : maxWidth
      if (strLen(pyRepr(candidate)) > maxWidth2) {
        if (current) chunks.push(pyRepr(current))
        current = part
      } else current = candidate
    })
    if (current) chunks.push(pyRepr(current))
  })
  if (chunks.length === 1) return w.push(rep)
  if (level === 1) w.push('(')
  chunks.forEach((c, i) => {
    if (i > 0) w.push('\n' + spaces(indent))
    w.push(c)
  })
  if (level === 1) w.push(')')
}

function spaces(n: number): string {
  checkSize(n)
  return ' '.repeat(n)
}
