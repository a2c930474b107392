import rule from '../../../src/rules/dataset/token-length.js'
import { chat, chatmlBase, datasetRuleTester, exactly } from '../../helpers/dataset-tester.js'

// One token per character; each ChatML special token is one: row 1 is 23 tokens, row 2 has 39 more.
const rows = [chat(['user', 'a'], ['assistant', 'b']), chat(['user', 'a'.repeat(40)], ['assistant', 'b'])]

/**
 * The character tokenizer with a pre-tokenizer pattern that backtracks exponentially on a run of a's
 * with no end: (a|aa)+$ on "aaa...a!" tries every way of splitting the run. One such row would tokenize
 * for hours; it is stopped at the row limit (2 s) and counting stops there.
 */
function backtrackingBase() {
  const files = chatmlBase({ context: 100 })
  const tokenizer = JSON.parse(files['tokenizer.json'] as string) as Record<string, unknown>
  tokenizer.pre_tokenizer = {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: '(a|aa)+$' }, behavior: 'Isolated', invert: false },
      tokenizer.pre_tokenizer,
    ],
  }
  return { ...files, 'tokenizer.json': JSON.stringify(tokenizer) }
}

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
    {
      name: 'a tokenizer that does not finish a row is stopped, and the rows after it are not counted',
      rows: [...rows, chat(['user', 'a'.repeat(60) + '!']), ...rows],
      base: backtrackingBase(),
      errors: [
        {
          messageId: 'notCounted',
          path: '.',
          message: exactly(
            'Token lengths were not checked on every row: the tokenizer of org/base was stopped after 2 rows (one row took longer than 2 s), and the rows after that were not counted.',
          ),
        },
      ],
      // The rows before it, and row 5, which DS402 counted as the rows went by (row 3 is short enough by
      // its bytes to need no count from DS402; the tokenizer stops on it when the statistics' sample is
      // counted, after the pass), and none after: the tokenizer is not run again.
      stats: { tokens: { min: 23, median: 62, p95: 62, max: 62, counted: 3 } },
    },
  ],
})
