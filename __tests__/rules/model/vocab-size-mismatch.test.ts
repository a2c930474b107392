import rule from '../../../src/rules/model/vocab-size-mismatch.js'
import { incomplete, sharded, single, tinyLlama } from '../../helpers/model-weights.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const config = (overrides: Record<string, unknown> = {}) =>
  configJson({ vocab_size: 64, hidden_size: 16, num_hidden_layers: 2, ...overrides })

/** A LLaVA-style config: the language model's sizes in text_config. */
const multimodal = (text: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  JSON.stringify(
    {
      architectures: ['LlavaForConditionalGeneration'],
      model_type: 'llava',
      ...top,
      text_config: { model_type: 'llama', hidden_size: 16, num_hidden_layers: 2, ...text },
      vision_config: { model_type: 'clip_vision_model', hidden_size: 8, vocab_size: 5 },
    },
    null,
    2,
  ) + '\n'

/** LLaVA's tensor names, with a vision tower that has an embedding of its own. */
const llava = (vocab: number) => ({
  ...tinyLlama({ vocab, prefix: 'language_model.model.', headPrefix: 'language_model.' }),
  'vision_tower.vision_model.embeddings.word_embeddings.weight': { dtype: 'BF16', shape: [5, 8] },
  'vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight': { dtype: 'BF16', shape: [8, 8] },
  'multi_modal_projector.linear_1.weight': { dtype: 'BF16', shape: [16, 8] },
})

ruleTester(rule, {
  valid: [
    { name: 'rows equal vocab_size', files: { 'config.json': config(), ...single(tinyLlama()) } },
    { name: 'sharded, rows equal vocab_size', files: { 'config.json': config(), ...sharded(tinyLlama()) } },
    {
      name: 'tied embeddings: no lm_head to compare',
      files: {
        'config.json': config({ tie_word_embeddings: true }),
        ...single(tinyLlama({ lmHead: false })),
      },
    },
    {
      name: 'multimodal: text_config.vocab_size, and the vision tower is not the embedding',
      files: { 'config.json': multimodal({ vocab_size: 64 }), ...single(llava(64)) },
    },
    {
      name: 'multimodal: a stale top-level vocab_size, text_config matching the rows',
      files: { 'config.json': multimodal({ vocab_size: 64 }, { vocab_size: 32000 }), ...single(llava(64)) },
    },
    {
      name: 'DeepSeek-V3: the MTP layer has an embedding of its own, the top-level one counts',
      files: {
        'config.json': config({ num_nextn_predict_layers: 1 }),
        ...single({
          ...tinyLlama({ extraLayers: 1 }),
          'model.layers.2.embed_tokens.weight': { dtype: 'BF16', shape: [64, 16] },
          'model.layers.2.shared_head.head.weight': { dtype: 'BF16', shape: [64, 16] },
        }),
      },
    },
    {
      name: 'bitsandbytes stores a quantized lm_head flattened to [n, 1]',
      files: {
        'config.json': config(),
        ...single({ ...tinyLlama({ lmHead: false }), 'lm_head.weight': { dtype: 'U8', shape: [512, 1] } }),
      },
    },
    {
      name: 'names that follow no known scheme',
      files: {
        'config.json': config(),
        ...single({ 'encoder.tok.weight': { dtype: 'F32', shape: [70, 16] } }),
      },
    },
    {
      name: 'no vocab_size in config.json',
      files: { 'config.json': configJson({ vocab_size: undefined }), ...single(tinyLlama({ vocab: 70 })) },
    },
    {
      name: 'Llama 3.2 Vision (mllama): the embedding has 8 rows more than vocab_size, lm_head has vocab_size',
      files: {
        'config.json': JSON.stringify({ model_type: 'mllama', text_config: { vocab_size: 64 } }),
        ...single({
          ...tinyLlama({ prefix: 'language_model.model.', headPrefix: 'language_model.', lmHead: false }),
          'language_model.model.embed_tokens.weight': { dtype: 'BF16', shape: [72, 16] },
          'language_model.lm_head.weight': { dtype: 'BF16', shape: [64, 16] },
          'vision_model.transformer.layers.0.mlp.fc1.weight': { dtype: 'BF16', shape: [8, 8] },
        }),
      },
    },
    { name: 'no config.json', files: single(tinyLlama({ vocab: 70 })) },
    { name: 'no weights', files: { 'config.json': config() } },
    ...incomplete(tinyLlama({ vocab: 70 })).map((c) => ({
      name: `${c.name}: quiet`,
      files: { 'config.json': config(), ...c.files },
    })),
  ],
  invalid: [
    {
      name: 'tokens added to the embedding and lm_head but not to config.json',
      files: { 'config.json': config(), ...single(tinyLlama({ vocab: 70 })) },
      errors: [
        {
          messageId: 'embedding',
          path: 'config.json',
          line: 6,
          column: 3,
          pointer: '/vocab_size',
          message:
            'The input embedding model.embed_tokens.weight has 70 rows (one per token) but config.json "vocab_size" is 64.',
        },
        {
          messageId: 'lmHead',
          path: 'config.json',
          line: 6,
          column: 3,
          pointer: '/vocab_size',
          message:
            'The output layer lm_head.weight has 70 rows (one per token) but config.json "vocab_size" is 64.',
        },
      ],
    },
    {
      name: 'only lm_head differs, across shards',
      files: {
        'config.json': config(),
        ...sharded({ ...tinyLlama({ lmHead: false }), 'lm_head.weight': { dtype: 'BF16', shape: [60, 16] } }),
      },
      errors: [{ messageId: 'lmHead', path: 'config.json', line: 6, column: 3, message: 'has 60 rows' }],
    },
    {
      name: 'multimodal: the pointer is text_config.vocab_size',
      files: { 'config.json': multimodal({ vocab_size: 64 }), ...single(llava(66)) },
      errors: [
        {
          messageId: 'embedding',
          path: 'config.json',
          line: 10,
          column: 5,
          pointer: '/text_config/vocab_size',
          message:
            'language_model.model.embed_tokens.weight has 66 rows (one per token) but config.json "text_config.vocab_size" is 64',
        },
        {
          messageId: 'lmHead',
          path: 'config.json',
          line: 10,
          column: 5,
          pointer: '/text_config/vocab_size',
          message: 'language_model.lm_head.weight has 66 rows',
        },
      ],
    },
    {
      name: 'ChatGLM: padded_vocab_size and transformer.embedding.word_embeddings',
      files: {
        'config.json': configJson({ vocab_size: undefined, padded_vocab_size: 64 }),
        ...single({
          'transformer.embedding.word_embeddings.weight': { dtype: 'F16', shape: [65, 16] },
          'transformer.encoder.layers.0.input_layernorm.weight': { dtype: 'F16', shape: [16] },
          'transformer.output_layer.weight': { dtype: 'F16', shape: [64, 16] },
        }),
      },
      errors: [
        {
          messageId: 'embedding',
          path: 'config.json',
          line: 6,
          column: 3,
          pointer: '/padded_vocab_size',
          message:
            'transformer.embedding.word_embeddings.weight has 65 rows (one per token) but config.json "padded_vocab_size" is 64',
        },
      ],
    },
    {
      name: 'mllama: an embedding of exactly vocab_size rows lacks the 8 image-token rows',
      files: {
        'config.json': JSON.stringify({ model_type: 'mllama', text_config: { vocab_size: 64 } }),
        ...single(tinyLlama({ prefix: 'language_model.model.', headPrefix: 'language_model.' })),
      },
      errors: [
        {
          messageId: 'embedding',
          path: 'config.json',
          line: 1,
          column: 39,
          pointer: '/text_config/vocab_size',
          message:
            'has 64 rows (one per token) but config.json "text_config.vocab_size" is 64 (72 rows with the 8 this model type adds).',
        },
      ],
    },
  ],
})
