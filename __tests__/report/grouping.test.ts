import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/common/finding.js'
import { groupFindings, rowsInWords } from '../../src/report/grouping.js'
import { formatText } from '../../src/report/text.js'
import { finding, report, target } from '../helpers/report.js'

const rowFinding = (row: number, over: Partial<Finding> = {}): Finding => ({
  ...finding('error', { path: 'train.jsonl', line: row, row }, 1),
  message: `Row ${row} is bad.`,
  ...over,
})

describe('groupFindings', () => {
  it('groups rows of one rule, message kind, file and severity, in report order', () => {
    const other = finding('warning', { path: 'config.json', line: 2 }, 2)
    const groups = groupFindings([
      rowFinding(3),
      other,
      rowFinding(5),
      rowFinding(5), // two findings on one row: one row, two members
      rowFinding(7, { messageId: 'other' }),
      rowFinding(8, { location: { path: 'test.jsonl', row: 8 } }),
      rowFinding(9, { severity: 'warning' }),
    ])
    expect(groups.map((g) => [g.first.location.path, g.first.messageId, g.members.length, g.rows])).toEqual([
      ['train.jsonl', 'm', 3, [3, 5]],
      ['config.json', 'm', 1, []],
      ['train.jsonl', 'other', 1, [7]],
      ['test.jsonl', 'm', 1, [8]],
      ['train.jsonl', 'm', 1, [9]],
    ])
  })

  it('keeps every finding that is not about a row as a group of its own', () => {
    const a = finding('error', { path: 'config.json' }, 1)
    expect(groupFindings([a, a]).map((g) => g.members.length)).toEqual([1, 1])
  })

  it('words the rows 1-based as every output numbers them, with the count past the first five', () => {
    expect(rowsInWords([3])).toBe('row 3')
    expect(rowsInWords([3, 5, 9])).toBe('rows 3, 5 and 9')
    expect(rowsInWords(Array.from({ length: 4130 }, (_, i) => i + 1))).toBe(
      'rows 1, 2, 3, 4, 5 and 4,125 more (4,130 rows)',
    )
  })
})

describe('text output groups rows', () => {
  const many = Array.from({ length: 4130 }, (_, i) => rowFinding(i + 1))

  it('prints one line for 4,130 findings of one kind, with the count and the first rows', () => {
    const lines = formatText(report([target(many)]))
      .trimEnd()
      .split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toBe(
      'models/m/train.jsonl (rows 1, 2, 3, 4, 5 and 4,125 more (4,130 rows)) error MR101 rule-1 Row 1 is bad. The first of 4,130 findings like it; --verbose lists each one kept.',
    )
  })

  it('lists a few findings one by one, and every one with verbose', () => {
    expect(
      formatText(report([target(many.slice(0, 3))]))
        .trimEnd()
        .split('\n'),
    ).toHaveLength(4)
    expect(
      formatText(report([target(many)]), false, { verbose: true })
        .trimEnd()
        .split('\n'),
    ).toHaveLength(4131)
  })

  it('folds the findings counted past the cap into their group', () => {
    const capped = target(many.slice(0, 1000), {
      omitted: [{ ruleId: 'MR101', rule: 'rule-1', path: 'train.jsonl', severity: 'error', count: 3130 }],
    })
    const [first, ...rest] = formatText(report([capped]))
      .trimEnd()
      .split('\n')
    expect(first).toContain('The first of 4,130 findings like it (3,130 of them past the cap, counted only)')
    expect(rest).toHaveLength(1) // the summary line: no separate "…and 3,130 more" line
  })
})
