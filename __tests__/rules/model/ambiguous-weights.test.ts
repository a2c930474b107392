// MR310: a single model.safetensors next to a shard index is two copies of the weights (or two
// different ones): transformers loads model.safetensors and ignores the index, Friendli downloads both.
import rule from '../../../src/rules/model/ambiguous-weights.js'
import { ruleTester } from '../../helpers/rule-tester.js'
import { makeSafetensors } from '../../helpers/safetensors.js'

const weights = makeSafetensors({ w: { dtype: 'BF16', shape: [2] } })
const index = JSON.stringify(
  { metadata: { total_size: 4 }, weight_map: { w: 'model-00001-of-00001.safetensors' } },
  null,
  2,
)

ruleTester(rule, {
  valid: [
    { name: 'a single model.safetensors', files: { 'model.safetensors': weights } },
    {
      name: 'an index and its shards',
      files: { 'model.safetensors.index.json': index, 'model-00001-of-00001.safetensors': weights },
    },
    {
      name: 'an index next to other safetensors names (consolidated.safetensors is not model.safetensors)',
      files: { 'model.safetensors.index.json': index, 'consolidated.safetensors': weights },
    },
    {
      name: 'the other one is in a subfolder (nested-model reports folders)',
      files: { 'model.safetensors': weights, 'checkpoint-500/model.safetensors.index.json': index },
    },
    {
      name: 'model.safetensors is a folder: not a second copy of the weights',
      files: { 'model.safetensors': { directory: true }, 'model.safetensors.index.json': index },
    },
    {
      name: 'a link leaving the folder is not read: link-outside-model reports it',
      files: { 'model.safetensors': { link: 'outside' }, 'model.safetensors.index.json': index },
    },
    {
      name: 'an adapter: adapter_model.safetensors has no index',
      files: { 'adapter_config.json': '{}', 'adapter_model.safetensors': weights },
    },
  ],
  invalid: [
    {
      name: 'both: on model.safetensors, the file to delete in most cases',
      files: {
        'model.safetensors': weights,
        'model.safetensors.index.json': index,
        'model-00001-of-00001.safetensors': weights,
      },
      errors: [
        {
          messageId: 'both',
          path: 'model.safetensors',
          message:
            'Both model.safetensors and model.safetensors.index.json are at the root: transformers loads model.safetensors and ignores the shards, and Friendli downloads both.',
        },
      ],
    },
    {
      name: 'both, even when the index is broken or its shards are missing (other rules say so)',
      files: { 'model.safetensors': weights, 'model.safetensors.index.json': '{' },
      errors: [{ messageId: 'both', path: 'model.safetensors' }],
    },
    {
      name: 'both in an adapter folder too',
      files: {
        'adapter_config.json': '{}',
        'model.safetensors': weights,
        'model.safetensors.index.json': index,
      },
      errors: [{ messageId: 'both', path: 'model.safetensors' }],
    },
    {
      name: 'a severity set by the user',
      files: { 'model.safetensors': weights, 'model.safetensors.index.json': index },
      level: 'error',
      errors: [{ messageId: 'both', path: 'model.safetensors', severity: 'error' }],
    },
  ],
})
