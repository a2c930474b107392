// @huggingface/jinja's parser says what is wrong but not where. Jinja2 names the line, and so must a
// finding: find it by checking each tag on its own (an expression that does not parse), then the
// nesting of block tags (an end tag that closes nothing, a block never closed). Every step is linear
// in the template: the tags are found by a scan (tags()), each tag is tokenized once by the linear
// tokenizer, and the line is counted once, at the end.
import { parse } from '@huggingface/jinja'
import { tokenizeTemplate } from './lexer.js'
const OPENERS = new Set(['if', 'for', 'macro', 'call', 'filter', 'generation', 'raw'])
/** The tags that continue a block, and the blocks each may continue (a Map: `constructor` is no tag). */
const MIDDLES = new Map([
  ['elif', ['if']],
  ['else', ['if', 'for']],
])

function parses(text: string): boolean {
  try {
    parse(tokenizeTemplate(text))
    return true
  } catch {
    return false
  }
}

const CLOSERS = new Map([
  ['{', '}}'],
  ['%', '%}'],
  ['#', '#}'],
])

/**
 * The tags of `source` in order: what /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g matches, found
 * in one pass. That expression scans to the end of the text from every opening delimiter that is never
 * closed (30,000 "{{" cost 4.5 * 10^8 steps); here the next closer of each kind is looked up with
 * indexOf only when the one known is behind the opener, so the text is read a bounded number of times.
 */
export function* tags(source: string): Generator<{ tag: string; index: number }> {
  const next = new Map<string, number>() // closer -> its next index (-1: none left)
  const opener = /\{[{%#]/g
  for (let m = opener.exec(source); m; m = opener.exec(source)) {
    const closer = CLOSERS.get(source[m.index + 1]!)! // the opener's second character is one of the keys
    let at = next.get(closer)
    if (at === undefined || (at !== -1 && at < m.index + 2)) {
      at = source.indexOf(closer, m.index + 2)
      next.set(closer, at)
    }
    if (at === -1) {
      opener.lastIndex = m.index + 1 // this opener never closes; look for the next one from here
      continue
    }
    yield { tag: source.slice(m.index, at + 2), index: m.index }
    opener.lastIndex = at + 2
  }
}

/** The 1-based line of a syntax error in `source` (newlines already normalised), when it can be told. */
export function syntaxErrorLine(source: string, message: string): number | undefined {
  const lineAt = (offset: number) => source.slice(0, offset).split('\n').length
  const [, kind, name] = /^No (filter|test) named '([^']+)'/.exec(message) ?? []
  if (kind && name) {
    const use =
      kind === 'filter'
        ? new RegExp(`\\|\\s*${escape(name)}\\b`)
        : new RegExp(`\\bis\\s+(not\\s+)?${escape(name)}\\b`)
    const m = use.exec(source)
    return m ? lineAt(m.index) : undefined
  }
  const stack: { keyword: string; offset: number }[] = []
  let end = 0
  for (const { tag, index: offset } of tags(source)) {
    // An opening delimiter between tags never found its close.
    const open = /\{[{%#]/.exec(source.slice(end, offset))
    if (open) return lineAt(end + open.index)
    end = offset + tag.length
    if (tag.startsWith('{#')) continue
    if (tag.startsWith('{{')) {
      if (!parses(tag)) return lineAt(offset)
      continue
    }
    const keyword = /^\{%[-+]?\s*(\w+)/.exec(tag)?.[1] ?? ''
    // `{% set x %}…{% endset %}` is a block; `{% set x = 1 %}` is not.
    const opens = OPENERS.has(keyword) || (keyword === 'set' && !tag.includes('='))
    if (opens) {
      if (!parses(`${tag}{% end${keyword} %}`)) return lineAt(offset)
      stack.push({ keyword, offset })
    } else if (MIDDLES.has(keyword)) {
      const top = stack.at(-1)
      if (!top || !MIDDLES.get(keyword)?.includes(top.keyword)) return lineAt(offset)
      if (
        !parses(
          `{% ${top.keyword} x %}${tag}{% end${top.keyword} %}`.replace('{% for x %}', '{% for x in y %}'),
        )
      )
        return lineAt(offset)
    } else if (keyword.startsWith('end')) {
      const top = stack.pop()
      if (!top || `end${top.keyword}` !== keyword) return lineAt(offset)
    } else if (!parses(tag)) return lineAt(offset)
  }
  const open = /\{[{%#]/.exec(source.slice(end))
  if (open) return lineAt(end + open.index)
  const unclosed = stack.at(-1)
  return unclosed ? lineAt(unclosed.offset) : undefined
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
