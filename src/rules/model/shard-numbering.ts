import { defineModelRule } from '../model-rule.js'
import { isSafetensors, rootEntries } from '../utils/files.js'
import { listNames, plural } from '../../common/wording.js'
import { at } from '../../artifacts/json-document.js'
import { unsafeShardName } from '../../artifacts/shard-index.js'

/** `model-00003-of-00010.safetensors` → { prefix: 'model', index: 3, total: 10 }. */
function shardNumber(name: string): { prefix: string; index: number; total: number } | undefined {
  const m = /^(.*)-(\d+)-of-(\d+)\.safetensors$/.exec(name)
  return m ? { prefix: m[1], index: Number(m[2]), total: Number(m[3]) } : undefined
}

export default defineModelRule({
  meta: {
    id: 'MR307',
    name: 'shard-numbering',
    description: 'Enforce a complete -0000k-of-0000n shard series, every shard named by the index',
    severity: 'warning',
    artifacts: ['weightMap', 'files'],
    appliesTo: ['model', 'adapter'],
    messages: {
      unreferenced: {
        text: (d: { names: string[] }) =>
          `${plural(d.names.length, 'numbered shard is', 'numbered shards are')} not named by model.safetensors.index.json: ${listNames(d.names)}; Friendli downloads ${d.names.length === 1 ? 'it' : 'them'} but no loader reads ${d.names.length === 1 ? 'it' : 'them'}.`,
        hint: () =>
          'Delete shards left over from an earlier save, or regenerate the index so it names every shard.',
      },
      gaps: {
        // `missing` holds the first few missing numbers; `count` is how many are missing in all.
        text: (d: { prefix: string; total: number; missing: number[]; count: number }) =>
          `The shard series ${d.prefix}-*-of-${String(d.total).padStart(5, '0')} lacks ${plural(d.count, 'number')}: ${
            d.count > d.missing.length
              ? `${d.missing.join(', ')} and ${(d.count - d.missing.length).toLocaleString('en-US')} more`
              : listNames(d.missing.map(String))
          }.`,
        hint: () =>
          'A shard of the series is absent or was renamed: upload it, or save the model again so the series is complete.',
      },
      totals: {
        text: (d: { prefix: string; totals: number[] }) =>
          `Shards named ${d.prefix}-*-of-N disagree on N (${listNames(d.totals.map(String))}): files of two different saves are mixed.`,
        hint: () => 'Delete the shards of the older save and keep one complete series with its index.',
      },
    },
  },
  check({ artifacts: { weightMap, files }, report }) {
    const doc = weightMap?.doc
    const present = rootEntries(files)
      .filter(isSafetensors)
      .map((e) => e.path)
    const named = new Set(weightMap?.shards.keys())
    if (weightMap) {
      const unreferenced = present.filter((p) => shardNumber(p) && !named.has(p))
      if (unreferenced.length > 0)
        report('unreferenced', { names: unreferenced }, { path: 'model.safetensors.index.json' })
    }
    // Series: numbered names among the shards present and those the index names. A name that is not
    // a plain file name at the root is invalid-shard-index's alone.
    const series = new Map<string, { totals: Set<number>; indices: Set<number> }>()
    for (const name of new Set([...present, ...named])) {
      if (unsafeShardName(name)) continue
      const n = shardNumber(name)
      if (!n) continue
      const s = series.get(n.prefix) ?? { totals: new Set(), indices: new Set() }
      s.totals.add(n.total)
      s.indices.add(n.index)
      series.set(n.prefix, s)
    }
    for (const [prefix, s] of series) {
      const where = doc ? at(doc, '/weight_map') : { path: '.' }
      if (s.totals.size > 1) {
        report('totals', { prefix, totals: [...s.totals].sort((a, b) => a - b) }, where)
        continue
      }
      const [total] = s.totals
      // A series far larger than what is there is not worth enumerating (a typo in N, say).
      if (total > 100_000) continue
      // Count the gaps without walking 1..N, and name only the first few: 100,000 series of one
      // name each must not cost 100,000 × N steps.
      let held = 0
      for (const i of s.indices) if (i >= 1 && i <= total) held++
      const count = total - held
      if (count === 0) continue
      const missing: number[] = []
      for (let i = 1; i <= total && missing.length < 8; i++) if (!s.indices.has(i)) missing.push(i)
      // Missing shards have no line: on the index's weight_map, without the line of its opening brace.
      report(
        'gaps',
        { prefix, total, missing, count },
        doc ? { path: doc.path, pointer: '/weight_map' } : where,
      )
    }
  },
})
