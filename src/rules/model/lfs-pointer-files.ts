import { defineModelRule } from '../model-rule.js'
import { listNames, plural } from '../../common/wording.js'
import { formatDecimalBytes } from '../../common/wording.js'

export default defineModelRule({
  meta: {
    id: 'MR304',
    name: 'lfs-pointer-files',
    description: 'Disallow Git LFS pointer files in place of weights or JSON files',
    severity: 'error',
    artifacts: ['lfsPointers'],
    appliesTo: ['model', 'adapter'],
    // A pointer is not the file it stands for: whatever a rule finds wrong in its content (a header
    // that does not parse, JSON that is not JSON, a template that is not a template) says the same.
    rootCause: {
      explains: [
        'invalid-config',
        'invalid-safetensors-header',
        'invalid-tensor-layout',
        'safetensors-metadata-format',
        'invalid-shard-index',
        'tokenizer-config',
        'tokenizer-json',
        'chat-template-format',
        'invalid-adapter-config',
      ],
      files: (d: { names: string[] }) => d.names,
    },
    messages: {
      pointers: {
        text: (d: { names: string[]; realBytes: number }) =>
          `${plural(d.names.length, 'file is a Git LFS pointer', 'files are Git LFS pointers')}, not the content${d.realBytes ? ` (${formatDecimalBytes(d.realBytes)} behind ${d.names.length === 1 ? 'it' : 'them'})` : ''}: ${listNames(d.names)}.`,
        hint: () =>
          'The checkout did not fetch LFS objects: use actions/checkout with `lfs: true` (or run `git lfs pull`), or check the model on the Hub instead. If the repository itself stores pointers as plain files, push the real files with git lfs.',
      },
    },
  },
  check({ artifacts: { lfsPointers }, report }) {
    if (lfsPointers.length === 0) return
    const names = lfsPointers.map((p) => p.path)
    const realBytes = lfsPointers.reduce((sum, p) => sum + (p.realSize ?? 0), 0)
    report('pointers', { names, realBytes }, { path: names.length === 1 ? names[0] : '.' })
  },
})
