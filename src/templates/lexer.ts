/**
 * @huggingface/jinja's tokenize, as transformers' setup calls it (lstrip_blocks, trim_blocks), in time
 * linear in the template. The library's own preprocessing removes {% generation %} tags with
 * /(\s*){%(-?)\s*(?:end)?generation\s*(-?)%}(\s*)/gs, which from every position of a whitespace run scans
 * to the run's end: a run of n spaces costs n^2 / 2 steps (300 KB of spaces, 45 * 10^9 steps, over a
 * minute). Its lexer after that is linear. So before the library sees the template:
 *
 * 1. its other preprocessing is done here, the same way: one trailing newline dropped, then lstrip_blocks
 *    (/^[ \t]*({[#%-])/gm) and trim_blocks (/([#%-]})\n/g), both linear; the library then gets them turned
 *    off and a newline to drop;
 * 2. every long whitespace run, and every run holding one of the two marker characters below past its
 *    first character, is replaced by its first character and a code that names it: START, its index in
 *    base 16 written with sixteen other whitespace characters, END. A code is whitespace to the regular
 *    expression and to the lexer (\s, trimEnd), so the run stays one run: kept or dropped whole by the
 *    generation tags' removal, skipped whole between tokens, trimmed whole by {%- and -%}; its first
 *    character stays itself, so an escape error names the same character;
 * 3. the runs are put back in the tokens that keep text (Text, StringLiteral, Comment).
 *
 * Only START and END are reserved: a digit character outside a code is never between a START and an END
 * (a run holding START or END past its first character is coded), so it reads as itself. The library's
 * regular expression then scans runs of at most LONG_RUN characters and codes of a few, so tokenizing is
 * linear: a 1 MiB template of spaces takes milliseconds, not hours.
 */
import { tokenize } from '@huggingface/jinja'

type Tokens = ReturnType<typeof tokenize>
/**
 * The part of the library's Token used here. Its index.d.ts re-exports the lexer from an extensionless
 * path, which the lint's program does not follow, so the tokens arrive untyped there: this types them.
 */
interface Token {
  value: string
  type: string
}
const tokenizeLibrary = tokenize as unknown as (
  source: string,
  options: { lstrip_blocks: boolean; trim_blocks: boolean },
) => Token[]

/** Runs longer than this are coded; shorter ones cost the library's regular expression at most this per character. */
export const LONG_RUN = 32

// Unicode spaces, all \s to the regular expression and to trimEnd: a code is START, digits, END.
const START = '\u2000'
const END = '\u2001'
const DIGITS =
  '\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u00a0\u1680\u202f\u205f\u3000\u2028\u2029'
const DIGIT_VALUE = new Map([...DIGITS].map((d, i) => [d, i]))

/** @huggingface/jinja's tokenize(source, { lstrip_blocks: true, trim_blocks: true }), in linear time. */
export function tokenizeTemplate(source: string): Tokens {
  const { text, runs } = libraryInput(source)
  const tokens = tokenizeLibrary(text, { lstrip_blocks: false, trim_blocks: false })
  if (runs.length > 0)
    for (const token of tokens)
      if (token.type === 'Text' || token.type === 'StringLiteral' || token.type === 'Comment')
        token.value = restore(token.value, runs)
  // The library's own Token type, for parse(): tsc resolves it, the lint's program does not (see Token).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  return tokens as unknown as Tokens
}

/**
 * Steps 1 and 2: the text handed to the library's tokenize (with its preprocessing turned off but for the
 * trailing newline it drops, and the generation tags it removes), and the runs its codes name.
 */
export function libraryInput(source: string): { text: string; runs: string[] } {
  let text = source.endsWith('\n') ? source.slice(0, -1) : source
  text = text.replace(/^[ \t]*({[#%-])/gm, '$1').replace(/([#%-]})\n/g, '$1')
  const runs: string[] = []
  const parts: string[] = []
  let copied = 0
  const run = /\s+/g
  for (let m = run.exec(text); m; m = run.exec(text)) {
    const ws = m[0]
    if (ws.length <= LONG_RUN && !ws.includes(START, 1) && !ws.includes(END, 1)) continue
    parts.push(text.slice(copied, m.index + 1), START, code(runs.push(ws.slice(1)) - 1), END)
    copied = m.index + ws.length
  }
  parts.push(text.slice(copied), '\n')
  return { text: parts.join(''), runs }
}

function code(index: number): string {
  let out = ''
  do {
    out = DIGITS[index % 16]! + out // index % 16 < DIGITS.length
    index = Math.floor(index / 16)
  } while (index > 0)
  return out
}

/** The value with every code replaced by the run it names. */
function restore(value: string, runs: readonly string[]): string {
  if (!value.includes(START)) return value
  let out = ''
  let copied = 0
  for (let at = value.indexOf(START); at >= 0; at = value.indexOf(START, at + 1)) {
    let index = 0
    let k = at + 1
    for (let d = DIGIT_VALUE.get(value[k] ?? ''); d !== undefined; d = DIGIT_VALUE.get(value[++k] ?? ''))
      index = index * 16 + d
    if (k === at + 1 || value[k] !== END) continue // a START that begins no code: a run's own first character
    out += value.slice(copied, at) + (runs[index] ?? '') // every code was made above, from an index of runs
    copied = k + 1
    at = k
  }
  return out + value.slice(copied)
}
