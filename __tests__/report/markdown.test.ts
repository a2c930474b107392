import { describe, expect, it } from '@jest/globals'
import { clip, fitMarkdown, mdCode, mdLink, mdText, mdUrl, moreLine } from '../../src/report/markdown.js'
import { renderers, tags, targets, text } from '../helpers/gfm.js'

const Z = '\u200b'

describe('mdText', () => {
  it.each([
    ['plain words', 'plain words'],
    ['config.json', 'config\\.json'],
    ['[x](https://evil)', `\\[x\\]\\(https\\:${Z}\\/\\/evil\\)`],
    ['<img src=x>', '\\<img src\\=x\\>'],
    ['a|b', 'a\\|b'],
    ['&lt;', '\\&lt\\;'],
    ['a\\b', 'a\\\\b'],
    ['@org/team #1', `\\@${Z}org\\/team \\#${Z}1`],
    ['www.evil.com', `www${Z}\\.evil\\.com`],
    ['GH-1', `GH${Z}\\-1`],
    ['a\r\nb\rc\nd\u2028e\u2029f\u0085g', 'a<br>b<br>c<br>d<br>e<br>f<br>g'],
    ['a\u202Eb\u0000c\u001bd\ufeffe', 'a\\[U\\+202E\\]b\\[U\\+0000\\]c\\[U\\+001B\\]d\\[U\\+FEFF\\]e'],
    ['tab\tkept', 'tab\tkept'],
    ['😀 é', '😀 é'],
  ])('%j → %j', (input, expected) => {
    expect(mdText(input)).toBe(expected)
  })

  it('cuts long text, never inside a surrogate pair', () => {
    expect(mdText('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`)
    expect(clip(`${'x'.repeat(8)}😀😀`, 10)).toBe(`${'x'.repeat(8)}…`)
    expect(clip('short', 10)).toBe('short')
  })
})

describe('mdCode', () => {
  it.each([
    ['config.json', false, '`config.json`'],
    ['a`b', false, '``a`b``'],
    ['``x``', false, '``` ``x`` ```'],
    ['```', false, '```` ``` ````'],
    ['a````b', false, '`````a````b`````'],
    ['`````', false, '`````` ````` ``````'],
    ['`x`', false, '`` `x` ``'],
    [' x ', false, '`  x  `'],
    ['   ', false, '`   `'],
    ['', false, '` `'],
    ['a|b', true, '`a\\|b`'],
    ['a|b', false, '`a|b`'],
    ['a\\|b', true, '<code>a\\\\\\|b</code>'],
    ['a\nb\r\nc', false, '`a␤b␤c`'],
    ['a\u202Eb', false, '`a[U+202E]b`'],
  ])('%j (table: %s) → %j', (input, table, expected) => {
    expect(mdCode(input, { table })).toBe(expected)
  })

  it.each(renderers)('renders as the same characters with $name, in a table and out of one', ({ render }) => {
    const names = [
      'a`b',
      '``x``',
      '```',
      '````x````',
      'a`````b',
      '`x`',
      ' x ',
      'a|b',
      'a\\|b',
      'a\\\\|b',
      '<b>&amp;',
    ]
    for (const name of names) {
      const out = render(`x ${mdCode(name)} y`)
      expect(text(out).trim()).toBe(`x ${name} y`)
      const table = render(`| a | b |\n|---|---|\n| ${mdCode(name, { table: true })} | z |\n`)
      expect(tags(table).filter((t) => t === 'td')).toHaveLength(2)
      expect(text(table)).toContain(name)
    }
  })
})

describe('mdUrl and mdLink', () => {
  it('percent-encodes what a link destination cannot hold, keeps escapes, refuses other schemes', () => {
    expect(mdUrl('https://h.test/a (1)/b|c<d>e\\f`g')).toBe(
      'https://h.test/a%20%281%29/b%7Cc%3Cd%3Ee%5Cf%60g',
    )
    expect(mdUrl('https://h.test/%41%zz%')).toBe('https://h.test/%41%25zz%25')
    expect(mdUrl('https://h.test/é&copy;')).toBe('https://h.test/%C3%A9%26copy;')
    expect(mdUrl('javascript:alert(1)')).toBeUndefined()
    expect(mdUrl('//evil.test')).toBeUndefined()
    expect(mdLink('`x`', 'data:text/html,x')).toBe('`x`')
  })

  it.each(renderers)('a link the tool makes points where it should with $name', ({ render }) => {
    const url = 'https://h.test/blob/x/a%20(1)/b&copy;.json#L3'
    const html = render(`| a |\n|---|\n| ${mdLink(mdCode('name', { table: true }), url)} |\n`)
    expect(targets(html)).toEqual(['https://h.test/blob/x/a%20%281%29/b%26copy;.json#L3'])
  })
})

describe('moreLine', () => {
  it('counts what was left out', () => {
    expect(moreLine(1, 'finding')).toBe('…and 1 more finding (see the JSON report).')
    expect(moreLine(18_900, 'split')).toBe('…and 18,900 more splits (see the JSON report).')
  })
})

describe('fitMarkdown', () => {
  const NOTE = '(cut)'

  it('leaves what fits alone', () => {
    expect(fitMarkdown('# a\n\nb\n', { bytes: 100 }, NOTE)).toBe('# a\n\nb\n')
  })

  it('cuts at a line end, within bytes and characters, and never splits a character', () => {
    const md = Array.from({ length: 200 }, (_, i) => `line ${i} ${'é😀'.repeat(i % 7)}`).join('\n')
    for (const limit of [{ bytes: 1000 }, { chars: 1000 }, { bytes: 777, chars: 600 }, { bytes: 40 }]) {
      const out = fitMarkdown(md, limit, NOTE)
      if (limit.bytes) expect(Buffer.byteLength(out)).toBeLessThanOrEqual(limit.bytes)
      if (limit.chars) expect(out.length).toBeLessThanOrEqual(limit.chars)
      expect(out.endsWith(`\n\n${NOTE}\n`)).toBe(true)
      const kept = out.slice(0, -`\n\n${NOTE}\n`.length)
      expect(md.startsWith(kept)).toBe(true)
      expect(md[kept.length] === '\n' || kept === '').toBe(true)
      expect(out).not.toContain('\ufffd')
    }
  })

  it.each(renderers)('ends a table before the note, so the note is no table row ($name)', ({ render }) => {
    const md = ['| a | b |', '|---|---|', ...Array.from({ length: 100 }, (_, i) => `| ${i} | x |`)].join('\n')
    const out = fitMarkdown(md, { bytes: 300 }, NOTE)
    const html = render(out)
    expect(html).toMatch(/<\/table>\s*<p>\(cut\)<\/p>/)
  })

  it.each(renderers)('closes an open code fence before the note ($name)', ({ render }) => {
    const md = [
      'intro',
      '',
      '````js',
      ...Array.from({ length: 100 }, (_, i) => `code ${i}`),
      '````',
      'after',
    ].join('\n')
    const out = fitMarkdown(md, { chars: 200 }, NOTE)
    expect(out.length).toBeLessThanOrEqual(200)
    expect(out).toMatch(/\n````\n\n\(cut\)\n$/)
    expect(render(out)).toMatch(/<\/code><\/pre>\s*<p>\(cut\)<\/p>/)
  })

  it('a line longer than the limit is left out whole', () => {
    expect(fitMarkdown(`${'x'.repeat(1000)}\nshort`, { bytes: 100 }, NOTE)).toBe(`\n\n${NOTE}\n`)
  })
})
