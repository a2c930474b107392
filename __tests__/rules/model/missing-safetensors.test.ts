import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/model/missing-safetensors.js'
import { configJson, ruleTester, runRule } from '../../helpers/rule-tester.js'

const config = configJson()

ruleTester(rule, {
  valid: [
    { name: 'a single model.safetensors', files: { 'config.json': config, 'model.safetensors': 'x' } },
    {
      name: 'sharded safetensors with their index',
      files: {
        'config.json': config,
        'model-00001-of-00002.safetensors': 'x',
        'model-00002-of-00002.safetensors': 'x',
        'model.safetensors.index.json': '{"weight_map": {}}',
      },
    },
    {
      name: 'safetensors next to leftover .bin weights (ignored-files lists them)',
      files: { 'model.safetensors': 'x', 'pytorch_model.bin': 'x' },
    },
    { name: 'any *.safetensors name counts', files: { 'consolidated.safetensors': 'x' } },
  ],
  invalid: [
    {
      name: 'no weights at all',
      files: { 'config.json': config, 'tokenizer.json': '{}' },
      errors: [
        { messageId: 'none', path: '.', message: 'No safetensors weights (*.safetensors) at the root' },
      ],
    },
    {
      name: 'an index without its shards',
      files: { 'config.json': config, 'model.safetensors.index.json': '{"weight_map": {}}' },
      errors: [{ messageId: 'none', path: '.' }],
    },
    {
      name: 'an index naming shards, none of them there: the count (missing-shard folds into this)',
      files: {
        'config.json': config,
        'model.safetensors.index.json': JSON.stringify({
          weight_map: {
            a: 'model-00001-of-00002.safetensors',
            b: 'model-00002-of-00002.safetensors',
            c: 'model-00002-of-00002.safetensors',
            d: '../outside.safetensors',
          },
        }),
      },
      errors: [
        {
          messageId: 'none',
          path: '.',
          message:
            'No safetensors weights (*.safetensors) at the root of the model; model.safetensors.index.json names 2 shards, and none is there.',
        },
      ],
    },
    {
      name: 'training_args.bin and optimizer state are not weights',
      files: {
        'config.json': config,
        'training_args.bin': 'x',
        'optimizer.pt': 'x',
        'scheduler.pt': 'x',
        'rng_state_0.pth': 'x',
      },
      errors: [{ messageId: 'none', path: '.' }],
    },
    {
      name: 'safetensors only in a subfolder (nested-model says where)',
      files: { 'config.json': config, 'checkpoint-500/model.safetensors': 'x' },
      errors: [{ messageId: 'none', path: '.' }],
    },
    {
      name: 'PyTorch weights; training_args.bin is not listed as one',
      files: { 'config.json': config, 'pytorch_model.bin': 'x', 'training_args.bin': 'x' },
      errors: [
        {
          messageId: 'otherFormat',
          path: '.',
          message: 'found 1 weight file in formats Friendli does not load: pytorch_model.bin.',
        },
      ],
    },
    {
      name: 'sharded PyTorch weights',
      files: {
        'config.json': config,
        'pytorch_model-00001-of-00002.bin': 'x',
        'pytorch_model-00002-of-00002.bin': 'x',
        'pytorch_model.bin.index.json': '{"weight_map": {}}',
      },
      errors: [
        {
          messageId: 'otherFormat',
          path: '.',
          message:
            '2 weight files in formats Friendli does not load: pytorch_model-00001-of-00002.bin and pytorch_model-00002-of-00002.bin.',
        },
      ],
    },
    {
      name: 'GGUF only',
      files: { 'config.json': config, 'model-q4_k_m.gguf': 'x' },
      errors: [{ messageId: 'otherFormat', path: '.', message: 'model-q4_k_m.gguf' }],
    },
    {
      name: 'a folder named model.safetensors',
      files: { 'config.json': config, 'model.safetensors': { directory: true } },
      errors: [
        {
          messageId: 'notFile',
          path: '.',
          message:
            'No safetensors weights at the root of the model: model.safetensors is not a regular file.',
        },
      ],
    },
    {
      name: 'two *.safetensors entries that are not files',
      files: {
        'model-00001-of-00002.safetensors': { directory: true },
        'model-00002-of-00002.safetensors': { link: 'outside' },
      },
      errors: [
        {
          messageId: 'notFile',
          path: '.',
          message:
            'model-00001-of-00002.safetensors and model-00002-of-00002.safetensors are not regular files.',
        },
      ],
    },
    {
      name: 'real weights in another format come first in the message',
      files: { 'model.safetensors': { directory: true }, 'pytorch_model.bin': 'x' },
      errors: [{ messageId: 'otherFormat', path: '.', message: 'pytorch_model.bin' }],
    },
  ],
})

describe('MR102 missing-safetensors hints', () => {
  it('tells a GGUF-only repository to publish the original checkpoint', async () => {
    const [f] = await runRule(rule, { files: { 'model-q4_k_m.gguf': 'x', 'model-q8_0.gguf': 'x' } })
    expect(f.message).toContain('model-q4_k_m.gguf and model-q8_0.gguf')
    expect(f.hint).toMatch(/^GGUF cannot be loaded by Friendli/)
  })

  it('tells a repository with other formats to convert them', async () => {
    const [f] = await runRule(rule, { files: { 'model-q4_k_m.gguf': 'x', 'pytorch_model.bin': 'x' } })
    expect(f.hint).toMatch(/^Convert the weights to safetensors/)
  })
})
