/**
 * The linear tokenizer (src/templates/lexer.ts) against @huggingface/jinja's own tokenize, which it must
 * equal token for token (or error for error), and the bound that makes it linear, as a count: no
 * whitespace run the library's preprocessing scans is longer than a fixed few dozen characters.
 * Compiling a whitespace template of 1 MiB once took hours (quadratic in each run); the tag scan of the
 * syntax-error line finder was quadratic in unclosed openers.
 */
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { tokenize } from '@huggingface/jinja'
import { libraryInput, LONG_RUN, tokenizeTemplate } from '../../src/templates/lexer.js'
import { compileTemplate } from '../../src/templates/render.js'
import { tags } from '../../src/templates/syntax-line.js'
import { loadCorpusTemplates } from './conversations.js'

const corpusRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus')
const MiB = 1024 * 1024

function viaLibrary(source: string): string {
  try {
    return JSON.stringify(tokenize(source, { lstrip_blocks: true, trim_blocks: true }))
  } catch (e) {
    return `error ${(e as Error).message}`
  }
}
function ours(source: string): string {
  try {
    return JSON.stringify(tokenizeTemplate(source))
  } catch (e) {
    return `error ${(e as Error).message}`
  }
}

/** The longest run of \s the library's regular expression sees in what it is given. */
function longestRun(text: string): number {
  let longest = 0
  for (const m of text.matchAll(/\s+/g)) longest = Math.max(longest, m[0].length)
  return longest
}

// Pieces whitespace control, generation tags, strings and comments are made of, and every kind of
// whitespace, the marker characters included.
const PIECES = [
  '{%- if x -%}',
  '{% if x %}',
  '{% endif %}',
  '{%- endif %}',
  '{{ x }}',
  '{{- y -}}',
  "{{ '  a  b ' }}",
  '{# c #}',
  '{#- c -#}',
  '{% generation %}',
  '{%- generation -%}',
  '{% endgeneration %}',
  '{%- endgeneration %}',
  'text',
  '\\',
  "{{ '\\",
  "' }}",
  '{%',
  '%}',
  '{{',
  '}}',
  '-',
  '{% set x = "  " %}',
]
const SPACES = [' ', '\t', '\n', '\r', '\u00a0', '\u2000', '\u2001', '\u2002', '\u2003', '\u3000', '\ufeff']
const piece = fc.oneof(
  fc.constantFrom(...PIECES),
  fc
    .tuple(fc.array(fc.constantFrom(...SPACES), { minLength: 1, maxLength: 6 }), fc.nat(120))
    .map(([spaces, n]) => Array.from({ length: n + 1 }, (_, i) => spaces[i % spaces.length]).join('')),
)

describe('tokenizeTemplate is the library tokenize, in linear time', () => {
  test('same tokens as the library on templates of pieces and whitespace runs of every kind', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
        const source = parts.join('')
        expect(ours(source)).toBe(viaLibrary(source))
      }),
      { numRuns: 3000 },
    )
  })

  const corpus = fs.existsSync(path.join(corpusRoot, 'templates')) ? loadCorpusTemplates(corpusRoot) : []
  if (corpus.length === 0)
    process.stderr.write(`note: corpus tokens not compared: no corpus at ${corpusRoot}\n`)
  ;(corpus.length > 0 ? test : test.skip)('same tokens as the library on every corpus template', () => {
    for (const t of corpus) expect(ours(t.source)).toBe(viaLibrary(t.source))
  })

  test.each([
    ['spaces', ' '.repeat(MiB)],
    ['newlines', '\n'.repeat(MiB)],
    ['every kind of whitespace', SPACES.join('').repeat(MiB / SPACES.length)],
    ['the marker characters in every run', '\u2000\u2001\u2002\u2003 a'.repeat(MiB / 6)],
    ['spaces inside an expression', `{{ ${' '.repeat(MiB)} x }}`],
    ['spaces inside a string', `{{ '${' '.repeat(MiB)}' }}`],
    ['spaces around generation tags', `${' '.repeat(MiB / 2)}{% generation %}${' '.repeat(MiB / 2)}`],
  ])('1 MiB of %s: the library scans no whitespace run longer than a few dozen characters', (_, source) => {
    const { text } = libraryInput(source)
    // The library's /(\s*){%...generation.../ costs at most (run length) steps per character: this
    // bounds a whole 1 MiB template by ~50 MiB of steps, where one run of 1 MiB cost 5 * 10^11.
    expect(longestRun(text)).toBeLessThanOrEqual(LONG_RUN + 8)
    expect(compileTemplate(source).ok).toBe(true)
  })

  test('what the runs held is given back in text, strings and comments', () => {
    const run = ' \t'.repeat(100)
    const c = compileTemplate(`a${run}b{{ '${run}' }}{#${run}#}c${run}{%- if true -%}${run}d{% endif %}`)
    expect(c.ok).toBe(true)
    const tokens = tokenizeTemplate(`a${run}b{{ '${run}' }}`)
    expect(tokens.map((t: { value: string }) => t.value)).toEqual([`a${run}b`, '{{', run, '}}'])
  })
})

describe('the syntax-error line finder scans the tags once', () => {
  test.each([
    ['unclosed {{', '{{'.repeat(MiB / 2)],
    ['unclosed {%', '{%'.repeat(MiB / 2)],
    ['unclosed {{ with text', 'x {{ y '.repeat(MiB / 7)],
  ])('1 MiB of %s compiles to an error with a line', (_, source) => {
    const r = compileTemplate(source)
    expect(r.ok).toBe(false)
  })

  test('finds the same tags as the regular expression it replaces', () => {
    const TAG = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g
    const chunk = fc.constantFrom('{{', '}}', '{%', '%}', '{#', '#}', '{', '}', '%', '#', 'x', '\n', ' ')
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 30 }), (parts) => {
        const source = parts.join('')
        const expected = [...source.matchAll(TAG)].map((m) => ({ tag: m[0], index: m.index }))
        const found = [...tags(source)]
        expect(found).toEqual(expected)
      }),
      { numRuns: 2000 },
    )
  })
})
