// What a manifest's model needs in GPU memory: its weights (the safetensors headers) and its KV cache
// (config.json), and the context it can serve (config.json, tokenizer_config.json). Pure arithmetic on
// parsed artifacts, so the fit is tested for any model without a file.
//
// The KV cache holds a key and a value vector per token, layer and KV head:
//   bytes per token = 2 × num_hidden_layers × num_key_value_heads × head_dim × bytes per element
// as vLLM sizes its paged cache (vllm/v1/kv_cache_interface.py in github.com/vllm-project/vllm:
// AttentionSpec.page_size_bytes = 2 × block_size × num_kv_heads × head_size × dtype size, per layer) and as
// the transformers docs count it (https://huggingface.co/docs/transformers/main/en/kv_cache). head_dim
// is config.json's, else hidden_size / num_attention_heads (transformers' default for Llama-like
// models); num_key_value_heads defaults to num_attention_heads (multi-head attention).
import type { JsonFile } from '../../artifacts/json-file.js'
import { docOf } from '../../artifacts/json-file.js'
import type { TextConfig } from '../../artifacts/model-config.js'
import type { TensorTable } from '../../artifacts/tensors.js'
import { isObject } from '../../common/json.js'
import { FP8_DTYPES, instances, type Instance } from './instances.js'
import { bytesByDtype } from './tensors.js'

/**
 * Bytes a KV cache element takes: 16 bits, the cache dtype engines use by default for BF16 and FP16
 * models (vLLM's kv_cache_dtype "auto" is the model's dtype) and for FP8 checkpoints unless an FP8 cache
 * is asked for. An FP8 cache would halve it, so this never understates.
 */
export const KV_BYTES = 2

/**
 * The share of an instance's GPU memory the weights and the KV cache may take together: vLLM's default
 * gpu_memory_utilization (0.9, https://docs.vllm.ai/en/latest/configuration/engine_args.html); the rest
 * is the CUDA context, activations and buffers on each GPU. Friendli publishes no figure of its own.
 */
export const SERVING_SHARE = 0.9

/**
 * The share past which the weights alone cannot be served: the last 5% is less than the CUDA context,
 * the activations and one sequence's cache need on every GPU. Only past it is a fit an error; between the
 * two shares it is a warning, since an engine may be configured to use more than vLLM's default.
 */
export const WEIGHTS_SHARE = 0.95

/** transformers writes this for "no limit" (int(1e30)) and a few other huge sentinels. */
const NO_LIMIT = 1e18

export interface ModelContext {
  tokens: number
  /** Where it comes from, in words: "config.json max_position_embeddings". */
  from: string
}

export type KvShape =
  | { ok: true; layers: number; kvHeads: number; headDim: number; bytesPerToken: number }
  | { ok: false; why: string }

export interface ModelShape {
  /** Bytes of the weights a loader reads, or undefined when the safetensors set is not complete. */
  weightBytes: number | undefined
  fp8: boolean
  kv: KvShape
  /** The largest context the model's files state, when one does. */
  context: ModelContext | undefined
}

/** The shape of a model from its artifacts. */
export function modelShape(
  tensors: TensorTable | undefined,
  config: TextConfig | undefined,
  tokenizerConfig: JsonFile,
): ModelShape {
  const byDtype = tensors ? bytesByDtype(tensors.loaded) : undefined
  const weightBytes = byDtype ? [...byDtype.values()].reduce((a, b) => a + b, 0) : undefined
  const fp8 = byDtype ? [...byDtype].some(([dtype, n]) => n > 0 && FP8_DTYPES.has(dtype)) : false
  return {
    weightBytes: weightBytes && weightBytes > 0 ? weightBytes : undefined,
    fp8,
    kv: kvShape(config),
    context: modelContext(config, tokenizerConfig),
  }
}

