import rule from '../../../src/rules/model/tokenizer-json.js'
import { expect, it } from '@jest/globals'
import { runModelRules } from '../../../src/engine/run-model.js'
import { ruleTester } from '../../helpers/rule-tester.js'
import { headerOnlySource } from '../../helpers/sparse-safetensors.js'

const tokenizer = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: '1.0',
    added_tokens: [
      { id: 3, content: '<|im_start|>', special: true },
      { id: 4, content: '<|im_end|>', special: true },
    ],
    model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2 }, merges: ['a b'] },
    ...over,
  })
const decoder = (entries: Record<string, string>) =>
  JSON.stringify(
    {
      added_tokens_decoder: Object.fromEntries(
        Object.entries(entries).map(([id, content]) => [id, { content, special: true }]),
      ),
    },
    null,
    2,
  )

ruleTester(rule, {
  valid: [
    { name: 'a BPE tokenizer', files: { 'tokenizer.json': tokenizer() } },
    {
      name: 'a Unigram tokenizer with its [piece, score] vocabulary',
      files: {
        'tokenizer.json': tokenizer({
          model: {
            type: 'Unigram',
            vocab: [
              ['<unk>', 0],
              ['a', -1],
            ],
          },
        }),
      },
    },
    {
      name: 'an old tokenizer.json without model.type: the fields say BPE',
      files: { 'tokenizer.json': tokenizer({ model: { vocab: { a: 0 }, merges: [] } }) },
    },
    {
      name: 'added_tokens_decoder agrees with tokenizer.json',
      files: {
        'tokenizer.json': tokenizer(),
        'tokenizer_config.json': decoder({ 3: '<|im_start|>', 4: '<|im_end|>', 2: 'ab' }),
      },
    },
    { name: 'no tokenizer.json: missing-tokenizer-json reports it', files: {} },
  ],
  invalid: [
    {
      name: 'not valid JSON: at the error',
      files: { 'tokenizer.json': '{\n  "model": {"type": "BPE",}\n}' },
      errors: [
        {
          messageId: 'invalid',
          path: 'tokenizer.json',
          line: 2,
          column: 27,
          message: 'tokenizer.json is not valid JSON',
        },
      ],
    },
    {
      name: 'an array, not an object',
      files: { 'tokenizer.json': '[1]' },
      errors: [
        {
          messageId: 'invalid',
          path: 'tokenizer.json',
          line: 1,
          column: 1,
          message: 'must hold a JSON object but holds an array',
        },
      ],
    },
    {
      name: 'an unknown model type',
      files: { 'tokenizer.json': tokenizer({ model: { type: 'SentencePieceMagic', vocab: {} } }) },
      errors: [{ messageId: 'modelType', path: 'tokenizer.json', message: 'model is "SentencePieceMagic"' }],
    },
    {
      name: 'added_tokens_decoder disagrees: another content, and an id tokenizer.json lacks',
      files: {
        'tokenizer.json': tokenizer(),
        'tokenizer_config.json': decoder({ 4: '<|endoftext|>', 99: '<extra>' }),
      },
      errors: [
        {
          messageId: 'addedTokens',
          path: 'tokenizer_config.json',
          line: 2,
          column: 3,
          message:
            '2 added tokens differ between tokenizer_config.json\'s added_tokens_decoder and tokenizer.json: 4 is "<|endoftext|>" in tokenizer_config.json but "<|im_end|>" in tokenizer.json and 99 is "<extra>" but tokenizer.json has no id 99',
        },
      ],
    },
  ],
})

it('a tokenizer.json of 200 MiB is not parsed, and says so', async () => {
  const source = headerOnlySource({
    'tokenizer.json': { header: Buffer.from('{}'), dataSize: 0, size: 200 * 2 ** 20 },
  })
  const findings = await runModelRules(source, [rule], {
    levels: new Map(),
    settings: { extraArchitectures: [] },
    docsBase: '',
  })
  expect(findings.map((f) => f.message)).toEqual([
    'tokenizer.json is 200.0 MiB, more than any real tokenizer (128 MiB), so it was not parsed and the tokenizer checks did not run.',
  ])
})

// A 50 MB tokenizer.json, read once and parsed once: __tests__/scale/model-rules.test.ts.
