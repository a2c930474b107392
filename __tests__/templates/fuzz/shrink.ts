/**
 * Shrinks a disagreeing fuzz case by delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
 * Failure-Inducing Input", https://www.st.cs.uni-saarland.de/papers/tse2002/): whole statements are
 * removed or unwrapped (an if without its tags, its body kept) and string literals emptied; chunks of the
 * template's tokens are removed, halving the chunk size when no removal keeps the case failing; then the
 * context's entries are removed or made simpler; until nothing changes. The candidates of a step are handed over
 * together, so the caller can ask Python Jinja2 about them in one batch.
 */
import type { Context } from './grammar.js'
import { tokenize } from './grammar.js'

export interface Shrinkable {
  template: string
  context: Context
}
/** The index of the first candidate that still fails as the original did, or -1. */
export type FirstFailing = (candidates: Shrinkable[]) => Promise<number>

export interface Shrunk extends Shrinkable {
  /** How many batches of candidates were asked about. */
  steps: number
}

export async function shrink(start: Shrinkable, firstFailing: FirstFailing, maxSteps = 300): Promise<Shrunk> {
  let tokens = tokenize(start.template)
  let context = start.context
  let steps = 0
  const ask = async (candidates: Shrinkable[]): Promise<number> => {
    if (candidates.length === 0 || steps >= maxSteps) return -1
    steps++
    return firstFailing(candidates)
  }
  for (let progress = true; progress && steps < maxSteps;) {
    progress = false
    for (;;) {
      const structural = structuralCuts(tokens.join(''))
      const found = await ask(structural.map((t) => ({ template: t, context })))
      const cut = structural[found]
      if (cut === undefined) break
      tokens = tokenize(cut)
      progress = true
    }
    for (let n = Math.ceil(tokens.length / 2); n >= 1 && steps < maxSteps;) {
      const cuts: string[][] = []
      const spacing = tagSpacing(tokens)
      for (let i = 0; i < tokens.length; i += n)
        if (!spacing.slice(i, i + n).every(Boolean))
          cuts.push([...tokens.slice(0, i), ...tokens.slice(i + n)])
      const found = await ask(cuts.map((t) => ({ template: t.join(''), context })))
      const cut = cuts[found]
      if (cut) {
        tokens = cut
        progress = true
        n = Math.min(n, Math.ceil(tokens.length / 2))
      } else if (n === 1) break
      else n = Math.ceil(n / 2)
    }
    const template = tokens.join('')
    const simpler = simplerContexts(context)
    const found = await ask(simpler.map((c) => ({ template, context: c })))
    const next = simpler[found]
    if (next) {
      context = next
      progress = true
    }
  }
  return { template: tokens.join(''), context, steps }
}

/**
 * Which tokens are whitespace inside a tag: the shrinker does not remove them alone, so that what it prints
 * reads `{% if x %}`, not `{%if x%}` (whitespace in the text around tags is shrunk like any token).
 */
function tagSpacing(tokens: readonly string[]): boolean[] {
  let inTag = false
  return tokens.map((t) => {
    if (/^\{[{%#]/.test(t)) inTag = true
    else if (/[}%#]\}$/.test(t)) inTag = false
    return inTag && /^\s+$/.test(t)
  })
}

/** Statements that open a block closed by an end tag (a set without `=` is a set block). */
const OPENERS = new Set(['if', 'for', 'with', 'macro', 'call', 'filter', 'block', 'generation', 'set', 'raw'])
const TAG = /\{%[-+]?\s*(\w+)[\s\S]*?%\}/g

/**
 * Each block dropped whole, each block unwrapped (its tags removed, what they hold kept), each pair of
 * parentheses removed, each string literal emptied.
 */
export function structuralCuts(template: string): string[] {
  interface Tag {
    start: number
    end: number
  }
  const out: string[] = []
  const without = (cuts: Tag[]): string => {
    let s = ''
    let at = 0
    for (const c of cuts) {
      s += template.slice(at, c.start)
      at = c.end
    }
    return s + template.slice(at)
  }
  const stack: Array<{ name: string; tags: Tag[] }> = []
  for (const m of template.matchAll(TAG)) {
    const name = m[1]!
    const tag = { start: m.index, end: m.index + m[0].length }
    if (name.startsWith('end')) {
      const open = stack.pop()
      if (open === undefined || `end${open.name}` !== name) {
        stack.length = 0
        continue
      }
      out.push(without([{ start: open.tags[0]!.start, end: tag.end }]), without([...open.tags, tag]))
    } else if (name === 'elif' || name === 'else') stack.at(-1)?.tags.push(tag)
    else if (OPENERS.has(name) && !(name === 'set' && m[0].includes('='))) stack.push({ name, tags: [tag] })
  }
  const tokens = tokenize(template)
  const replace = (i: number, by: string, j = i, also = ''): string =>
    [...tokens.slice(0, i), by, ...tokens.slice(i + 1, j), also, ...tokens.slice(j + 1)].join('')
  const opened: number[] = []
  tokens.forEach((t, i) => {
    if (t === '(') opened.push(i)
    else if (t === ')') {
      const o = opened.pop()
      if (o !== undefined) out.push(replace(o, '', i))
    } else if (/^['"]/.test(t) && t.length > 2) out.push(replace(i, "''"))
  })
  return out
}

/** Each context with one entry removed or one value made simpler, the largest changes first. */
export function simplerContexts(context: Context): Context[] {
  const out: Context[] = []
  const visit = (value: unknown, replace: (v: unknown) => void): void => {
    if (Array.isArray(value)) {
      if (value.length > 0) replace([])
      value.forEach((x, i) => {
        replace(value.filter((_, j) => j !== i))
        visit(x, (v) => replace(value.map((y, j) => (j === i ? v : y))))
      })
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value)
      if (entries.length > 0) replace({})
      for (const [k, x] of entries) {
        replace(Object.fromEntries(entries.filter(([j]) => j !== k)))
        visit(x, (v) => replace(Object.fromEntries(entries.map(([j, y]) => [j, j === k ? v : y]))))
      }
    } else if (typeof value === 'string') {
      if (value !== '') replace('')
      const chars = [...value] // by code point: never half a surrogate pair
      if (chars.length > 1) replace(chars.slice(0, Math.ceil(chars.length / 2)).join(''))
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      if (value !== 0) replace(0)
    } else if (value !== null) replace(null)
  }
  const entries = Object.entries(context)
  for (const [k, x] of entries) {
    out.push(Object.fromEntries(entries.filter(([j]) => j !== k)))
    visit(x, (v) => out.push(Object.fromEntries(entries.map(([j, y]) => [j, j === k ? v : y]))))
  }
  return out
}
