import type { Dtype, TensorInfo } from '../../artifacts/safetensors.js'

/** Number of elements of a shape (1 for a scalar). */
function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

export function tensorBytes(t: TensorInfo): number {
  return t.end - t.start
}

/** Sum of parameters (elements) over the tensors. */
export function parameterCount(tensors: readonly TensorInfo[]): number {
  let total = 0
  for (const t of tensors) total += elementCount(t.shape)
  return total
}

/** Bytes of tensor data by dtype: what a dtype "dominates" by. */
export function bytesByDtype(tensors: readonly TensorInfo[]): Map<Dtype, number> {
  const out = new Map<Dtype, number>()
  for (const t of tensors) out.set(t.dtype, (out.get(t.dtype) ?? 0) + tensorBytes(t))
  return out
}
