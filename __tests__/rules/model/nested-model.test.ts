import rule from '../../../src/rules/model/nested-model.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const config = configJson()

ruleTester(rule, {
  valid: [
    { name: 'the model at the root', files: { 'config.json': config, 'model.safetensors': 'x' } },
    {
      name: 'a complete root next to a checkpoint copy in a subfolder',
      files: {
        'config.json': config,
        'model.safetensors': 'x',
        'checkpoint-500/config.json': config,
        'checkpoint-500/model.safetensors': 'x',
      },
    },
    {
      name: 'nothing anywhere: missing-config and missing-safetensors report it',
      files: { 'README.md': '# my model\n' },
    },
    {
      name: 'no safetensors anywhere, only nested .bin: missing-safetensors reports it',
      files: { 'config.json': config, 'old/pytorch_model.bin': 'x' },
    },
    {
      name: 'a folder named config.json in a subfolder is not a config',
      files: { 'model.safetensors': 'x', 'sub/config.json': { directory: true } },
    },
    {
      name: 'nested weights that are links leaving the folder: link-outside-model reports them',
      files: { 'config.json': config, 'weights/model.safetensors': { link: 'outside' } },
    },
  ],
  invalid: [
    {
      name: 'the whole model in one folder',
      files: {
        'README.md': '# llama\n',
        'llama-7b/config.json': config,
        'llama-7b/model.safetensors': 'x',
        'llama-7b/tokenizer.json': '{}',
      },
      errors: [
        {
          messageId: 'nested',
          path: 'llama-7b/config.json',
          message:
            'The model is nested in llama-7b/: it holds config.json and model.safetensors, but the root has no config.json and no safetensors weights.',
        },
      ],
    },
    {
      name: 'nested two levels deep, sharded',
      files: {
        'outer/inner/config.json': config,
        'outer/inner/model-00001-of-00002.safetensors': 'x',
        'outer/inner/model-00002-of-00002.safetensors': 'x',
        'outer/inner/model.safetensors.index.json': '{"weight_map": {}}',
      },
      errors: [
        {
          messageId: 'nested',
          path: 'outer/inner/config.json',
          message:
            'nested in outer/inner/: it holds config.json, model-00001-of-00002.safetensors and model-00002-of-00002.safetensors,',
        },
      ],
    },
    {
      name: 'only the weights are nested: points at the first weight file',
      files: { 'config.json': config, 'weights/model.safetensors': 'x' },
      errors: [
        {
          messageId: 'nested',
          path: 'weights/model.safetensors',
          message: 'it holds model.safetensors, but the root has no safetensors weights.',
        },
      ],
    },
    {
      name: 'only config.json is nested',
      files: { 'model.safetensors': 'x', 'configs/config.json': config },
      errors: [
        {
          messageId: 'nested',
          path: 'configs/config.json',
          message: 'it holds config.json, but the root has no config.json.',
        },
      ],
    },
    {
      name: 'config.json at the root is a folder, the real one is nested',
      files: { 'config.json': { directory: true }, 'model.safetensors': 'x', 'hf/config.json': config },
      errors: [{ messageId: 'nested', path: 'hf/config.json', message: 'nested in hf/' }],
    },
    {
      name: 'prefers the folder holding config.json and weights over a shallower one with a stray shard',
      files: {
        'a/model.safetensors': 'x',
        'x/y/config.json': config,
        'x/y/model.safetensors': 'x',
      },
      errors: [{ messageId: 'nested', path: 'x/y/config.json', message: 'nested in x/y/' }],
    },
    {
      name: 'prefers a folder with config.json over one with a single weight file',
      files: { 'a/model.safetensors': 'x', 'b/config.json': config },
      errors: [
        {
          messageId: 'nested',
          path: 'b/config.json',
          message:
            'nested in b/: it holds config.json, but the root has no config.json and no safetensors weights.',
        },
      ],
    },
    {
      name: 'between equal candidates, the shallowest',
      files: {
        'a/b/config.json': config,
        'a/b/model.safetensors': 'x',
        'z/config.json': config,
        'z/model.safetensors': 'x',
      },
      errors: [{ messageId: 'nested', path: 'z/config.json', message: 'nested in z/' }],
    },
    {
      name: 'between equal candidates at one depth, the first by name',
      files: {
        'final/config.json': config,
        'final/model.safetensors': 'x',
        'best/config.json': config,
        'best/model.safetensors': 'x',
      },
      errors: [{ messageId: 'nested', path: 'best/config.json', message: 'nested in best/' }],
    },
    {
      name: 'a long list of shards is cut',
      files: {
        'm/config.json': config,
        'm/model-00001-of-00005.safetensors': 'x',
        'm/model-00002-of-00005.safetensors': 'x',
        'm/model-00003-of-00005.safetensors': 'x',
        'm/model-00004-of-00005.safetensors': 'x',
        'm/model-00005-of-00005.safetensors': 'x',
      },
      errors: [
        {
          messageId: 'nested',
          path: 'm/config.json',
          message:
            'it holds config.json, model-00001-of-00005.safetensors, model-00002-of-00005.safetensors, model-00003-of-00005.safetensors and 2 more,',
        },
      ],
    },
  ],
})
