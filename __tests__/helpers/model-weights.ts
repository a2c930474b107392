// Tiny models as real safetensors bytes, laid out the way save_pretrained names them, for the rules
// that compare config.json with the weights (MR311-MR316): a few KB each, with the names and shapes
// that matter (embedding, layers, lm_head) and small stand-ins for the rest.
import type { MemoryEntry } from '../../src/sources/memory.js'
import { makeSafetensors, type TensorSpec } from './safetensors.js'

export type Tensors = Record<string, TensorSpec>

export interface TinyOptions {
  vocab?: number
  hidden?: number
  layers?: number
  dtype?: string
  /** Store lm_head.weight (an untied model). */
  lmHead?: boolean
  /** Prefix of the language model's modules: 'model.' (Llama), 'language_model.model.' (LLaVA)… */
  prefix?: string
  /** Prefix of lm_head: '' (Llama), 'language_model.' (LLaVA)… */
  headPrefix?: string
  /** Layer indices to leave out. */
  skip?: number[]
  /** Extra layers after the last (DeepSeek-V3's MTP layer). */
  extraLayers?: number
}

/** A Llama-shaped model: embed_tokens [vocab, hidden], N layers, norm, and lm_head when untied. */
export function tinyLlama(o: TinyOptions = {}): Tensors {
  const { vocab = 64, hidden = 16, layers = 2, dtype = 'BF16', lmHead = true, prefix = 'model.' } = o
  const t = (...shape: number[]): TensorSpec => ({ dtype, shape })
  const out: Tensors = { [`${prefix}embed_tokens.weight`]: t(vocab, hidden) }
  for (let i = 0; i < layers + (o.extraLayers ?? 0); i++) {
    if (o.skip?.includes(i)) continue
    out[`${prefix}layers.${i}.input_layernorm.weight`] = t(hidden)
    out[`${prefix}layers.${i}.self_attn.q_proj.weight`] = t(hidden, hidden)
    out[`${prefix}layers.${i}.mlp.down_proj.weight`] = t(hidden, hidden)
  }
  out[`${prefix}norm.weight`] = t(hidden)
  if (lmHead) out[`${o.headPrefix ?? ''}lm_head.weight`] = t(vocab, hidden)
  return out
}

/** One model.safetensors holding every tensor. */
export function single(tensors: Tensors): Record<string, MemoryEntry> {
  return { 'model.safetensors': makeSafetensors(tensors) }
}

/** Two shards and model.safetensors.index.json, as save_pretrained writes a sharded model. */
export function sharded(tensors: Tensors): Record<string, MemoryEntry> {
  const names = Object.keys(tensors)
  const half = Math.ceil(names.length / 2)
  const parts = [names.slice(0, half), names.slice(half)]
  const files: Record<string, MemoryEntry> = {}
  const weightMap: Record<string, string> = {}
  parts.forEach((part, i) => {
    const shard = `model-0000${i + 1}-of-00002.safetensors`
    files[shard] = makeSafetensors(Object.fromEntries(part.map((n) => [n, tensors[n]])))
    for (const n of part) weightMap[n] = shard
  })
  files['model.safetensors.index.json'] = JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2)
  return files
}

export const LFS_POINTER =
  'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146c8fc0f4e6e5d9b4b6a83e8e3bd1ec3e4f0c02a2d5b6e2b0c1a9f7e31\nsize 2471645608\n'

/**
 * The same weights, three ways incomplete: a shard the index names is missing, the weights are an
 * LFS pointer, a header is corrupt. Rules comparing config.json with the weights stay quiet on each.
 */
export function incomplete(tensors: Tensors): { name: string; files: Record<string, MemoryEntry> }[] {
  const twoShards = sharded(tensors)
  const { ['model-00002-of-00002.safetensors']: _missing, ...withoutSecond } = twoShards
  const corrupt = Buffer.concat([Buffer.from([16, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"not json"!!!!!')])
  return [
    { name: 'a shard named by the index is missing', files: withoutSecond },
    { name: 'the weights are a Git LFS pointer', files: { 'model.safetensors': LFS_POINTER } },
    {
      name: 'a shard has a corrupt header',
      files: { ...twoShards, 'model-00002-of-00002.safetensors': corrupt },
    },
  ]
}
