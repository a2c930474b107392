import { describe, expect, it } from '@jest/globals'
import { planAnnotations, PER_LEVEL } from '../../src/report/annotations.js'
import { finding, report, target } from '../helpers/report.js'

const many = (severity: 'error' | 'warning' | 'info', n: number, lined = true) =>
  Array.from({ length: n }, (_, i) =>
    finding(severity, lined ? { path: 'config.json', line: i + 1, column: 3 } : { path: '.' }, i),
  )

describe('planAnnotations', () => {
  it('puts a located finding on its workspace path, line and column, with the hint on a second line', () => {
    const [a] = planAnnotations(
      report([target([finding('warning', { path: 'config.json', line: 7, column: 3 })])]),
    )
    expect(a).toEqual({
      level: 'warning',
      title: 'MR100 rule-0',
      file: 'models/m/config.json',
      startLine: 7,
      startColumn: 3,
      message: 'Message 0 | <b>bold</b>.\nHint 0.',
    })
  })

  it('names the target in the text of a folder-level finding, which has no file', () => {
    const [a] = planAnnotations(report([target([finding('info', { path: '.' })])]))
    expect(a.file).toBeUndefined()
    expect(a.message.startsWith('models/m: Message 0')).toBe(true)
    expect(a.level).toBe('notice')
  })

  it('puts a folder-level finding on the config-file line that names the target', () => {
    const t = target([finding('error', { path: '.' })], {
      spec: {
        kind: 'model',
        ref: 'm',
        source: 'local',
        root: '/w/m',
        origin: { file: '.friendli-preflight.yml', line: 4 },
      },
    })
    expect(planAnnotations(report([t]))[0]).toMatchObject({ file: '.friendli-preflight.yml', startLine: 4 })
  })

  it('stays within 10 per level, keeps a slot for setFailed, and ends with one notice counting the rest', () => {
    const plan = planAnnotations(
      report([target([...many('error', 15), ...many('warning', 12), ...many('info', 3)])]),
    )
    const count = (level: string) => plan.filter((a) => a.level === level).length
    expect(count('error')).toBe(PER_LEVEL - 1) // core.setFailed prints the tenth error
    expect(count('warning')).toBe(PER_LEVEL)
    expect(count('notice')).toBe(3 + 1)
    expect(plan.at(-1)?.message).toBe(
      '8 more findings (6 errors, 2 warnings) are not shown as annotations, because GitHub shows at most 10 of each kind per step: the JSON report (the report artifact, or --format json) lists them, up to 1,000 per rule and file, and counts the rest.',
    )
  })

  it('keeps a notice slot for the overflow note when notices themselves overflow', () => {
    const plan = planAnnotations(report([target(many('info', 25))]))
    expect(plan.length).toBe(PER_LEVEL)
    expect(plan.at(-1)?.message).toMatch(/^16 more findings \(16 infos\)/)
  })

  it('prefers findings that land on a line (they show in the PR diff)', () => {
    const plan = planAnnotations(
      report([target([...many('warning', 10, false), ...many('warning', 2, true)])]),
    )
    expect(plan.filter((a) => a.startLine !== undefined).length).toBe(2)
  })

  it('puts root causes before findings on a line: the cause is never the one left out', () => {
    const cause = { ...finding('error', { path: '.' }, 50), rootCause: true as const }
    const plan = planAnnotations(report([target([...many('error', 12), cause])]))
    const errors = plan.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(PER_LEVEL - 1)
    expect(errors[0]).toMatchObject({ title: 'MR150 rule-50' })
    expect(errors.slice(1).every((a) => a.startLine !== undefined)).toBe(true)
  })

  it('reports a target that could not be checked as one error', () => {
    const t = target([], { status: 'error', error: 'the folder does not exist' })
    expect(planAnnotations(report([t]))).toEqual([
      {
        level: 'error',
        title: 'friendli-preflight could not check',
        message: 'Could not check models/m: the folder does not exist',
      },
    ])
  })

  it('emits nothing at all for a clean pass', () => {
    expect(planAnnotations(report([target([])]))).toEqual([])
  })
})

