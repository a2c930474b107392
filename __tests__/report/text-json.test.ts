import { describe, expect, it } from '@jest/globals'
import type { DatasetStats } from '../../src/engine/dataset-stats.js'
import { jsonReportChunks, toJson } from '../../src/report/json.js'
import { formatText } from '../../src/report/text.js'
import { finding, report, target } from '../helpers/report.js'

const sample = () =>
  report([
    target([
      finding('error', { path: 'config.json', line: 3, column: 5, pointer: '/architectures/0' }),
      finding('info', { path: '.' }, 4),
    ]),
    target([], { ref: 'gone', rootInWorkspace: 'gone', status: 'error', error: 'the folder does not exist' }),
  ])

describe('text output', () => {
  it('prints one line per finding, path:line:col severity id name message, then the summary', () => {
    expect(formatText(sample())).toBe(
      [
        'models/m/config.json:3:5 error MR100 rule-0 Message 0 | <b>bold</b>.',
        'models/m info MR104 rule-4 Message 4 | <b>bold</b>.',
        'gone: could not check: the folder does not exist',
        'error: 2 targets checked (1 could not be checked): 1 error, 0 warnings, 1 info (fail-on: error)',
        '',
      ].join('\n'),
    )
  })

  it('keeps repository text on its line, without escape sequences or bidi controls', () => {
    const hostile = target(
      [
        {
          ...finding('error', { path: 'a\u202Egnp.exe', line: 1 }),
          message:
            'x\r\nmodels/m/config.json:1:1 error MR100 fake\u001b[2J\u001b]8;;https://evil.test\u0007y\u2028z\u0085',
        },
      ],
      {},
    )
    const broken = target([], { ref: 'r\n\u001b[31m', status: 'error', error: 'e\rf' })
    const out = formatText(report([hostile, broken]))
    expect(out.split('\n')).toHaveLength(4)
    expect(out).toContain(
      'models/m/a\\u{202e}gnp.exe:1 error MR100 rule-0 x\\r\\nmodels/m/config.json:1:1 error MR100 fake\\u{1b}[2J\\u{1b}]8;;https://evil.test\\u{7}y\\u{2028}z\\u{85}\n',
    )
    expect(out).toContain('r\\n\\u{1b}[31m: could not check: e\\rf\n')
    expect(out).not.toMatch(/(?![\t\n])[\p{Cc}\p{Cf}]/u)
  })

  it('colors only when asked (on a TTY)', () => {
    expect(formatText(sample(), false)).not.toContain('\x1b[')
    expect(formatText(sample(), true)).toContain('\x1b[31merror\x1b[39m')
  })
})

describe('JSON output', () => {
  it('has the shape of the CLI contract, with null for unknown positions', () => {
    const json = toJson(sample())
    expect(json.version).toBe(1)
    expect(json.summary).toEqual({ errors: 1, warnings: 0, infos: 1, result: 'error' })
    expect(json.targets[0]).toMatchObject({
      kind: 'model',
      ref: 'models/m',
      source: 'local',
      revision: null,
      status: 'fail',
    })
    expect(json.targets[0].findings[0]).toEqual({
      ruleId: 'MR100',
      rule: 'rule-0',
      severity: 'error',
      message: 'Message 0 | <b>bold</b>.',
      hint: 'Hint 0.',
      location: { path: 'config.json', line: 3, column: 5, pointer: '/architectures/0', row: null },
      docsUrl: 'https://docs.test/rule-0.md',
    })
    expect(json.targets[1]).toMatchObject({
      status: 'error',
      error: 'the folder does not exist',
      findings: [],
    })
  })
})

describe('a dataset target: its rows, by split, and what max-rows left out', () => {
  const stats = (over: Partial<DatasetStats> = {}): DatasetStats => ({
    rows: 7,
    badRows: 1,
    rowsPerSplit: new Map([
      ['train', 6],
      ['te\u001b[2Jst', 2],
    ]),
    unreadablePerSplit: new Map([['train', 2]]),
    seen: 8,
    unreadable: 2,
    roles: new Map(),
    seconds: 1,
    ...over,
  })
  const dataset = (over: Partial<DatasetStats> = {}, file?: string) =>
    report([
      target([], {
        kind: 'dataset',
        ref: file ? `data/${file}` : 'data',
        rootInWorkspace: 'data',
        spec: { kind: 'dataset', ref: 'data', source: 'local', root: '/w/data', ...(file ? { file } : {}) },
        dataset: stats(over),
      }),
    ])

  it('text: one line with every row read and the unreadable ones, on the dataset as it was named', () => {
    expect(formatText(dataset())).toContain(
      'data rows: 8 read, 2 unreadable; by split: train 6 (2 unreadable), te\\u{1b}[2Jst 2\n',
    )
    expect(formatText(dataset({}, 'train.jsonl'))).toMatch(/^data\/train\.jsonl rows: 8 read/)
    expect(formatText(dataset({ partial: { checked: 8, maxRows: 8, total: 1200 } }))).toContain(
      '; checked 8 of 1,200 rows (max-rows 8)\n',
    )
    expect(formatText(dataset({ partial: { checked: 8, maxRows: 8 } }))).toContain(
      '; first 8 rows checked (max-rows 8); the rest not read\n',
    )
    const many = new Map(Array.from({ length: 25 }, (_, i) => [`s${i}`, 1]))
    expect(formatText(dataset({ rowsPerSplit: many }))).toContain('s19 1, …and 5 more splits\n')
  })

  it('JSON: an additive "dataset" field, with maxRows null when every row was read', () => {
    const json = toJson(dataset())
    expect(json.targets[0]).toMatchObject({
      dataset: {
        rows: 8,
        unreadable: 2,
        splits: [
          { split: 'train', rows: 6, unreadable: 2 },
          { split: 'te\u001b[2Jst', rows: 2, unreadable: 0 },
        ],
        maxRows: null,
      },
    })
    expect(toJson(dataset({ partial: { checked: 8, maxRows: 8 } })).targets[0]).toMatchObject({
      dataset: { maxRows: { limit: 8, checked: 8, total: null } },
    })
    // A model target has none; the JSON written in pieces is the same document.
    expect(toJson(report([target([])])).targets[0]).not.toHaveProperty('dataset')
    const r = dataset({ partial: { checked: 8, maxRows: 8, total: 9 } })
    expect([...jsonReportChunks(r, 16)].join('')).toBe(JSON.stringify(toJson(r), null, 2) + '\n')
  })

  it('JSON: dataset.tokens, null without a tokenizer, with the sample it was taken from when it was one', () => {
    expect(toJson(dataset()).targets[0]).toMatchObject({ dataset: { tokens: null } })
    const figures = { min: 9, median: 120, p95: 1800, max: 4000, counted: 7125 }
    expect(toJson(dataset({ tokens: figures })).targets[0]).toMatchObject({
      dataset: { tokens: { ...figures, sample: null } },
    })
    const sampled = { ...figures, sample: { first: 0 as const, every: 8 } }
    expect(toJson(dataset({ tokens: sampled })).targets[0]).toMatchObject({ dataset: { tokens: sampled } })
  })
})
