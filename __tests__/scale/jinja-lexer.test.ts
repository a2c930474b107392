// Templates of 5 MB through our lexer and parser (src/templates/jinja-lexer.ts, jinja-parser.ts): the
// work is linear, as a count (ParseStats.scanned: the characters the lexer's scans looked at), on real
// templates and on hostile shapes. Times are in bench/hostile-templates.ts.
import { expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { templateText } from '../../src/templates/jinja-lexer.js'
import { parseTemplate, type ParseStats } from '../../src/templates/jinja-parser.js'
import { compileTemplate } from '../../src/templates/render.js'
import { loadCorpusTemplates } from '../templates/conversations.js'

const MB = 5_000_000
const corpusRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus')

function cost(source: string): ParseStats & { ok: boolean } {
  const stats: ParseStats = { scanned: 0, tokens: 0 }
  try {
    parseTemplate(templateText(source), stats)
    return { ...stats, ok: true }
  } catch {
    return { ...stats, ok: false }
  }
}

const corpus = fs.existsSync(path.join(corpusRoot, 'templates')) ? loadCorpusTemplates(corpusRoot) : []
/** Real chat templates one after another (every corpus template), or one template when the corpus is absent. */
const unit =
  corpus.map((t) => t.source).join('\n') ||
  "{% for m in messages %}{{ '<|' + m['role'] + '|>' }}{{ m['content']|trim }}{% endfor %}\n"

test('5 MB of real chat templates: compiles, in work linear in its size', () => {
  const copies = Math.ceil(MB / unit.length)
  const half = cost(unit.repeat(Math.ceil(copies / 2)))
  const full = cost(unit.repeat(2 * Math.ceil(copies / 2)))
  expect(unit.length * 2 * Math.ceil(copies / 2)).toBeGreaterThanOrEqual(MB)
  expect(half.ok && full.ok).toBe(true)
  expect(full.scanned / half.scanned).toBeGreaterThan(1.95)
  expect(full.scanned / half.scanned).toBeLessThan(2.05)
  expect(full.scanned).toBeLessThanOrEqual(4 * unit.length * 2 * Math.ceil(copies / 2))
  expect(compileTemplate(unit.repeat(copies)).ok).toBe(true)
})

test.each([
  ['spaces', ' '.repeat(MB), true],
  ['tags on one line', '  {% if x %}{{ y }}{% endif %}  '.repeat(MB / 32), true],
  ['indented tags', '    {%- if x %}\n  {{ y -}}\n{% endif %}\n'.repeat(MB / 41), true],
  ['a raw block never closed', `{% raw %}${'{% x %}'.repeat(MB / 7)}`, false],
  ['a comment never closed', `{# ${'x'.repeat(MB)}`, false],
])('5 MB of %s: work within a few passes over the template', (_, source, parses) => {
  const c = cost(source)
  expect(c.ok).toBe(parses)
  expect(c.scanned).toBeLessThanOrEqual(6 * source.length + 100)
})
