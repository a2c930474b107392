// What config.json says about quantization, what the tensors show, and whether Friendli lists the
// format (https://friendli.ai/docs/guides/dedicated-endpoints/online-quantization,
// https://friendli.ai/docs/guides/container/quantization, and the README of
// https://github.com/friendliai/friendli-model-optimizer). Friendli names FP8 (fine-grained, DeepSeek-V3 style included) and
// MXFP4 among the pre-quantized formats its engine serves, AWQ and INT8 as modes of its own
// optimizer (FMO) and quantizer; no Friendli source names GPTQ, bitsandbytes, compressed-tensors,
// ModelOpt, MLX or GGUF.
import type { Dtype } from '../../artifacts/safetensors.js'
import type { Tensor } from '../../artifacts/tensors.js'
import { defineModelRule } from '../model-rule.js'
import type { TextConfig } from '../../artifacts/model-config.js'
import { at } from '../../artifacts/json-document.js'
import { isObject } from '../../common/json.js'
import { bytesByDtype } from '../utils/tensors.js'
import { hasRootFile } from '../utils/files.js'

/** A kind of quantized storage recognisable from tensor names and dtypes alone. */
type Evidence = 'fp8' | 'gptq-awq' | 'mxfp4' | 'bitsandbytes' | 'int8' | 'ct-packed' | 'nvfp4' | 'mlx'

const EVIDENCE_NAME: Record<Evidence, string> = {
  fp8: 'FP8',
  'gptq-awq': 'GPTQ or AWQ',
  mxfp4: 'MXFP4',
  bitsandbytes: 'bitsandbytes',
  int8: 'INT8',
  'ct-packed': 'compressed-tensors (packed)',
  nvfp4: 'NVFP4 (ModelOpt)',
  mlx: 'MLX',
}

/** What a tensor of each kind looks like, for messages. */
const EVIDENCE_SHAPE: Record<Evidence, string> = {
  fp8: 'F8_E4M3 weights with weight_scale or weight_scale_inv',
  'gptq-awq': 'I32 qweight with qzeros and scales',
  mxfp4: 'U8 *_blocks with *_scales',
  bitsandbytes: 'U8 weights with absmax and quant_state, or I8 weights with SCB',
  int8: 'I8 weights',
  'ct-packed': 'weight_packed with weight_scale',
  nvfp4: 'U8 weights with weight_scale and weight_scale_2',
  mlx: 'U32 weights with scales and biases',
}

interface Seen {
  /** One tensor that shows it, e.g. model.layers.0.mlp.down_proj.qweight. */
  example: string
  dtype: Dtype
}

const F8: ReadonlySet<Dtype> = new Set<Dtype>(['F8_E4M3', 'F8_E5M2', 'F8_E4M3FNUZ', 'F8_E5M2FNUZ'])

/** Every kind of quantized storage the tensors show, with the first tensor showing each. */
function evidenceOf(tensors: readonly Tensor[]): Map<Evidence, Seen> {
  const names = new Set(tensors.map((t) => t.name))
  const out = new Map<Evidence, Seen>()
  const saw = (kind: Evidence, t: Tensor) => {
    if (!out.has(kind)) out.set(kind, { example: t.name, dtype: t.dtype })
  }
  for (const t of tensors) {
    const n = t.name
    if (n.endsWith('.qweight') && t.dtype === 'I32') saw('gptq-awq', t)
    else if (n.endsWith('.weight_packed')) saw('ct-packed', t)
    else if (n.endsWith('_blocks') && t.dtype === 'U8' && names.has(`${n.slice(0, -7)}_scales`))
      saw('mxfp4', t)
    else if (n.endsWith('.absmax') || n.includes('.quant_state.bitsandbytes__') || n.endsWith('.SCB'))
      saw('bitsandbytes', t)
    else if (n.endsWith('.weight') && t.shape.length >= 2) {
      const base = n.slice(0, -'.weight'.length)
      if (F8.has(t.dtype)) saw('fp8', t)
      else if (t.dtype === 'U8' && names.has(`${base}.weight_scale_2`)) saw('nvfp4', t)
      else if (t.dtype === 'I8' && !names.has(`${base}.SCB`)) saw('int8', t)
      else if (t.dtype === 'U32' && names.has(`${base}.scales`) && names.has(`${base}.biases`)) saw('mlx', t)
    }
  }
  return out
}

/** What config.json claims: the method, where it is said, and the quantization_config object. */
interface Claim {
  method: string
  pointer: string
  settings: Record<string, unknown>
}

