import rule from '../../../src/rules/model/layer-count-mismatch.js'
import { incomplete, sharded, single, tinyLlama, type Tensors } from '../../helpers/model-weights.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const config = (layers: number, extra: Record<string, unknown> = {}) =>
  configJson({ vocab_size: 64, hidden_size: 16, num_hidden_layers: layers, ...extra })

const f16 = (...shape: number[]) => ({ dtype: 'F16', shape })

/** GPT-2 as save_pretrained writes GPT2LMHeadModel (`prefix` 'transformer.') or as the hub's gpt2 has it (''). */
function gpt2(layers: number, prefix = 'transformer.'): Tensors {
  const out: Tensors = { [`${prefix}wte.weight`]: f16(64, 16), [`${prefix}wpe.weight`]: f16(32, 16) }
  for (let i = 0; i < layers; i++) out[`${prefix}h.${i}.attn.c_attn.weight`] = f16(16, 48)
  out[`${prefix}ln_f.weight`] = f16(16)
  return out
}

/** Qwen2-VL: a vision tower of 4 blocks beside the language model. */
const qwen2vl = (layers: number) => ({
  ...tinyLlama({ layers }),
  ...Object.fromEntries([0, 1, 2, 3].map((i) => [`visual.blocks.${i}.attn.qkv.weight`, f16(24, 8)])),
  'visual.merger.mlp.0.weight': f16(16, 32),
})

