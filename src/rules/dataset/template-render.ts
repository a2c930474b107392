import { z } from 'zod'
import { plural } from '../../common/wording.js'
import { defineDatasetRule } from '../dataset-rule.js'

export default defineDatasetRule({
  meta: {
    id: 'DS401',
    name: 'template-render',
    description:
      "Require every row to render with the base model's chat template, as transformers renders it",
    severity: 'error',
    inputs: ['rows', 'template'],
    messages: {
      raised: {
        text: (d: { model: string; message: string }) =>
          `The chat template of ${d.model} refuses this row: "${d.message}".`,
        hint: () =>
          'Reshape the conversation the way the template demands (roles alternating, system message first or folded into the user turn, …), or fine-tune a base model whose template accepts it.',
      },
      failed: {
        text: (d: { model: string; message: string }) =>
          `The chat template of ${d.model} cannot render this row: ${d.message.replace(/\.$/, '')}.`,
        hint: () =>
          'transformers fails the same way (apply_chat_template): usually a content type the template does not expect, such as a list of parts where it adds strings, or null content.',
      },
      limit: {
        text: (d: { model: string; message: string }) =>
          `Rendering this row with the chat template of ${d.model} did not finish: ${d.message.replace(/\.$/, '')}.`,
        hint: () => "Shorten the conversation: a row this large is far beyond any model's context.",
      },
      notRendered: {
        text: (d: { template: string; skipped: number; row: number; path: string; message: string }) =>
          `${plural(d.skipped, 'more row was', 'more rows were')} not rendered with ${d.template}: after it did not finish on row ${d.row} of ${d.path} (${d.message.replace(/\.$/, '')}), it was not run again, so those rows were not checked against it.`,
        hint: () =>
          "Fix what the finding on that row says, then check again: the rest of the rows are rendered once the template finishes on each. If every row stops it, the template itself loops or grows without end (see the base model's chat-template-limits finding).",
      },
    },
  },
  create({ base, report }) {
    return {
      row(r) {
        const result = r.rendered()
        if (!result || result.ok) return
        const key = result.kind === 'raise' ? 'raised' : result.kind === 'limit' ? 'limit' : 'failed'
        report(key, { model: base!.ref, message: result.message }, r.location)
      },
      end() {
        // A template that hit a limit on a row renders no later row (engine/run-dataset.ts): count them.
        for (const stop of stops(base))
          if (stop.skipped > 0) report('notRendered', notRendered(base!.ref, stop), { path: stop.path })
      },
      shardState: () => ({ stops: stops(base) }),
    }
  },
  mergeShards: {
    replaces: ['notRendered'],
    parse: (state) => State.parse(state),
    merge(states: z.infer<typeof State>[], ctx) {
      // Each template stops on its first limit; in shards each stops on its own first. One run stops on
      // the earliest of those, and what the shards left unrendered is counted together. (The limits are
      // times, so a run is never exactly repeated: the rows the other shards rendered past that one stay
      // checked.)
      for (const tool of [false, true]) {
        const all = states.flatMap((s) => s.stops.filter((t) => t.tool === tool))
        const at = (t: (typeof all)[number]) => [ctx.fileIndex(t.path), t.row]
        const first = all.reduce<(typeof all)[number] | undefined>((a, b) => {
          if (!a) return b
          const [fa, ra] = at(a)
          const [fb, rb] = at(b)
          return fb! < fa! || (fb === fa && rb! < ra!) ? b : a
        }, undefined)
        const skipped = all.reduce((n, t) => n + t.skipped, 0)
        if (first && skipped > 0)
          ctx.report('notRendered', notRendered(first.model, { ...first, skipped }), { path: first.path })
      }
    },
  },
})

const State = z.strictObject({
  stops: z.array(
    z.strictObject({
      tool: z.boolean(),
      model: z.string(),
      row: z.number().int().min(1),
      path: z.string(),
      message: z.string(),
      skipped: z.number().int().min(0),
    }),
  ),
})

/** Where each of the base model's templates stopped, when it did: the template, then the "tool_use" one. */
function stops(model: { ref: string; template?: Stoppable; toolTemplate?: Stoppable } | undefined) {
  return [model?.template, model?.toolTemplate].flatMap((t, i) =>
    t?.stopped ? [{ tool: i === 1, model: model!.ref, ...t.stopped }] : [],
  )
}
type Stoppable = { stopped?: { row: number; path: string; message: string; skipped: number } }

function notRendered(
  model: string,
  stop: { tool: boolean; row: number; path: string; message: string; skipped: number },
) {
  const template = stop.tool ? `the "tool_use" chat template of ${model}` : `the chat template of ${model}`
  return { template, skipped: stop.skipped, row: stop.row, path: stop.path, message: stop.message }
}
