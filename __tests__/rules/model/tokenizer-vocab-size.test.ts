import rule from '../../../src/rules/model/tokenizer-vocab-size.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const tokenizer = (ids: number) =>
  JSON.stringify({
    added_tokens: [{ id: ids - 1, content: '<|last|>', special: true }],
    model: { type: 'BPE', vocab: { a: 0, b: 1 }, merges: [] },
  })

ruleTester(rule, {
  valid: [
    {
      name: 'ids fit in vocab_size',
      files: { 'config.json': configJson({ vocab_size: 32000 }), 'tokenizer.json': tokenizer(32000) },
    },
    {
      name: 'vocab_size padded beyond the tokenizer, as Qwen does',
      files: { 'config.json': configJson({ vocab_size: 152064 }), 'tokenizer.json': tokenizer(151665) },
    },
    { name: 'no tokenizer.json', files: { 'config.json': configJson() } },
  ],
  invalid: [
    {
      name: 'an added token past vocab_size',
      files: { 'config.json': configJson({ vocab_size: 32000 }), 'tokenizer.json': tokenizer(32002) },
      errors: [
        {
          messageId: 'tooMany',
          path: 'config.json',
          line: 6,
          column: 3,
          pointer: '/vocab_size',
          message:
            'tokenizer.json has token ids up to 32,001 (id 32001 is "<|last|>"), but config.json "vocab_size" is 32,000',
        },
      ],
    },
  ],
})
