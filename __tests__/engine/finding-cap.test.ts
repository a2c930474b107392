// A flood of row findings (6 MB of broken JSON Lines is 3,000,000 of them) is kept per rule and file up
// to a cap and counted past it: the report stays small, and the verdict and the counts still see every
// finding. The flood at full size is in __tests__/scale/hostile-floods.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkTargets, exitCode, fails } from '../../src/check.js'
import type { Finding, Severity } from '../../src/common/finding.js'
import {
  countWithOmitted,
  findingCollector,
  MAX_FINDINGS_PER_RULE_AND_FILE,
  MAX_FINDINGS_PER_TARGET,
} from '../../src/engine/finding-cap.js'
import { jsonReportChunks, toJson } from '../../src/report/json.js'
import { datasetRules } from '../../src/rules/registry.js'
import { resolveSettings } from '../../src/settings.js'
import { runDataset } from '../helpers/dataset-tester.js'

const finding = (ruleId: string, path: string, severity: Severity = 'error'): Finding => ({
  ruleId,
  rule: ruleId.toLowerCase(),
  messageId: 'm',
  severity,
  message: 'M.',
  location: { path },
  docsUrl: 'https://docs.test/',
})

describe('findingCollector', () => {
  it('keeps findings per rule and file up to the cap and counts the rest by severity', () => {
    const c = findingCollector(3, 100)
    for (let i = 0; i < 5; i++) c.push(finding('DS201', 'a.jsonl'))
    c.push(finding('DS201', 'a.jsonl', 'warning'))
    for (let i = 0; i < 2; i++) c.push(finding('DS201', 'b.jsonl'))
    for (let i = 0; i < 4; i++) c.push(finding('DS202', 'a.jsonl'))
    expect(c.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual([
      ...Array<string>(3).fill('DS201 a.jsonl'),
      ...Array<string>(2).fill('DS201 b.jsonl'),
      ...Array<string>(3).fill('DS202 a.jsonl'),
    ])
    expect(c.omitted()).toEqual([
      { ruleId: 'DS201', rule: 'ds201', path: 'a.jsonl', severity: 'error', count: 2, byMessage: { m: 2 } },
      { ruleId: 'DS201', rule: 'ds201', path: 'a.jsonl', severity: 'warning', count: 1, byMessage: { m: 1 } },
      { ruleId: 'DS202', rule: 'ds202', path: 'a.jsonl', severity: 'error', count: 1, byMessage: { m: 1 } },
    ])
    expect(countWithOmitted(c.findings, c.omitted())).toEqual({ errors: 11, warnings: 1, infos: 0 })
  })

  it('keeps at most the per-target cap, whatever the rules and files', () => {
    const c = findingCollector(10, 25)
    for (let f = 0; f < 10; f++) for (let i = 0; i < 10; i++) c.push(finding('DS201', `f${f}.jsonl`))
    expect(c.findings).toHaveLength(25)
    expect(c.omitted().reduce((n, o) => n + o.count, 0)).toBe(75)
  })

  it('keeps a crashed rule whatever the caps', () => {
    const c = findingCollector(0, 0)
    c.keep(finding('DS201', '.'))
    expect(c.findings).toHaveLength(1)
  })

  it('fails a target on omitted findings alone, at or above fail-on', () => {
    const omitted = [{ ruleId: 'DS201', rule: 'x', path: 'a', severity: 'error' as const, count: 5 }]
    expect(fails([], 'error', omitted)).toBe(true)
    expect(fails([], 'never', omitted)).toBe(false)
    expect(fails([finding('DS201', 'a', 'info')], 'warning', [{ ...omitted[0]!, severity: 'info' }])).toBe(
      false,
    )
  })

  it('has the caps the docs state', () => {
    expect([MAX_FINDINGS_PER_RULE_AND_FILE, MAX_FINDINGS_PER_TARGET]).toEqual([1_000, 10_000])
  })
})

describe('a flood of broken rows', () => {
  it('keeps 1,000 of 30,000 broken JSON Lines rows and counts the other 29,000', async () => {
    const { findings, omitted, stats } = await runDataset(datasetRules, {
      'train.jsonl': 'x\n'.repeat(30_000),
    })
    expect(findings.filter((f) => f.ruleId === 'DS201')).toHaveLength(1_000)
    expect(omitted).toEqual([
      {
        ruleId: 'DS201',
        rule: 'invalid-row',
        path: 'train.jsonl',
        severity: 'error',
        count: 29_000,
        byMessage: { unparsable: 29_000 },
      },
    ])
    expect(stats.badRows).toBe(30_000)
  })

  describe('through checkTargets and the JSON report', () => {
    let ws: string
    beforeAll(() => {
      ws = mkdtempSync(path.join(os.tmpdir(), 'fp-flood-'))
      mkdirSync(path.join(ws, 'data'))
      writeFileSync(path.join(ws, 'data/train.jsonl'), 'x\n'.repeat(5_000))
    })
    afterAll(() => rmSync(ws, { recursive: true, force: true }))

    it('counts every finding in the verdict and the summary, and lists the omitted ones', async () => {
      const settings = resolveSettings(
        { model: '', config: '', failOn: '', extraArchitectures: '', dataset: 'data' },
        ws,
        {},
      )
      const report = await checkTargets(settings, {})
      const target = report.targets[0]!
      expect(target.findings.filter((f) => f.ruleId === 'DS201')).toHaveLength(1_000)
      expect(target.omitted).toEqual([
        {
          ruleId: 'DS201',
          rule: 'invalid-row',
          path: 'train.jsonl',
          severity: 'error',
          count: 4_000,
          byMessage: { unparsable: 4_000 },
        },
      ])
      expect(report.counts.errors).toBe(target.findings.filter((f) => f.severity === 'error').length + 4_000)
      expect(target.status).toBe('fail')
      expect(exitCode(report)).toBe(1)

      const json = toJson(report)
      // The JSON report's `omitted` leaves the count by message kind out.
      expect(json.targets[0]!.omitted).toEqual(target.omitted!.map(({ byMessage: _, ...o }) => o))
      expect(json.summary.errors).toBe(report.counts.errors)
      // The streamed report is the same text, in pieces.
      const chunks = [...jsonReportChunks(report, 4096)]
      expect(chunks.length).toBeGreaterThan(10)
      expect(chunks.join('')).toBe(JSON.stringify(json, null, 2) + '\n')
    })
  })
})
