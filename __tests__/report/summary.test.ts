import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/common/finding.js'
import type { DatasetStats } from '../../src/engine/dataset-stats.js'
import { TEXT_MAX } from '../../src/report/markdown.js'
import { formatSummary, SPLIT_ROWS, SUMMARY_LIMIT } from '../../src/report/summary.js'
import { renderers, tags } from '../helpers/gfm.js'
import { finding, report, target } from '../helpers/report.js'

describe('formatSummary', () => {
  it('gives the verdict, the counts and one row per finding with a link to its rule doc', () => {
    const md = formatSummary(
      report([target([finding('error', { path: 'config.json', line: 3, column: 5 })])]),
      '/tmp/r.json',
    )
    expect(md).toContain('## friendli-preflight: ❌ fail')
    expect(md).toContain('1 target checked · 1 error · 0 warnings · 0 infos · fail-on: `error`')
    expect(md).toContain('| 🔴 error | [MR100 rule-0](https://docs.test/rule-0.md) | `config.json:3:5` |')
    expect(md).toContain('Full report: `/tmp/r.json` (JSON).')
  })

  it('escapes HTML and table pipes in messages taken from the repository', () => {
    const md = formatSummary(report([target([finding('warning', { path: '.' })])]))
    expect(md).toContain('Message 0 \\| \\<b\\>bold\\<\\/b\\>\\.')
    expect(md).not.toContain('<b>')
    expect(md).toContain('`(model folder)`')
  })

  it('stays under the 1 MiB step-summary limit and says how many findings were left out', () => {
    const findings = Array.from({ length: 20_000 }, (_, i) =>
      finding('warning', { path: 'config.json', line: i + 1 }, i),
    )
    const md = formatSummary(report([target(findings)]))
    expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024)
    expect(md.length).toBeLessThanOrEqual(SUMMARY_LIMIT + 200)
    expect(md).toContain('\n…and 19,000 more findings (see the JSON report).\n')
  })

  it('says when a target could not be checked', () => {
    const md = formatSummary(
      report([target([], { status: 'error', error: 'cannot read config.json: permission denied' })]),
    )
    expect(md).toContain('## friendli-preflight: ⚠️ could not check')
    expect(md).toContain('Could not check: cannot read config\\.json\\: permission denied')
  })
})

describe('formatSummary at size', () => {
  const dataset = (stats: Partial<DatasetStats>, findings: Finding[] = []) =>
    target(findings, {
      kind: 'dataset',
      dataset: {
        rows: 0,
        badRows: 0,
        rowsPerSplit: new Map(),
        unreadablePerSplit: new Map(),
        seen: 0,
        unreadable: 0,
        roles: new Map(),
        seconds: 1,
        ...stats,
      },
    })

  it('19,000 split names: 100 rows, one row for the rest, under 1 MiB, and the table stays one table', () => {
    const rowsPerSplit = new Map(
      Array.from({ length: 19_000 }, (_, i) => [`split-${i}-${'|<a>`@#'.repeat(30)}`, 2] as const),
    )
    const md = formatSummary(report([dataset({ rows: 38_000, seen: 38_000, rowsPerSplit })]))
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_LIMIT)
    expect(md).toContain('| *…and 18,900 more splits* | 37,800 | 0 |')
    expect(md).toContain('| **all** | **38,000** (38,000 rows/s) | **0** |')
    const html = renderers[0]!.render(md)
    expect(tags(html).filter((t) => t === 'tr')).toHaveLength(1 + SPLIT_ROWS + 2)
    expect(tags(html).filter((t) => t === 'table')).toHaveLength(1)
  })

  it('counts unreadable rows per split, and says what max-rows left out', () => {
    const stats = {
      rows: 9,
      seen: 10,
      unreadable: 3,
      rowsPerSplit: new Map([
        ['train', 8],
        ['test', 2],
      ]),
      unreadablePerSplit: new Map([['train', 3]]),
    }
    const md = formatSummary(
      report([dataset({ ...stats, partial: { checked: 10, maxRows: 10, total: 75 } })]),
    )
    expect(md).toContain(
      '| Split | Rows | Unreadable |\n|---|---|---|\n| train | 8 | 3 |\n| test | 2 | 0 |\n',
    )
    expect(md).toContain('| **all** | **10** (10 rows/s) | **3** |')
    expect(md).toContain('\nChecked 10 of 75 rows (max-rows 10).\n')
    expect(formatSummary(report([dataset({ ...stats, partial: { checked: 10, maxRows: 10 } })]))).toContain(
      '\nFirst 10 rows checked (max-rows 10); the rest not read.\n',
    )
    expect(formatSummary(report([dataset(stats)]))).not.toMatch(/rows checked|Checked \d/)
  })

  it('a finding about a dataset folder names it so, not "model folder"', () => {
    const md = formatSummary(report([dataset({}, [finding('info', { path: '.' })])]))
    expect(md).toContain('`(dataset folder)`')
  })

  it('splits named like Object properties are just splits', () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']
    const md = formatSummary(
      report([dataset({ rows: 15, rowsPerSplit: new Map(names.map((n, i) => [n, i + 1])) })]),
    )
    const html = renderers[0]!.render(md)
    const cells = [...html.matchAll(/<td>([^<]*)<\/td>\s*<td>(\d+)<\/td>/g)].map((m) => [m[1], m[2]])
    expect(cells).toEqual(names.map((n, i) => [n, String(i + 1)]))
  })

  it('a message of megabytes is cut to a readable length; the JSON report keeps it whole', () => {
    const md = formatSummary(
      report([target([{ ...finding('error', { path: 'c.json' }), message: 'x'.repeat(5_000_000) }])]),
    )
    expect(md).toContain(`| ${'x'.repeat(TEXT_MAX - 1)}…<br>`)
    expect(md.length).toBeLessThan(10_000)
  })

  it('many targets of long, escape-heavy findings: under the limit, with "…and N more targets"', () => {
    // Each character of the message takes the most room escaping gives it ("[U+202E]", escaped).
    const message = '\u202e'.repeat(TEXT_MAX)
    const findings = Array.from({ length: 2_000 }, (_, i) => ({
      ...finding('error', { path: `${'\u202e'.repeat(400)}${i}`, line: 1 }, i),
      message,
      hint: message,
    }))
    const targets = Array.from({ length: 2_000 }, (_, i) => target(findings, { ref: `m${i}` }))
    const md = formatSummary(report(targets), '/tmp/r.json')
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_LIMIT)
    // The first target shows the rows that fit; the next ones their verdict, while there is room.
    expect(md).toMatch(/\n…and 1,9\d\d more findings \(see the JSON report\)\.\n/)
    expect(md).toContain(
      '\n### `m1` — ❌ fail\n\n2,000 findings, not shown: the summary is full (see the JSON report).\n',
    )
    expect(md).toMatch(/\n…and 1,\d{3} more targets \(see the JSON report\)\.\n/)
    expect(md).toContain('Full report: `/tmp/r.json` (JSON).')
    // Whole lines only: every row ends its cells.
    for (const line of md.split('\n')) if (line.startsWith('| ')) expect(line.endsWith(' |')).toBe(true)
  })
})
