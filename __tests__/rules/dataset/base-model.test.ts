import rule from '../../../src/rules/dataset/base-model.js'
import { chat, chatmlBase, datasetRuleTester, exactly } from '../../helpers/dataset-tester.js'

const rows = [chat(['user', 'a'], ['assistant', 'b'])]
/** A base model whose tokenizer_config.json has no chat template. */
const noTemplate = (over: { tokenizer?: boolean } = {}) => ({
  ...chatmlBase(over),
  'tokenizer_config.json': JSON.stringify({ eos_token: '</s>' }),
})

datasetRuleTester(rule, {
  valid: [{ name: 'a complete base model: nothing to say', rows, base: chatmlBase() }],
  invalid: [
    {
      name: 'says when no base model was given',
      rows,
      errors: [{ messageId: 'none', path: '.', severity: 'info' }],
    },
    {
      name: 'a base model without a chat template, and without a tokenizer',
      rows,
      base: noTemplate({ tokenizer: false }),
      errors: [
        {
          messageId: 'noTemplate',
          path: '.',
          message: exactly(
            'The base model org/base cannot check the rows: it has no chat template. Friendli formats fine-tuning rows with it.',
          ),
        },
        {
          messageId: 'noTokenizer',
          path: '.',
          message: exactly('Token lengths were not counted: org/base: it has no readable tokenizer.json.'),
        },
      ],
    },
    {
      name: 'a base model without a chat template only',
      rows,
      base: noTemplate(),
      errors: [{ messageId: 'noTemplate', path: '.', severity: 'warning' }],
    },
    {
      name: 'a base model without a tokenizer only: an info',
      rows,
      base: chatmlBase({ tokenizer: false }),
      errors: [{ messageId: 'noTokenizer', path: '.', severity: 'info', message: 'org/base' }],
    },
  ],
})
