import { defineDatasetRule } from '../dataset-rule.js'

export default defineDatasetRule({
  meta: {
    id: 'DS401',
    name: 'template-render',
    description:
      "Require every row to render with the base model's chat template, as transformers renders it",
    severity: 'error',
    inputs: ['rows', 'template'],
    messages: {
      raised: {
        text: (d: { model: string; message: string }) =>
          `The chat template of ${d.model} refuses this row: "${d.message}".`,
        hint: () =>
          'Reshape the conversation the way the template demands (roles alternating, system message first or folded into the user turn, …), or fine-tune a base model whose template accepts it.',
      },
      failed: {
        text: (d: { model: string; message: string }) =>
          `The chat template of ${d.model} cannot render this row: ${d.message.replace(/\.$/, '')}.`,
        hint: () =>
          'transformers fails the same way (apply_chat_template): usually a content type the template does not expect, such as a list of parts where it adds strings, or null content.',
      },
      limit: {
        text: (d: { model: string; message: string }) =>
          `Rendering this row with the chat template of ${d.model} did not finish: ${d.message.replace(/\.$/, '')}.`,
        hint: () => "Shorten the conversation: a row this large is far beyond any model's context.",
      },
    },
  },
  create({ base, report }) {
    return {
      row(r) {
        const result = r.rendered()
        if (!result || result.ok) return
        const key = result.kind === 'raise' ? 'raised' : result.kind === 'limit' ? 'limit' : 'failed'
        report(key, { model: base!.ref, message: result.message }, r.location)
      },
    }
  },
})
