import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/common/finding.js'
import type { DatasetStats } from '../../src/engine/dataset-stats.js'
import { TEXT_MAX } from '../../src/report/markdown.js'
import { formatSummary, SPLIT_ROWS, SUMMARY_LIMIT } from '../../src/report/summary.js'
import { renderers, tags } from '../helpers/gfm.js'
import { finding, report, target } from '../helpers/report.js'

describe('formatSummary', () => {
  it('gives the verdict, the counts, one row per finding, and the fix with its rule doc once', () => {
    const md = formatSummary(
      report([target([finding('error', { path: 'config.json', line: 3, column: 5 })])]),
      '/tmp/r.json',
    )
    expect(md).toContain('## friendli-preflight: ❌ fail')
    expect(md).toContain('1 target checked · 1 error · 0 warnings · 0 infos · fail-on: `error`')
    expect(md).toContain('| 🔴 error | MR100 rule-0 | `config.json:3:5` | Message 0 ')
    expect(md).toContain('**How to fix**\n\n- [MR100 rule-0](https://docs.test/rule-0.md): Hint 0\\.\n')
    expect(md).toContain('Full report: `/tmp/r.json` (JSON, on the runner).')
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
    expect(md).toContain(`| ${'x'.repeat(TEXT_MAX - 1)}… |`)
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
    expect(md).toContain('Full report: `/tmp/r.json` (JSON, on the runner).')
    // Whole lines only: every row ends its cells.
    for (const line of md.split('\n')) if (line.startsWith('| ')) expect(line.endsWith(' |')).toBe(true)
  })
})

