// Safetensors files of any size without their data: the header bytes and the size the file would
// have. A test serves them through headerOnlySource (reads past the header return zeros, as a sparse
// file does); the weights bench writes the header and extends the file with truncate.
import { DTYPE_BITS, type Dtype } from '../../src/artifacts/safetensors.js'
import type { MemoryEntry } from '../../src/sources/memory.js'
import { memorySource } from '../../src/sources/memory.js'
import type { Source } from '../../src/sources/source.js'

export interface HeaderTensor {
  dtype: Dtype
  shape: number[]
}

export interface SparseSafetensors {
  /** The 8-byte length prefix and the JSON header, padded to 8 bytes as writers do. */
  header: Buffer
  /** Bytes of tensor data the header declares. */
  dataSize: number
  /** header.length + dataSize: the size of the whole file. */
  size: number
}

/** Bytes of one tensor's data. Exact up to 2^53 bytes, far beyond any real tensor. */
export function headerTensorBytes(t: HeaderTensor): number {
  return Math.ceil((t.shape.reduce((a, b) => a * b, 1) * DTYPE_BITS[t.dtype]) / 8)
}

/** A valid header for these tensors, laid out back to back in the order given. */
export function sparseSafetensors(
  tensors: Iterable<[string, HeaderTensor]>,
  metadata: Record<string, string> | null = { format: 'pt' },
): SparseSafetensors {
  const header: Record<string, unknown> = {}
  if (metadata) header.__metadata__ = metadata
  let offset = 0
  for (const [name, t] of tensors) {
    const n = headerTensorBytes(t)
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] }
    offset += n
  }
  let json = JSON.stringify(header)
  while (Buffer.byteLength(json) % 8 !== 0) json += ' '
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)))
  const bytes = Buffer.concat([length, Buffer.from(json)])
  return { header: bytes, dataSize: offset, size: bytes.length + offset }
}

/**
 * A memory source whose sparse files report their full size and read as their header followed by
 * zeros; every other entry is served by memorySource as is.
 */
export function headerOnlySource(files: Record<string, MemoryEntry | SparseSafetensors>): Source {
  const sparse = new Map<string, SparseSafetensors>()
  const plain: Record<string, MemoryEntry> = {}
  for (const [p, v] of Object.entries(files)) {
    if (typeof v === 'object' && 'header' in v && 'size' in v) {
      sparse.set(p, v)
      plain[p] = new Uint8Array(0)
    } else plain[p] = v
  }
  const inner = memorySource(plain)
  const range = (s: SparseSafetensors, start: number, end: number) => {
    const to = Math.min(end, s.size)
    const out = new Uint8Array(Math.max(0, to - start))
    out.set(s.header.subarray(Math.min(start, s.header.length), Math.min(to, s.header.length)))
    return out
  }
  return {
    ...inner,
    async list() {
      const listing = await inner.list()
      return {
        ...listing,
        entries: listing.entries.map((e) =>
          sparse.has(e.path) ? { ...e, size: sparse.get(e.path)!.size } : e,
        ),
      }
    },
    async read(p) {
      const s = sparse.get(p)
      if (!s) return inner.read(p)
      // Only a header reader should touch these files, and it never reads a whole weights file.
      if (s.size > 64 * 2 ** 20) throw new Error(`test source: whole read of ${p} (${s.size} bytes)`)
      return range(s, 0, s.size)
    },
    async readRange(p, start, end) {
      const s = sparse.get(p)
      return s ? range(s, start, end) : inner.readRange(p, start, end)
    },
  }
}

export interface LlamaDims {
  layers: number
  hidden: number
  intermediate: number
  heads: number
  kvHeads: number
  vocab: number
  dtype: Dtype
}

/** A Llama of two small layers in BF16 (a 256-token vocabulary): a model for rules that read its shapes. */
export const TINY_LLAMA: LlamaDims = {
  layers: 2,
  hidden: 64,
  intermediate: 128,
  heads: 4,
  kvHeads: 2,
  vocab: 256,
  dtype: 'BF16',
}

/** Llama-3.1-405B's shapes (its config.json), in BF16: about 405.9B parameters, 811.7 GB. */
export const LLAMA_405B: LlamaDims = {
  layers: 126,
  hidden: 16384,
  intermediate: 53248,
  heads: 128,
  kvHeads: 8,
  vocab: 128256,
  dtype: 'BF16',
}

