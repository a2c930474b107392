import { hasErrors } from '../../artifacts/safetensors.js'
import { defineModelRule } from '../model-rule.js'
import { listNames, plural } from '../../common/wording.js'
import { at } from '../../artifacts/json-document.js'

export default defineModelRule({
  meta: {
    id: 'MR308',
    name: 'shard-index-mismatch',
    description: 'Require model.safetensors.index.json to map each tensor to the one shard that holds it',
    severity: 'error',
    artifacts: ['weightMap', 'weights'],
    appliesTo: ['model', 'adapter'],
    messages: {
      notInShard: {
        text: (d: { shard: string; names: string[] }) =>
          `The index maps ${plural(d.names.length, 'tensor')} to ${d.shard}, whose header lacks ${d.names.length === 1 ? 'it' : 'them'}: ${listNames(d.names, 5)}.`,
        hint: () =>
          'The index and the shards come from different saves: regenerate them together with save_pretrained().',
      },
      notInMap: {
        text: (d: { shard: string; names: string[] }) =>
          `${d.shard} holds ${plural(d.names.length, 'tensor')} the index does not map, so loaders never read ${d.names.length === 1 ? 'it' : 'them'}: ${listNames(d.names, 5)}.`,
        hint: () => 'Regenerate the index together with the shards, so every tensor is mapped to its shard.',
      },
      twice: {
        text: (d: { names: string[]; shards: string[] }) =>
          `${plural(d.names.length, 'tensor is', 'tensors are')} stored in more than one shard (${listNames(d.shards, 4)}): ${listNames(d.names, 5)}.`,
        hint: () =>
          'Shards of two saves are mixed: keep one series, so each tensor lives in exactly one file.',
      },
    },
  },
  check({ artifacts: { weightMap, weights }, report }) {
    if (!weightMap) return
    const { doc, entries } = weightMap
    const headers = new Map<string, Set<string>>()
    for (const f of weights.files) {
      if (f.parse?.ok && !hasErrors(f.parse.problems))
        headers.set(f.path, new Set(f.parse.header.tensors.map((t) => t.name)))
    }
    // Mapped to a readable shard that does not hold it: one finding per shard, at its first such entry.
    const lacking = new Map<string, { names: string[]; pointer: string }>()
    for (const e of entries) {
      const held = headers.get(e.shard)
      if (!held || held.has(e.tensor)) continue
      const seen = lacking.get(e.shard)
      if (seen) seen.names.push(e.tensor)
      else lacking.set(e.shard, { names: [e.tensor], pointer: e.pointer })
    }
    for (const [shard, { names, pointer }] of lacking)
      report('notInShard', { shard, names }, at(doc, pointer))

    // Held by a shard the index names, but not mapped (or mapped elsewhere is "twice" below).
    const mapped = new Map(entries.map((e) => [e.tensor, e.shard]))
    // Lists grow in place: copying them on each add is quadratic for a shard of 100,000 unmapped tensors.
    const owners = new Map<string, string[]>()
    for (const [shard, held] of headers) {
      if (!weightMap.shards.has(shard)) continue // an unreferenced shard: shard-numbering says so
      for (const t of held) {
        const list = owners.get(t)
        if (list) list.push(shard)
        else owners.set(t, [shard])
      }
    }
    const unmapped = new Map<string, string[]>()
    for (const [tensor, shards] of owners) {
      if (mapped.has(tensor)) continue
      for (const s of shards) {
        const list = unmapped.get(s)
        if (list) list.push(tensor)
        else unmapped.set(s, [tensor])
      }
    }
    for (const [shard, names] of unmapped) report('notInMap', { shard, names }, { path: shard })
    const dup = [...owners].filter(([, shards]) => shards.length > 1)
    if (dup.length > 0) {
      const shards = [...new Set(dup.flatMap(([, s]) => s))].sort()
      report('twice', { names: dup.map(([t]) => t), shards }, at(doc, '/weight_map'))
    }
  },
})
