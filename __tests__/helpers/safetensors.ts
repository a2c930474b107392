// Builds real safetensors bytes (u64 LE header length, JSON header padded to 8 bytes, tensor data).
import { DTYPE_BITS } from '../../src/artifacts/safetensors.js'

export { DTYPE_BITS }

export interface TensorSpec {
  dtype: string
  shape: number[]
  /** Raw bytes; zeros of the right length when omitted. */
  data?: Uint8Array
}

export function tensorBytes(spec: TensorSpec): number {
  const elements = spec.shape.reduce((a, b) => a * b, 1)
  return Math.ceil((elements * (DTYPE_BITS as Record<string, number>)[spec.dtype]) / 8)
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

/** The header text (padding included) and the bytes after it, of a file whose length prefix is sane. */
export function splitSafetensors(file: Uint8Array): { header: string; data: Uint8Array } {
  const n = Number(Buffer.from(file.buffer, file.byteOffset, 8).readBigUInt64LE(0))
  return {
    header: Buffer.from(file.buffer, file.byteOffset + 8, n).toString('utf8'),
    data: file.subarray(8 + n),
  }
}

/**
 * Bytes of a file with exactly this header (no padding added) followed by `data`. `headerLength`
 * overrides the length prefix, to write one that lies.
 */
export function assembleSafetensors(
  header: string | Uint8Array,
  data: Uint8Array = new Uint8Array(0),
  headerLength?: bigint,
): Buffer {
  const bytes = typeof header === 'string' ? Buffer.from(header, 'utf8') : header
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(headerLength ?? BigInt(bytes.length))
  return Buffer.concat([length, bytes, data])
}

/** Rewrite the header text of a real file, keeping its data bytes; pads to 8 bytes like writers do. */
export function rewriteHeaderText(file: Uint8Array, edit: (text: string) => string, pad = true): Buffer {
  const { header, data } = splitSafetensors(file)
  let text = edit(header)
  while (pad && Buffer.byteLength(text) % 8 !== 0) text += ' '
  return assembleSafetensors(text, data)
}

/** Rewrite the parsed header of a real file (mutate it, or return a replacement), keeping its data. */
export function rewriteHeader(file: Uint8Array, edit: (header: Record<string, any>) => unknown): Buffer {
  return rewriteHeaderText(file, (text) => {
    const header = JSON.parse(text) as Record<string, any>
    const replaced = edit(header)
    return JSON.stringify(replaced === undefined ? header : replaced)
  })
}
