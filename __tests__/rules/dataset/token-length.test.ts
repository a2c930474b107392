import rule from '../../../src/rules/dataset/token-length.js'
import { chat, chatmlBase, datasetRuleTester, exactly } from '../../helpers/dataset-tester.js'

// One token per character; each ChatML special token is one: row 1 is 23 tokens, row 2 has 39 more.
const rows = [chat(['user', 'a'], ['assistant', 'b']), chat(['user', 'a'.repeat(40)], ['assistant', 'b'])]

datasetRuleTester(rule, {
  valid: [
    { name: 'rows within the context', rows, base: chatmlBase({ context: 100 }) },
    { name: 'without a base model nothing is counted', rows },
    {
      name: 'without a tokenizer nothing is counted',
      rows,
      base: chatmlBase({ context: 10, tokenizer: false }),
    },
  ],
  invalid: [
    {
      name: 'counts the rendered row with the base tokenizer against max_position_embeddings',
      rows,
      base: chatmlBase({ context: 40 }),
      errors: [
        {
          messageId: 'tooLong',
          row: 2,
          line: 2,
          message: exactly(
            'This row is 62 tokens once rendered, longer than the 40 the model takes (config.json max_position_embeddings): it is truncated or dropped in training.',
          ),
        },
      ],
      stats: { tokens: { min: 23, median: 62, p95: 62, max: 62, counted: 2 } },
    },
  ],
})
