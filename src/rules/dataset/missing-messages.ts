import { z } from 'zod'
import { defineDatasetRule } from '../dataset-rule.js'
import { MAX_FINDINGS_PER_RULE_AND_FILE } from '../../common/finding.js'
import { listNames, plural } from '../../common/wording.js'
import { isObject } from '../../common/json.js'

/** Markers of text already rendered with a chat template. */
const RENDERED =
  /<\|im_start\|>|\[INST\]|<\|start_header_id\|>|<start_of_turn>|<\|user\|>|### (Human|Assistant|Instruction):/

/** What a row without `messages` looks like, and how to turn it into messages. */
function describeFormat(row: Record<string, unknown>): { format: string; convert: string } {
  const keys = Object.keys(row)
  const conv = row.conversations
  if (Array.isArray(conv) && conv.some((m) => isObject(m) && 'from' in m && 'value' in m))
    return {
      format: 'ShareGPT data ("conversations" of {"from", "value"})',
      convert:
        'rename "conversations" to "messages" and each {"from", "value"} to {"role", "content"}, with "human" → "user", "gpt" → "assistant", "system" → "system", one conversation per row (one {"messages": [...]} object per line of a .jsonl file)',
    }
  for (const key of ['conversations', 'conversation', 'dialog', 'chat', 'turns'])
    if (
      Array.isArray(row[key]) &&
      (row[key] as unknown[]).some((m) => isObject(m) && 'role' in m && 'content' in m)
    )
      return {
        format: `messages under another name ("${key}" of {"role", "content"})`,
        convert: `rename the column "${key}" to "messages"`,
      }
  if ('instruction' in row && 'output' in row)
    return {
      format: 'Alpaca data ("instruction", "input", "output")',
      convert:
        'write each row as {"messages": [{"role": "user", "content": instruction + "\\n\\n" + input}, {"role": "assistant", "content": output}]} (Friendli converts Alpaca only in its web upload, in beta)',
    }
  if ('chosen' in row && 'rejected' in row)
    return {
      format: 'preference data ("chosen" / "rejected", for DPO)',
      convert: 'for supervised fine-tuning, keep the chosen conversation as "messages" and drop "rejected"',
    }
  for (const key of ['text', 'prompt', 'completion']) {
    const value = row[key]
    if (typeof value === 'string' && RENDERED.test(value))
      return {
        format: `text already rendered with a chat template ("${key}" holds chat markers)`,
        convert:
          'split each conversation back into {"role", "content"} messages; Friendli applies the base model\'s template itself',
      }
  }
  if ('prompt' in row && 'completion' in row)
    return {
      format: 'prompt / completion pairs',
      convert:
        'write each row as {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": completion}]}',
    }
  return {
    format: keys.length ? `rows with the columns ${listNames(keys.map((k) => `"${k}"`))}` : 'empty rows',
    convert: 'put each conversation in a "messages" column: a list of {"role", "content"} objects',
  }
}

