import rule from '../../../src/rules/model/dtype-mismatch.js'
import { incomplete, sharded, single, tinyLlama } from '../../helpers/model-weights.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'
import { makeSafetensors } from '../../helpers/safetensors.js'

const config = (extra: Record<string, unknown>) =>
  configJson({ vocab_size: 64, hidden_size: 16, num_hidden_layers: 2, ...extra })

const t = (dtype: string, ...shape: number[]) => ({ dtype, shape })

/** DeepSeek-V3's FP8 layout: F8_E4M3 projections with F32 block scales, BF16 embeddings and norms. */
const fp8Model = {
  ...tinyLlama({ lmHead: true }),
  'model.layers.0.self_attn.q_proj.weight': t('F8_E4M3', 256, 256),
  'model.layers.0.self_attn.q_proj.weight_scale_inv': t('F32', 2, 2),
  'model.layers.1.mlp.down_proj.weight': t('F8_E4M3', 256, 256),
  'model.layers.1.mlp.down_proj.weight_scale_inv': t('F32', 2, 2),
}

/** GPTQ: I32 qweight/qzeros, F16 scales (large here on purpose), F16 embeddings. */
const gptqModel = {
  ...tinyLlama({ dtype: 'F16' }),
  'model.layers.0.mlp.up_proj.qweight': t('I32', 2, 16),
  'model.layers.0.mlp.up_proj.qzeros': t('I32', 1, 2),
  'model.layers.0.mlp.up_proj.scales': t('F32', 64, 64),
  'model.layers.0.mlp.up_proj.g_idx': t('I32', 16),
}

