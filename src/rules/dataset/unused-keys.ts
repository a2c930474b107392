import { defineDatasetRule } from '../dataset-rule.js'
import type { Location } from '../../common/finding.js'
import { plural } from '../../common/wording.js'
import { isObject } from '../../common/json.js'

/** The keys every template reads, or that transformers uses itself. */
const ALWAYS_READ = new Set(['role', 'content'])

export default defineDatasetRule({
  meta: {
    id: 'DS301',
    name: 'unused-keys',
    description: "Report message keys the base model's chat template never reads",
    severity: 'warning',
    inputs: ['rows', 'template'],
    messages: {
      unused: {
        text: (d: { key: string; rows: string }) =>
          `Messages carry "${d.key}" (${d.rows}), which the base model's chat template never reads: it is dropped from training silently.`,
        hint: (d: { key: string }) =>
          `If "${d.key}" matters (a name, a weight, reasoning), put it where the template reads it, or use a base model whose template does; otherwise remove it.`,
      },
    },
  },
  create({ base, report }) {
    const source = base?.template?.source.source
    const seen = new Map<string, { location: Location; count: number }>()
    return {
      row(r) {
        if (!source || !isObject(r.value) || !Array.isArray(r.value.messages)) return
        for (const m of r.value.messages) {
          if (!isObject(m)) continue
          for (const key of Object.keys(m)) {
            if (ALWAYS_READ.has(key)) continue
            const entry = seen.get(key)
            if (entry) entry.count++
            // A key the template source never names, as an attribute or a string, is never read.
            else if (!new RegExp(`(['"])${escape(key)}\\1|\\.${escape(key)}\\b`).test(source))
              seen.set(key, { location: r.location, count: 1 })
            else seen.set(key, { location: r.location, count: -Infinity })
          }
        }
      },
      end() {
        for (const [key, { location, count }] of seen)
          if (count > 0)
            report(
              'unused',
              { key, rows: `${plural(count, 'message')}, first in row ${location.row}` },
              // On the first row that carries the key: its file, line and row.
              location,
            )
      },
    }
  },
})

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
