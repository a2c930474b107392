import rule from '../../../src/rules/model/missing-tokenizer-json.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const model = { 'config.json': configJson(), 'model.safetensors': 'x' }

ruleTester(rule, {
  valid: [
    { name: 'tokenizer.json at the root', files: { ...model, 'tokenizer.json': '{}' } },
    {
      name: 'tokenizer.json next to the slow tokenizer files',
      files: {
        ...model,
        'tokenizer.json': '{}',
        'tokenizer.model': 'x',
        'vocab.json': '{}',
        'merges.txt': '',
      },
    },
  ],
  invalid: [
    {
      name: 'no tokenizer at all',
      files: model,
      errors: [
        {
          messageId: 'missing',
          path: '.',
          message:
            "tokenizer.json is missing: the FAQ calls it optional, but Friendli's model upload client requires it, and Friendli's tooling has only ever supported fast tokenizers.",
        },
      ],
    },
    {
      name: 'only a SentencePiece model',
      files: { ...model, 'tokenizer.model': 'x', 'tokenizer_config.json': '{}' },
      errors: [
        {
          messageId: 'missing',
          path: '.',
          message: "tokenizer.json is missing (only the slow tokenizer's tokenizer.model is there):",
        },
      ],
    },
    {
      name: 'only a BPE vocabulary and merges',
      files: { ...model, 'vocab.json': '{}', 'merges.txt': '#version: 0.2\n' },
      errors: [
        {
          messageId: 'missing',
          path: '.',
          message: "(only the slow tokenizer's vocab.json and merges.txt are there)",
        },
      ],
    },
    {
      name: 'tokenizer.json only in a subfolder',
      files: { ...model, 'tokenizer/tokenizer.json': '{}', 'tokenizer/vocab.txt': 'x' },
      errors: [{ messageId: 'missing', path: '.', message: 'tokenizer.json is missing: the FAQ' }],
    },
    {
      name: 'tokenizer.json is a folder',
      files: { ...model, 'tokenizer.json': { directory: true }, 'spiece.model': 'x' },
      errors: [
        { messageId: 'missing', path: '.', message: "(only the slow tokenizer's spiece.model is there)" },
      ],
    },
    {
      name: 'the user can lower the severity',
      files: model,
      level: 'info',
      errors: [{ messageId: 'missing', path: '.', severity: 'info' }],
    },
  ],
})
