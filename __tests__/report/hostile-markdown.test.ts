// Every piece of repository text that reaches the job summary (and so the check run's summary), each
// hostile string in each place, rendered with a real GFM parser: the output must have exactly the
// elements it has for a harmless string (no link, image, HTML, heading, code span or table row of the
// string's making), link only where the tool links, show the string's characters, and leave nothing
// for GitHub's mention, issue-reference or autolink filters.
import { describe, expect, it } from '@jest/globals'
import type { Report, TargetResult } from '../../src/check.js'
import type { DatasetStats } from '../../src/engine/dataset-stats.js'
import { checkRunSummary } from '../../src/report/check-run.js'
import { formatSummary } from '../../src/report/summary.js'
import { filteredText, renderers, tags, targets, text } from '../helpers/gfm.js'
import { finding, report, target } from '../helpers/report.js'

const HOSTILE: [string, string][] = [
  ['a link', '[x](https://evil.test/a)'],
  ['an image', '![x](https://evil.test/t.png)'],
  ['a reference link', '[x][1] [1]: https://evil.test'],
  ['an img tag', '<img src=x onerror=alert(1)>'],
  ['details', '<details open><summary>x</summary>hidden'],
  ['a script tag', '<script>alert(1)</script>'],
  ['an angle autolink', '<https://evil.test>'],
  ['a heading after CR', 'ok\r# heading'],
  ['a heading after LF', 'ok\n## heading'],
  ['a heading after CRLF', 'ok\r\n### heading'],
  ['a heading after U+2028', 'ok\u2028# heading'],
  ['a heading after U+2029', 'ok\u2029# heading'],
  ['a heading after NEL', 'ok\u0085# heading'],
  ['a setext heading', 'ok\n===\n'],
  ['a table row', 'a\n| x | y |\n|---|---|\n| 1 | 2 |'],
  ['pipes', 'a | b | c'],
  ['a backslash before a pipe', 'a\\|b\\\\|c'],
  ['a trailing backslash', 'a\\'],
  ['a fence', 'a\n```\ncode\n```'],
  ['a list and a quote', 'a\n- item\n1. item\n> quote'],
  ['one backtick', 'a`b'],
  ['two backticks', '``x``'],
  ['three backticks', '```'],
  ['four backticks', '````x````'],
  ['five backticks', 'a`````b'],
  ['backtick edges', '`x`'],
  ['space edges', ' x '],
  ['a team mention', '@org/team'],
  ['a mention', 'hi @octocat'],
  ['an issue reference', 'closes #1 and org/repo#2'],
  ['a GH reference', 'GH-12'],
  ['a bare URL', 'https://evil.com/x'],
  ['an ftp URL', 'ftp://evil.com'],
  ['a www link', 'www.evil.com'],
  ['a WWW link', 'WWW.EVIL.COM'],
  ['an e-mail', 'x@evil.com'],
  ['entities', '&lt;b&gt; &amp; &#60;i&#62; &copy;'],
  ['emphasis', '*a* _b_ **c** ~~d~~'],
  ['math', '$x^2$ $$y$$'],
  ['a bidi override', 'safe\u202Egnp.exe'],
  ['controls', 'a\u0000b\u001b[31mc\u007f'],
  ['a lone surrogate', 'a\ud800b'],
  ['a task item', '\n- [x] done'],
  ['a footnote', 'x[^1]\n[^1]: https://evil.test'],
]

const SHA = 'a'.repeat(40)
const HUB = { url: 'https://huggingface.test', repo: 'org/name', sha: SHA }
/** The repository the workspace holds, at the pull request's head: local files link there. */
const HEAD = 'b'.repeat(40)
const REPO = { server: 'https://github.test', repository: 'o/r', sha: HEAD }

const stats = (over: Partial<DatasetStats> = {}): DatasetStats => ({
  rows: 8,
  badRows: 0,
  rowsPerSplit: new Map([['train', 8]]),
  unreadablePerSplit: new Map(),
  seen: 8,
  unreadable: 0,
  roles: new Map([['user', 8]]),
  seconds: 1,
  ...over,
})

const dataset = (over: Partial<TargetResult>): TargetResult =>
  target([finding('error', { path: 'train.jsonl', line: 2, row: 2 })], { kind: 'dataset', ...over })

interface Place {
  /** Text places show line breaks as <br>; code places as ␤. */
  kind: 'text' | 'code'
  summary(s: string): string
}

