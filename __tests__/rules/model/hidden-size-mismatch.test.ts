import rule from '../../../src/rules/model/hidden-size-mismatch.js'
import { incomplete, sharded, single, tinyLlama } from '../../helpers/model-weights.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const config = (extra: Record<string, unknown> = { hidden_size: 16 }) =>
  configJson({ vocab_size: 64, ...extra, num_hidden_layers: 2 })

const t = (dtype: string, ...shape: number[]) => ({ dtype, shape })

ruleTester(rule, {
  valid: [
    { name: 'width equals hidden_size', files: { 'config.json': config(), ...single(tinyLlama()) } },
    { name: 'sharded', files: { 'config.json': config(), ...sharded(tinyLlama()) } },
    {
      name: 'GPT-2: n_embd and transformer.wte',
      files: {
        'config.json': config({ n_embd: 16 }),
        ...single({
          'transformer.wte.weight': t('F32', 64, 16),
          'transformer.h.0.ln_1.weight': t('F32', 16),
        }),
      },
    },
    {
      name: 'Bloom: n_embed and word_embeddings without a prefix',
      files: {
        'config.json': config({ n_embed: 16 }),
        ...single({ 'word_embeddings.weight': t('BF16', 64, 16) }),
      },
    },
    {
      name: 'OPT-350m: the embedding is word_embed_proj_dim wide, not hidden_size',
      files: {
        'config.json': config({ hidden_size: 32, word_embed_proj_dim: 16 }),
        ...single({
          'model.decoder.embed_tokens.weight': t('F16', 64, 16),
          'model.decoder.project_in.weight': t('F16', 32, 16),
        }),
      },
    },
    {
      name: 'MLX 4-bit: the embedding is packed in U32, eight values an element',
      files: {
        'config.json': config(),
        ...single({
          'model.embed_tokens.weight': t('U32', 64, 2),
          'model.embed_tokens.scales': t('BF16', 64, 1),
          'model.embed_tokens.biases': t('BF16', 64, 1),
        }),
      },
    },
    {
      name: 'multimodal: hidden_size in text_config; the vision tower is narrower',
      files: {
        'config.json': JSON.stringify({
          text_config: { hidden_size: 16 },
          vision_config: { hidden_size: 8 },
        }),
        ...single({
          ...tinyLlama({ prefix: 'model.language_model.', headPrefix: '' }),
          'model.vision_tower.embeddings.word_embeddings.weight': t('BF16', 10, 8),
        }),
      },
    },
    {
      name: 'no hidden size in config.json',
      files: { 'config.json': config({}), ...single(tinyLlama({ hidden: 20 })) },
    },
    { name: 'no config.json', files: single(tinyLlama({ hidden: 20 })) },
    ...incomplete(tinyLlama({ hidden: 20 })).map((c) => ({
      name: `${c.name}: quiet`,
      files: { 'config.json': config(), ...c.files },
    })),
  ],
  invalid: [
    {
      name: 'config.json from another size of the model',
      files: { 'config.json': config({ hidden_size: 4096 }), ...single(tinyLlama()) },
      errors: [
        {
          messageId: 'width',
          path: 'config.json',
          line: 7,
          column: 3,
          pointer: '/hidden_size',
          message:
            'The input embedding model.embed_tokens.weight is 16 wide but config.json "hidden_size" is 4096.',
        },
      ],
    },
    {
      name: 'GPT-2 naming, sharded',
      files: {
        'config.json': config({ n_embd: 768 }),
        ...sharded({ 'transformer.wte.weight': t('F32', 64, 16), 'transformer.wpe.weight': t('F32', 8, 16) }),
      },
      errors: [
        {
          messageId: 'width',
          path: 'config.json',
          line: 7,
          column: 3,
          pointer: '/n_embd',
          message: 'transformer.wte.weight is 16 wide but config.json "n_embd" is 768',
        },
      ],
    },
    {
      name: 'multimodal: the pointer is text_config.hidden_size',
      files: {
        'config.json': JSON.stringify({ text_config: { hidden_size: 24 } }, null, 2),
        ...single(tinyLlama({ prefix: 'model.language_model.' })),
      },
      errors: [
        {
          messageId: 'width',
          path: 'config.json',
          line: 3,
          column: 5,
          pointer: '/text_config/hidden_size',
          message:
            'model.language_model.embed_tokens.weight is 16 wide but config.json "text_config.hidden_size" is 24',
        },
      ],
    },
    {
      name: 'an FP8 embedding is not packed',
      files: {
        'config.json': config({ hidden_size: 32 }),
        ...single({ 'model.embed_tokens.weight': t('F8_E4M3', 64, 16) }),
      },
      errors: [{ messageId: 'width', path: 'config.json', line: 7, column: 3 }],
    },
  ],
})
