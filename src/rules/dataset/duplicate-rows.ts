import { createHash } from 'node:crypto'
import { defineDatasetRule } from '../../engine/dataset-rule.js'
import { isObject } from '../utils/json.js'

export default defineDatasetRule({
  meta: {
    id: 'DS302',
    name: 'duplicate-rows',
    description: 'Report conversations that appear more than once',
    severity: 'warning',
    reads: 'the rows',
    messages: {
      duplicate: {
        text: (d: { first: string }) => `This conversation repeats ${d.first} exactly.`,
        hint: () =>
          'Remove duplicates: they weigh those examples more and leak between train and test splits.',
      },
    },
  },
  create({ report }) {
    // A 16-byte digest per row keeps memory small and flat whatever the size of the conversations.
    const first = new Map<string, string>()
    return {
      row(r) {
        if (!isObject(r.value) || !Array.isArray(r.value.messages)) return
        let text: string
        try {
          text = JSON.stringify(r.value.messages)
        } catch {
          return // nested beyond the stack (thousands of levels): message-schema and template-render report it
        }
        const key = createHash('sha1').update(text).digest('base64').slice(0, 22)
        const earlier = first.get(key)
        const here = `row ${r.row}${r.line !== undefined ? ` (line ${r.line})` : ''} of ${r.file.path}`
        if (earlier) report('duplicate', { first: earlier }, r.location)
        else first.set(key, here)
      },
    }
  },
})
