import { formatDecimalBytes, plural } from '../../common/wording.js'
import { defineManifestRule } from '../manifest-rule.js'
import {
  holds,
  modelShape,
  SERVING_SHARE,
  smallestHolding,
  WEIGHTS_SHARE,
  type KvShape,
} from '../utils/endpoint-fit.js'
import { formatGb, instanceById, instanceName, type Instance } from '../utils/instances.js'
import { intAt, stringAt, where } from '../utils/manifest.js'

const POINTER = '/instanceOptionId'
const pct = (share: number) => `${Math.round(share * 100)}%`

/** "1× H100 80GB (TwD5AqnBSVN0, 80 GB)" */
function named(i: Instance): string {
  return `${instanceName(i)} (${i.id}, ${formatGb(i.memory)})`
}

/** "1× H100 80GB (…) or 1× A100 80GB (…)", or that none does. */
function smallest(list: readonly Instance[] | undefined): string {
  return list ? list.map(named).join(' or ') : 'none: no Friendli instance does'
}

interface Sizes {
  model: string
  instance: string
  weights: string
}
interface Kv {
  kv: string
  total: string
  tokens: string
  batch: string
  perToken: string
}

/** "2 × 32 layers × 8 KV heads × 128 head_dim × 2 bytes = 131 KB a token" */
function formula(kv: Extract<KvShape, { ok: true }>): string {
  return `2 × ${plural(kv.layers, 'layer')} × ${plural(kv.kvHeads, 'KV head')} × ${kv.headDim} head_dim × 2 bytes = ${formatDecimalBytes(kv.bytesPerToken)} a token`
}

export default defineManifestRule({
  meta: {
    id: 'EP302',
    name: 'instance-fit',
    description:
      "Require the manifest's instance to hold its model's weights and KV cache at the configured context and batch size",
    severity: 'error',
    reads: ['body', 'model'],
    messages: {
      weightsTooLarge: {
        text: (d: Sizes & { smallest: string; what: string }) =>
          `${d.instance} cannot hold ${d.model}: its weights alone (${d.weights}) take more than ${pct(WEIGHTS_SHARE)} of the instance's GPU memory, and the rest is less than the CUDA context, the activations and any KV cache need. The smallest instance that holds ${d.what} is ${d.smallest}.`,
        hint: () =>
          'Choose a larger instance (instanceOptionId), or deploy a smaller or quantized model (8 or 4 bits).',
      },
      kvTooLarge: {
        severity: 'warning',
        text: (d: Sizes & Kv & { smallest: string }) =>
          `${d.instance} holds the weights of ${d.model} (${d.weights}) but not their KV cache at ${d.tokens} tokens × ${d.batch}: ${d.kv} (${d.perToken}), ${d.total} in all, more than ${pct(SERVING_SHARE)} of its GPU memory. The smallest instance that holds both is ${d.smallest}.`,
        hint: () =>
          'Lower advanced.max_context_length or advanced.max_batch_size, or choose a larger instance; an engine with a paged KV cache serves fewer or shorter sequences at once when the cache does not fit.',
      },
      fits: {
        severity: 'info',
        text: (d: Sizes & Kv & { smallest: string }) =>
          `${d.instance} holds ${d.model}: weights ${d.weights} and a KV cache of ${d.kv} at ${d.tokens} tokens × ${d.batch} (${d.perToken}), ${d.total} in all, within ${pct(SERVING_SHARE)} of its GPU memory. The smallest instance that does is ${d.smallest}.`,
        hint: () =>
          'Nothing to fix; a smaller instance costs less, and a larger one leaves room for more sequences at once.',
      },
      fitsWeights: {
        severity: 'info',
        text: (d: Sizes & { why: string; smallest: string }) =>
          `${d.instance} holds the weights of ${d.model} (${d.weights}) within ${pct(WEIGHTS_SHARE)} of its GPU memory; the KV cache was not estimated: ${d.why}. The smallest instance that holds the weights is ${d.smallest}.`,
        hint: () =>
          'Leave room beside the weights for the KV cache of your context and batch size: with long contexts choose an instance well above the weights.',
      },
      notSized: {
        severity: 'info',
        text: (d: { model: string }) =>
          `The instance was not sized against ${d.model}: its safetensors weights are not a complete set that could be read (its own findings say why).`,
        hint: () => 'Fix the model findings on this line; the fit is checked once the weights can be sized.',
      },
      fp8: {
        severity: 'warning',
        text: (d: { model: string; instance: string }) =>
          `${d.model} has FP8 weights, and ${d.instance} has A100 GPUs, which have no FP8 tensor cores: Friendli serves FP8 on Ada, Hopper and Blackwell GPUs.`,
        hint: () => 'Choose an H100, H200 or B200 instance, or a 16-bit checkpoint of the model.',
      },
    },
  },
  check({ manifest, model, report }) {
    if (!manifest || !model) return
    const id = stringAt(manifest, POINTER)
    const instance = id === undefined ? undefined : instanceById(id)
    if (!instance) return
    const at = where(manifest.doc, POINTER)
    const shape = modelShape(model.tensors, model.textConfig, model.tokenizerConfig)
    const modelName = model.display
    if (shape.weightBytes === undefined) return report('notSized', { model: modelName }, at)
    if (shape.fp8 && !instance.gpu.fp8)
      report('fp8', { model: modelName, instance: instanceName(instance) }, at)
    const sizes: Sizes = {
      model: modelName,
      instance: named(instance),
      weights: formatDecimalBytes(shape.weightBytes),
    }

    const configured = intAt(manifest, '/advanced/max_context_length')
    const context = configured && configured > 0 ? configured : shape.context?.tokens
    const setBatch = intAt(manifest, '/advanced/max_batch_size')
    // Unset: one sequence at the full context, the least an endpoint serving that context must hold.
    const batch = setBatch && setBatch > 0 ? setBatch : 1
    const kvWhy = !shape.kv.ok
      ? shape.kv.why
      : context === undefined
        ? "neither advanced.max_context_length nor the model's files state a context length"
        : undefined
    if (!shape.kv.ok || context === undefined) {
      const need = { weights: shape.weightBytes }
      const verdict = holds(instance, need)
      if (verdict === 'no')
        return report(
          'weightsTooLarge',
          { ...sizes, what: 'the weights', smallest: smallest(smallestHolding(need, shape.fp8)) },
          at,
        )
      return report(
        'fitsWeights',
        { ...sizes, why: kvWhy!, smallest: smallest(smallestHolding(need, shape.fp8)) },
        at,
      )
    }
    const kvBytes = shape.kv.bytesPerToken * context * batch
    const need = { weights: shape.weightBytes, kv: kvBytes }
    const kv: Kv = {
      kv: formatDecimalBytes(kvBytes),
      total: formatDecimalBytes(shape.weightBytes + kvBytes),
      tokens: context.toLocaleString('en-US'),
      batch:
        setBatch && setBatch > 0
          ? `${setBatch.toLocaleString('en-US')} sequences (max_batch_size)`
          : '1 sequence (max_batch_size unset)',
      perToken: formula(shape.kv),
    }
    const fit = smallest(smallestHolding(need, shape.fp8))
    const verdict = holds(instance, need)
    if (verdict === 'no')
      report('weightsTooLarge', { ...sizes, what: 'the weights and their KV cache', smallest: fit }, at)
    else if (verdict === 'weights-only') report('kvTooLarge', { ...sizes, ...kv, smallest: fit }, at)
    else report('fits', { ...sizes, ...kv, smallest: fit }, at)
  },
})
