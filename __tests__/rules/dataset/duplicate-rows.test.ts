import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/dataset/duplicate-rows.js'
import { chat, jsonl, runDataset } from '../../helpers/dataset-tester.js'

describe('DS302 duplicate-rows', () => {
  it('names the first occurrence, across files', async () => {
    const a = chat(['user', 'a'], ['assistant', 'b'])
    const findings = (
      await runDataset([rule], {
        'train.jsonl': jsonl([a, chat(['user', 'c'], ['assistant', 'd']), a]),
        'validation.jsonl': jsonl([a]),
      })
    ).findings
    expect(findings.map((f) => [f.location.path, f.location.row, f.message])).toEqual([
      ['train.jsonl', 3, 'This conversation repeats row 1 of train.jsonl exactly.'],
      ['validation.jsonl', 1, 'This conversation repeats row 1 of train.jsonl exactly.'],
    ])
  })

  it('a row nested deeper than the stack is skipped, not a crash', async () => {
    const deep = '['.repeat(10_000) + '"x"' + ']'.repeat(10_000)
    const text = `{"messages": [{"role": "user", "content": ${deep}}]}\n` + jsonl([chat(['user', 'a'])])
    const { findings } = await runDataset([rule], { 'train.jsonl': text })
    expect(findings.filter((f) => f.messageId === 'crashed')).toEqual([])
  })
})
