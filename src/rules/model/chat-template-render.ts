import type { SmokeRender } from '../../artifacts/template-renders.js'
import { defineModelRule } from '../model-rule.js'
import { listNames } from '../../common/wording.js'
import { capitalize, describeTemplate, lineOf, templateLine } from '../utils/templates.js'

const conversations = (renders: SmokeRender[]) =>
  listNames([...new Set(renders.map((r) => `[${r.conversation.roles}]`))])

export default defineModelRule({
  meta: {
    id: 'MR503',
    name: 'chat-template-render',
    description: 'Require the chat template to render the conversations every chat model meets',
    severity: 'warning',
    artifacts: ['templateRenders'],
    messages: {
      raised: {
        text: (d: { template: string; message: string; conversations: string; where: string }) =>
          `${capitalize(d.template)} raises "${d.message}"${d.where} on ${d.conversations}: requests and fine-tuning rows shaped like that are refused.`,
        hint: () =>
          'If the model really does not support this (a system role, non-alternating turns), tell the users of the endpoint and keep such rows out of fine-tuning data; otherwise relax the condition in the template.',
      },
      failed: {
        text: (d: { template: string; message: string; conversations: string }) =>
          `${capitalize(d.template)} fails with a Jinja error on ${d.conversations}: ${d.message}.`,
        hint: () =>
          'This is a bug in the template, not a rule it enforces: render it with tokenizer.apply_chat_template on the same messages in Python to see it, and fix the expression.',
      },
    },
  },
  check({ artifacts: { templateRenders }, report }) {
    // One finding per template and distinct message, naming every conversation it failed on.
    const groups = new Map<string, SmokeRender[]>()
    for (const r of templateRenders) {
      if (r.result.ok || r.result.kind === 'limit') continue
      const key = `${r.template.path}\0${r.template.name}\0${r.result.kind}\0${r.result.message}`
      groups.set(key, [...(groups.get(key) ?? []), r])
    }
    for (const renders of groups.values()) {
      const { template, result } = renders[0]! // a group is made by its first render
      if (result.ok) continue
      const data = {
        template: describeTemplate(template),
        message: result.message,
        conversations: conversations(renders),
      }
      if (result.kind === 'raise') {
        // The template's own words usually sit in a raise_exception('...') call: point at that line.
        const { location, inTemplate } = templateLine(template, lineOf(template.source, result.message))
        report('raised', { ...data, where: inTemplate }, location)
      } else report('failed', data, template.location)
    }
  },
})
