import { z } from 'zod'
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
          if (count > 0) report('unused', unused(key, count, location), location)
      },
      shardState() {
        // The keys no template reads, each with its first row here and how many messages carry it.
        const files: string[] = []
        const keys: [string, number, number, number | null, number][] = []
        for (const [key, { location, count }] of seen) {
          if (!(count > 0)) continue
          if (files.at(-1) !== location.path) files.push(location.path)
          keys.push([key, files.length - 1, location.row!, location.line ?? null, count])
        }
        return { files, keys }
      },
    }
  },
  mergeShards: {
    replaces: ['unused'],
    parse: (state) => State.parse(state),
    merge(states: z.infer<typeof State>[], ctx) {
      // Per key: the first row one run meets it on (the earliest file, then row, then the order met in
      // that row), and the messages that carry it in every shard.
      const merged = new Map<string, { at: number[]; location: Location; count: number }>()
      states.forEach((state, shard) =>
        state.keys.forEach(([key, file, row, line, count], i) => {
          const path = state.files[file]
          const f = path === undefined ? -1 : ctx.fileIndex(path)
          if (f < 0)
            throw new Error(`key ${JSON.stringify(key.slice(0, 40))} is on a file that is not a data file`)
          const at = [f, row, shard, i]
          const entry = merged.get(key)
          const location = { path: path!, row, ...(line !== null ? { line } : {}) }
          if (!entry) merged.set(key, { at, location, count })
          else {
            entry.count += count
            if (before(at, entry.at)) Object.assign(entry, { at, location })
          }
        }),
      )
      const ordered = [...merged].sort((a, b) => (before(a[1].at, b[1].at) ? -1 : 1))
      for (const [key, { location, count }] of ordered)
        ctx.report('unused', unused(key, count, location), location)
    },
  },
})

const row = z.number().int().min(1)
const State = z.strictObject({
  files: z.array(z.string()),
  keys: z.array(z.tuple([z.string(), z.number().int().min(0), row, row.nullable(), row])),
})

/** The finding's data: on the first row that carries the key (its file, line and row). */
function unused(key: string, count: number, location: Location) {
  return { key, rows: `${plural(count, 'message')}, first in row ${location.row}` }
}

/** Whether place `a` comes before `b`, both [file, row, shard, index]. */
function before(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!
  return false
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
