import { defineModelRule } from '../model-rule.js'
import { baseName, isOtherWeights, isSafetensors, rootEntries } from '../utils/files.js'
import { listNames, plural } from '../../common/wording.js'

const convertHint = (d: { found: string[] }) =>
  d.found.every((f) => f.endsWith('.gguf'))
    ? 'GGUF cannot be loaded by Friendli; publish the original (non-GGUF) checkpoint as safetensors.'
    : 'Convert the weights to safetensors: load the model with transformers and call save_pretrained(path, safe_serialization=True), or use the Hub Space safetensors/convert; then remove the old files.'

export default defineModelRule({
  meta: {
    id: 'MR102',
    name: 'missing-safetensors',
    description: 'Require safetensors weights at the root of the model',
    severity: 'error',
    artifacts: ['files', 'weightMap'],
    // Without weights at the root, every shard the index names is missing too: one cause, one finding.
    rootCause: { explains: ['missing-shard'] },
    messages: {
      otherFormat: {
        text: (d: { found: string[] }) =>
          `No safetensors weights at the root of the model; found ${plural(d.found.length, 'weight file')} in formats Friendli does not load: ${listNames(d.found)}.`,
        hint: convertHint,
      },
      none: {
        text: (d: { shards: number }) =>
          `No safetensors weights (*.safetensors) at the root of the model${d.shards > 0 ? `; model.safetensors.index.json names ${plural(d.shards, 'shard')}, and ${d.shards === 1 ? 'it is not' : 'none is'} there` : ''}.`,
        hint: () =>
          'Save the weights with save_pretrained() (safetensors is the default since transformers 4.35) and put model.safetensors, or the shards and model.safetensors.index.json, at the root.',
      },
      notFile: {
        text: (d: { names: string[] }) =>
          `No safetensors weights at the root of the model: ${listNames(d.names)} ${d.names.length === 1 ? 'is not a regular file' : 'are not regular files'}.`,
        hint: () => 'Replace them with the real weight files.',
      },
    },
  },
  check({ artifacts: { files, weightMap }, report }) {
    const root = rootEntries(files)
    if (root.some(isSafetensors)) return
    const others = root.filter(isOtherWeights).map((e) => e.path)
    const broken = root.filter((e) => e.path.endsWith('.safetensors')).map((e) => baseName(e.path))
    if (others.length > 0) report('otherFormat', { found: others }, { path: '.' })
    else if (broken.length > 0) report('notFile', { names: broken }, { path: '.' })
    else {
      // The index's shards are missing-shard's, folded into this finding (rootCause): say how many.
      const shards = [...(weightMap?.shards.values() ?? [])].filter((ref) => !ref.unsafe).length
      report('none', { shards }, { path: '.' })
    }
  },
})
