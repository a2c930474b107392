import { jsonType } from '../../artifacts/json-document.js'
import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { brokenJsonLocation, brokenJsonReason, notFileWhat } from '../utils/json-file.js'
import { at } from '../../artifacts/json-document.js'
import { isObject } from '../../common/json.js'
import { isUnfollowedLink } from '../../sources/readable.js'

export default defineModelRule({
  meta: {
    id: 'MR305',
    name: 'invalid-shard-index',
    description: 'Require model.safetensors.index.json to be valid and to name only shard files at the root',
    severity: 'error',
    artifacts: ['shardIndex', 'weightMap'],
    appliesTo: ['model', 'adapter'],
    messages: {
      invalid: {
        text: (d: { reason: string }) => `model.safetensors.index.json ${d.reason}.`,
        hint: () => 'Regenerate the index with save_pretrained(), which writes it together with the shards.',
      },
      notFile: {
        text: (d: { what: string }) =>
          `model.safetensors.index.json is ${d.what}, not a file Friendli can read.`,
        hint: () => 'Replace it with the real index file.',
      },
      noWeightMap: {
        text: (d: { found?: string }) =>
          d.found
            ? `"weight_map" in model.safetensors.index.json must map tensor names to shard files but is ${d.found}.`
            : 'model.safetensors.index.json has no "weight_map", so no loader can find the shards.',
        hint: () =>
          'The index must be {"metadata": {"total_size": …}, "weight_map": {"<tensor>": "<shard>.safetensors", …}}: regenerate it with save_pretrained().',
      },
      noMetadata: {
        severity: 'warning',
        text: () =>
          'model.safetensors.index.json has no "metadata" object; transformers reads index["metadata"] and fails with a KeyError without it.',
        hint: () =>
          'Add "metadata": {"total_size": <bytes of all tensors>}, or regenerate the index with save_pretrained().',
      },
      notString: {
        text: (d: { tensor: string; found: string }) =>
          `The index maps tensor ${d.tensor} to ${d.found} instead of a shard file name.`,
        hint: () =>
          'Each weight_map value is the file name of a shard, e.g. "model-00001-of-00002.safetensors".',
      },
      unsafeName: {
        text: (d: { shard: string; why: string; tensors: number }) =>
          `The index maps ${d.tensors === 1 ? 'a tensor' : `${d.tensors.toLocaleString('en-US')} tensors`} to "${d.shard}", which ${d.why}; it was not opened.`,
        hint: () =>
          'Shard names are plain file names next to the index, e.g. "model-00001-of-00004.safetensors".',
      },
    },
  },
  check({ artifacts: { shardIndex: file, weightMap }, report }) {
    // A link leaving the folder or leading nowhere is link-outside-model's; a link to a folder inside is ours.
    if (file.state === 'not-file' && !isUnfollowedLink(file.entry))
      return report('notFile', { what: notFileWhat(file)! }, { path: file.path })
    const reason = brokenJsonReason(file)
    if (reason) return report('invalid', { reason }, brokenJsonLocation(file))
    const doc = docOf(file)
    if (!doc || !isObject(doc.value)) return
    if (!('weight_map' in doc.value)) return report('noWeightMap', {}, { path: doc.path })
    if (!('metadata' in doc.value)) report('noMetadata', {}, { path: doc.path })
    if (!weightMap)
      return report('noWeightMap', { found: jsonType(doc.value.weight_map) }, at(doc, '/weight_map'))

    for (const { tensor, value, pointer } of weightMap.nonString)
      report('notString', { tensor, found: jsonType(value) }, at(doc, pointer))
    // One finding per bad shard name, on the line of the first tensor mapped to it.
    for (const [shard, { unsafe, pointer, tensors }] of weightMap.shards)
      if (unsafe) report('unsafeName', { shard, why: unsafe, tensors }, at(doc, pointer))
  },
})
