import { defineModelRule } from '../model-rule.js'
import { capitalize, describeTemplate } from '../utils/templates.js'

export default defineModelRule({
  meta: {
    id: 'MR506',
    name: 'chat-template-limits',
    description: 'Require the chat template to render in bounded time and size',
    severity: 'error',
    artifacts: ['templateRenders'],
    messages: {
      limit: {
        text: (d: { template: string; message: string; roles: string }) =>
          `${capitalize(d.template)} did not finish on a [${d.roles}] conversation: ${d.message}. Every chat request renders it, so the endpoint would stall or run out of memory.`,
        hint: () =>
          'Look for a loop over a huge range, a string built inside nested loops, or a macro that calls itself without end; a chat template needs none of them.',
      },
    },
  },
  check({ artifacts: { templateRenders }, report }) {
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
