// Corpus models as their repositories publish them: the real small files of each folder in
// ../shared/corpus/models, and header-only safetensors shards for every shard the real index names
// (the corpus keeps no weights). The embedding and lm_head get their real shapes, so rules that compare
// config.json with the weights see what they would see on the Hub; other tensors are small stand-ins.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Dtype } from '../../src/artifacts/safetensors.js'
import type { MemoryEntry } from '../../src/sources/memory.js'
import type { Source } from '../../src/sources/source.js'
import { CORPUS_ROOT } from './corpus.js'
import {
  headerOnlySource,
  sparseSafetensors,
  type HeaderTensor,
  type SparseSafetensors,
} from './sparse-safetensors.js'

export const CORPUS_MODELS = path.join(CORPUS_ROOT, 'models')

export interface Checkpoint {
  /** The index file in the folder; a .bin index is renamed to safetensors shards. */
  index: 'model.safetensors.index.json' | 'pytorch_model.bin.index.json'
  /** The real shapes of the embedding and lm_head of the published checkpoint. */
  shapes: Record<string, number[]>
  /** The checkpoint's floating dtype. */
  dtype: Dtype
}

export const CHECKPOINTS: Record<string, Checkpoint> = {
  'Qwen__Qwen2.5-VL-7B-Instruct': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.embed_tokens.weight': [152064, 3584], 'lm_head.weight': [152064, 3584] },
    dtype: 'BF16',
  },
  bigscience__bloom: {
    index: 'model.safetensors.index.json',
    shapes: { 'word_embeddings.weight': [250880, 14336] },
    dtype: 'BF16',
  },
  'cognitivecomputations__dolphin-2.5-mixtral-8x7b': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.embed_tokens.weight': [32002, 4096], 'lm_head.weight': [32002, 4096] },
    dtype: 'BF16',
  },
  'deepseek-ai__DeepSeek-R1-Distill-Qwen-32B': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.embed_tokens.weight': [152064, 5120], 'lm_head.weight': [152064, 5120] },
    dtype: 'BF16',
  },
  'google__gemma-2b-it': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.embed_tokens.weight': [256000, 2048] },
    dtype: 'BF16',
  },
  'internlm__internlm2-chat-7b': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.tok_embeddings.weight': [92544, 4096], 'output.weight': [92544, 4096] },
    dtype: 'BF16',
  },
  'lmstudio-community__Qwen3-1.7B-MLX-bf16': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.embed_tokens.weight': [151936, 2048] },
    dtype: 'BF16',
  },
  'meta-llama__Llama-2-7b-hf': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.embed_tokens.weight': [32000, 4096], 'lm_head.weight': [32000, 4096] },
    dtype: 'F16',
  },
  'meta-llama__Llama-3.2-3B-Instruct': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.embed_tokens.weight': [128256, 3072] },
    dtype: 'BF16',
  },
  'meta-llama__Llama-3.2-3B__resharded-per-tensor': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.embed_tokens.weight': [128256, 3072] },
    dtype: 'BF16',
  },
  'microsoft__Phi-3-mini-4k-instruct': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.embed_tokens.weight': [32064, 3072], 'lm_head.weight': [32064, 3072] },
    dtype: 'BF16',
  },
  'openai__gpt-oss-20b': {
    index: 'model.safetensors.index.json',
    shapes: { 'model.embed_tokens.weight': [201088, 2880], 'lm_head.weight': [201088, 2880] },
    dtype: 'BF16',
  },
  'openbmb__MiniCPM-V-2': {
    index: 'model.safetensors.index.json',
    shapes: { 'llm.model.embed_tokens.weight': [122753, 2304], 'llm.lm_head.weight': [122753, 2304] },
    dtype: 'BF16',
  },
  'THUDM__chatglm3-6b': {
    index: 'pytorch_model.bin.index.json',
    shapes: {
      'transformer.embedding.word_embeddings.weight': [65024, 4096],
      'transformer.output_layer.weight': [65024, 4096],
    },
    dtype: 'F16',
  },
  'tiiuae__falcon-40b': {
    index: 'pytorch_model.bin.index.json',
    shapes: { 'transformer.word_embeddings.weight': [65024, 8192], 'lm_head.weight': [65024, 8192] },
    dtype: 'BF16',
  },
}