ruleTester(rule, {
  valid: [
    {
      name: 'bfloat16 and BF16 weights',
      files: { 'config.json': config({ torch_dtype: 'bfloat16' }), ...single(tinyLlama()) },
    },
    {
      name: 'dtype (transformers 5) and torch_dtype agree with the weights',
      files: {
        'config.json': config({ torch_dtype: 'float16', dtype: 'float16' }),
        ...sharded(tinyLlama({ dtype: 'F16' })),
      },
    },
    {
      name: '"auto" makes no claim',
      files: { 'config.json': config({ torch_dtype: 'auto' }), ...single(tinyLlama({ dtype: 'F32' })) },
    },
    {
      name: 'no dtype in config.json',
      files: { 'config.json': config({}), ...single(tinyLlama({ dtype: 'F32' })) },
    },
    {
      name: '"torch.bfloat16" as some tools write it',
      files: { 'config.json': config({ torch_dtype: 'torch.bfloat16' }), ...single(tinyLlama()) },
    },
    {
      name: 'F32 norms in a BF16 model',
      files: {
        'config.json': config({ torch_dtype: 'bfloat16' }),
        ...single({
          ...tinyLlama(),
          'model.norm.weight': t('F32', 16),
          'model.layers.0.input_layernorm.weight': t('F32', 16),
        }),
      },
    },
    {
      name: 'FP8 (DeepSeek-V3 style): F8 weights and F32 scales are not the compute dtype',
      files: { 'config.json': config({ torch_dtype: 'bfloat16' }), ...single(fp8Model) },
    },
    {
      name: 'GPTQ: F32 scales and I32 packed weights are left out',
      files: { 'config.json': config({ torch_dtype: 'float16' }), ...single(gptqModel) },
    },
    {
      name: 'a dtype name this rule does not map',
      files: { 'config.json': config({ torch_dtype: 'float8_e4m3fn' }), ...single(tinyLlama()) },
    },
    {
      name: 'Gemma 1 in float16 is fine',
      files: {
        'config.json': config({ model_type: 'gemma', torch_dtype: 'float16' }),
        ...single(tinyLlama({ dtype: 'F16' })),
      },
    },
    {
      name: 'Gemma 2 in bfloat16',
      files: {
        'config.json': config({ model_type: 'gemma2', torch_dtype: 'bfloat16' }),
        ...single(tinyLlama()),
      },
    },
    {
      name: "a stray copy beside the shards (Mistral's consolidated.safetensors, F32 here) is not what is loaded",
      files: {
        'config.json': config({ torch_dtype: 'bfloat16' }),
        ...sharded(tinyLlama()),
        'consolidated.safetensors': makeSafetensors({
          'tok_embeddings.weight': t('F32', 64, 16),
          'layers.0.attention.wq.weight': t('F32', 16, 16),
          'output.weight': t('F32', 64, 16),
        }),
      },
    },
    { name: 'no config.json', files: single(tinyLlama()) },
    ...incomplete(tinyLlama({ dtype: 'F32' })).map((c) => ({
      name: `${c.name}: quiet`,
      files: { 'config.json': config({ torch_dtype: 'bfloat16' }), ...c.files },
    })),
  ],
  invalid: [
    {
      name: 'config.json says float32, the weights are BF16',
      files: { 'config.json': config({ torch_dtype: 'float32' }), ...single(tinyLlama()) },
      errors: [
        {
          messageId: 'mismatch',
          path: 'config.json',
          line: 9,
          column: 3,
          pointer: '/torch_dtype',
          message:
            'config.json "torch_dtype" is "float32", but most of the floating-point weights are BF16 (BF16 100% of 6.2 KB).',
        },
      ],
    },
    {
      name: 'config.json says bfloat16, the weights were saved in F32 (sharded, F16 norms)',
      files: {
        'config.json': config({ torch_dtype: 'bfloat16' }),
        ...sharded({ ...tinyLlama({ dtype: 'F32' }), 'model.norm.weight': t('F16', 16) }),
      },
      errors: [
        {
          messageId: 'mismatch',
          path: 'config.json',
          line: 9,
          column: 3,
          message:
            'config.json "torch_dtype" is "bfloat16", but most of the floating-point weights are F32 (F32 99%, F16 1% of 12.4 KB).',
        },
      ],
    },
    {
      name: 'TinyLlama re-saved with transformers 5: "dtype" float32 over BF16 weights',
      files: {
        'config.json':
          '{\n  "architectures": ["LlamaForCausalLM"],\n  "dtype": "float32",\n  "model_type": "llama"\n}\n',
        ...single(tinyLlama()),
      },
      errors: [
        {
          messageId: 'mismatch',
          path: 'config.json',
          line: 3,
          column: 3,
          pointer: '/dtype',
          message: '"dtype" is "float32"',
        },
      ],
    },
    {
      name: 'dtype right, torch_dtype (read by older stacks) wrong',
      files: { 'config.json': config({ torch_dtype: 'float16', dtype: 'bfloat16' }), ...single(tinyLlama()) },
      errors: [{ messageId: 'mismatch', path: 'config.json', line: 9, column: 3, pointer: '/torch_dtype' }],
    },
    {
      name: 'Gemma 2 in float16',
      files: {
        'config.json': config({ model_type: 'gemma2', torch_dtype: 'float16' }),
        ...single(tinyLlama({ dtype: 'F16' })),
      },
      errors: [
        {
          messageId: 'gemmaFloat16',
          path: 'config.json',
          line: 9,
          column: 3,
          pointer: '/torch_dtype',
          message:
            'config.json "torch_dtype" is "float16" for a gemma2 model; Gemma 2 activations exceed the float16 range, which gives inf or NaN outputs.',
        },
      ],
    },
    {
      name: 'Gemma 3 (multimodal): float16 over BF16 weights is both a mismatch and unsafe',
      files: {
        'config.json': JSON.stringify(
          { model_type: 'gemma3', torch_dtype: 'float16', text_config: { model_type: 'gemma3_text' } },
          null,
          2,
        ),
        ...single(tinyLlama({ prefix: 'language_model.model.', lmHead: false })),
      },
      errors: [
        {
          messageId: 'mismatch',
          path: 'config.json',
          line: 3,
          column: 3,
          message:
            '"torch_dtype" is "float16", but most of the floating-point weights are BF16 (BF16 100% of',
        },
        {
          messageId: 'gemmaFloat16',
          path: 'config.json',
          line: 3,
          column: 3,
          message: 'Gemma 3 activations',
        },
      ],
    },
    {
      name: 'PaliGemma 2: model_type paligemma, but its language model is gemma2',
      files: {
        'config.json': JSON.stringify(
          { model_type: 'paligemma', torch_dtype: 'float16', text_config: { model_type: 'gemma2' } },
          null,
          2,
        ),
        ...single(tinyLlama({ dtype: 'F16', prefix: 'language_model.model.', lmHead: false })),
      },
      errors: [
        { messageId: 'gemmaFloat16', path: 'config.json', line: 3, column: 3, message: 'for a gemma2 model' },
      ],
    },
    {
      name: 'Gemma 3 text model with float16 weights and no dtype in config.json',
      files: { 'config.json': config({ model_type: 'gemma3_text' }), ...single(tinyLlama({ dtype: 'F16' })) },
      errors: [
        {
          messageId: 'gemmaFloat16',
          path: 'config.json',
          line: 5,
          column: 3,
          pointer: '/model_type',
          message:
            'The weights of this gemma3_text model are float16 and config.json names no dtype; Gemma 3 activations',
        },
      ],
    },
    {
      name: 'Gemma 2 float16 is reported from config.json alone when the weights cannot be read',
      files: {
        'config.json': config({ model_type: 'gemma2', torch_dtype: 'float16' }),
        'model.safetensors': 'not weights',
      },
      errors: [{ messageId: 'gemmaFloat16', path: 'config.json', line: 9, column: 3 }],
    },
  ],
})
