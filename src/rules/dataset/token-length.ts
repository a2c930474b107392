import { defineDatasetRule } from '../dataset-rule.js'

export default defineDatasetRule({
  meta: {
    id: 'DS402',
    name: 'token-length',
    description: "Report rows longer than the base model's context",
    severity: 'warning',
    inputs: ['rows', 'template', 'tokenizer', 'context'],
    messages: {
      tooLong: {
        text: (d: { tokens: number; context: number; from: string }) =>
          `This row is ${d.tokens.toLocaleString('en-US')} tokens once rendered, longer than the ${d.context.toLocaleString('en-US')} the model takes (${d.from}): it is truncated or dropped in training.`,
        hint: () => 'Split the conversation, shorten it, or drop it.',
      },
    },
  },
  create({ base, report }) {
    const count = base?.countTokens
    const context = base?.context
    return {
      row(r) {
        if (!count || !context) return
        const result = r.rendered()
        if (!result?.ok) return
        // A token is at least one byte and a UTF-16 unit at most three bytes: short rows cannot
        // exceed the context, and are not tokenized here (the statistics sample them separately).
        if (result.text.length * 3 <= context.tokens) return
        const tokens = count(result.text)
        if (tokens > context.tokens)
          report('tooLong', { tokens, context: context.tokens, from: context.from }, r.location)
      },
    }
  },
})
