import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/dataset/missing-messages.js'
import { chat, jsonl, runDataset } from '../../helpers/dataset-tester.js'

const run = async (files: Record<string, string>) => (await runDataset([rule], files)).findings

describe('DS101 missing-messages', () => {
  it('is silent when every row has messages', async () => {
    expect(await run({ 'train.jsonl': jsonl([chat(['user', 'hi'], ['assistant', 'hello'])]) })).toEqual([])
  })

  it.each([
    [
      'ShareGPT',
      {
        conversations: [
          { from: 'human', value: 'hi' },
          { from: 'gpt', value: 'yo' },
        ],
      },
      'ShareGPT data',
      '"human" → "user"',
    ],
    [
      'messages under another name',
      { conversations: [{ role: 'user', content: 'hi' }] },
      'messages under another name ("conversations"',
      'rename the column "conversations" to "messages"',
    ],
    ['Alpaca', { instruction: 'Add', input: '2 and 2', output: '4' }, 'Alpaca data', 'web upload, in beta'],
    [
      'preference data',
      { prompt: 'q', chosen: [], rejected: [] },
      'preference data',
      'keep the chosen conversation',
    ],
    [
      'pre-templated text',
      { text: '<|im_start|>user\nhi<|im_end|>' },
      'text already rendered with a chat template',
      'split each conversation',
    ],
    [
      'prompt / completion',
      { prompt: 'q', completion: 'a' },
      'prompt / completion pairs',
      '"content": completion',
    ],
    [
      'anything else',
      { question: 'q', answer: 'a' },
      'rows with the columns "question" and "answer"',
      'put each conversation',
    ],
  ])(
    '%s: one finding for the file, saying what it looks like and how to convert',
    async (_n, row, format, convert) => {
      const findings = await run({ 'data/train.jsonl': jsonl([row, row, row]) })
      expect(findings).toHaveLength(1)
      expect(findings[0]).toMatchObject({
        messageId: 'file',
        location: { path: 'data/train.jsonl', line: 1 },
      })
      expect(findings[0].message).toContain(`(all 3 rows lack it): it looks like ${format}`)
      expect(findings[0].hint).toContain(convert)
    },
  )

  it('a later row without messages in a file that has them is reported on that row', async () => {
    const findings = await run({
      'train.jsonl': jsonl([chat(['user', 'a'], ['assistant', 'b']), { text: 'x' }]),
    })
    expect(findings.map((f) => [f.messageId, f.location.line, f.message])).toEqual([
      ['row', 2, 'This row has no "messages" (its keys: "text"), unlike the rows before it.'],
    ])
  })
})
