import { defineDatasetRule } from '../dataset-rule.js'

export default defineDatasetRule({
  meta: {
    id: 'DS403',
    name: 'base-model',
    description: "Report when rows cannot be checked against a base model's chat template or tokenizer",
    severity: 'warning',
    inputs: ['template', 'tokenizer'],
    messages: {
      none: {
        severity: 'info',
        text: () =>
          "No base model was given: rows were checked against Friendli's format only, not against a chat template or a context length.",
        hint: () =>
          'Name the model you will fine-tune (base-model input, --base-model): the FAQ requires every row to be compatible with its chat template.',
      },
      noTemplate: {
        text: (d: { model: string; why: string }) =>
          `The base model ${d.model} cannot check the rows: ${d.why}. Friendli formats fine-tuning rows with it.`,
        hint: () =>
          'Give the base model a chat template (see its chat-template findings), or choose another base model.',
      },
      noTokenizer: {
        severity: 'info',
        text: (d: { model: string; why: string }) =>
          `Token lengths were not counted: ${d.model}: ${d.why.replace(/\.$/, '')}.`,
        hint: () => 'Add the fast tokenizer (tokenizer.json) to the base model to have lengths checked.',
      },
    },
  },
  create({ base, report }) {
    return {
      files() {
        if (!base) return report('none', {}, { path: '.' })
        if (base.noTemplate) report('noTemplate', { model: base.ref, why: base.noTemplate }, { path: '.' })
        if (base.noTokenizer) report('noTokenizer', { model: base.ref, why: base.noTokenizer }, { path: '.' })
      },
    }
  },
})