describe('planAnnotations: a finding on a file without a line', () => {
  // GitHub shows an annotation with a file and no line at line 1: the title says it is about the file.
  it('says "file-level" in the title, and sends no line', () => {
    const [a] = planAnnotations(report([target([finding('warning', { path: 'tokenizer_config.json' })])]))
    expect(a).toMatchObject({ title: 'MR100 rule-0 (file-level)', file: 'models/m/tokenizer_config.json' })
    expect(a.startLine).toBeUndefined()
  })

  it('says it for grouped rows without lines (Parquet) too', () => {
    const rows = [1, 2].map((row) => finding('error', { path: 'train.parquet', row }))
    const [a] = planAnnotations(report([target(rows, { kind: 'dataset' })]))
    expect(a).toMatchObject({ title: 'MR100 rule-0: 2 rows (file-level)', file: 'models/m/train.parquet' })
  })

  it('not on a line, nor on a finding that has no file', () => {
    const plan = planAnnotations(
      report([
        target([
          finding('error', { path: 'config.json', line: 3 }),
          finding('error', { path: 'train.jsonl', line: 2, row: 2 }, 1),
          finding('info', { path: '.' }, 2),
        ]),
      ]),
    )
    expect(plan.map((a) => a.title)).not.toContainEqual(expect.stringContaining('file-level'))
  })
})

describe('planAnnotations: one annotation per group (grouping.ts)', () => {
  const row = (n: number, messageId = 'm', path = 'train.jsonl') => ({
    ...finding('error', { path, line: n, row: n }),
    messageId,
    message: `Row ${n} is bad.`,
  })

  it('rows of one rule, message kind and file: one annotation with the count and the first rows', () => {
    const plan = planAnnotations(
      report([
        target(
          Array.from({ length: 4_130 }, (_, i) => row(i + 1)),
          { kind: 'dataset' },
        ),
      ]),
    )
    expect(plan).toHaveLength(1)
    expect(plan[0]).toMatchObject({
      title: 'MR100 rule-0: 4,130 rows',
      file: 'models/m/train.jsonl',
      startLine: 1,
    })
    expect(plan[0]!.message.split('\n')).toEqual([
      'models/m/train.jsonl:1 (row 1): Row 1 is bad.',
      'models/m/train.jsonl:2 (row 2): Row 2 is bad.',
      'models/m/train.jsonl:3 (row 3): Row 3 is bad.',
      'models/m/train.jsonl:4 (row 4): Row 4 is bad.',
      'models/m/train.jsonl:5 (row 5): Row 5 is bad.',
      '…and 4,125 more rows: the JSON report (the report artifact, or --format json) lists them, up to 1,000 per rule and file, and counts the rest.',
      'Hint 0.',
    ])
  })

  it('another message kind, or another file, is another annotation', () => {
    const plan = planAnnotations(
      report([target([row(1), row(2, 'other'), row(3), row(4, 'm', 'test.jsonl')], { kind: 'dataset' })]),
    )
    expect(plan.map((a) => [a.title, a.file])).toEqual([
      ['MR100 rule-0: 2 rows', 'models/m/train.jsonl'],
      ['MR100 rule-0: 1 row', 'models/m/train.jsonl'],
      ['MR100 rule-0: 1 row', 'models/m/test.jsonl'],
    ])
  })

  it('findings past the cap per rule and file are counted in their group', () => {
    const t = target([row(1), row(2)], {
      kind: 'dataset',
      omitted: [{ ruleId: 'MR100', rule: 'rule-0', path: 'train.jsonl', severity: 'error', count: 9_000 }],
    })
    const [a] = planAnnotations(report([t]))
    expect(a!.message).toContain(
      '…and 9,000 more errors of this rule in this file, counted only: the JSON report (the report artifact, or --format json) lists them, up to 1,000 per rule and file, and counts the rest.',
    )
  })
})
