import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/model/adapter-weights.js'
import { adapterConfig, corpusAdapters, corpusFindings, CORPUS_MODELS } from '../../helpers/adapter.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const config = { 'adapter_config.json': adapterConfig() }

ruleTester(rule, {
  valid: [
    { name: 'adapter_model.safetensors at the root', files: { ...config, 'adapter_model.safetensors': 'x' } },
    {
      name: 'safetensors next to a leftover .bin',
      files: { ...config, 'adapter_model.safetensors': 'x', 'adapter_model.bin': 'x' },
    },
    {
      name: 'training leftovers that are not weights',
      files: { ...config, 'adapter_model.safetensors': 'x', 'training_args.bin': 'x', 'optimizer.pt': 'x' },
    },
    {
      name: 'a model, not an adapter: missing-safetensors checks its weights',
      files: { 'config.json': configJson(), 'pytorch_model.bin': 'x' },
    },
  ],
  invalid: [
    {
      name: 'only adapter_model.bin: named, at the file',
      files: { ...config, 'adapter_model.bin': 'x' },
      errors: [
        {
          messageId: 'notSafetensors',
          path: 'adapter_model.bin',
          message:
            'The adapter has no adapter_model.safetensors; its weights are only in adapter_model.bin, a format Friendli does not load.',
        },
      ],
    },
    {
      name: 'a .bin and a .pt: both named, at the folder',
      files: { ...config, 'adapter_model.bin': 'x', 'adapter_model.pt': 'x', 'training_args.bin': 'x' },
      errors: [
        {
          messageId: 'notSafetensors',
          path: '.',
          message:
            'its weights are only in adapter_model.bin and adapter_model.pt, formats Friendli does not load.',
        },
      ],
    },
    {
      name: 'safetensors under another name',
      files: { ...config, 'model.safetensors': 'x' },
      errors: [
        {
          messageId: 'otherName',
          path: 'model.safetensors',
          message:
            "The adapter has no adapter_model.safetensors, only model.safetensors: PEFT loads an adapter's weights from adapter_model.safetensors and no other name.",
        },
      ],
    },
    {
      name: 'a .bin wins over a misnamed safetensors: converting is the fix',
      files: { ...config, 'adapter.safetensors': 'x', 'adapter_model.bin': 'x' },
      errors: [{ messageId: 'notSafetensors', path: 'adapter_model.bin' }],
    },
    {
      name: 'the weights only in a checkpoint subfolder',
      files: {
        ...config,
        'checkpoint-500/adapter_config.json': '{}',
        'checkpoint-500/adapter_model.safetensors': 'x',
      },
      errors: [
        {
          messageId: 'nested',
          path: 'checkpoint-500/adapter_model.safetensors',
          message:
            'adapter_model.safetensors is not at the root of the adapter but in checkpoint-500/, and Friendli reads only the top level.',
        },
      ],
    },
    {
      name: 'in two subfolders: at the folder',
      files: { ...config, 'a/adapter_model.safetensors': 'x', 'b/adapter_model.safetensors': 'x' },
      errors: [{ messageId: 'nested', path: '.', message: 'in a/ and b/,' }],
    },
    {
      name: 'a folder named adapter_model.safetensors',
      files: { ...config, 'adapter_model.safetensors': { directory: true } },
      errors: [
        {
          messageId: 'notFile',
          path: 'adapter_model.safetensors',
          message: "adapter_model.safetensors is a folder, not the adapter's weight file.",
        },
      ],
    },
    {
      name: 'a link leaving the folder (link-outside-model does not run on adapters)',
      files: { ...config, 'adapter_model.safetensors': { link: 'outside' } },
      errors: [
        {
          messageId: 'notFile',
          path: 'adapter_model.safetensors',
          message: 'adapter_model.safetensors is a link to a file outside the adapter folder, not',
        },
      ],
    },
    {
      name: 'a broken link',
      files: { ...config, 'adapter_model.safetensors': { link: 'broken' } },
      errors: [{ messageId: 'notFile', path: 'adapter_model.safetensors', message: 'is a broken link,' }],
    },
    {
      name: 'no weights at all: at the folder',
      files: { ...config, 'README.md': '# my adapter' },
      errors: [
        {
          messageId: 'missing',
          path: '.',
          message: 'The adapter has no weights: adapter_model.safetensors is missing from its root.',
        },
      ],
    },
    {
      name: 'an adapter whose config is broken is still an adapter',
      files: { 'adapter_config.json': '{' },
      errors: [{ messageId: 'missing', path: '.' }],
    },
  ],
})

describe('MR602 on the corpus adapters', () => {
  const names = corpusAdapters()
  if (names.length === 0) {
    it('is skipped: no corpus', () => console.log(`${CORPUS_MODELS} is absent: corpus adapter tests skipped`))
    return
  }
  // The corpus keeps the configs of three adapters without their weights; the BERT one has its real file.
  const expected: Record<string, string[]> = {
    '3L0L0__FLAN-T5-Motivation-LoRA': ['missing @.'],
    'AdelaCorbeanu__Llama-3.2-3B-Romanian-QA-LoRA': ['missing @.'],
    'Dheena731__tinyLlama-finetune-LoRA': ['missing @.'],
    'Hareshjethani__bert-base-uncased-SEQ_CLS-LoRA': [],
  }
  // An adapter added to the corpus later is only run (it must not crash); the four known ones are pinned.
  it.each(names)('%s', async (name) => {
    const found = await corpusFindings(rule, name)
    expect(found).toEqual(expected[name] ?? found)
  })
})
