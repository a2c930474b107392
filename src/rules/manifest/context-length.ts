import { defineManifestRule } from '../manifest-rule.js'
import { modelContext } from '../utils/endpoint-fit.js'
import { intAt, tokens, where } from '../utils/manifest.js'

const CONTEXT = '/advanced/max_context_length'
const INPUT = '/advanced/max_input_length'

export default defineManifestRule({
  meta: {
    id: 'EP404',
    name: 'context-length',
    description:
      "Require the manifest's max_context_length and max_input_length to fit the model's context, and the input to leave room for output",
    severity: 'error',
    reads: ['body', 'model'],
    messages: {
      aboveModel: {
        text: (d: { key: string; value: string; model: string; context: string; from: string }) =>
          `advanced.${d.key} is ${d.value} tokens, more than ${d.model} can attend to: ${d.context} tokens (${d.from}).`,
        hint: (d: { key: string; context: string }) =>
          `Set advanced.${d.key} to ${d.context} or less, or deploy a model with a longer context.`,
      },
      inputNotBelowContext: {
        severity: 'warning',
        text: (d: { input: string; context: string; equal: boolean }) =>
          `advanced.max_input_length (${d.input}) is ${d.equal ? 'equal to' : 'above'} max_context_length (${d.context}), the input and output tokens together: ${d.equal ? 'a prompt of the longest input leaves no token for the answer' : 'inputs longer than the context can never be served'}.`,
        hint: () =>
          'Set max_input_length below max_context_length, leaving room for the longest answer you expect.',
      },
    },
  },
  check({ manifest, model, report }) {
    if (!manifest) return
    const context = intAt(manifest, CONTEXT)
    const input = intAt(manifest, INPUT)
    const limit = model ? modelContext(model.textConfig, model.tokenizerConfig) : undefined
    if (model && limit)
      for (const [key, value, pointer] of [
        ['max_context_length', context, CONTEXT],
        ['max_input_length', input, INPUT],
      ] as const)
        if (value !== undefined && value > limit.tokens)
          report(
            'aboveModel',
            {
              key,
              value: tokens(value),
              model: model.display,
              context: tokens(limit.tokens),
              from: limit.from,
            },
            where(manifest.doc, pointer),
          )
    if (context !== undefined && input !== undefined && input >= context && context > 0)
      report(
        'inputNotBelowContext',
        { input: tokens(input), context: tokens(context), equal: input === context },
        where(manifest.doc, INPUT),
      )
  },
})
