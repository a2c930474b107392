import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { listNames, plural } from '../../common/wording.js'
import { at, field } from '../../artifacts/json-document.js'
import { isObject } from '../../common/json.js'

/** `"q_proj": 16, "v_proj": 32 and 3 more`: the real entries, cut short. */
function entries(pattern: Record<string, unknown>): string {
  return listNames(
    Object.entries(pattern).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`),
    3,
  )
}

/** Set in the sense of PEFT: not null, not an empty string or list. */
const isSet = (value: unknown) =>
  value !== undefined &&
  value !== null &&
  !(typeof value === 'string' && value === '') &&
  !(Array.isArray(value) && value.length === 0)

const convertHint =
  'Retrain with one rank and alpha for every layer (r and lora_alpha only), or merge the adapter into the base model with merge_and_unload() and deploy the merged model.'

export default defineModelRule({
  meta: {
    id: 'MR606',
    name: 'adapter-rank-patterns',
    description: 'Require a LoRA adapter to use one rank and alpha on every layer of the base model',
    severity: 'warning',
    artifacts: ['adapterConfig'],
    appliesTo: ['adapter'],
    messages: {
      rankPattern: {
        text: (d: { count: number; entries: string }) =>
          `"rank_pattern" sets its own rank for ${plural(d.count, 'module pattern')} (${d.entries}), and Friendli's legacy adapter converter rejected per-layer ranks.`,
        hint: () => convertHint,
      },
      alphaPattern: {
        text: (d: { count: number; entries: string }) =>
          `"alpha_pattern" sets its own alpha for ${plural(d.count, 'module pattern')} (${d.entries}), and Friendli's legacy adapter converter rejected per-layer alphas.`,
        hint: () => convertHint,
      },
      layersToTransform: {
        text: (d: { value: string }) =>
          `"layers_to_transform" is ${d.value}, so only some layers may be adapted, and Friendli's legacy adapter converter accepted it only when it listed every layer of the base model.`,
        hint: () =>
          'Set layers_to_transform to null (adapt every layer) and retrain, unless the list already holds every layer of the base model.',
      },
      layersPattern: {
        text: (d: { value: string }) =>
          `"layers_pattern" is ${d.value}, and Friendli's legacy adapter converter accepted only adapters without one.`,
        hint: () => 'Set layers_pattern to null together with layers_to_transform, and retrain.',
      },
    },
  },
  check({ artifacts: { adapterConfig }, report }) {
    const doc = docOf(adapterConfig)
    if (!doc) return
    for (const [key, message] of [
      ['rank_pattern', 'rankPattern'],
      ['alpha_pattern', 'alphaPattern'],
    ] as const) {
      const pattern = field(doc, key)
      if (isObject(pattern) && Object.keys(pattern).length > 0)
        report(message, { count: Object.keys(pattern).length, entries: entries(pattern) }, at(doc, `/${key}`))
    }
    const layers = field(doc, 'layers_to_transform')
    if (isSet(layers)) report('layersToTransform', { value: short(layers) }, at(doc, '/layers_to_transform'))
    const pattern = field(doc, 'layers_pattern')
    if (isSet(pattern)) report('layersPattern', { value: short(pattern) }, at(doc, '/layers_pattern'))
  },
})

/** A JSON value as written, cut to a readable length (a list of 80 layer numbers says little more). */
function short(value: unknown): string {
  const text = JSON.stringify(value)
  return text.length <= 60 ? text : `${text.slice(0, 57)}…`
}
