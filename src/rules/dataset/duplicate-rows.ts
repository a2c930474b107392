import { createHash } from 'node:crypto'
import { defineDatasetRule } from '../dataset-rule.js'
import { isObject } from '../../common/json.js'

export default defineDatasetRule({
  meta: {
    id: 'DS302',
    name: 'duplicate-rows',
    description: 'Report conversations that appear more than once',
    severity: 'warning',
    inputs: ['rows'],
    messages: {
      duplicate: {
        text: (d: { first: string }) => `This conversation repeats ${d.first} exactly.`,
        hint: () =>
          'Remove duplicates: they weigh those examples more and leak between train and test splits.',
      },
    },
  },
  create({ report }) {
    // 52 bits of a SHA-1 per row, as a number key: about 40 bytes a row, flat in the size of the
    // conversations; the first row is kept as its file's index and its row number, packed in a number.
    const first = new Map<number, number>()
    const paths: string[] = []
    return {
      row(r) {
        if (!isObject(r.value) || !Array.isArray(r.value.messages)) return
        let text: string
        try {
          text = JSON.stringify(r.value.messages)
        } catch {
          return // nested beyond the stack (thousands of levels): message-schema and template-render report it
        }
        const digest = createHash('sha1').update(text).digest()
        const key = digest.readUIntBE(0, 6) * 16 + (digest[6] >> 4)
        const earlier = first.get(key)
        if (earlier !== undefined) {
          const file = Math.floor(earlier / 2 ** 32)
          report('duplicate', { first: `row ${earlier % 2 ** 32} of ${paths[file]}` }, r.location)
          return
        }
        if (paths.at(-1) !== r.file.path) paths.push(r.file.path)
        first.set(key, (paths.length - 1) * 2 ** 32 + r.row)
      },
    }
  },
})
