import { plural } from '../../common/wording.js'
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
      notCounted: {
        text: (d: { model: string; why: string; counted: number }) =>
          `Token lengths were not checked on every row: the tokenizer of ${d.model} was stopped after ${plural(d.counted, 'row')} (${d.why}), and the rows after that were not counted.`,
        hint: () =>
          "Check the base model's tokenizer.json: a pre-tokenizer or normalizer pattern that backtracks (nested or overlapping repetition such as (a|aa)+) or a vocabulary built to be slow makes one row take minutes; a tokenizer saved by tokenizers' save() has neither.",
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
        if (tokens !== undefined && tokens > context.tokens)
          report('tooLong', { tokens, context: context.tokens, from: context.from }, r.location)
      },
      end() {
        // The tokenizer runs under a deadline (artifacts/base-model.ts); when it was stopped, say so.
        const stopped = base?.tokensStopped
        if (stopped)
          report('notCounted', { model: base.ref, why: stopped.why, counted: stopped.counted }, { path: '.' })
      },
    }
  },
})
