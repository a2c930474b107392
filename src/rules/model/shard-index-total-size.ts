import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { at } from '../../artifacts/json-document.js'
import { isObject } from '../../common/json.js'
import { tensorBytes } from '../utils/tensors.js'

export default defineModelRule({
  meta: {
    id: 'MR309',
    name: 'shard-index-total-size',
    description: 'Enforce metadata.total_size in the shard index equal to the bytes of all tensors',
    severity: 'warning',
    artifacts: ['shardIndex', 'weightMap', 'tensors'],
    appliesTo: ['model', 'adapter'],
    messages: {
      mismatch: {
        text: (d: { declared: number; actual: number }) =>
          `metadata.total_size in the index is ${d.declared.toLocaleString('en-US')} bytes, but the shards' tensors take ${d.actual.toLocaleString('en-US')}.`,
        hint: () =>
          'The index is stale or was written by hand: regenerate it with the shards (tools that size downloads or GPUs from it will be wrong).',
      },
    },
  },
  check({ artifacts: { shardIndex, weightMap, tensors }, report }) {
    const doc = docOf(shardIndex)
    const metadata = doc && isObject(doc.value) ? doc.value.metadata : undefined
    const declared = isObject(metadata) ? metadata.total_size : undefined
    // Some writers store it as a string; a number that is not a byte count is not checked.
    const n = typeof declared === 'string' && /^\d+$/.test(declared) ? Number(declared) : declared
    if (!doc || typeof n !== 'number' || !Number.isSafeInteger(n)) return
    if (!tensors) return
    // Every tensor of the shards the index names, model.safetensors beside them or not.
    const actual = tensors.all
      .filter((t) => weightMap?.shards.has(t.file))
      .reduce((sum, t) => sum + tensorBytes(t), 0)
    if (actual !== n) report('mismatch', { declared: n, actual }, at(doc, '/metadata/total_size'))
  },
})
