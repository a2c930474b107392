import type { Dtype } from '../../artifacts/safetensors.js'
import { defineModelRule } from '../model-rule.js'
import type { ConfigValue, TextConfig } from '../../artifacts/model-config.js'
import { at } from '../../artifacts/json-document.js'
import { bytesByDtype } from '../utils/tensors.js'
import { formatDecimalBytes } from '../../common/wording.js'
import { keyName } from '../utils/text-model.js'

/** torch dtype names as config.json spells them, and the safetensors dtype each one means. */
const CONFIG_DTYPES: Record<string, Dtype> = {
  float16: 'F16',
  half: 'F16',
  bfloat16: 'BF16',
  float32: 'F32',
  float: 'F32',
  float64: 'F64',
  double: 'F64',
}

const CONFIG_NAME: Partial<Record<Dtype, string>> = {
  F16: 'float16',
  BF16: 'bfloat16',
  F32: 'float32',
  F64: 'float64',
}

/** The dtypes a model computes in; quantized weights (F8, packed integers) are the quantization rule's. */
const FLOATING: ReadonlySet<Dtype> = new Set<Dtype>(['F16', 'BF16', 'F32', 'F64'])

/** Scales, zero points and other side tensors of quantized weights, often kept in F32 on purpose. */
const QUANT_AUX =
  /(scales?|scale_inv|scale_2|global_scale|absmax|quant_map|qzeros|g_idx|biases|SCB|weight_shape)$|\.quant_state\./

/** vLLM refuses float16 for these model types: their activations overflow it. */
const FP16_UNSAFE: Record<string, string> = { gemma2: 'Gemma 2', gemma3: 'Gemma 3', gemma3_text: 'Gemma 3' }

interface Mismatch {
  key: string
  claimed: string
  dominant: Dtype
  /** "F32 99%, F16 1%": every floating dtype by share of the bytes. */
  shares: string
  total: string
  suggestion?: string
}

interface Gemma {
  modelType: string
  family: string
  /** The dtype key of config.json, or undefined when only the weights say float16. */
  key?: string
}

/** A dtype claim of config.json: torch_dtype (transformers 4) and dtype (transformers 5), each checked. */
function claims(config: TextConfig): { found: ConfigValue<string>; dtype?: Dtype }[] {
  const out: { found: ConfigValue<string>; dtype?: Dtype }[] = []
  for (const key of ['torch_dtype', 'dtype']) {
    const found = config.string([key])
    if (!found) continue
    const name = found.value.replace(/^torch\./, '')
    if (name === 'auto') continue
    out.push({ found, dtype: CONFIG_DTYPES[name] })
  }
  return out
}

export default defineModelRule({
  meta: {
    id: 'MR315',
    name: 'dtype-mismatch',
    description: 'Require the dtype in config.json to match the dtype most of the weights are stored in',
    severity: 'warning',
    artifacts: ['textConfig', 'tensors'],
    messages: {
      mismatch: {
        text: (d: Mismatch) =>
          `config.json "${d.key}" is "${d.claimed}", but most of the floating-point weights are ${d.dominant} (${d.shares} of ${d.total}).`,
        hint: (d: Mismatch) =>
          `Serving engines load the weights in the dtype config.json names, so the model is converted on load${d.dominant === 'F32' ? ' and the memory estimate is off' : ''}. ` +
          (d.suggestion
            ? `Set "${d.key}" to "${d.suggestion}" to match the weights, or convert the weights to ${d.claimed} and save them again.`
            : `Convert the weights to ${d.claimed} and save them again.`),
      },
      gemmaFloat16: {
        text: (d: Gemma) =>
          (d.key
            ? `config.json "${d.key}" is "float16" for a ${d.modelType} model`
            : `The weights of this ${d.modelType} model are float16 and config.json names no dtype`) +
          `; ${d.family} activations exceed the float16 range, which gives inf or NaN outputs.`,
        hint: (d: Gemma) =>
          `Serve ${d.family} in bfloat16 (or float32): ${d.key ? `set "${d.key}" to "bfloat16"` : 'set "torch_dtype" to "bfloat16"'}, and save the weights in bfloat16 if they were converted. vLLM refuses float16 for this model type for the same reason.`,
      },
    },
  },
  check({ artifacts: { textConfig: config, tensors: table }, report }) {
    if (!config) return
    const { doc } = config
    const stated = claims(config)
    const tensors = table?.loaded

    let dominant: { dtype: Dtype; shares: string; total: number } | undefined
    if (tensors) {
      const floating = tensors.filter((t) => FLOATING.has(t.dtype) && !QUANT_AUX.test(t.name))
      const byDtype = [...bytesByDtype(floating)]
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      const total = byDtype.reduce((a, [, n]) => a + n, 0)
      const pct = (n: number) =>
        n === total ? '100' : Math.min(99, Math.max(1, Math.round((n / total) * 100)))
      if (total > 0)
        dominant = {
          dtype: byDtype[0][0],
          shares: byDtype.map(([dtype, n]) => `${dtype} ${pct(n)}%`).join(', '),
          total,
        }
    }

    if (dominant) {
      for (const { found, dtype } of stated) {
        if (!dtype || dtype === dominant.dtype) continue
        report(
          'mismatch',
          {
            key: keyName(found.pointer),
            claimed: found.value,
            dominant: dominant.dtype,
            shares: dominant.shares,
            total: formatDecimalBytes(dominant.total),
            suggestion: CONFIG_NAME[dominant.dtype],
          },
          at(doc, found.pointer),
        )
      }
    }

    // PaliGemma 2 is model_type paligemma with a gemma2 text_config: the language model decides.
    const modelType = config
      .candidates(['model_type'])
      .find(
        (c): c is { value: string; pointer: string } =>
          typeof c.value === 'string' && Object.hasOwn(FP16_UNSAFE, c.value),
      )
    if (!modelType) return
    const family = FP16_UNSAFE[modelType.value]
    const fp16 = stated.find((s) => s.dtype === 'F16')
    if (fp16)
      report(
        'gemmaFloat16',
        { modelType: modelType.value, family, key: keyName(fp16.found.pointer) },
        at(doc, fp16.found.pointer),
      )
    else if (!stated.some((s) => s.dtype) && dominant?.dtype === 'F16')
      report('gemmaFloat16', { modelType: modelType.value, family }, at(doc, modelType.pointer))
  },
})
