import { defineDatasetRule } from '../dataset-rule.js'
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
    const wrongFiles = new Map<string, { format: string; convert: string; count: number; total: number }>()
    const seen = new Set<string>()
    return {
      row(r) {
        const first = !seen.has(r.file.path)
        seen.add(r.file.path)
        const wrong = wrongFiles.get(r.file.path)
        if (wrong) wrong.total++
        if (isObject(r.value) && 'messages' in r.value) return
        if (first) {
          const { format, convert } = describeFormat(isObject(r.value) ? r.value : {})
          wrongFiles.set(r.file.path, { format, convert, count: 1, total: 1 })
        } else if (wrong) wrong.count++
        else if (isObject(r.value))
          report('row', { keys: listNames(Object.keys(r.value).map((k) => `"${k}"`)) || 'none' }, r.location)
      },
      end() {
        for (const [path, w] of wrongFiles) {
          const rows =
            w.total === 1
              ? 'its one row lacks it'
              : w.count === w.total
                ? `all ${plural(w.total, 'row')} lack it`
                : `${w.count} of ${plural(w.total, 'row')} lack it`
          // A finding about the file and a column it lacks: on the file, with no line or row of its own.
          report('file', { format: w.format, convert: w.convert, rows }, { path })
        }
      },
    }
  },
})
