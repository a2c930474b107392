import { MiB } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { capitalize, describeTemplate } from '../utils/templates.js'

export default defineModelRule({
  meta: {
    id: 'MR506',
    name: 'chat-template-limits',
    description: 'Require the chat template to render in bounded time and size',
    severity: 'error',
    artifacts: ['chatTemplates', 'templateRenders'],
    messages: {
      tooLarge: {
        text: (d: { template: string; size: string; limit: string }) =>
          `${capitalize(d.template)} is ${d.size}, more than the ${d.limit} a chat template is checked up to, so it was not compiled or rendered: real chat templates are under 64 KB, and every chat request would render this one.`,
        hint: () =>
          'Replace it with the template the model was trained with; if it embeds data (examples, tool schemas, long system prompts), move that out of the template.',
      },
      limit: {
        text: (d: { template: string; message: string; roles: string }) =>
          `${capitalize(d.template)} did not finish on a [${d.roles}] conversation: ${d.message}. Every chat request renders it, so the endpoint would stall or run out of memory.`,
        hint: () =>
          'Look for a loop over a huge range, a string built inside nested loops, or a macro that calls itself without end; a chat template needs none of them.',
      },
    },
  },
  check({ artifacts: { chatTemplates, templateRenders }, report }) {
    const all = [
      ...chatTemplates.fromFiles,
      ...chatTemplates.fromTokenizerConfig,
      ...chatTemplates.fromProcessor,
    ]
    for (const t of all)
      if (t.tooLarge)
        report(
          'tooLarge',
          {
            template: describeTemplate(t),
            size: `${(t.tooLarge.bytes / MiB).toFixed(1)} MiB`,
            limit: `${t.tooLarge.limit / MiB} MiB`,
          },
          t.location,
        )
    for (const r of templateRenders) {
      if (r.result.ok || r.result.kind !== 'limit') continue
      // smokeRenders stops rendering a template after its first limit: one finding per template.
      report(
        'limit',
        {
          template: describeTemplate(r.template),
          message: r.result.message.replace(/\.$/, ''),
          roles: r.conversation.roles,
        },
        r.template.location,
      )
    }
  },
})