describe('formatSummary for the reviewer', () => {
  const rowFinding = (row: number, over: Partial<Finding> = {}): Finding => ({
    ...finding('error', { path: 'train.jsonl', line: row + 1, row }, 7),
    message: `Row ${row} is refused by the chat template.`,
    ...over,
  })
  const REPO = { server: 'https://github.test/', repository: 'o/r', sha: 'b'.repeat(40) }

  it('rows of one rule, message kind and file are one line with the count and the first rows', () => {
    const rows = Array.from({ length: 21 }, (_, i) => rowFinding(2 * i + 2))
    const md = formatSummary(
      report([target(rows, { kind: 'dataset', rootInWorkspace: 'data' })]),
      undefined,
      {
        repo: REPO,
      },
    )
    const lines = md.split('\n').filter((l) => l.startsWith('| 🔴'))
    expect(lines).toEqual([
      `| 🔴 error | MR107 rule-7 | [\`train.jsonl\`](https://github.test/o/r/blob/${'b'.repeat(40)}/data/train.jsonl#L3)<br>rows 2, 4, 6, 8, 10 and 16 more (21 rows) | Row 2 is refused by the chat template\\.<br>*The first of 21 findings like it.* |`,
    ])
  })

  it('links a file by its path in the repository when the workspace is a folder of it', () => {
    const md = formatSummary(
      report([target([finding('error', { path: 'config.json', line: 3 })])]),
      undefined,
      { repo: { ...REPO, prefix: 'checkout dir' } },
    )
    expect(md).toContain(
      `[\`config.json:3\`](https://github.test/o/r/blob/${'b'.repeat(40)}/checkout%20dir/models/m/config.json#L3)`,
    )
  })

  it('findings past the cap join the group of their rule and file, or get a line of their own', () => {
    const omitted = [
      { ruleId: 'MR107', rule: 'rule-7', path: 'train.jsonl', severity: 'error' as const, count: 4_000 },
      { ruleId: 'MR108', rule: 'rule-8', path: 'test.jsonl', severity: 'warning' as const, count: 3 },
    ]
    const md = formatSummary(report([target([rowFinding(1), rowFinding(2)], { kind: 'dataset', omitted })]))
    expect(md).toContain(
      '<br>*The first of 2 findings like it; 4,000 more errors of this rule in this file past the cap, counted only.* |',
    )
    expect(md).toContain(
      '\n🟡 warning MR108 rule-8: 3 more warnings in `test.jsonl`, counted but not listed (the JSON report counts them too).\n',
    )
    expect(md).not.toMatch(/every/i)
  })

  it('the fix and the rule doc once per rule: distinct hints listed, three at most', () => {
    const f = (n: number, hint: string) => ({ ...finding('error', { path: `f${n}.json`, line: 1 }, 1), hint })
    const findings = [
      f(1, 'Fix A.'),
      f(2, 'Fix A.'),
      f(3, 'Fix B.'),
      f(4, 'Fix C.'),
      f(5, 'Fix D.'),
      f(6, 'Fix E.'),
    ]
    const md = formatSummary(report([target(findings)]))
    expect(md.split('https://docs.test/rule-1.md')).toHaveLength(2)
    expect(md.match(/Fix A/g)).toHaveLength(1)
    expect(md).toContain(
      '- [MR101 rule-1](https://docs.test/rule-1.md): Fix A\\.<br>Fix B\\.<br>Fix C\\.<br>…and 2 other fixes (see the JSON report)\n',
    )
  })

  it('long lists are folded: ten rows open, the rest in <details>, every row a row of a table', () => {
    const findings = Array.from({ length: 25 }, (_, i) =>
      finding('warning', { path: `f${i}.json`, line: 1 }, i),
    )
    const md = formatSummary(report([target(findings)]))
    expect(md).toContain('\n<details><summary>…and 15 more findings</summary>\n\n| Severity |')
    expect(md).toContain('\n<details><summary>…and 15 more rules</summary>\n\n- [MR110 rule-10]')
    const html = renderers[0]!.render(md)
    expect(tags(html).filter((t) => t === 'details')).toHaveLength(2)
    expect(tags(html).filter((t) => t === 'table')).toHaveLength(2)
    expect(tags(html).filter((t) => t === 'tr')).toHaveLength(25 + 2)
    expect(tags(html).filter((t) => t === 'li')).toHaveLength(25)
    // Nothing is left out, so nothing says so.
    expect(md).not.toMatch(/more findings \(see|not shown/)
  })

  it('a long table of splits is folded whole under its totals', () => {
    const rowsPerSplit = new Map(Array.from({ length: 12 }, (_, i) => [`s${i}`, 1] as const))
    const t = target([], {
      kind: 'dataset',
      dataset: {
        rows: 12,
        badRows: 0,
        rowsPerSplit,
        unreadablePerSplit: new Map(),
        seen: 12,
        unreadable: 0,
        roles: new Map(),
        seconds: 1,
      },
    })
    const md = formatSummary(report([t]))
    expect(md).toContain(
      '\n<details><summary>12 splits: 12 rows, 0 unreadable</summary>\n\n| Split | Rows | Unreadable |\n',
    )
    expect(md).toContain('| **all** | **12** (12 rows/s) | **0** |\n\n</details>\n')
  })

  it('the dataset section names its base model, or says there is none', () => {
    const stats = {
      rows: 1,
      badRows: 0,
      rowsPerSplit: new Map([['train', 1]]),
      unreadablePerSplit: new Map(),
      seen: 1,
      unreadable: 0,
      roles: new Map(),
      seconds: 1,
    }
    const withBase = target([], {
      kind: 'dataset',
      dataset: stats,
      spec: {
        kind: 'dataset',
        ref: 'data',
        source: 'local',
        root: '/w/data',
        base: { kind: 'model', ref: 'org/base@main', source: 'hub', root: '/w' },
      },
    })
    expect(formatSummary(report([withBase]))).toContain(
      '\nBase model: `org/base@main` (its chat template, tokenizer and context length).\n',
    )
    const without = target([], {
      kind: 'dataset',
      dataset: stats,
      spec: { kind: 'dataset', ref: 'data', source: 'local', root: '/w/data' },
    })
    expect(formatSummary(report([without]))).toContain(
      "\nBase model: none given, so rows were checked against Friendli's format only.\n",
    )
  })

  it('links the uploaded report instead of the runner path', () => {
    const artifact = {
      name: 'friendli-preflight-report-check-0123456789ab',
      url: 'https://github.test/o/r/actions/runs/7/artifacts/42',
      retentionDays: 30,
    }
    const md = formatSummary(report([target([])]), '/runner/tmp/friendli-preflight-report.json', { artifact })
    expect(md).toContain(
      'Full report: artifact [`friendli-preflight-report-check-0123456789ab`](https://github.test/o/r/actions/runs/7/artifacts/42) (the JSON report and the SARIF file, kept 30 days).',
    )
    expect(md).not.toContain('/runner/tmp')
  })

  it('a full summary says what it left out, and never that it lists every finding', () => {
    const findings = Array.from({ length: 10_000 }, (_, i) =>
      finding('warning', { path: 'config.json', line: i + 1 }, i),
    )
    const md = formatSummary(report(Array.from({ length: 30 }, (_, i) => target(findings, { ref: `m${i}` }))))
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_LIMIT)
    expect(md).toMatch(/\n…and 9,\d{3} more findings \(see the JSON report\)\.\n/)
    expect(md).toContain('10,000 findings, not shown: the summary is full (see the JSON report).')
    expect(md).not.toMatch(/every|everything/i)
  })
})