export default defineDatasetRule({
  meta: {
    id: 'DS101',
    name: 'missing-messages',
    description: 'Require a "messages" column in every row',
    severity: 'error',
    inputs: ['rows'],
    messages: {
      file: {
        text: (d: { format: string; rows: string; convert: string }) =>
          `The dataset has no "messages" column (${d.rows}): it looks like ${d.format}. Friendli fine-tuning needs a "messages" column of {"role", "content"} messages.`,
        hint: (d: { convert: string }) => `Convert it: ${d.convert}.`,
      },
      row: {
        text: (d: { keys: string }) =>
          `This row has no "messages" (its keys: ${d.keys}), unlike the rows before it.`,
        hint: () => 'Give every row a "messages" list, or remove the rows that are not conversations.',
      },
    },
  },
  create({ report }) {
    // The first row decides: a file whose first row lacks "messages" is one finding, not one per row.
    // Each file's record also keeps what merging shards needs (see shardState).
    const files = new Map<string, FileRecord>()
    return {
      row(r) {
        const lacks = !(isObject(r.value) && 'messages' in r.value)
        let file = files.get(r.file.path)
        if (!file) {
          const first = lacks ? describeFormat(isObject(r.value) ? r.value : {}) : undefined
          file = {
            first: r.row,
            ...(first ? { wrong: first } : {}),
            rows: 0,
            lacking: 0,
            listed: [],
            more: 0,
          }
          files.set(r.file.path, file)
        }
        file.rows++
        if (!lacks) return
        file.lacking++
        if (!isObject(r.value)) return // invalid-row reports it
        const keys = listNames(Object.keys(r.value).map((k) => `"${k}"`)) || 'none'
        if (!file.wrong) report('row', { keys }, r.location)
        // A shard whose first row of the file lacks "messages" may have begun mid-file: the rows that
        // lack it are findings when an earlier shard's first row of the file has it. Listed up to the
        // cap of findings kept per rule and file (past it one run counts them, and so does the merge).
        if (file.wrong && file.first === 1) return
        if (file.listed.length < MAX_FINDINGS_PER_RULE_AND_FILE)
          file.listed.push([r.row, r.line ?? null, keys])
        else file.more++
      },
      end() {
        for (const [path, file] of files)
          if (file.wrong) report('file', fileData(file.wrong, file.lacking, file.rows), { path })
      },
      shardState: () => ({ files: [...files].map(([path, file]) => ({ path, ...file })) }),
    }
  },
  mergeShards: {
    replaces: ['file', 'row'],
    parse: (state) => State.parse(state),
    merge(states: z.infer<typeof State>[], ctx) {
      // Each file's shards, by the file's place in the dataset: the shard with its lowest row decides.
      const byFile = new Map<number, z.infer<typeof FileState>[]>()
      for (const state of states)
        for (const file of state.files) {
          const f = ctx.fileIndex(file.path)
          if (f < 0) throw new Error(`a file that is not a data file of the dataset`)
          byFile.set(f, [...(byFile.get(f) ?? []), file])
        }
      const ordered = [...byFile].sort((a, b) => a[0] - b[0])
      for (const [, parts] of ordered) {
        const first = parts.reduce((a, b) => (b.first < a.first ? b : a))
        if (first.wrong) continue
        const listed = parts.flatMap((p) => p.listed).sort((a, b) => a[0] - b[0])
        for (const [row, line, keys] of listed)
          ctx.reportRow('row', { keys }, { path: first.path, row, ...(line !== null ? { line } : {}) })
        const more = parts.reduce((n, p) => n + p.more, 0)
        if (more > 0) ctx.omit('row', first.path, more)
      }
      for (const [, parts] of ordered) {
        const first = parts.reduce((a, b) => (b.first < a.first ? b : a))
        if (!first.wrong) continue
        const sum = (k: 'lacking' | 'rows') => parts.reduce((n, p) => n + p[k], 0)
        ctx.report('file', fileData(first.wrong, sum('lacking'), sum('rows')), { path: first.path })
      }
    },
  },
})

/**
 * A data file as missing-messages saw it: its first row (here), what that row looks like when it lacks
 * "messages", the rows and the rows lacking it, and the object rows lacking it (row, line, keys) to
 * report when an earlier row decides the file has the column, up to the cap, the rest counted.
 */
interface FileRecord {
  first: number
  wrong?: { format: string; convert: string }
  rows: number
  lacking: number
  listed: [number, number | null, string][]
  more: number
}

const count = z.number().int().min(0)
const FileState = z.strictObject({
  path: z.string(),
  first: count.min(1),
  wrong: z.strictObject({ format: z.string(), convert: z.string() }).optional(),
  rows: count,
  lacking: count,
  listed: z
    .array(z.tuple([count.min(1), count.min(1).nullable(), z.string()]))
    .max(MAX_FINDINGS_PER_RULE_AND_FILE),
  more: count,
})
const State = z.strictObject({ files: z.array(FileState) })

function fileData(wrong: { format: string; convert: string }, lacking: number, rows: number) {
  const words =
    rows === 1
      ? 'its one row lacks it'
      : lacking === rows
        ? `all ${plural(rows, 'row')} lack it`
        : `${lacking} of ${plural(rows, 'row')} lack it`
  // A finding about the file and a column it lacks: on the file, with no line or row of its own.
  return { format: wrong.format, convert: wrong.convert, rows: words }
}