function claimOf(config: TextConfig): Claim | { unknown: true } | undefined {
  // llm-compressor's first releases wrote the same object as compression_config.
  const qc = config.value(['quantization_config', 'compression_config'])
  if (qc && isObject(qc.value)) {
    const settings = qc.value
    if (typeof settings.quant_method === 'string' && settings.quant_method !== '')
      return {
        method: settings.quant_method.toLowerCase(),
        pointer: `${qc.pointer}/quant_method`,
        settings,
      }
    // transformers < 4.31 saved BitsAndBytesConfig without quant_method.
    if (['load_in_4bit', 'load_in_8bit', '_load_in_4bit', '_load_in_8bit'].some((k) => settings[k] === true))
      return { method: 'bitsandbytes', pointer: qc.pointer, settings }
  }
  // mlx-lm writes "quantization": {"group_size", "bits"} (and often a copy as quantization_config).
  const mlx = config.value(['quantization'])
  if (mlx && isObject(mlx.value) && typeof mlx.value.bits === 'number')
    return { method: 'mlx', pointer: mlx.pointer, settings: mlx.value }
  return qc && isObject(qc.value) ? { unknown: true } : undefined
}

/** The storage each method writes; undefined when it cannot be told from the tensors. */
function expectedEvidence(claim: Claim): Evidence[] | undefined {
  switch (claim.method) {
    case 'fp8':
    case 'fbgemm_fp8':
      return ['fp8']
    case 'gptq':
    case 'awq':
      return ['gptq-awq']
    case 'bitsandbytes':
      return ['bitsandbytes']
    case 'mxfp4':
      return ['mxfp4']
    case 'int8':
      return ['int8']
    case 'modelopt':
      return ['fp8', 'nvfp4']
    case 'mlx':
      return ['mlx']
    case 'compressed-tensors':
    case 'compressed_tensors':
      switch (claim.settings.format) {
        case 'float-quantized':
          return ['fp8']
        case 'int-quantized':
          return ['int8']
        case 'naive-quantized':
          return ['fp8', 'int8']
        case 'pack-quantized':
        case 'nvfp4-pack-quantized':
          return ['ct-packed']
        default:
          // "dense" (sparsity only), marlin-24 and the rest: nothing to compare.
          return undefined
      }
    default:
      return undefined
  }
}

/** The formats Friendli names, each with what a reader should know about it. */
function supported(claim: Claim): { label: string; detail: string; fp8: boolean } | undefined {
  switch (claim.method) {
    case 'fp8': {
      const block = claim.settings.weight_block_size
      const fineGrained =
        Array.isArray(block) && block.length === 2 && block.every((n) => Number.isSafeInteger(n) && n > 0)
      return {
        label: 'FP8',
        detail: fineGrained
          ? `fine-grained, ${block.join('×')} blocks as in DeepSeek-V3, which Friendli lists by name`
          : 'per-tensor or per-channel scales; Friendli lists fine-grained FP8 by name and produces FP8 with its optimizer, FMO',
        fp8: true,
      }
    }
    case 'mxfp4':
      return { label: 'MXFP4', detail: 'the gpt-oss format, which Friendli lists by name', fp8: false }
    case 'awq':
      return {
        label: 'AWQ',
        detail:
          'Friendli lists AWQ as a mode of its optimizer, FMO; that an AWQ checkpoint made by another tool (AutoAWQ, llm-awq) loads is not confirmed',
        fp8: false,
      }
    case 'int8':
      return {
        label: 'INT8',
        detail: "Friendli's own format, written by its quantizer and FMO",
        fp8: false,
      }
    default:
      return undefined
  }
}

/** Extra words on the formats people ask about most. */
const UNLISTED_NOTE: Record<string, string> = {
  bitsandbytes: 'bitsandbytes weights are made to be loaded by the bitsandbytes library at run time',
  gptq: 'AWQ is the closest of them to GPTQ',
  'compressed-tensors': 'compressed-tensors is the format of llm-compressor and vLLM',
  modelopt: "ModelOpt is the format of NVIDIA's TensorRT Model Optimizer",
  mlx: 'MLX weights are made for Apple silicon',
  gguf: 'GGUF is the llama.cpp format',
}

/** Side files older tools read in place of quantization_config (AutoGPTQ, AutoAWQ, ModelOpt). */
const SIDE_FILES = ['quantize_config.json', 'quant_config.json', 'hf_quant_config.json']

function describeWeights(tensors: readonly Tensor[]): string {
  const byDtype = [...bytesByDtype(tensors)].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])
  const total = byDtype.reduce((a, [, n]) => a + n, 0)
  return byDtype
    .slice(0, 3)
    .map(([dtype, n]) => `${dtype} ${Math.round((n / total) * 100)}%`)
    .join(', ')
}

