import { defineModelRule } from '../model-rule.js'
import { hasRootFile } from '../utils/files.js'
import { listNames } from '../../common/wording.js'

export default defineModelRule({
  meta: {
    id: 'MR401',
    name: 'missing-tokenizer-json',
    description: 'Require a tokenizer.json (fast tokenizer) at the root of the model',
    severity: 'warning',
    artifacts: ['files'],
    messages: {
      missing: {
        text: (d: { slowFiles: string[] }) =>
          `tokenizer.json is missing${d.slowFiles.length > 0 ? ` (only the slow tokenizer's ${listNames(d.slowFiles)} ${d.slowFiles.length === 1 ? 'is' : 'are'} there)` : ''}: the FAQ calls it optional, but Friendli's model upload client requires it, and Friendli's tooling has only ever supported fast tokenizers.`,
        hint: () =>
          'Load the tokenizer with AutoTokenizer.from_pretrained(path) (which builds the fast tokenizer) and save_pretrained(path) to write tokenizer.json.',
      },
    },
  },
  check({ artifacts: { files }, report }) {
    if (hasRootFile(files, 'tokenizer.json')) return
    const slow = [
      'tokenizer.model',
      'vocab.json',
      'merges.txt',
      'vocab.txt',
      'spiece.model',
      'sentencepiece.bpe.model',
    ]
    const slowFiles = slow.filter((name) => hasRootFile(files, name))
    report('missing', { slowFiles }, { path: '.' })
  },
})
