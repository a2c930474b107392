import { jsonType } from '../../artifacts/json-document.js'
import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { at, field, hasField } from '../../artifacts/json-document.js'

export default defineModelRule({
  meta: {
    id: 'MR204',
    name: 'missing-model-type',
    description: 'Require config.json to carry a model_type string',
    severity: 'warning',
    artifacts: ['config'],
    messages: {
      missing: {
        text: () =>
          'config.json has no "model_type" field; transformers (AutoConfig) relies on it to pick the model class.',
        hint: () =>
          'Add the model_type of the architecture, e.g. "model_type": "llama"; save_pretrained() writes it.',
      },
      notString: {
        text: (d: { found: string }) => `"model_type" in config.json must be a string but is ${d.found}.`,
        hint: () => 'Use the model_type of the architecture, e.g. "llama".',
      },
    },
  },
  check({ artifacts: { config }, report }) {
    const doc = docOf(config)
    if (!doc) return
    if (!hasField(doc, 'model_type')) return report('missing', {}, { path: doc.path })
    const value = field(doc, 'model_type')
    if (typeof value !== 'string' || value.trim() === '')
      report(
        'notString',
        { found: typeof value === 'string' ? 'an empty string' : jsonType(value) },
        at(doc, '/model_type'),
      )
  },
})
