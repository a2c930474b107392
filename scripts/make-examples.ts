// Writes examples/: a tiny conforming Llama-architecture chat model (real safetensors weights that
// match its config, a real byte-level BPE tokenizer, a chat template) and a broken one.
// Run with `npm run examples`; the output is committed, so the README's first command needs nothing else.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { makeSafetensors, tensorBytes, type TensorSpec } from '../__tests__/helpers/safetensors.js'

const root = path.resolve(import.meta.dirname, '..', 'examples')
const write = (rel: string, data: string | Uint8Array) => {
  const file = path.join(root, rel)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, data)
}
const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n'

const SPECIAL = [
  '<|begin_of_text|>',
  '<|end_of_text|>',
  '<|start_header_id|>',
  '<|end_header_id|>',
  '<|eot_id|>',
]
const BOS = 256
const EOT = 260
const dims = { vocab: 264, hidden: 64, intermediate: 128, layers: 2, heads: 2, kvHeads: 1 }
const headDim = dims.hidden / dims.heads

/** GPT-2's byte-to-unicode table: the alphabet of a byte-level BPE vocabulary. */
function byteAlphabet(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)
  let extra = 0
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable(b) ? b : 256 + extra++))
}

/** Deterministic small bf16 values, so the weights are real numbers rather than zeros. */
function bf16(elements: number, seed: number): Uint8Array {
  const out = new Uint8Array(elements * 2)
  const f32 = new Float32Array(1)
  const u32 = new Uint32Array(f32.buffer)
  let s = seed
  for (let i = 0; i < elements; i++) {
    s = (s * 1103515245 + 12345) >>> 0
    f32[0] = ((s / 2 ** 32) * 2 - 1) * 0.02
    out[i * 2] = (u32[0] >>> 16) & 0xff
    out[i * 2 + 1] = u32[0] >>> 24
  }
  return out
}

function llamaTensors(): Record<string, TensorSpec> {
  const shapes: Record<string, number[]> = { 'model.embed_tokens.weight': [dims.vocab, dims.hidden] }
  for (let l = 0; l < dims.layers; l++) {
    const p = `model.layers.${l}`
    Object.assign(shapes, {
      [`${p}.self_attn.q_proj.weight`]: [dims.heads * headDim, dims.hidden],
      [`${p}.self_attn.k_proj.weight`]: [dims.kvHeads * headDim, dims.hidden],
      [`${p}.self_attn.v_proj.weight`]: [dims.kvHeads * headDim, dims.hidden],
      [`${p}.self_attn.o_proj.weight`]: [dims.hidden, dims.heads * headDim],
      [`${p}.mlp.gate_proj.weight`]: [dims.intermediate, dims.hidden],
      [`${p}.mlp.up_proj.weight`]: [dims.intermediate, dims.hidden],
      [`${p}.mlp.down_proj.weight`]: [dims.hidden, dims.intermediate],
      [`${p}.input_layernorm.weight`]: [dims.hidden],
      [`${p}.post_attention_layernorm.weight`]: [dims.hidden],
    })
  }
  shapes['model.norm.weight'] = [dims.hidden]
  shapes['lm_head.weight'] = [dims.vocab, dims.hidden]
  return Object.fromEntries(
    Object.entries(shapes).map(([name, shape], i) => {
      const spec: TensorSpec = { dtype: 'BF16', shape }
      return [name, { ...spec, data: bf16(tensorBytes(spec) / 2, i + 1) }]
    }),
  )
}

const config = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  bos_token_id: BOS,
  eos_token_id: EOT,
  head_dim: headDim,
  hidden_act: 'silu',
  hidden_size: dims.hidden,
  initializer_range: 0.02,
  intermediate_size: dims.intermediate,
  max_position_embeddings: 2048,
  model_type: 'llama',
  num_attention_heads: dims.heads,
  num_hidden_layers: dims.layers,
  num_key_value_heads: dims.kvHeads,
  rms_norm_eps: 1e-5,
  rope_theta: 500000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  transformers_version: '4.57.1',
  use_cache: true,
  vocab_size: dims.vocab,
}

const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: SPECIAL.map((content, i) => ({
    id: 256 + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  })),
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: SPECIAL[0], type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [
      { SpecialToken: { id: SPECIAL[0], type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } },
    ],
    special_tokens: { [SPECIAL[0]]: { id: SPECIAL[0], ids: [BOS], tokens: [SPECIAL[0]] } },
  },
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab: Object.fromEntries(byteAlphabet().map((c, i) => [c, i])),
    merges: [],
  },
}

const chatTemplate =
  "{{- bos_token }}{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"

const tokenizerConfig = {
  added_tokens_decoder: Object.fromEntries(
    SPECIAL.map((content, i) => [
      String(256 + i),
      { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
    ]),
  ),
  bos_token: SPECIAL[0],
  chat_template: chatTemplate,
  clean_up_tokenization_spaces: true,
  eos_token: '<|eot_id|>',
  model_input_names: ['input_ids', 'attention_mask'],
  model_max_length: 2048,
  pad_token: '<|end_of_text|>',
  tokenizer_class: 'PreTrainedTokenizerFast',
}

// Only the generated folders: examples/expected.txt is written by the scenario test, not here.
for (const dir of ['conforming-chat-model', 'broken-model'])
  rmSync(path.join(root, dir), { recursive: true, force: true })

// The conforming model: everything Friendli's format table asks for, at the root.
const good = 'conforming-chat-model'
write(`${good}/config.json`, json(config))
write(
  `${good}/generation_config.json`,
  json({
    bos_token_id: BOS,
    eos_token_id: [257, EOT],
    do_sample: true,
    temperature: 0.6,
    top_p: 0.9,
    transformers_version: '4.57.1',
  }),
)
write(`${good}/model.safetensors`, makeSafetensors(llamaTensors()))
write(`${good}/tokenizer.json`, JSON.stringify(tokenizer))
write(`${good}/tokenizer_config.json`, json(tokenizerConfig))
write(
  `${good}/special_tokens_map.json`,
  json({ bos_token: SPECIAL[0], eos_token: '<|eot_id|>', pad_token: '<|end_of_text|>' }),
)

// The broken model: the mistakes the README lists, each one of them real.
const bad = 'broken-model'
write(`${bad}/config.json`, json({ ...config, architectures: ['RwkvForCausalLM'], model_type: 'rwkv' }))
// Weights in PyTorch's pickle format only (placeholder bytes: no rule opens .bin files).
write(
  `${bad}/pytorch_model.bin`,
  'placeholder: stands for a PyTorch pickle checkpoint; friendli-preflight never opens .bin files\n',
)
// The safetensors copy was saved one folder down, where Friendli never looks.
write(
  `${bad}/checkpoint-final/config.json`,
  json({ ...config, architectures: ['RwkvForCausalLM'], model_type: 'rwkv' }),
)
write(`${bad}/checkpoint-final/model.safetensors`, makeSafetensors(llamaTensors()))
// A hand edit left a trailing comma: transformers cannot load this tokenizer config.
write(
  `${bad}/tokenizer_config.json`,
  json({ bos_token: SPECIAL[0], eos_token: '<|eot_id|>' }).replace('"<|eot_id|>"', '"<|eot_id|>",'),
)

write(
  'friendli-preflight.yml',
  `# The config file the README's first command uses: one target per example.
targets:
  - model: conforming-chat-model
  - model: broken-model
`,
)
console.log(`wrote ${root}`)
