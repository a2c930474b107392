import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/dataset/conversation-shape.js'
import { chat, jsonl, runDataset } from '../../helpers/dataset-tester.js'

describe('DS203 conversation-shape', () => {
  it('flags no assistant turn, a late system message and empty turns', async () => {
    const rows = [
      chat(['system', 's'], ['user', 'u'], ['assistant', 'a']),
      chat(['user', 'u']),
      chat(['user', 'u'], ['system', 's'], ['assistant', 'a']),
      chat(['user', ' '], ['assistant', 'a']),
      {
        messages: [
          { role: 'user', content: 'w' },
          { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] },
        ],
      },
    ]
    const findings = (await runDataset([rule], { 'train.jsonl': jsonl(rows) })).findings
    expect(findings.map((f) => [f.messageId, f.severity, f.location.row])).toEqual([
      ['noAssistant', 'error', 2],
      ['lateSystem', 'warning', 3],
      ['empty', 'warning', 4],
    ])
  })
})
