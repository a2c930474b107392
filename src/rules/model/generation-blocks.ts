import { defineModelRule } from '../model-rule.js'
import { capitalize, describeTemplate, lineOf, templateLine } from '../utils/templates.js'

const GENERATION_TAG = /\{%-?\s*generation\s*-?%\}/

export default defineModelRule({
  meta: {
    id: 'MR509',
    name: 'generation-blocks',
    description: 'Report {% generation %} blocks, which training reads and serving ignores',
    severity: 'info',
    artifacts: ['chatTemplates'],
    messages: {
      generation: {
        text: (d: { template: string; where: string }) =>
          `${capitalize(d.template)} marks assistant turns with {% generation %}${d.where}: TRL and transformers use it to train on the assistant's tokens only (assistant_only_loss, return_assistant_tokens_mask); serving renders the block's content as usual.`,
        hint: () => 'Nothing to do for serving. Keep the blocks if you fine-tune with assistant-only loss.',
      },
    },
  },
  check({ artifacts: { chatTemplates }, report }) {
    for (const t of chatTemplates.used) {
      const m = GENERATION_TAG.exec(t.source)
      if (!m) continue
      const { location, inTemplate } = templateLine(t, lineOf(t.source, m[0]))
      report('generation', { template: describeTemplate(t), where: inTemplate }, location)
    }
  },
})
