// Where the language model sits in a checkpoint's tensor names, found once per target for the rules
// that compare the weights with config.json (MR311-MR314). Names differ by model family
// (model.layers.N, transformer.h.N, gpt_neox.layers.N, llm.model.layers.N,
// language_model.model.layers.N…) and multimodal checkpoints add vision and audio encoders with their
// own layers and embeddings: those are left out, since their sizes live in vision_config /
// audio_config, not in the keys these rules read.
import type { Tensor, TensorTable } from './tensors.js'

/** The language model's parts, found in the tensors a loader reads. */
export interface TextModel {
  /** The decoder layer stack, or undefined when there is none or more than one. */
  layers: LayerStack | undefined
  /** The input embedding, or undefined when the names follow no known scheme. */
  embedding: Tensor | undefined
  /** Every tensor of the output projection (`lm_head.weight`, and `lm_head.qweight`… when quantized). */
  lmHead: Tensor[]
  /** The output projection's weight matrix, when there is one stored as `….weight`. */
  lmHeadWeight: Tensor | undefined
}

/** The decoder layer stack found in the tensor names. */
interface LayerStack {
  /** e.g. `model.layers`, `transformer.h`, `llm.model.layers`, `h`. */
  prefix: string
  /** Layer indices present, ascending, each once. */
  indices: number[]
}

/** The text model of the loaded tensors, or undefined when the tensor set is not known to be complete. */
export function textModel(tensors: TensorTable | undefined): TextModel | undefined {
  if (!tensors) return undefined
  const { loaded } = tensors
  const lmHead = lmHeadTensors(loaded)
  return {
    layers: decoderLayers(loaded),
    embedding: inputEmbedding(loaded),
    lmHead,
    lmHeadWeight: shallowest(lmHead.filter((t) => t.name.endsWith('.weight') && t.shape.length === 2)),
  }
}

/**
 * A name segment of a vision or audio encoder, or of the projector between it and the language
 * model: Qwen2-VL `visual`, LLaVA `vision_tower` / `multi_modal_projector`, MiniCPM-V `vpm` /
 * `resampler`, Mllama `vision_model`, Phi-3-vision `vision_embed_tokens`, Qwen2-Audio `audio_tower`.
 */
const TOWER_SEGMENT =
  /^(visual|vision|vpm|vit$|vit_|image|img|audio|speech|video|sound|mm_projector|multi_modal|resampler|perceiver|siglip|clip|whisper)|_tower$/i

/** Multi-token-prediction modules kept apart from the decoder stack (Qwen3-Next `mtp.layers.0`). */
const SIDE_STACK_SEGMENT = /^(mtp|draft|eagle|medusa)/i

/**
 * The first `<container>.<index>.` of a name: the decoder layer it belongs to. No model has a
 * billion layers; a longer index is not a layer number, and would not fit in a safe integer.
 */
const LAYER = /(?:^|\.)(layers|layer|h|blocks|block)\.(\d{1,9})(?=\.|$)/

/** The module name before `.weight` of an input embedding. */
const EMBEDDING_MODULE = /^(embed_tokens|wte|word_embeddings|tok_embeddings|embed_in|shared)$/

/** The module name of an output projection (lm_head; GPT-NeoX embed_out; ChatGLM output_layer). */
const LM_HEAD_MODULE = /^(lm_head|embed_out|output_layer)$/

function isTowerTensor(name: string): boolean {
  return name.split('.').some((s) => TOWER_SEGMENT.test(s) || SIDE_STACK_SEGMENT.test(s))
}

function inLayer(name: string): boolean {
  return LAYER.test(name)
}

/**
 * The language model's layer stack, or undefined when there is none or more than one (an
 * encoder-decoder model has two stacks and other keys for their depths: nothing to compare then).
 */
function decoderLayers(tensors: readonly Tensor[]): LayerStack | undefined {
  const stacks = new Map<string, Set<number>>()
  for (const t of tensors) {
    const m = LAYER.exec(t.name)
    if (!m) continue
    const prefix = t.name.slice(0, m.index + m[0].length - m[2].length - 1)
    if (isTowerTensor(prefix)) continue
    let set = stacks.get(prefix)
    if (!set) stacks.set(prefix, (set = new Set()))
    set.add(Number(m[2]))
  }
  const [stack] = stacks
  if (stacks.size !== 1 || !stack) return undefined
  const [prefix, set] = stack
  return { prefix, indices: [...set].sort((a, b) => a - b) }
}

function moduleOf(name: string): { module: string; parent: string[]; last: string } | undefined {
  const parts = name.split('.')
  if (parts.length < 2) return undefined
  return { module: parts[parts.length - 2], parent: parts.slice(0, -2), last: parts[parts.length - 1] }
}

/** Outside every decoder layer and encoder tower: a tensor of the language model's own ends. */
function isTopLevel(name: string): boolean {
  return !inLayer(name) && !isTowerTensor(name)
}

const depth = (t: Tensor) => t.name.split('.').length

/**
 * The one shallowest tensor: `model.shared` before `model.encoder.embed_tokens` (BART). Two at the
 * same depth (Qwen2.5-Omni's `thinker.…` and `talker.…`) leave it unknown.
 */
function shallowest(tensors: readonly Tensor[]): Tensor | undefined {
  if (tensors.length === 0) return undefined
  const min = Math.min(...tensors.map(depth))
  const top = tensors.filter((t) => depth(t) === min)
  return top.length === 1 ? top[0] : undefined
}

/**
 * The language model's input embedding (a 2-D `….weight` of a known embedding module outside the
 * layers and towers), or undefined when the names follow no known scheme.
 */
function inputEmbedding(tensors: readonly Tensor[]): Tensor | undefined {
  return shallowest(
    tensors.filter((t) => {
      const m = moduleOf(t.name)
      return (
        !!m &&
        m.last === 'weight' &&
        EMBEDDING_MODULE.test(m.module) &&
        t.shape.length === 2 &&
        isTopLevel(t.name)
      )
    }),
  )
}

/** Every tensor of the output projection. */
function lmHeadTensors(tensors: readonly Tensor[]): Tensor[] {
  return tensors.filter((t) => {
    const m = moduleOf(t.name)
    if (!m || !isTopLevel(t.name)) return false
    // InternLM2 names its head plain `output`; only at the top (or under one wrapper) is that the head.
    return LM_HEAD_MODULE.test(m.module) || (m.module === 'output' && m.parent.length <= 1)
  })
}
