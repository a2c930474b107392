import rule from '../../../src/rules/model/quantization.js'
import { incomplete, sharded, single, tinyLlama, type Tensors } from '../../helpers/model-weights.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const config = (extra: Record<string, unknown> = {}) =>
  configJson({ vocab_size: 64, hidden_size: 16, num_hidden_layers: 2, torch_dtype: 'bfloat16', ...extra })

const quantized = (settings: Record<string, unknown>) => config({ quantization_config: settings })

const t = (dtype: string, ...shape: number[]) => ({ dtype, shape })

/** quant_method is the first key of quantization_config: line 11, column 5. */
const AT_METHOD = { path: 'config.json', line: 11, column: 5, pointer: '/quantization_config/quant_method' }

/** DeepSeek-V3's FP8: F8_E4M3 projections with F32 128×128 block scales, BF16 embeddings and norms. */
function fp8(dtype = 'F8_E4M3'): Tensors {
  return {
    ...tinyLlama(),
    'model.layers.0.self_attn.q_proj.weight': t(dtype, 16, 16),
    'model.layers.0.self_attn.q_proj.weight_scale_inv': t('F32', 1, 1),
    'model.layers.1.mlp.down_proj.weight': t(dtype, 16, 16),
    'model.layers.1.mlp.down_proj.weight_scale_inv': t('F32', 1, 1),
  }
}

/** GPTQ / AWQ: I32 qweight and qzeros, F16 scales, in place of the F16 weight. */
function int4(): Tensors {
  const out = tinyLlama({ dtype: 'F16' })
  delete out['model.layers.0.mlp.down_proj.weight']
  return {
    ...out,
    'model.layers.0.mlp.down_proj.qweight': t('I32', 2, 16),
    'model.layers.0.mlp.down_proj.qzeros': t('I32', 1, 2),
    'model.layers.0.mlp.down_proj.scales': t('F16', 1, 16),
  }
}

/** gpt-oss: U8 *_blocks and *_scales for the experts. */
const mxfp4: Tensors = {
  ...tinyLlama(),
  'model.layers.0.mlp.experts.gate_up_proj_blocks': t('U8', 4, 32, 1, 16),
  'model.layers.0.mlp.experts.gate_up_proj_scales': t('U8', 4, 32, 1),
  'model.layers.0.mlp.experts.gate_up_proj_bias': t('BF16', 4, 32),
}

/** bitsandbytes 4-bit: U8 weight flattened, with absmax, quant_map and a quant_state entry. */
const bnb4: Tensors = {
  ...tinyLlama(),
  'model.layers.0.mlp.up_proj.weight': t('U8', 128, 1),
  'model.layers.0.mlp.up_proj.weight.absmax': t('F32', 4),
  'model.layers.0.mlp.up_proj.weight.quant_map': t('F32', 16),
  'model.layers.0.mlp.up_proj.weight.quant_state.bitsandbytes__nf4': t('U8', 64),
}

/** Friendli's INT8 (and compressed-tensors int-quantized): I8 weights with scales. */
const int8: Tensors = {
  ...tinyLlama(),
  'model.layers.0.mlp.up_proj.weight': t('I8', 16, 16),
  'model.layers.0.mlp.up_proj.weight_scale': t('F32', 16, 1),
}

/** mlx-lm 4-bit: U32 weights with scales and biases. */
const mlx: Tensors = {
  ...tinyLlama(),
  'model.layers.0.mlp.up_proj.weight': t('U32', 16, 2),
  'model.layers.0.mlp.up_proj.scales': t('BF16', 16, 1),
  'model.layers.0.mlp.up_proj.biases': t('BF16', 16, 1),
}

const DEEPSEEK_FP8 = {
  quant_method: 'fp8',
  activation_scheme: 'dynamic',
  fmt: 'e4m3',
  weight_block_size: [128, 128],
}

