// The JSON report written in pieces: the same text as JSON.stringify(toJson(report), null, 2), so the
// contract does not move, but never one string of all of it; every piece ends between JSON values, so
// escaping a piece on its own (neutralizeJson, in a workflow step) is escaping the whole.
import { describe, expect, it } from '@jest/globals'
import type { Report, TargetResult } from '../../src/check.js'
import type { Finding } from '../../src/common/finding.js'
import { neutralizeJson } from '../../src/report/command-guard.js'
import { jsonReportChunks, toJson } from '../../src/report/json.js'
import type { TargetSpec } from '../../src/settings.js'

const finding = (i: number, message = `Message ${i}.`): Finding => ({
  ruleId: 'DS201',
  rule: 'invalid-row',
  messageId: 'unparsable',
  severity: 'error',
  message,
  hint: i % 2 ? undefined : 'Hint "quoted" \\ and \n newline.',
  location: { path: 'train.jsonl', row: i + 1, ...(i % 3 ? { line: i + 1, column: 2 } : {}) },
  docsUrl: 'https://docs.test/invalid-row.md',
})

const target = (over: Partial<TargetResult>): TargetResult => ({
  kind: 'dataset',
  ref: 'data',
  source: 'local',
  revision: null,
  status: 'fail',
  findings: [],
  rootInWorkspace: 'data',
  spec: {} as TargetSpec,
  ...over,
})

const report = (targets: TargetResult[]): Report => ({
  targets,
  counts: { errors: 3, warnings: 0, infos: 0 },
  result: 'fail',
  failOn: 'error',
})

const whole = (r: Report) => JSON.stringify(toJson(r), null, 2) + '\n'

describe('jsonReportChunks', () => {
  const shapes: [string, Report][] = [
    ['no target', report([])],
    ['a target without findings', report([target({ status: 'pass' })])],
    ['a target that could not be checked', report([target({ status: 'error', error: 'no such folder' })])],
    [
      'targets with findings and omitted findings',
      report([
        target({ findings: [finding(0), finding(1), finding(2, '##[warning] `::set-output` "x"')] }),
        target({
          kind: 'model',
          ref: 'org/m',
          source: 'hub',
          revision: 'abc',
          findings: [finding(3)],
          omitted: [
            { ruleId: 'DS201', rule: 'invalid-row', path: 'train.jsonl', severity: 'error', count: 7 },
          ],
        }),
      ]),
    ],
  ]

  it.each(shapes)('writes exactly the JSON report: %s', (_name, r) => {
    for (const size of [1, 64, 64 * 1024]) expect([...jsonReportChunks(r, size)].join('')).toBe(whole(r))
  })

  it('ends every piece between JSON values, so each can be escaped on its own', () => {
    const r = shapes[3]![1]
    const pieces = [...jsonReportChunks(r, 1)]
    expect(pieces.map(neutralizeJson).join('')).toBe(neutralizeJson(whole(r)))
    // Each piece is whole JSON tokens: no piece ends inside a string.
    for (const piece of pieces) expect((piece.replace(/\\./g, '').match(/"/g) ?? []).length % 2).toBe(0)
  })

  it('writes 100,000 findings in pieces of about the size asked, never one string of the report', () => {
    const r = report([target({ findings: Array.from({ length: 100_000 }, (_, i) => finding(i)) })])
    let pieces = 0
    let longest = 0
    let total = 0
    for (const piece of jsonReportChunks(r, 64 * 1024)) {
      pieces++
      longest = Math.max(longest, piece.length)
      total += piece.length
    }
    expect(total).toBeGreaterThan(30_000_000)
    expect(pieces).toBeGreaterThan(total / (128 * 1024))
    // A piece is at most the size asked plus one finding.
    expect(longest).toBeLessThan(64 * 1024 + 1024)
  })

  it('adds `omitted` to every target, empty when nothing was left out (an additive field)', () => {
    const json = toJson(shapes[3]![1])
    expect(json.targets.map((t) => t.omitted)).toEqual([
      [],
      [{ ruleId: 'DS201', rule: 'invalid-row', path: 'train.jsonl', severity: 'error', count: 7 }],
    ])
    expect(Object.keys(json.targets[0]!)).toEqual([
      'kind',
      'ref',
      'source',
      'revision',
      'status',
      'findings',
      'omitted',
    ])
  })
})
