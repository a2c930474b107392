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
        const templates = [
          { t: base?.template, what: `the chat template of ${base?.ref}` },
          { t: base?.toolTemplate, what: `the "tool_use" chat template of ${base?.ref}` },
        ]
        for (const { t, what } of templates) {
          const stopped = t?.stopped
          if (!stopped || stopped.skipped === 0) continue
          report(
            'notRendered',
            {
              template: what,
              skipped: stopped.skipped,
              row: stopped.row,
              path: stopped.path,
              message: stopped.message,
            },
            { path: stopped.path },
          )
        }
      },
    }
  },
})