ruleTester(rule, {
  valid: [
    {
      name: 'unquantized, no quantization_config',
      files: { 'config.json': config(), ...single(tinyLlama()) },
    },
    { name: 'unquantized, sharded', files: { 'config.json': config(), ...sharded(tinyLlama()) } },
    {
      name: 'a quantization_config without quant_method says nothing this rule can use',
      files: { 'config.json': quantized({ bits: 4 }), ...single(int4()) },
    },
    { name: 'no config.json', files: single(int4()) },
    ...incomplete(int4()).map((c) => ({
      name: `GPTQ tensors but ${c.name}: no evidence to go on`,
      files: { 'config.json': config(), ...c.files },
    })),
  ],
  invalid: [
    {
      name: 'DeepSeek-V3 style fine-grained FP8 (info)',
      files: { 'config.json': quantized(DEEPSEEK_FP8), ...sharded(fp8()) },
      errors: [
        {
          messageId: 'supported',
          ...AT_METHOD,
          message:
            'config.json declares FP8 pre-quantized weights (quant_method fp8: fine-grained, 128×128 blocks as in DeepSeek-V3, which Friendli lists by name); FP8 runs only on Ada, Hopper and Blackwell GPUs, so not on A100 instances.',
        },
      ],
    },
    {
      name: 'FP8 with per-tensor scales (info)',
      files: {
        'config.json': quantized({ quant_method: 'fp8', activation_scheme: 'static' }),
        ...single(fp8()),
      },
      errors: [{ messageId: 'supported', ...AT_METHOD, message: 'per-tensor or per-channel scales' }],
    },
    {
      name: 'gpt-oss MXFP4 (info)',
      files: {
        'config.json': quantized({ quant_method: 'mxfp4', modules_to_not_convert: ['lm_head'] }),
        ...single(mxfp4),
      },
      errors: [
        {
          messageId: 'supported',
          ...AT_METHOD,
          message:
            'config.json declares MXFP4 pre-quantized weights (quant_method mxfp4: the gpt-oss format, which Friendli lists by name).',
        },
      ],
    },
    {
      name: 'AWQ (info, with the caveat that only FMO is named)',
      files: {
        'config.json': quantized({ quant_method: 'awq', bits: 4, group_size: 128, version: 'gemm' }),
        ...single(int4()),
      },
      errors: [
        {
          messageId: 'supported',
          ...AT_METHOD,
          message: 'that an AWQ checkpoint made by another tool (AutoAWQ, llm-awq) loads is not confirmed',
        },
      ],
    },
    {
      name: "Friendli's own INT8 (info)",
      files: {
        'config.json': quantized({ quant_method: 'int8', bits: 8, mode: 'dynamic' }),
        ...single(int8),
      },
      errors: [
        {
          messageId: 'supported',
          ...AT_METHOD,
          message: "INT8 pre-quantized weights (quant_method int8: Friendli's own format",
        },
      ],
    },
    {
      name: 'GPTQ: no Friendli source lists it',
      files: {
        'config.json': quantized({ quant_method: 'gptq', bits: 4, group_size: 128 }),
        ...single(int4()),
      },
      errors: [
        {
          messageId: 'unlisted',
          ...AT_METHOD,
          message:
            'config.json declares gptq quantization, a format no Friendli source lists as served: Friendli lists FP8, MXFP4, AWQ (through its optimizer, FMO) and its own INT8; AWQ is the closest of them to GPTQ.',
        },
      ],
    },
    {
      name: 'bitsandbytes 4-bit',
      files: {
        'config.json': quantized({ quant_method: 'bitsandbytes', load_in_4bit: true }),
        ...single(bnb4),
      },
      errors: [
        {
          messageId: 'unlisted',
          ...AT_METHOD,
          message: 'bitsandbytes weights are made to be loaded by the bitsandbytes library',
        },
      ],
    },
    {
      name: 'bitsandbytes saved by an old transformers: no quant_method, load_in_8bit',
      files: {
        'config.json': quantized({ load_in_8bit: true }),
        ...single({
          ...tinyLlama(),
          'model.layers.0.mlp.up_proj.weight': t('I8', 16, 16),
          'model.layers.0.mlp.up_proj.SCB': t('F32', 16),
        }),
      },
      errors: [
        {
          messageId: 'unlisted',
          path: 'config.json',
          line: 10,
          column: 3,
          pointer: '/quantization_config',
          message: 'declares bitsandbytes quantization',
        },
      ],
    },
    {
      name: 'compressed-tensors FP8 (float-quantized)',
      files: {
        'config.json': quantized({ quant_method: 'compressed-tensors', format: 'float-quantized' }),
        ...single(fp8()),
      },
      errors: [
        {
          messageId: 'unlisted',
          ...AT_METHOD,
          message: 'compressed-tensors is the format of llm-compressor and vLLM',
        },
      ],
    },
    {
      name: 'compressed-tensors pack-quantized with unquantized weights',
      files: {
        'config.json': quantized({ quant_method: 'compressed-tensors', format: 'pack-quantized' }),
        ...single(tinyLlama()),
      },
      errors: [
        { messageId: 'unlisted', ...AT_METHOD },
        {
          messageId: 'noEvidence',
          ...AT_METHOD,
          message:
            'config.json declares compressed-tensors quantization, but no tensor has that layout (weight_packed with weight_scale): the weights look unquantized (BF16 100%).',
        },
      ],
    },
    {
      name: "llm-compressor's first releases: compression_config",
      files: {
        'config.json': config({
          compression_config: { quant_method: 'compressed-tensors', format: 'int-quantized' },
        }),
        ...single(int8),
      },
      errors: [
        {
          messageId: 'unlisted',
          path: 'config.json',
          line: 11,
          column: 5,
          pointer: '/compression_config/quant_method',
          message: 'declares compressed-tensors quantization',
        },
      ],
    },
    {
      name: 'MLX 4-bit ("quantization", as mlx-lm writes it)',
      files: { 'config.json': config({ quantization: { group_size: 64, bits: 4 } }), ...single(mlx) },
      errors: [
        {
          messageId: 'unlisted',
          path: 'config.json',
          line: 10,
          column: 3,
          pointer: '/quantization',
          message:
            'declares mlx quantization, a format no Friendli source lists as served: Friendli lists FP8, MXFP4, AWQ (through its optimizer, FMO) and its own INT8; MLX weights are made for Apple silicon.',
        },
      ],
    },
    {
      name: 'FP8 declared, but the weights were dequantized to BF16',
      files: { 'config.json': quantized(DEEPSEEK_FP8), ...single(tinyLlama()) },
      errors: [
        { messageId: 'supported', ...AT_METHOD },
        {
          messageId: 'noEvidence',
          ...AT_METHOD,
          message:
            'config.json declares fp8 quantization, but no tensor has that layout (F8_E4M3 weights with weight_scale or weight_scale_inv): the weights look unquantized (BF16 100%).',
        },
      ],
    },
    {
      name: 'GPTQ declared, FP8 tensors found',
      files: { 'config.json': quantized({ quant_method: 'gptq', bits: 4 }), ...single(fp8()) },
      errors: [
        { messageId: 'unlisted', ...AT_METHOD },
        {
          messageId: 'noEvidence',
          ...AT_METHOD,
          message: ': the tensors are FP8 (model.layers.0.self_attn.q_proj.weight) instead.',
        },
      ],
    },
    {
      name: 'FP8 in the E5M2 encoding',
      files: { 'config.json': quantized({ quant_method: 'fp8' }), ...single(fp8('F8_E5M2')) },
      errors: [
        { messageId: 'supported', ...AT_METHOD },
        {
          messageId: 'fp8Encoding',
          ...AT_METHOD,
          message:
            "The FP8 weights use the F8_E5M2 encoding (model.layers.0.self_attn.q_proj.weight); Friendli's FP8 support names only E4M3.",
        },
      ],
    },
    {
      name: 'GPTQ tensors, and only the AutoGPTQ quantize_config.json (TheBloke/WizardCoder-15B-1.0-GPTQ)',
      files: {
        'config.json': config(),
        'quantize_config.json': '{"bits": 4, "group_size": 128}',
        ...single(int4()),
      },
      errors: [
        {
          messageId: 'undeclared',
          path: 'config.json',
          message:
            'The tensors are quantized as GPTQ or AWQ (model.layers.0.mlp.down_proj.qweight: I32 qweight with qzeros and scales) but config.json has no "quantization_config" (only quantize_config.json, which transformers does not read).',
        },
      ],
    },
    {
      name: 'FP8 tensors and no quantization_config',
      files: { 'config.json': config(), ...sharded(fp8()) },
      errors: [
        {
          messageId: 'undeclared',
          path: 'config.json',
          message: 'The tensors are quantized as FP8 (',
        },
      ],
    },
    ...incomplete(fp8()).map((c) => ({
      name: `FP8 declared and ${c.name}: the format is still reported, the tensors are not checked`,
      files: { 'config.json': quantized({ quant_method: 'fp8' }), ...c.files },
      errors: [{ messageId: 'supported', ...AT_METHOD }],
    })),
  ],
})
