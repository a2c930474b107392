import { defineModelRule } from '../model-rule.js'
import { listNames, plural } from '../../common/wording.js'
import { at } from '../../artifacts/json-document.js'
import { isUnfollowedLink, isReadableFile } from '../../sources/readable.js'

/**
 * More missing shards than this are reported as one finding, not one per shard: GitHub shows 10 error
 * annotations per step, and one per shard would push every other error out of the pull request.
 */
const MAX_SEPARATE = 5

/**
 * Shard names a grouped finding lists before "and N more": a few when every shard is missing (the
 * names are one series), more when some are (the names are the ones to upload again).
 */
const ALL_SHOWN = 5
const MANY_SHOWN = 8

export default defineModelRule({
  meta: {
    id: 'MR306',
    name: 'missing-shard',
    description: 'Require every shard named by model.safetensors.index.json to be at the root',
    severity: 'error',
    artifacts: ['weightMap', 'files'],
    appliesTo: ['model', 'adapter'],
    messages: {
      missing: {
        text: (d: { shard: string; tensors: number }) =>
          `Shard ${d.shard} is missing: the index maps ${d.tensors === 1 ? 'a tensor' : `${d.tensors.toLocaleString('en-US')} tensors`} to it.`,
        hint: () =>
          'Upload the missing shard (an interrupted upload often loses the last ones), or regenerate the shards and the index together.',
      },
      allMissing: {
        text: (d: { names: string[] }) =>
          `All ${plural(d.names.length, 'shard')} listed in model.safetensors.index.json are missing: ${listNames(d.names, ALL_SHOWN)}.`,
        hint: () =>
          'Upload the shards with the index (an upload of only the small files leaves the index without them), or save the model again with save_pretrained() and upload the whole folder.',
      },
      manyMissing: {
        text: (d: { names: string[]; named: number }) =>
          `${d.names.length.toLocaleString('en-US')} of the ${d.named.toLocaleString('en-US')} shards the index names are missing: ${listNames(d.names, MANY_SHOWN)}.`,
        hint: () =>
          'Upload the missing shards, or regenerate the shards and the index together with save_pretrained().',
      },
      notFile: {
        text: (d: { shard: string }) => `Shard ${d.shard}, named by the index, is not a regular file.`,
        hint: () => 'Replace it with the real shard file.',
      },
    },
  },
  check({ artifacts: { weightMap, files }, report }) {
    if (!weightMap) return
    const { doc } = weightMap
    const byPath = new Map(files.entries.map((e) => [e.path, e]))
    // A name that is not a plain file name at the root is invalid-shard-index's; it is never looked up.
    const named = [...weightMap.shards].filter(([, ref]) => !ref.unsafe)
    const missing = named.filter(([shard]) => !byPath.has(shard))
    // Each missing shard on its own line while that stays readable; past that, one finding with the
    // count. When none is there, one finding says so: the index came without its shards.
    if (missing.length > 1 && missing.length === named.length)
      report('allMissing', { names: missing.map(([s]) => s) }, at(doc, '/weight_map'))
    else if (missing.length > MAX_SEPARATE) {
      report(
        'manyMissing',
        { names: missing.map(([s]) => s), named: named.length },
        at(doc, missing[0][1].pointer),
      )
    } else
      for (const [shard, { pointer, tensors }] of missing)
        report('missing', { shard, tensors }, at(doc, pointer))
    for (const [shard, { pointer }] of named) {
      const entry = byPath.get(shard)
      // A link leaving the folder is reported by link-outside-model.
      if (entry && !isReadableFile(entry) && !isUnfollowedLink(entry))
        report('notFile', { shard }, at(doc, pointer))
    }
  },
})
