import type { Dtype } from '../../artifacts/safetensors.js'
import { defineModelRule } from '../model-rule.js'
import {
  FP8_DTYPES,
  formatGb,
  instanceName,
  largestInstance,
  smallestFit,
  WEIGHT_SHARE,
  type Instance,
} from '../utils/instances.js'
import { bytesByDtype, parameterCount } from '../utils/tensors.js'
import { formatDecimalBytes, formatCount } from '../../common/wording.js'

interface Size {
  parameters: string
  weights: string
  dtypes: string
}

const KEPT = `${Math.round((1 - WEIGHT_SHARE) * 100)}% of GPU memory left for the KV cache and activations`
const B200_NOTE = "B200 counted at 180 GB, DGX B200's 1,440 GB over its 8 GPUs"
const HEADROOM = `The estimate counts the weights only: they must fit in ${Math.round(WEIGHT_SHARE * 100)}% of the instance's GPU memory, leaving ${Math.round((1 - WEIGHT_SHARE) * 100)}% for the KV cache, activations and CUDA buffers (${B200_NOTE}).`

/** "BF16", or "F8_E4M3 (96%), BF16 (4%), F32 (<1%)" by share of the bytes. */
export function describeDtypes(bytes: ReadonlyMap<Dtype, number>): string {
  const total = [...bytes.values()].reduce((a, b) => a + b, 0)
  const sorted = [...bytes].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  if (sorted.length === 1) return sorted[0][0]
  return sorted
    .map(([dtype, n]) => {
      const pct = (n / total) * 100
      return `${dtype} (${pct < 1 ? '<1' : Math.round(pct)}%)`
    })
    .join(', ')
}

function names(list: readonly Instance[]): string {
  return list.map(instanceName).join(' or ')
}

export default defineModelRule({
  meta: {
    id: 'MR701',
    name: 'gpu-fit',
    description:
      'Report the parameter count and the smallest Friendli instance whose GPU memory holds the weights',
    severity: 'info',
    artifacts: ['tensors'],
    messages: {
      fits: {
        text: (d: Size & { instances: Instance[]; fp8: boolean }) =>
          `${d.parameters} parameters (${d.weights} of weights in ${d.dtypes}); the smallest Friendli instance ` +
          `that holds them with ${KEPT} is ${names(d.instances)} (${formatGb(d.instances[0].memory)}` +
          `${d.instances.some((i) => i.gpu.name === 'B200') ? `; ${B200_NOTE}` : ''})` +
          `${d.fp8 ? ', A100 left out since it has no FP8' : ''}.`,
        hint: (d: { fp8: boolean }) =>
          `Choose at least this instance type when you create the endpoint, and a larger one for long contexts or large batches. ${HEADROOM}` +
          (d.fp8
            ? ' FP8 weights need Ada, Hopper or Blackwell GPUs, so A100 instances are not candidates.'
            : ''),
      },
      tooLarge: {
        severity: 'warning',
        text: (d: Size & { largest: Instance }) =>
          `${d.parameters} parameters (${d.weights} of weights in ${d.dtypes}) do not fit any Friendli instance: ` +
          `even ${instanceName(d.largest)} (${formatGb(d.largest.memory)}; ${B200_NOTE}) holds at most ` +
          `${formatGb(d.largest.memory * WEIGHT_SHARE)} of weights with ${KEPT}.`,
        hint: () =>
          `Make the weights smaller: quantize them to 8 or 4 bits (Friendli's online quantization, or a pre-quantized FP8 checkpoint), or deploy a smaller model. ${HEADROOM}`,
      },
    },
  },
  check({ artifacts: { tensors: table }, report }) {
    // An incomplete tensor set would understate the size: the integrity and index rules report why.
    // Only the files a loader reads count: a stray copy beside the shards is not on the GPU.
    if (!table) return
    const tensors = table.loaded
    const byDtype = bytesByDtype(tensors)
    const bytes = [...byDtype.values()].reduce((a, b) => a + b, 0)
    if (bytes === 0) return
    const size: Size = {
      parameters: formatCount(parameterCount(tensors)),
      weights: formatDecimalBytes(bytes),
      dtypes: describeDtypes(byDtype),
    }
    const fp8 = [...byDtype].some(([dtype, n]) => n > 0 && FP8_DTYPES.has(dtype))
    const fit = smallestFit(bytes, fp8)
    if (fit) report('fits', { ...size, instances: fit, fp8 }, { path: '.' })
    else report('tooLarge', { ...size, largest: largestInstance() }, { path: '.' })
  },
})
