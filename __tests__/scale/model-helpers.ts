// Shared by the scale tests of the model rules.
import { modelRules as allRules } from '../../src/rules/registry.js'
import { memorySource, type MemoryEntry } from '../../src/sources/memory.js'
import type { Source } from '../../src/sources/source.js'
import type { TensorSpec } from '../helpers/safetensors.js'

export const options = {
  levels: new Map(),
  settings: { extraArchitectures: [] },
  docsBase: 'https://docs.test/',
}
export const weightRules = allRules.filter((r) => /^MR3(0\d|10)$/.test(r.meta.id))

/** The index as save_pretrained writes it: the i-th entry of the map on line 5 + i. */
export const index = (weightMap: Record<string, unknown>, totalSize = 8) =>
  JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2) + '\n'

export const f16 = (n = 2): TensorSpec => ({ dtype: 'F16', shape: [n] })

/** A memory source that counts the reads of each path, whole and ranged. */
export function countingSource(files: Record<string, MemoryEntry>) {
  const inner = memorySource(files)
  const reads = new Map<string, number>()
  const count = (p: string) => reads.set(p, (reads.get(p) ?? 0) + 1)
  const source: Source = {
    ...inner,
    async read(p) {
      count(p)
      return inner.read(p)
    },
    async readRange(p, start, end) {
      count(p)
      return inner.readRange(p, start, end)
    },
  }
  return { source, reads }
}
