import { z } from 'zod'
import { plural } from '../../common/wording.js'
import { defineDatasetRule } from '../dataset-rule.js'
import { fitsContext } from '../../artifacts/token-bound.js'

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
    const context = base?.context
    return {
      row(r) {
        if (!base?.countTokens || !context) return
        const result = r.rendered()
        if (!result?.ok) return
        // Rows whose bound (tokens per byte of tokenizer.json, artifacts/token-bound.ts) cannot exceed
        // the context are not tokenized: the verdict is the same. Without a bound every row is tokenized.
        const perByte = base.tokensPerByte
        if (perByte !== undefined && fitsContext(result.text, perByte, context.tokens)) return
        const tokens = r.tokens()
        if (tokens !== undefined && tokens > context.tokens)
          report('tooLong', { tokens, context: context.tokens, from: context.from }, r.location)
      },
      end() {
        // The tokenizer runs under a deadline (artifacts/base-model.ts); when it was stopped, say so.
        const stopped = base?.tokensStopped
        if (stopped)
          report('notCounted', { model: base.ref, why: stopped.why, counted: stopped.counted }, { path: '.' })
      },
      shardState: () => ({
        stopped: base?.tokensStopped ? { model: base.ref, ...base.tokensStopped } : null,
      }),
    }
  },
  mergeShards: {
    replaces: ['notCounted'],
    parse: (state) => State.parse(state),
    merge(states: z.infer<typeof State>[], ctx) {
      // The deadline is a time, so shards stop (or not) each on their own: the first shard's stop says
      // why, and the rows counted are that shard's before it stopped.
      const stopped = states.find((s) => s.stopped)?.stopped
      if (stopped) ctx.report('notCounted', stopped, { path: '.' })
    },
  },
})

const State = z.strictObject({
  stopped: z
    .strictObject({ model: z.string(), why: z.string(), counted: z.number().int().min(0) })
    .nullable(),
})
