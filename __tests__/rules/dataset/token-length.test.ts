import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/dataset/token-length.js'
import { chat, chatmlBase, jsonl, runDataset } from '../../helpers/dataset-tester.js'

describe('DS402 token-length', () => {
  it('counts the rendered row with the base tokenizer against max_position_embeddings', async () => {
    // One token per character; each ChatML special token is one: row 1 is 23 tokens, row 2 has 39 more.
    const rows = [chat(['user', 'a'], ['assistant', 'b']), chat(['user', 'a'.repeat(40)], ['assistant', 'b'])]
    const { findings, stats } = await runDataset(
      [rule],
      { 'train.jsonl': jsonl(rows) },
      { base: chatmlBase({ context: 40 }) },
    )
    expect(findings.map((f) => [f.location.row, f.message])).toEqual([
      [
        2,
        'This row is 62 tokens once rendered, longer than the 40 the model takes (config.json max_position_embeddings): it is truncated or dropped in training.',
      ],
    ])
    expect(stats.tokens).toEqual({ min: 23, median: 62, p95: 62, max: 62, counted: 2 })
  })
})