const summary = (targets: TargetResult[], reportFile?: string) =>
  formatSummary(report(targets), reportFile, { repo: REPO })

const PLACES: Record<string, Place> = {
  'file name (local)': {
    kind: 'code',
    summary: (s) => summary([target([finding('error', { path: s, line: 3 })])]),
  },
  'file name (hub)': {
    kind: 'code',
    summary: (s) =>
      summary([
        target([finding('error', { path: s, line: 3 })], { source: 'hub', ref: 'org/name', hub: HUB }),
      ]),
  },
  message: {
    kind: 'text',
    summary: (s) => summary([target([{ ...finding('error', { path: 'c.json' }), message: s }])]),
  },
  hint: {
    kind: 'text',
    summary: (s) => summary([target([{ ...finding('error', { path: 'c.json' }), hint: s }])]),
  },
  'split name': {
    kind: 'text',
    summary: (s) =>
      summary([
        dataset({
          dataset: stats({
            rowsPerSplit: new Map([
              [s, 5],
              ['train', 3],
            ]),
          }),
        }),
      ]),
  },
  'role name': {
    kind: 'text',
    summary: (s) => summary([dataset({ dataset: stats({ roles: new Map([[s, 2]]) }) })]),
  },
  'dataset ref': {
    kind: 'code',
    summary: (s) => summary([dataset({ ref: s, dataset: stats() })]),
  },
  'base model ref': {
    kind: 'code',
    summary: (s) =>
      summary([
        dataset({
          dataset: stats(),
          spec: {
            kind: 'dataset',
            ref: 'data',
            source: 'local',
            root: '/w/data',
            base: { kind: 'model', ref: s, source: 'local', root: '/w/base' },
          },
        }),
      ]),
  },
  'file name (local, grouped rows)': {
    kind: 'code',
    summary: (s) =>
      summary([
        dataset({
          findings: [2, 4, 6].map((row) => finding('error', { path: s, line: row, row })),
          dataset: stats(),
        }),
      ]),
  },
  'could-not-check reason': {
    kind: 'text',
    summary: (s) => summary([target([], { status: 'error', error: s })]),
  },
  'token note': {
    kind: 'text',
    summary: (s) => summary([dataset({ dataset: stats({ noTokens: s }) })]),
  },
  'report file': {
    kind: 'code',
    summary: (s) => summary([target([])], s),
  },
}

