import { defineModelRule } from '../model-rule.js'
import { at } from '../../artifacts/json-document.js'
import { keyName } from '../utils/text-model.js'
import { listNumbers } from '../../common/wording.js'

/** GPT-2, Bloom and Falcon's old configs say n_layer; ChatGLM and T5 num_layers; MPT and DBRX n_layers. */
const LAYER_KEYS = ['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers']

interface Count {
  prefix: string
  last: number
  key: string
  expected: number
  /** Extra layers config.json declares for multi-token prediction (DeepSeek-V3: 1). */
  mtp: number
}

interface Gaps {
  prefix: string
  /** The first missing indices (at most MAX_LISTED). */
  missing: number[]
  total: number
  last: number
}

const MAX_LISTED = 10

const layers = (n: number) => `${n} layer${n === 1 ? '' : 's'}`

export default defineModelRule({
  meta: {
    id: 'MR313',
    name: 'layer-count-mismatch',
    description: 'Require the decoder layers in the tensor names to match num_hidden_layers, with no gaps',
    severity: 'error',
    artifacts: ['textConfig', 'textModel', 'tensors', 'shardIndex'],
    messages: {
      count: {
        text: (d: Count) =>
          `The weights hold decoder layers ${d.prefix}.0 to ${d.prefix}.${d.last} (${layers(d.last + 1)}) but config.json "${d.key}" is ${d.expected}` +
          (d.mtp > 0
            ? ` (or ${d.expected + d.mtp} counting the ${d.mtp} MTP layer${d.mtp === 1 ? '' : 's'} of "num_nextn_predict_layers")`
            : '') +
          '.',
        hint: (d: Count) =>
          d.last + 1 < d.expected
            ? `Layers ${d.last + 1} to ${d.expected - 1} are missing, and a loader starts them from random values or refuses the model: save the whole model again, or set "${d.key}" to ${d.last + 1} if the model really has ${layers(d.last + 1)}.`
            : `A loader builds ${layers(d.expected)} from config.json and ignores or refuses the rest: set "${d.key}" to ${d.last + 1} if the weights are right, or save the weights again from the model config.json describes.`,
      },
      gaps: {
        text: (d: Gaps) =>
          `Decoder layer${d.total === 1 ? '' : 's'} ${listNumbers(d.missing, d.total)} ${d.total === 1 ? 'has' : 'have'} no tensors (${d.prefix}.N.*), though the weights go up to ${d.prefix}.${d.last}.`,
        hint: () =>
          'A missing layer is loaded with random values or refused. Save the whole model again; if the shards were copied by hand, copy the missing ones too.',
      },
    },
  },
  check({ artifacts: { textConfig: config, textModel: model, tensors, shardIndex }, report }) {
    const stack = model?.layers
    if (!tensors || !stack) return
    const last = stack.indices[stack.indices.length - 1]

    const claimed = config?.int(LAYER_KEYS)
    if (config && claimed) {
      const mtp = config.int(['num_nextn_predict_layers'])?.value ?? 0
      const count = last + 1
      // Checkpoints of DeepSeek-V3 and GLM-4.5 store their MTP layers after the decoder layers;
      // re-uploads often drop them.
      if (count !== claimed.value && count !== claimed.value + mtp)
        report(
          'count',
          { prefix: stack.prefix, last, key: keyName(claimed.pointer), expected: claimed.value, mtp },
          at(config.doc, claimed.pointer),
        )
    }

    // Indices are unique and at most `last`; a name like layers.999999999 must not cost a loop that long.
    const total = last + 1 - stack.indices.length
    if (total > 0) {
      const present = new Set(stack.indices)
      const missing: number[] = []
      for (let i = 0; missing.length < MAX_LISTED && missing.length < total; i++)
        if (!present.has(i)) missing.push(i)
      const path = shardIndex.state === 'ok' ? shardIndex.path : tensors.loaded[0].file
      report('gaps', { prefix: stack.prefix, missing, total, last }, { path })
    }
  },
})
