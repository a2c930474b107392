import { describe, expect, it } from '@jest/globals'
import { formatSummary, SUMMARY_LIMIT } from '../../src/report/summary.js'
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
    expect(md).toContain('Message 0 \\| &lt;b&gt;bold&lt;/b&gt;.')
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
    expect(md).toMatch(/\n[\d,]+ more findings did not fit in the summary; the JSON report lists them all\./)
  })

  it('says when a target could not be checked', () => {
    const md = formatSummary(
      report([target([], { status: 'error', error: 'cannot read config.json: permission denied' })]),
    )
    expect(md).toContain('## friendli-preflight: ⚠️ could not check')
    expect(md).toContain('Could not check: cannot read config.json: permission denied')
  })
})