/** How the string must read once rendered: line breaks as the place shows them, the invisible by code point. */
function shown(s: string, kind: Place['kind']): string {
  return s
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(
      /(?![\t\n\r\u0085])[\p{Cc}\p{Cf}]/gu,
      (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`,
    )
    .replace(/\r\n|[\r\n\u2028\u2029\u0085]/g, kind === 'text' ? '\n' : '␤')
}

const lineBreaks = (s: string) => s.match(/\r\n|[\r\n\u2028\u2029\u0085]/g)?.length ?? 0

/** Links the tool makes: a rule's docs, a hub file or tree at the checked commit, a file at the head. */
const OWN_LINK =
  /^(https:\/\/docs\.test\/|https:\/\/huggingface\.test\/org\/name\/(blob|tree)\/a{40}(\/|$)|https:\/\/github\.test\/o\/r\/(blob|tree)\/b{40}(\/|$))/

describe.each(renderers)('repository text in the summary, rendered by $name', ({ render, renderMany }) => {
  describe.each(Object.entries(PLACES))('as the %s', (_place, place) => {
    // Rendered once per place, all at once: the harmless string first, then each hostile one.
    let rendered: string[] | undefined
    const html = (i: number) =>
      (rendered ??= renderMany([place.summary('benign'), ...HOSTILE.map(([, h]) => place.summary(h))]))[i]!
    it.each(HOSTILE.map(([name, hostile], i) => [name, hostile, i + 1] as const))(
      '%s stays text',
      (_name, hostile, i) => {
        const md = place.summary(hostile)
        const out = html(i)
        const baseline = html(0)
        // The same elements as for a harmless string: no link, image, HTML, heading, code span or row.
        const structure = (h: string) => tags(h).filter((t) => t !== 'br')
        expect(structure(out)).toEqual(structure(baseline))
        const breaks = (h: string) => tags(h).filter((t) => t === 'br').length
        expect(breaks(out)).toBe(breaks(baseline) + (place.kind === 'text' ? lineBreaks(hostile) : 0))
        // Links only where the tool links, and as many.
        expect(targets(out).length).toBe(targets(baseline).length)
        for (const t of targets(out)) expect(t).toMatch(OWN_LINK)
        // Every character is there to read (zero-width spaces aside).
        // (HTML text and table cells do not keep the spaces at their edges; code does.)
        const trim = (t: string) => (place.kind === 'text' ? t.replace(/ *\n */g, '\n').trim() : t)
        expect(trim(text(out).replace(/\u200b/g, ''))).toContain(trim(shown(hostile, place.kind)))
        // Nothing GitHub would turn into a mention, an issue link or a URL after rendering.
        const filtered = filteredText(out)
        expect(filtered).not.toMatch(/@[a-z0-9]/i)
        expect(filtered).not.toMatch(/#\d/)
        expect(filtered).not.toMatch(/\bgh-\d/i)
        expect(filtered).not.toMatch(/:\/\//)
        expect(filtered).not.toMatch(/\bwww\./i)
        // And the check run's copy is the same Markdown.
        expect(checkRunSummary(md)).toBe(md)
      },
    )
  })

  it('a hub file link keeps working for a name with ), space, #, %, | and a backtick', () => {
    const name = 'dir (1)/a b#c%d|e`f&amp;.json'
    const html = render(PLACES['file name (hub)']!.summary(name))
    const link = targets(html).find((t) => t.includes('/blob/'))
    expect(link).toBeDefined()
    const prefix = `https://huggingface.test/org/name/blob/${SHA}/`
    expect(link!.startsWith(prefix)).toBe(true)
    const [file, line] = link!.slice(prefix.length).split('#')
    expect(decodeURIComponent(file!)).toBe(name)
    expect(line).toBe('L3')
    expect(text(html)).toContain(`${name}:3`)
  })

  it('the tool’s own links and code stay links and code', () => {
    const html = render(
      summary([
        target([finding('error', { path: 'config.json', line: 3 })], {
          source: 'hub',
          ref: 'org/name',
          hub: HUB,
        }),
      ]),
    )
    expect(targets(html)).toEqual([
      `https://huggingface.test/org/name/tree/${SHA}`,
      `https://huggingface.test/org/name/blob/${SHA}/config.json#L3`,
      'https://docs.test/rule-0.md',
    ])
    expect(html).toContain('<code>config.json:3</code>')
  })

  it.each([
    ['a name with ), space, #, %, | and a backtick', 'dir (1)/a b#c%d|e`f&amp;.json'],
    ['a name with a bracket, a question mark and a newline', 'x]?y=1\nz.json'],
    ['a name of non-ASCII and a lone surrogate', 'données/日本\ud800.json'],
  ])('a local file links to its line at the head commit: %s', (_what, name) => {
    const html = render(PLACES['file name (local)']!.summary(name))
    const prefix = `https://github.test/o/r/blob/${HEAD}/models/m/`
    const link = targets(html).find((t) => t.startsWith(prefix))
    expect(link).toBeDefined()
    const [file, line] = link!.slice(prefix.length).split('#')
    // Every segment percent-encoded, so the path reads back as the name (a lone surrogate as U+FFFD).
    expect(decodeURIComponent(file!)).toBe(name.replace(/\ud800/, '\ufffd'))
    expect(file).not.toMatch(/[\s()#?|`\]]/)
    expect(line).toBe('L3')
  })

  it('a hub target never links to the repository; a target outside the workspace does not link', () => {
    const hub = render(PLACES['file name (hub)']!.summary('config.json'))
    expect(targets(hub).filter((t) => t.startsWith('https://github.test/'))).toEqual([])
    const outside = render(
      summary([target([finding('error', { path: 'config.json', line: 3 })], { rootInWorkspace: '../up' })]),
    )
    expect(targets(outside)).toEqual(['https://docs.test/rule-0.md'])
    const climbing = render(PLACES['file name (local)']!.summary('a/../../../../etc/passwd'))
    expect(targets(climbing)).toEqual(['https://docs.test/rule-0.md'])
  })
})

describe('the check run', () => {
  it('gets the same inert Markdown as the job summary', () => {
    const r: Report = report([
      target([{ ...finding('error', { path: 'x' }), message: '[x](https://evil.test) @a #1' }]),
    ])
    expect(checkRunSummary(formatSummary(r))).toContain(
      '\\[x\\]\\(https\\:\u200b\\/\\/evil\\.test\\) \\@\u200ba \\#\u200b1',
    )
  })
})
