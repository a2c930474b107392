import { defineModelRule } from '../model-rule.js'
import { hasRootFile } from '../utils/files.js'

export default defineModelRule({
  meta: {
    id: 'MR310',
    name: 'ambiguous-weights',
    description: 'Disallow both a single model.safetensors and a shard index at the root',
    severity: 'warning',
    artifacts: ['files'],
    appliesTo: ['model', 'adapter'],
    messages: {
      both: {
        text: () =>
          'Both model.safetensors and model.safetensors.index.json are at the root: transformers loads model.safetensors and ignores the shards, and Friendli downloads both.',
        hint: () => 'Keep one form: delete model.safetensors, or delete the index and its shards.',
      },
    },
  },
  check({ artifacts: { files }, report }) {
    if (hasRootFile(files, 'model.safetensors') && hasRootFile(files, 'model.safetensors.index.json')) {
      report('both', {}, { path: 'model.safetensors' })
    }
  },
})
