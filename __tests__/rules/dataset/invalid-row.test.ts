import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/dataset/invalid-row.js'
import { runDataset } from '../../helpers/dataset-tester.js'

describe('DS201 invalid-row', () => {
  it('names the line, the column and the reason of each row that does not parse', async () => {
    const text = [
      '{"messages": []}',
      "{'messages': [{'role': 'user', 'content': 'hi'}]}",
      '{"messages": [], }',
      '[1, 2]',
      '{"score": NaN}',
    ].join('\n')
    const findings = (await runDataset([rule], { 'train.jsonl': text })).findings
    expect(findings.map((f) => [f.messageId, f.location.line, f.location.row])).toEqual([
      ['unparsable', 2, 2],
      ['unparsable', 3, 3],
      ['notObject', 4, 4],
      ['unparsable', 5, 5],
    ])
    expect(findings[0].message).toMatch(/Python dict repr/)
    expect(findings[3].message).toMatch(/NaN/)
    expect(findings[2].message).toBe('This row is an array, not an object with a "messages" field.')
  })
})
