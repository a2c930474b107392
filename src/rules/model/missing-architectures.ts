import { jsonType } from '../../artifacts/json-document.js'
import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { at, field, hasField } from '../../artifacts/json-document.js'

export default defineModelRule({
  meta: {
    id: 'MR202',
    name: 'missing-architectures',
    description: 'Require config.json to name the model class in a non-empty architectures list',
    severity: 'error',
    artifacts: ['config'],
    messages: {
      missing: {
        text: () =>
          'config.json has no "architectures" field, so Friendli cannot tell which model class to load.',
        hint: () =>
          'Add "architectures": ["<ModelClass>"], e.g. ["LlamaForCausalLM"]; save_pretrained() writes it from the model class.',
      },
      notList: {
        text: (d: { found: string }) =>
          `"architectures" in config.json must be a list of class names but is ${d.found}.`,
        hint: () => 'Write it as a list, e.g. "architectures": ["LlamaForCausalLM"].',
      },
      empty: {
        text: () => '"architectures" in config.json is an empty list.',
        hint: () => 'Put the model class in it, e.g. ["LlamaForCausalLM"]; Friendli reads the first entry.',
      },
      notString: {
        text: (d: { index: number; found: string }) =>
          `"architectures" entry ${d.index} in config.json must be a class name string but is ${d.found}.`,
        hint: () => 'Each entry is the name of a transformers model class, e.g. "LlamaForCausalLM".',
      },
    },
  },
  check({ artifacts: { config }, report }) {
    const doc = docOf(config)
    if (!doc) return
    if (!hasField(doc, 'architectures')) return report('missing', {}, { path: doc.path })
    const value = field(doc, 'architectures')
    if (!Array.isArray(value)) return report('notList', { found: jsonType(value) }, at(doc, '/architectures'))
    if (value.length === 0) return report('empty', {}, at(doc, '/architectures'))
    value.forEach((entry, index) => {
      if (typeof entry !== 'string' || entry.trim() === '') {
        report(
          'notString',
          { index, found: typeof entry === 'string' ? 'an empty string' : jsonType(entry) },
          at(doc, `/architectures/${index}`),
        )
      }
    })
  },
})
