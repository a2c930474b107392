// The tensor table: every tensor of the root safetensors headers with the file that holds it, built
// once per target for every rule that compares the weights with config.json, sizes them or reads
// their dtypes. Absent when the set is not known to be complete.
import type { JsonFile } from './json-file.js'
import { hasErrors, type TensorInfo } from './safetensors.js'
import type { WeightMap } from './shard-index.js'
import type { Weights } from './weights.js'

export interface Tensor extends TensorInfo {
  /** The safetensors file holding it. */
  file: string
}

export interface TensorTable {
  /** Every tensor of every root safetensors file, file by file in path order. */
  all: Tensor[]
  /**
   * The tensors a loader reads, as transformers picks them: model.safetensors when there is one,
   * else the shards the index names; a stray file beside them (Mistral's consolidated.safetensors,
   * an old 4-bit copy) is not the model.
   */
  loaded: Tensor[]
}

/**
 * The tensor table, or undefined when the set is not known to be complete: no safetensors file, a
 * header that did not parse, an LFS pointer, a broken index, or a shard the index names that is
 * not there. Rules comparing the weights with config.json stay quiet then, instead of reporting a
 * missing layer that is only a missing file (the integrity and index rules report the real cause).
 */
export function tensorTable(
  weights: Weights,
  index: JsonFile,
  map: WeightMap | undefined,
): TensorTable | undefined {
  if (weights.files.length === 0) return undefined
  const all: Tensor[] = []
  for (const f of weights.files) {
    if (!f.parse?.ok || hasErrors(f.parse.problems)) return undefined
    for (const t of f.parse.header.tensors) all.push({ ...t, file: f.path })
  }
  if (index.state === 'ok') {
    if (!map || map.nonString.length > 0) return undefined
    const present = new Set(weights.files.map((f) => f.path))
    for (const shard of map.shards.keys()) if (!present.has(shard)) return undefined
  } else if (index.state !== 'missing') return undefined
  const loaded = weights.files.some((f) => f.path === 'model.safetensors')
    ? all.filter((t) => t.file === 'model.safetensors')
    : map
      ? all.filter((t) => map.shards.has(t.file))
      : all
  return { all, loaded }
}
