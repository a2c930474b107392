import { defineModelRule } from '../model-rule.js'
import { capitalize, describeTemplate, templateLine } from '../utils/templates.js'

export default defineModelRule({
  meta: {
    id: 'MR502',
    name: 'chat-template-syntax',
    description: 'Require every chat template to parse as Jinja',
    severity: 'error',
    artifacts: ['chatTemplates'],
    messages: {
      syntax: {
        text: (d: { template: string; error: string; where: string }) =>
          `${capitalize(d.template)} does not parse${d.where}: ${d.error}.`,
        hint: () =>
          'Fix the template (an unclosed {% if %} / {% for %}, a missing %} or }}, or a stray tag are the usual causes), then check it with tokenizer.apply_chat_template(messages) in Python before pushing.',
      },
    },
  },
  check({ artifacts: { chatTemplates }, report }) {
    const all = [
      ...chatTemplates.fromFiles,
      ...chatTemplates.fromTokenizerConfig,
      ...chatTemplates.fromProcessor,
    ]
    for (const t of all) {
      if (t.compiled.ok || t.tooLarge) continue // too large to compile: MR506 says so
      const { line, column } = t.compiled
      const { location } = templateLine(t, line, column)
      // The place in the message too: a .jinja file's annotation may show no column, and a template
      // inside a JSON string has lines of its own, which the file's do not show.
      const at = line === undefined ? '' : `line ${line}${column === undefined ? '' : `, column ${column}`}`
      const where = at === '' ? '' : t.inJson ? ` (${at} of the template)` : ` (${at})`
      report(
        'syntax',
        { template: describeTemplate(t), error: t.compiled.message.replace(/\.$/, ''), where },
        location,
      )
    }
  },
})