/** The KV cache's shape per token, or why it cannot be estimated (then no estimate is reported as one). */
export function kvShape(config: TextConfig | undefined): KvShape {
  if (!config) return { ok: false, why: 'config.json could not be read' }
  if (config.value(['kv_lora_rank']) !== undefined)
    return {
      ok: false,
      why: 'it uses multi-head latent attention (kv_lora_rank), whose cache is a compressed latent, not keys and values per head',
    }
  const window = config.value(['sliding_window'])?.value
  const windowed =
    typeof window === 'number' && window > 0 && config.value(['use_sliding_window'])?.value !== false
  if (windowed)
    return {
      ok: false,
      why: `it attends within a sliding window (sliding_window ${window}) on some or all layers, so the cache does not grow with the whole context on every layer`,
    }
  const layers = config.int(['num_hidden_layers', 'n_layer', 'num_layers'])
  const heads = config.int(['num_attention_heads', 'n_head'])
  if (!layers || !heads)
    return {
      ok: false,
      why: `config.json has no ${!layers ? 'num_hidden_layers' : 'num_attention_heads'} (not a transformer decoder config transformers' Llama-like models use)`,
    }
  const multiQuery = config.value(['multi_query'])?.value === true
  const kvHeads = multiQuery ? 1 : (config.int(['num_key_value_heads', 'num_kv_heads'])?.value ?? heads.value)
  const explicit = config.int(['head_dim'])?.value
  const hidden = config.int(['hidden_size', 'n_embd', 'd_model'])?.value
  const headDim = explicit ?? (hidden && hidden % heads.value === 0 ? hidden / heads.value : undefined)
  if (!headDim)
    return {
      ok: false,
      why: 'config.json gives no head_dim, and hidden_size is not a multiple of num_attention_heads',
    }
  return {
    ok: true,
    layers: layers.value,
    kvHeads,
    headDim,
    bytesPerToken: 2 * layers.value * kvHeads * headDim * KV_BYTES,
  }
}

/**
 * The largest context the model's files state: max_position_embeddings (or n_positions, seq_length),
 * times a RoPE scaling factor where vLLM applies one (every rope_type but llama3, longrope and su, whose
 * max_position_embeddings already is the extended length; YaRN from original_max_position_embeddings:
 * _get_and_verify_max_len in vLLM's config module, github.com/vllm-project/vllm vllm/config.py), or tokenizer_config.json's model_max_length when larger. The
 * largest, so that a setting is called too long only when every stated bound is below it.
 */
export function modelContext(
  config: TextConfig | undefined,
  tokenizerConfig: JsonFile,
): ModelContext | undefined {
  const candidates: ModelContext[] = []
  const positions = config?.int(['max_position_embeddings', 'n_positions', 'seq_length'])
  if (positions) {
    const key = positions.pointer.slice(1)
    candidates.push({ tokens: positions.value, from: `config.json ${key}` })
    const rope = config?.value(['rope_scaling'])?.value
    if (isObject(rope)) {
      const named = rope.rope_type ?? rope.type
      const type = typeof named === 'string' ? named : ''
      const factor = rope.factor
      if (typeof factor === 'number' && factor > 1 && !['llama3', 'longrope', 'su'].includes(type)) {
        const original = rope.original_max_position_embeddings
        const base =
          type === 'yarn' && typeof original === 'number' && original > 0 ? original : positions.value
        candidates.push({
          tokens: Math.floor(base * factor),
          from: `config.json ${key} with rope_scaling (${type || 'type not given'}, factor ${factor})`,
        })
      }
    }
  }
  const tc = docOf(tokenizerConfig)
  const maxLength = tc && isObject(tc.value) ? tc.value.model_max_length : undefined
  if (
    typeof maxLength === 'number' &&
    Number.isSafeInteger(maxLength) &&
    maxLength > 0 &&
    maxLength < NO_LIMIT
  )
    candidates.push({ tokens: maxLength, from: 'tokenizer_config.json model_max_length' })
  return candidates.sort((a, b) => b.tokens - a.tokens)[0]
}

/** What an instance must hold: the weights, and the KV cache when it can be estimated. */
export interface Need {
  weights: number
  kv?: number
}

/** Whether an instance holds a need: the weights within WEIGHTS_SHARE, weights + KV within SERVING_SHARE. */
export function holds(instance: Instance, need: Need): 'yes' | 'weights-only' | 'no' {
  if (need.weights > instance.memory * WEIGHTS_SHARE) return 'no'
  if (need.weights + (need.kv ?? 0) > instance.memory * SERVING_SHARE) return 'weights-only'
  return 'yes'
}

/** The smallest instances that hold a need whole (FP8 weights: not on A100), or undefined when none does. */
export function smallestHolding(need: Need, fp8: boolean): Instance[] | undefined {
  const candidates = instances().filter((i) => !fp8 || i.gpu.fp8)
  const first = candidates.find((i) => holds(i, need) === 'yes')
  return first && candidates.filter((i) => i.memory === first.memory)
}
