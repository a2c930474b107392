/**
 * Our lexer (src/templates/jinja-lexer.ts): linear in the template, as a count (ParseStats.scanned: every
 * character a scan of the lexer looks at, each scan counted), on the shapes that made the regular-
 * expression lexers before it quadratic (whitespace runs the generation-tag pattern rescanned, unclosed
 * openers, lstrip_blocks looking back for a line start, a backslash far from a string); and the tokens of
 * Jinja2's own lexer, checked by rendering random templates of tags, signs, comments, raw blocks and
 * whitespace of every kind in both. Templates of 5 MB: __tests__/scale/jinja-lexer.test.ts.
 */
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { templateText } from '../../src/templates/jinja-lexer.js'
import { parseTemplate, type ParseStats } from '../../src/templates/jinja-parser.js'
import { compileTemplate, renderTemplate, type RenderResult } from '../../src/templates/render.js'
import { agree, pythonAvailable, runReference } from '../helpers/jinja-reference.js'
import { loadCorpusTemplates } from './conversations.js'

const MiB = 1024 * 1024
const corpusRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus')

/** What lexing and parsing `source` cost, whether it parses or not. */
function cost(source: string): ParseStats & { ok: boolean } {
  const stats: ParseStats = { scanned: 0, tokens: 0 }
  try {
    parseTemplate(templateText(source), stats)
    return { ...stats, ok: true }
  } catch {
    return { ...stats, ok: false }
  }
}

/** `unit` repeated up to about n characters. */
const fill = (unit: string, n: number): string => unit.repeat(Math.ceil(n / unit.length))

// Every kind of whitespace: Python's (\x1c-\x1f, \x85 among them) and JavaScript's own (\ufeff).
const SPACES =
  ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'

describe('the lexer looks at each character a bounded number of times', () => {
  test.each([
    ['spaces', fill(' ', MiB), true],
    ['newlines', fill('\n', MiB), true],
    ['whitespace of every kind', fill(SPACES, MiB), true],
    ['spaces inside an expression', `{{ ${fill(' ', MiB)} x }}`, true],
    ['spaces inside a string', `{{ '${fill(' ', MiB)}' }}`, true],
    [
      'indented tags (lstrip_blocks looks back to the line start)',
      fill('   \t  {% if x %}{% endif %}\n', MiB),
      true,
    ],
    ['tags on one line (no newline to stop a look back)', fill('  {% if x %}a{% endif %}  ', MiB), true],
    [
      'whitespace stripped by - signs',
      fill(`x${' '.repeat(40)}{%- if x -%}${' '.repeat(40)}{%- endif %}`, MiB),
      true,
    ],
    ['comments', fill('{# a comment #}  \n', MiB), true],
    ['strings, and one backslash at the end', fill("{{ 'abc' }}", MiB) + "{{ '\\n' }}", true],
    ['braces that open no tag', fill('{ x } ', MiB), true],
    ['a long name', `{{ ${fill('a', MiB)} }}`, true],
    ['a long number', `{{ ${fill('1_2', MiB)}.5 }}`, true],
    [
      'generation tags in whitespace',
      fill(`${' '.repeat(60)}{% generation %}${' '.repeat(60)}{% endgeneration %}`, MiB),
      true,
    ],
    ['a comment never closed', `{# ${fill(' x ', MiB)}`, false],
    ['a raw block never closed, full of tags', `{% raw %}${fill('{% x %}{%  endraw x %}', MiB)}`, false],
    ['unclosed {{', fill('{{', MiB), false],
    ['unclosed {%', fill('{%', MiB), false],
    ['unclosed {{ with text', fill('x {{ y ', MiB), false],
    ['a string never closed', `{{ '${fill('x', MiB)}`, false],
    ['brackets opened and never closed', `{{ ${fill('(', MiB)}`, false],
  ])('1 MiB of %s', (_, source, parses) => {
    const c = cost(source)
    expect(c.ok).toBe(parses)
    // A character is looked at by the scan that finds it, the one that consumes it, and at most a
    // couple more (a look-ahead, a look back over whitespace): a bound per character, whatever the shape.
    expect(c.scanned).toBeLessThanOrEqual(6 * source.length + 100)
    expect(c.tokens).toBeLessThanOrEqual(source.length)
  })

  test('twice the template, twice the work', () => {
    const corpus = fs.existsSync(path.join(corpusRoot, 'templates')) ? loadCorpusTemplates(corpusRoot) : []
    const unit =
      corpus.map((t) => t.source).join('\n') ||
      '{% for m in messages %}{{ m.role }}: {{ m.content|trim }}\n{% endfor %}'
    const copies = Math.max(1, Math.round(MiB / 2 / unit.length))
    const once = cost(unit.repeat(copies))
    const twice = cost(unit.repeat(2 * copies))
    expect(once.ok && twice.ok).toBe(true)
    expect(twice.scanned / once.scanned).toBeGreaterThan(1.8)
    expect(twice.scanned / once.scanned).toBeLessThan(2.2)
  })
})