export default defineModelRule({
  meta: {
    id: 'MR316',
    name: 'quantization',
    description:
      'Report pre-quantized weights: whether Friendli lists the format, and whether config.json and the tensors agree',
    severity: 'warning',
    artifacts: ['textConfig', 'tensors', 'files'],
    messages: {
      supported: {
        severity: 'info',
        text: (d: { method: string; label: string; detail: string; fp8: boolean }) =>
          `config.json declares ${d.label} pre-quantized weights (quant_method ${d.method}: ${d.detail})` +
          (d.fp8 ? '; FP8 runs only on Ada, Hopper and Blackwell GPUs, so not on A100 instances' : '') +
          '.',
        hint: (d: { fp8: boolean }) =>
          (d.fp8 ? 'Choose an H100, H200 or B200 instance. ' : '') +
          'Leave Online Quantization off for this endpoint: Friendli notes that models already quantized may not be compatible with it.',
      },
      unlisted: {
        text: (d: { method: string; note?: string }) =>
          `config.json declares ${d.method} quantization, a format no Friendli source lists as served: ` +
          `Friendli lists FP8, MXFP4, AWQ (through its optimizer, FMO) and its own INT8${d.note ? `; ${d.note}` : ''}.`,
        hint: () =>
          'Deploy the unquantized 16-bit model and let Friendli quantize it (Online Quantization, 8-bit or 4-bit), or quantize it to FP8 (for example with Friendli Model Optimizer, fmo quantize --mode fp8). If Friendli confirms that it serves this format, set this rule to info.',
      },
      fp8Encoding: {
        text: (d: { example: string; dtype: string }) =>
          `The FP8 weights use the ${d.dtype} encoding (${d.example}); Friendli's FP8 support names only E4M3.`,
        hint: () =>
          'Quantize to FP8 E4M3 (float8_e4m3fn), the encoding every FP8 serving engine expects for weights.',
      },
      noEvidence: {
        text: (d: { method: string; expected: string; found?: string; weights: string }) =>
          `config.json declares ${d.method} quantization, but no tensor has that layout (${d.expected})` +
          (d.found
            ? `: the tensors are ${d.found} instead`
            : `: the weights look unquantized (${d.weights})`) +
          '.',
        hint: (d: { found?: string }) =>
          d.found
            ? 'config.json and the weights come from different quantizations: save them again together, or fix "quantization_config" to describe the weights.'
            : 'If the weights were dequantized or merged back to 16-bit, remove "quantization_config"; otherwise upload the quantized weights. A loader that trusts config.json looks for quantized tensors and fails.',
      },
      undeclared: {
        text: (d: { kind: string; example: string; shape: string; sideFile?: string }) =>
          `The tensors are quantized as ${d.kind} (${d.example}: ${d.shape}) but config.json has no "quantization_config"` +
          (d.sideFile ? ` (only ${d.sideFile}, which transformers does not read)` : '') +
          '.',
        hint: () =>
          'Add the "quantization_config" the quantizer writes (save with a current transformers, optimum or quantization tool), or deploy the unquantized model: without it a loader reads the quantized tensors as plain weights and fails.',
      },
    },
  },
  check({ artifacts: { textConfig: config, tensors: table, files }, report }) {
    if (!config) return
    const { doc } = config
    const claim = claimOf(config)
    const tensors = table?.loaded
    const seen = tensors ? evidenceOf(tensors) : new Map<Evidence, Seen>()

    if (claim === undefined) {
      const first = [...seen][0]
      if (!first) return
      const [kind, example] = first
      const sideFile = SIDE_FILES.find((f) => hasRootFile(files, f))
      report(
        'undeclared',
        { kind: EVIDENCE_NAME[kind], example: example.example, shape: EVIDENCE_SHAPE[kind], sideFile },
        { path: doc.path },
      )
      return
    }
    if ('unknown' in claim) return

    const known = supported(claim)
    if (known) report('supported', { method: claim.method, ...known }, at(doc, claim.pointer))
    else {
      const note = UNLISTED_NOTE[claim.method.replace('_', '-')]
      report('unlisted', { method: claim.method, note }, at(doc, claim.pointer))
    }

    if (!tensors) return
    const expected = expectedEvidence(claim)
    if (expected && !expected.some((e) => seen.has(e))) {
      const others = [...seen.keys()].filter((e) => !expected.includes(e))
      report(
        'noEvidence',
        {
          method: claim.method,
          expected: expected.map((e) => EVIDENCE_SHAPE[e]).join(', or '),
          found:
            others.length > 0
              ? others.map((e) => `${EVIDENCE_NAME[e]} (${seen.get(e)!.example})`).join(', ')
              : undefined,
          weights: describeWeights(tensors),
        },
        at(doc, claim.pointer),
      )
    }
    const fp8 = seen.get('fp8')
    if (expected?.includes('fp8') && fp8 && fp8.dtype !== 'F8_E4M3')
      report('fp8Encoding', { example: fp8.example, dtype: fp8.dtype }, at(doc, claim.pointer))
  },
})
