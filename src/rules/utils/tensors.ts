import type { JsonFile } from '../../artifacts/json-file.js'
import type { Dtype, TensorInfo } from '../../artifacts/safetensors.js'
import { hasErrors } from '../../artifacts/safetensors.js'
import type { Weights } from '../../artifacts/weights.js'
import { isObject } from '../../common/json.js'

export interface Tensor extends TensorInfo {
  /** The safetensors file holding it. */
  file: string
}

/**
 * Every tensor of the model, or undefined when the set is not known to be complete: a header that
 * did not parse, an LFS pointer, or a shard the index names that is not there. Rules comparing the
 * weights with config.json stay quiet then, instead of reporting a missing layer that is only a
 * missing file (the integrity and index rules report the real cause).
 */
export function completeTensors(weights: Weights, shardIndex?: JsonFile): Tensor[] | undefined {
  if (weights.files.length === 0) return undefined
  const out: Tensor[] = []
  for (const f of weights.files) {
    if (!f.parse?.ok || hasErrors(f.parse.problems)) return undefined
    for (const t of f.parse.header.tensors) out.push({ ...t, file: f.path })
  }
  if (shardIndex?.state === 'ok') {
    const map = isObject(shardIndex.doc.value) ? shardIndex.doc.value.weight_map : undefined
    if (!isObject(map)) return undefined
    const present = new Set(weights.files.map((f) => f.path))
    if (Object.values(map).some((shard) => typeof shard !== 'string' || !present.has(shard))) return undefined
  } else if (shardIndex && shardIndex.state !== 'missing') return undefined
  return out
}

/**
 * The tensors a loader reads, as transformers picks them: model.safetensors when there is one, else
 * the shards the index names; a stray file beside them (Mistral's consolidated.safetensors, an old
 * 4-bit copy) is not the model. Undefined when the set is incomplete (see completeTensors).
 */
export function loadedTensors(weights: Weights, shardIndex: JsonFile): Tensor[] | undefined {
  const all = completeTensors(weights, shardIndex)
  if (!all) return undefined
  if (weights.files.some((f) => f.path === 'model.safetensors'))
    return all.filter((t) => t.file === 'model.safetensors')
  const map =
    shardIndex.state === 'ok' && isObject(shardIndex.doc.value) ? shardIndex.doc.value.weight_map : undefined
  if (!isObject(map)) return all
  const named = new Set(Object.values(map))
  return all.filter((t) => named.has(t.file))
}

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

export function tensorBytes(t: TensorInfo): number {
  return t.end - t.start
}

/** Sum of parameters (elements) by dtype, and in total. */
export function parameterCounts(tensors: readonly TensorInfo[]): {
  total: number
  byDtype: Map<Dtype, number>
} {
  const byDtype = new Map<Dtype, number>()
  let total = 0
  for (const t of tensors) {
    const n = elementCount(t.shape)
    total += n
    byDtype.set(t.dtype, (byDtype.get(t.dtype) ?? 0) + n)
  }
  return { total, byDtype }
}

/** Bytes of tensor data by dtype: what a dtype "dominates" by. */
export function bytesByDtype(tensors: readonly TensorInfo[]): Map<Dtype, number> {
  const out = new Map<Dtype, number>()
  for (const t of tensors) out.set(t.dtype, (out.get(t.dtype) ?? 0) + tensorBytes(t))
  return out
}
