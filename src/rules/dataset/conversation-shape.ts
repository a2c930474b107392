import { defineDatasetRule } from '../dataset-rule.js'
import { isObject } from '../../common/json.js'

export default defineDatasetRule({
  meta: {
    id: 'DS203',
    name: 'conversation-shape',
    description: 'Require an assistant turn to learn from, a system message only first, and no empty turns',
    severity: 'error',
    inputs: ['rows'],
    messages: {
      noAssistant: {
        text: () =>
          'This conversation has no assistant message: there is nothing for the model to learn from it.',
        hint: () => 'Add the assistant answer, or drop the row.',
      },
      lateSystem: {
        severity: 'warning',
        text: (d: { index: number }) =>
          `Message ${d.index} is a system message after the start of the conversation; most chat templates take one system message, first.`,
        hint: () => 'Move the system message to the start, or fold it into the user turn.',
      },
      empty: {
        severity: 'warning',
        text: (d: { index: number; role: string }) => `Message ${d.index} (${d.role}) has empty content.`,
        hint: () => 'Fill it in or drop it: empty turns teach the model to answer with nothing.',
      },
    },
  },
  create({ report }) {
    return {
      row(r) {
        const messages = isObject(r.value) ? r.value.messages : undefined
        if (!Array.isArray(messages) || messages.length === 0) return // message-schema reports it
        const roles = messages.map((m: unknown) => (isObject(m) ? m.role : undefined))
        if (!roles.includes('assistant')) report('noAssistant', {}, r.location)
        roles.forEach((role, i) => {
          if (role === 'system' && i > 0) report('lateSystem', { index: i + 1 }, r.location)
        })
        messages.forEach((m: unknown, i) => {
          if (!isObject(m) || typeof m.role !== 'string') return
          const c = m.content
          const empty = (typeof c === 'string' && c.trim() === '') || (Array.isArray(c) && c.length === 0)
          // An assistant turn that only calls tools has no text by design.
          if (empty && !(m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length))
            report('empty', { index: i + 1, role: m.role }, r.location)
        })
      },
    }
  },
})
