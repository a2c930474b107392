// Builds real safetensors bytes (u64 LE header length, JSON header padded to 8 bytes, tensor data).
export const DTYPE_BITS: Record<string, number> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  F64: 64,
  I64: 64,
  U64: 64,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
}

export interface TensorSpec {
  dtype: string
  shape: number[]
  /** Raw bytes; zeros of the right length when omitted. */
  data?: Uint8Array
}

export function tensorBytes(spec: TensorSpec): number {
  const elements = spec.shape.reduce((a, b) => a * b, 1)
  return Math.ceil((elements * DTYPE_BITS[spec.dtype]) / 8)
}

export function makeSafetensors(
  tensors: Record<string, TensorSpec>,
  metadata: Record<string, string> | null = { format: 'pt' },
): Buffer {
  const header: Record<string, unknown> = {}
  if (metadata) header.__metadata__ = metadata
  const chunks: Uint8Array[] = []
  let offset = 0
  for (const [name, t] of Object.entries(tensors)) {
    const data = t.data ?? new Uint8Array(tensorBytes(t))
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + data.length] }
    chunks.push(data)
    offset += data.length
  }
  let json = JSON.stringify(header)
  while (Buffer.byteLength(json) % 8 !== 0) json += ' '
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)))
  return Buffer.concat([length, Buffer.from(json), ...chunks])
}