// Pieces that whitespace control, comments, raw blocks and tags are made of, and every kind of whitespace.
const PIECES = [
  '{%- if x -%}',
  '{% if x %}',
  '{%+ if y +%}',
  '{% endif %}',
  '{%- endif %}',
  '{%+ endif +%}',
  '{% else %}',
  '{{ x }}',
  '{{- y -}}',
  '{{+ x }}',
  "{{ '  a \\n b ' }}",
  '{# c #}',
  '{#- c -#}',
  '{# c +#}',
  '{#+ c #}',
  '{% generation %}',
  '{%- generation -%}',
  '{% endgeneration %}',
  '{% raw %}',
  '{%- raw -%}',
  '{% endraw %}',
  '{%- endraw %}',
  '{%+ endraw +%}',
  '{% for i in [1, 2] %}',
  '{% endfor %}',
  '{{ loop.index }}',
  '{% set x %}',
  '{% endset %}',
  '{{ 1_0 }}{{ 0x1F }}{{ 1.5e3 }}',
  '{{ (1, 2) }}',
  '{{ x|upper }}',
  'text',
  '\\',
  '{{',
  '}}',
  '{%',
  '%}',
  '{#',
  '#}',
  '{',
  '}',
  '-',
  '+',
  "'",
  'é',
]
const WHITESPACE = [
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '\u00a0',
  '\u2000',
  '\x0b',
  '\ufeff',
  '\x85',
  '\x1c',
  '\u3000',
]
const template = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
      {
        weight: 1,
        arbitrary: fc
          .array(fc.constantFrom(...WHITESPACE), { minLength: 1, maxLength: 5 })
          .map((w) => w.join('')),
      },
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((parts) => parts.join(''))

describe("the same tokens as Jinja2's lexer", () => {
  const have = pythonAvailable()
  if (!have)
    process.stderr.write(
      'note: the lexer is not compared with Jinja2: python3 with jinja2 is not available\n',
    )
  ;(have ? test : test.skip)(
    '2,000 random templates of tags, signs, comments, raw blocks and whitespace render as in Jinja2',
    async () => {
      const sources = fc.sample(template, { numRuns: 2000, seed: 20260 })
      const context = { x: '<v>', y: 2 }
      const ref = await runReference(
        sources.map((template, id) => ({
          id,
          template,
          context: { messages: [], add_generation_prompt: false, tools: null, documents: null, ...context },
        })),
      )
      const differ: string[] = []
      sources.forEach((source, i) => {
        const c = compileTemplate(source)
        const ours: RenderResult = c.ok
          ? renderTemplate(c.template, { messages: [], add_generation_prompt: false, extra: context })
          : { ok: false, kind: 'error', message: c.message }
        const r = ref[i]!
        // The same text, or an error at the same stage (compiling or rendering).
        if (!agree(ours, r) || (!ours.ok && !c.ok !== (r.compile === true)))
          differ.push(`${JSON.stringify(source)}: jinja2 ${JSON.stringify(r)}, ours ${JSON.stringify(ours)}`)
      })
      expect(differ).toEqual([])
    },
    60_000,
  )
})