/** A stand-in for a tensor whose real shape does not matter here: small, and 2-D like a matrix. */
export function standIn(name: string, dtype: Dtype): HeaderTensor {
  // gpt-oss stores its MoE experts as MXFP4: U8 blocks and U8 scales.
  if (/_(blocks|scales)$/.test(name)) return { dtype: 'U8', shape: [7, 5] }
  if (name.endsWith('weight_scale_inv')) return { dtype: 'F32', shape: [1, 1] }
  if (name.endsWith('inv_freq')) return { dtype: 'F32', shape: [5] }
  return { dtype, shape: [7, 5] }
}

/** Header-only shards holding exactly the tensors a weight map assigns to each. */
export function shardsFor(
  weightMap: Record<string, string>,
  tensor: (name: string) => HeaderTensor,
): Record<string, SparseSafetensors> {
  const byShard = new Map<string, [string, HeaderTensor][]>()
  for (const [name, shard] of Object.entries(weightMap)) {
    if (!byShard.has(shard)) byShard.set(shard, [])
    byShard.get(shard)!.push([name, tensor(name)])
  }
  return Object.fromEntries([...byShard].map(([shard, tensors]) => [shard, sparseSafetensors(tensors)]))
}

/** The index's weight map with .bin shards renamed to the safetensors shards a conversion writes. */
export function safetensorsWeightMap(folder: string): Record<string, string> {
  const c = CHECKPOINTS[folder]
  if (!c) throw new Error(`no checkpoint shapes for ${folder}`)
  const index = JSON.parse(readFileSync(path.join(CORPUS_MODELS, folder, c.index), 'utf8')) as {
    weight_map: Record<string, string>
  }
  return Object.fromEntries(
    Object.entries(index.weight_map).map(([name, shard]) => [
      name,
      shard.replace(/^pytorch_model(.*)\.bin$/, 'model$1.safetensors'),
    ]),
  )
}

/**
 * The folder as published: its real files (not SOURCE.txt, which is the corpus's own note, and not the
 * weight files the corpus kept, real or LFS pointers), a safetensors index, and a header-only shard for
 * every shard that index names.
 */
export function publishedSource(folder: string, shapes = CHECKPOINTS[folder]?.shapes ?? {}): Source {
  const c = CHECKPOINTS[folder]
  if (!c) throw new Error(`no checkpoint shapes for ${folder}`)
  const dir = path.join(CORPUS_MODELS, folder)
  const files: Record<string, MemoryEntry | SparseSafetensors> = {}
  for (const name of readdirSync(dir)) {
    if (name === 'SOURCE.txt' || /\.(safetensors|bin)$/.test(name) || name === c.index) continue
    if (statSync(path.join(dir, name)).isFile()) files[name] = readFileSync(path.join(dir, name))
  }
  const weightMap = safetensorsWeightMap(folder)
  files['model.safetensors.index.json'] = JSON.stringify({ metadata: {}, weight_map: weightMap })
  Object.assign(
    files,
    shardsFor(weightMap, (name) =>
      shapes[name] ? { dtype: c.dtype, shape: shapes[name] } : standIn(name, c.dtype),
    ),
  )
  return headerOnlySource(files)
}

/** The corpus folders with checkpoint shapes whose index is present. */
export function publishedFolders(): string[] {
  return Object.keys(CHECKPOINTS).filter((f) =>
    existsSync(path.join(CORPUS_MODELS, f, CHECKPOINTS[f]!.index)),
  )
}
