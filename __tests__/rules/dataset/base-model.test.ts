import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/dataset/base-model.js'
import { chat, chatmlBase, jsonl, runDataset } from '../../helpers/dataset-tester.js'

const files = { 'train.jsonl': jsonl([chat(['user', 'a'], ['assistant', 'b'])]) }

describe('DS403 base-model', () => {
  it('says when no base model was given', async () => {
    const f = (await runDataset([rule], files)).findings
    expect(f.map((x) => [x.messageId, x.severity])).toEqual([['none', 'info']])
  })
  it('a base model without a chat template, and without a tokenizer', async () => {
    const base = chatmlBase({ tokenizer: false })
    base['tokenizer_config.json'] = JSON.stringify({ eos_token: '</s>' })
    const f = (await runDataset([rule], files, { base })).findings
    expect(f.map((x) => [x.messageId, x.message])).toEqual([
      [
        'noTemplate',
        'The base model org/base cannot check the rows: it has no chat template. Friendli formats fine-tuning rows with it.',
      ],
      ['noTokenizer', 'Token lengths were not counted: org/base: it has no readable tokenizer.json.'],
    ])
  })
  it('a complete base model: nothing to say', async () => {
    expect((await runDataset([rule], files, { base: chatmlBase() })).findings).toEqual([])
  })
})
