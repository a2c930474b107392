import rule from '../../../src/rules/model/tied-embeddings-mismatch.js'
import { incomplete, sharded, single, tinyLlama } from '../../helpers/model-weights.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'
import { makeSafetensors } from '../../helpers/safetensors.js'

const config = (tie?: boolean, extra: Record<string, unknown> = {}) =>
  configJson({ vocab_size: 64, hidden_size: 16, num_hidden_layers: 2, tie_word_embeddings: tie, ...extra })

const multimodal = (top: Record<string, unknown>, text: Record<string, unknown>) =>
  JSON.stringify(
    {
      architectures: ['LlavaForConditionalGeneration'],
      model_type: 'llava',
      ...top,
      text_config: { model_type: 'llama', vocab_size: 64, ...text },
    },
    null,
    2,
  ) + '\n'

const llava = (lmHead: boolean) => ({
  ...tinyLlama({ prefix: 'language_model.model.', headPrefix: 'language_model.', lmHead }),
  'vision_tower.vision_model.embeddings.patch_embedding.weight': { dtype: 'BF16', shape: [8, 3] },
})

ruleTester(rule, {
  valid: [
    { name: 'untied, with lm_head', files: { 'config.json': config(false), ...single(tinyLlama()) } },
    {
      name: 'tied, without lm_head (sharded)',
      files: { 'config.json': config(true), ...sharded(tinyLlama({ lmHead: false })) },
    },
    {
      name: 'not set, no lm_head: the default is per model class (Gemma ties)',
      files: { 'config.json': config(), ...single(tinyLlama({ lmHead: false })) },
    },
    {
      name: 'not set, lm_head present: the default is per model class (Llama unties)',
      files: { 'config.json': config(), ...single(tinyLlama()) },
    },
    {
      name: 'not a boolean',
      files: {
        'config.json': configJson({ tie_word_embeddings: 'false' }),
        ...single(tinyLlama({ lmHead: false })),
      },
    },
    {
      name: 'InternLM2 names its head output.weight',
      files: {
        'config.json': config(false),
        ...single({
          'model.tok_embeddings.weight': { dtype: 'BF16', shape: [64, 16] },
          'model.layers.0.attention.wqkv.weight': { dtype: 'BF16', shape: [48, 16] },
          'model.layers.0.feed_forward.output.weight': { dtype: 'BF16', shape: [16, 16] },
          'output.weight': { dtype: 'BF16', shape: [64, 16] },
        }),
      },
    },
    {
      name: 'GPT-NeoX names its head embed_out',
      files: {
        'config.json': config(false),
        ...single({
          'gpt_neox.embed_in.weight': { dtype: 'F16', shape: [64, 16] },
          'gpt_neox.layers.0.attention.dense.weight': { dtype: 'F16', shape: [16, 16] },
          'embed_out.weight': { dtype: 'F16', shape: [64, 16] },
        }),
      },
    },
    {
      name: 'untied, but no embedding under a known name: the head may be under another name too',
      files: {
        'config.json': config(false),
        ...single({ 'decoder.tok.weight': { dtype: 'F32', shape: [64, 16] } }),
      },
    },
    {
      name: 'multimodal: top level and text_config disagree, so which one the loader uses is unknown',
      files: {
        'config.json': multimodal({ tie_word_embeddings: true }, { tie_word_embeddings: false }),
        ...single(llava(false)),
      },
    },
    {
      name: 'multimodal: untied with language_model.lm_head',
      files: { 'config.json': multimodal({}, { tie_word_embeddings: false }), ...single(llava(true)) },
    },
    {
      name: 'tied; a stray consolidated.safetensors with an output.weight is not loaded beside model.safetensors',
      files: {
        'config.json': config(true),
        ...single(tinyLlama({ lmHead: false })),
        'consolidated.safetensors': makeSafetensors({
          'tok_embeddings.weight': { dtype: 'BF16', shape: [64, 16] },
          'output.weight': { dtype: 'BF16', shape: [64, 16] },
        }),
      },
    },
    { name: 'no config.json', files: single(tinyLlama({ lmHead: false })) },
    ...incomplete(tinyLlama({ lmHead: false })).map((c) => ({
      name: `${c.name}: quiet`,
      files: { 'config.json': config(false), ...c.files },
    })),
  ],
  invalid: [
    {
      name: 'untied, but lm_head is not in the weights',
      files: { 'config.json': config(false), ...single(tinyLlama({ lmHead: false })) },
      errors: [
        {
          messageId: 'missingHead',
          path: 'config.json',
          line: 9,
          column: 3,
          pointer: '/tie_word_embeddings',
          message:
            'config.json sets "tie_word_embeddings": false, but the weights hold no lm_head tensor (only the input embedding model.embed_tokens.weight), so the output layer would start from random values.',
        },
      ],
    },
    {
      name: "DeepSeek-V3: the MTP layer's shared_head is not the model's lm_head",
      files: {
        'config.json': config(false, { num_nextn_predict_layers: 1 }),
        ...single({
          ...tinyLlama({ lmHead: false, extraLayers: 1 }),
          'model.layers.2.shared_head.head.weight': { dtype: 'BF16', shape: [64, 16] },
        }),
      },
      errors: [{ messageId: 'missingHead', path: 'config.json', line: 9, column: 3 }],
    },
    {
      name: 'tied, but lm_head is in the weights too',
      files: { 'config.json': config(true), ...sharded(tinyLlama()) },
      errors: [
        {
          messageId: 'extraHead',
          path: 'config.json',
          line: 9,
          column: 3,
          message:
            'config.json sets "tie_word_embeddings": true, but the weights also hold lm_head.weight (64×16 BF16, 2.0 KB): loaders disagree on which matrix to use when it differs from model.embed_tokens.weight, and the copy takes memory.',
        },
      ],
    },
    {
      name: 'tied, and a GPTQ-quantized lm_head',
      files: {
        'config.json': config(true),
        ...single({
          ...tinyLlama({ lmHead: false }),
          'lm_head.qweight': { dtype: 'I32', shape: [2, 64] },
          'lm_head.qzeros': { dtype: 'I32', shape: [1, 8] },
          'lm_head.scales': { dtype: 'F16', shape: [1, 64] },
        }),
      },
      errors: [
        {
          messageId: 'extraHead',
          path: 'config.json',
          line: 9,
          column: 3,
          message: 'lm_head.qweight (2×64 I32, 672 B)',
        },
      ],
    },
    {
      name: 'multimodal: text_config unties, the language model has no lm_head',
      files: { 'config.json': multimodal({}, { tie_word_embeddings: false }), ...single(llava(false)) },
      errors: [
        {
          messageId: 'missingHead',
          path: 'config.json',
          line: 9,
          column: 5,
          pointer: '/text_config/tie_word_embeddings',
          message: '"text_config.tie_word_embeddings": false',
        },
      ],
    },
  ],
})