/** The tensors of a LlamaForCausalLM with these dimensions, in save_pretrained's order, untied lm_head. */
export function* llamaTensors(d: LlamaDims): Generator<[string, HeaderTensor]> {
  const headDim = d.hidden / d.heads
  const t = (...shape: number[]): HeaderTensor => ({ dtype: d.dtype, shape })
  yield ['model.embed_tokens.weight', t(d.vocab, d.hidden)]
  for (let i = 0; i < d.layers; i++) {
    const p = `model.layers.${i}.`
    yield [`${p}input_layernorm.weight`, t(d.hidden)]
    yield [`${p}self_attn.q_proj.weight`, t(d.heads * headDim, d.hidden)]
    yield [`${p}self_attn.k_proj.weight`, t(d.kvHeads * headDim, d.hidden)]
    yield [`${p}self_attn.v_proj.weight`, t(d.kvHeads * headDim, d.hidden)]
    yield [`${p}self_attn.o_proj.weight`, t(d.hidden, d.heads * headDim)]
    yield [`${p}post_attention_layernorm.weight`, t(d.hidden)]
    yield [`${p}mlp.gate_proj.weight`, t(d.intermediate, d.hidden)]
    yield [`${p}mlp.up_proj.weight`, t(d.intermediate, d.hidden)]
    yield [`${p}mlp.down_proj.weight`, t(d.hidden, d.intermediate)]
  }
  yield ['model.norm.weight', t(d.hidden)]
  yield ['lm_head.weight', t(d.vocab, d.hidden)]
}

/** The config.json save_pretrained writes for these dimensions (Llama 3.1's other fields). */
export function llamaConfig(d: LlamaDims): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 128000,
    eos_token_id: [128001, 128008, 128009],
    hidden_act: 'silu',
    hidden_size: d.hidden,
    initializer_range: 0.02,
    intermediate_size: d.intermediate,
    max_position_embeddings: 131072,
    mlp_bias: false,
    model_type: 'llama',
    num_attention_heads: d.heads,
    num_hidden_layers: d.layers,
    num_key_value_heads: d.kvHeads,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_scaling: {
      factor: 8.0,
      high_freq_factor: 4.0,
      low_freq_factor: 1.0,
      original_max_position_embeddings: 8192,
      rope_type: 'llama3',
    },
    rope_theta: 500000.0,
    tie_word_embeddings: false,
    torch_dtype: { BF16: 'bfloat16', F16: 'float16', F32: 'float32' }[d.dtype as string] ?? 'bfloat16',
    transformers_version: '4.43.0',
    use_cache: true,
    vocab_size: d.vocab,
  }
}

export interface Sharded {
  /** File name → its sparse file. */
  shards: Map<string, SparseSafetensors>
  /** model.safetensors.index.json as save_pretrained writes it; undefined for a single file. */
  index?: { metadata: { total_size: number }; weight_map: Record<string, string> }
}

/**
 * Split the tensors, in order, into `count` shards of about equal bytes (each holding at least one
 * tensor), named as save_pretrained names them; one shard is a plain model.safetensors.
 */
export function shardTensors(tensors: Iterable<[string, HeaderTensor]>, count: number): Sharded {
  const all = [...tensors]
  if (all.length < count) throw new Error(`${all.length} tensors cannot fill ${count} shards`)
  const total = all.reduce((a, [, t]) => a + headerTensorBytes(t), 0)
  const groups: [string, HeaderTensor][][] = [[]]
  let bytes = 0
  all.forEach((entry, i) => {
    groups.at(-1)!.push(entry)
    bytes += headerTensorBytes(entry[1])
    const k = groups.length
    const left = all.length - i - 1
    const shardsAfter = count - k
    // Close the shard at its share of the bytes, or when each later shard needs one of the tensors left.
    if (shardsAfter > 0 && left > 0 && (bytes >= (k * total) / count || left === shardsAfter)) groups.push([])
  })
  if (count === 1) return { shards: new Map([['model.safetensors', sparseSafetensors(groups[0])]]) }
  const width = String(count).padStart(5, '0')
  const shards = new Map<string, SparseSafetensors>()
  const weightMap: Record<string, string> = {}
  groups.forEach((group, i) => {
    const name = `model-${String(i + 1).padStart(5, '0')}-of-${width}.safetensors`
    shards.set(name, sparseSafetensors(group))
    for (const [tensor] of group) weightMap[tensor] = name
  })
  return { shards, index: { metadata: { total_size: total }, weight_map: weightMap } }
}