ruleTester(rule, {
  valid: [
    {
      name: 'as many layers as num_hidden_layers',
      files: { 'config.json': config(2), ...single(tinyLlama()) },
    },
    { name: 'sharded', files: { 'config.json': config(3), ...sharded(tinyLlama({ layers: 3 })) } },
    {
      name: 'GPT-2: transformer.h.N and n_layer',
      files: { 'config.json': configJson({ n_layer: 3 }), ...single(gpt2(3)) },
    },
    {
      name: 'GPT-2 as on the hub: h.N without a prefix',
      files: { 'config.json': configJson({ n_layer: 2 }), ...single(gpt2(2, '')) },
    },
    {
      name: 'DeepSeek-V3: the MTP layer after the decoder layers (61 + 1)',
      files: {
        'config.json': config(2, { num_nextn_predict_layers: 1 }),
        ...single(tinyLlama({ layers: 2, extraLayers: 1 })),
      },
    },
    {
      name: 'DeepSeek-V3 re-uploaded without its MTP layer',
      files: {
        'config.json': config(2, { num_nextn_predict_layers: 1 }),
        ...single(tinyLlama({ layers: 2 })),
      },
    },
    {
      name: 'Qwen2-VL: the vision tower has blocks of its own',
      files: { 'config.json': config(2, { vision_config: { depth: 4 } }), ...single(qwen2vl(2)) },
    },
    {
      name: 'Qwen3-Next: MTP layers under mtp.layers are a separate stack',
      files: {
        'config.json': config(2),
        ...single({ ...tinyLlama(), 'mtp.layers.0.self_attn.q_proj.weight': f16(16, 16) }),
      },
    },
    {
      name: 'T5: an encoder and a decoder stack, nothing to compare',
      files: {
        'config.json': configJson({ num_layers: 5, num_decoder_layers: 5 }),
        ...single({
          'shared.weight': f16(64, 16),
          'encoder.block.0.layer.0.SelfAttention.q.weight': f16(16, 16),
          'decoder.block.0.layer.0.SelfAttention.q.weight': f16(16, 16),
        }),
      },
    },
    {
      name: 'an index of ten digits is not a layer number',
      files: {
        'config.json': config(2),
        ...single({ ...tinyLlama(), 'model.layers.1234567890.x.weight': f16(2, 2) }),
      },
    },
    {
      name: 'no layer names at all',
      files: { 'config.json': config(2), ...single({ 'w.weight': f16(4, 4) }) },
    },
    { name: 'no config.json, no gaps', files: single(tinyLlama()) },
    ...incomplete(tinyLlama({ layers: 4, skip: [1] })).map((c) => ({
      name: `${c.name}: quiet`,
      files: { 'config.json': config(6), ...c.files },
    })),
  ],
  invalid: [
    {
      name: 'fewer layers in the weights than in config.json',
      files: { 'config.json': config(4), ...single(tinyLlama({ layers: 2 })) },
      errors: [
        {
          messageId: 'count',
          path: 'config.json',
          line: 8,
          column: 3,
          pointer: '/num_hidden_layers',
          message:
            'The weights hold decoder layers model.layers.0 to model.layers.1 (2 layers) but config.json "num_hidden_layers" is 4.',
        },
      ],
    },
    {
      name: 'more layers in the weights (GPT-2, n_layer)',
      files: { 'config.json': configJson({ n_layer: 2 }), ...single(gpt2(3)) },
      errors: [
        {
          messageId: 'count',
          path: 'config.json',
          line: 7,
          column: 3,
          pointer: '/n_layer',
          message:
            'decoder layers transformer.h.0 to transformer.h.2 (3 layers) but config.json "n_layer" is 2.',
        },
      ],
    },
    {
      name: 'DeepSeek-V3: more layers than num_hidden_layers plus the MTP layers',
      files: {
        'config.json': config(2, { num_nextn_predict_layers: 1 }),
        ...single(tinyLlama({ layers: 2, extraLayers: 2 })),
      },
      errors: [
        {
          messageId: 'count',
          path: 'config.json',
          line: 8,
          column: 3,
          message:
            'model.layers.0 to model.layers.3 (4 layers) but config.json "num_hidden_layers" is 2 (or 3 counting the 1 MTP layer of "num_nextn_predict_layers").',
        },
      ],
    },
    {
      name: 'a layer missing in the middle, single file',
      files: { 'config.json': config(4), ...single(tinyLlama({ layers: 4, skip: [1] })) },
      errors: [
        {
          messageId: 'gaps',
          path: 'model.safetensors',
          message:
            'Decoder layer 1 has no tensors (model.layers.N.*), though the weights go up to model.layers.3.',
        },
      ],
    },
    {
      name: 'layers missing in the middle of a sharded model, and too few layers',
      files: { 'config.json': config(6), ...sharded(tinyLlama({ layers: 5, skip: [1, 3] })) },
      errors: [
        {
          messageId: 'count',
          path: 'config.json',
          line: 8,
          column: 3,
          message: '(5 layers) but config.json "num_hidden_layers" is 6.',
        },
        {
          messageId: 'gaps',
          path: 'model.safetensors.index.json',
          message: 'Decoder layers 1 and 3 have no tensors',
        },
      ],
    },
    {
      name: 'many layers missing: the first ten are listed',
      files: {
        'config.json': config(15),
        ...single(tinyLlama({ layers: 15, skip: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] })),
      },
      errors: [
        {
          messageId: 'gaps',
          path: 'model.safetensors',
          message: 'Decoder layers 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 3 more have no tensors',
        },
      ],
    },
    {
      name: 'a layer index of a billion is reported without counting to it',
      files: {
        'config.json': config(2),
        ...single({ ...tinyLlama(), 'model.layers.999999999.mlp.down_proj.weight': f16(2, 2) }),
      },
      errors: [
        {
          messageId: 'count',
          path: 'config.json',
          line: 8,
          column: 3,
          message: 'model.layers.999999999 (1000000000 layers)',
        },
        {
          messageId: 'gaps',
          path: 'model.safetensors',
          message: 'Decoder layers 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 999999987 more',
        },
      ],
    },
    {
      name: 'multimodal: text_config.num_hidden_layers, the vision tower left out',
      files: {
        'config.json':
          JSON.stringify(
            {
              architectures: ['LlavaForConditionalGeneration'],
              text_config: { num_hidden_layers: 3 },
              vision_config: { num_hidden_layers: 2 },
            },
            null,
            2,
          ) + '\n',
        ...single({
          ...tinyLlama({ prefix: 'language_model.model.', headPrefix: 'language_model.' }),
          'vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight': f16(8, 8),
          'vision_tower.vision_model.encoder.layers.1.mlp.fc1.weight': f16(8, 8),
        }),
      },
      errors: [
        {
          messageId: 'count',
          path: 'config.json',
          line: 6,
          column: 5,
          pointer: '/text_config/num_hidden_layers',
          message:
            'language_model.model.layers.0 to language_model.model.layers.1 (2 layers) but config.json "text_config.num_hidden_layers" is 3.',
        },
      ],
    },
    {
      name: 'a gap is reported even when config.json is unreadable',
      files: { 'config.json': '{', ...single(tinyLlama({ layers: 3, skip: [0] })) },
      errors: [{ messageId: 'gaps', path: 'model.safetensors', message: 'Decoder layer 0 has no tensors' }],
    },
  ],
})
