import { defineModelRule } from '../model-rule.js'
import { listNames, plural } from '../../common/wording.js'
import { formatDecimalBytes } from '../../common/wording.js'

interface Data {
  names: string[]
  realBytes: number
  /** The pointers whose header could not be read through the remote's Git LFS server, by reason. */
  unread: { reason: string; files: string[] }[]
}

/** Reasons named; past them, counted. */
const REASONS_SHOWN = 3

/** " Reading … through Git LFS failed: <reason> (files); …." when it was tried. */
function unread(d: Data): string {
  if (d.unread.length === 0) return ''
  const all = d.unread.length === 1 && d.unread[0]!.files.length === d.names.length
  const parts = d.unread
    .slice(0, REASONS_SHOWN)
    .map((u) => (all ? u.reason : `${u.reason} (${listNames(u.files, 3)})`))
  const more = d.unread.length - parts.length
  if (more > 0) parts.push(`${plural(more, 'other reason')}`)
  const one = d.names.length === 1
  return ` Reading ${one ? 'its header' : 'the headers'} through Git LFS failed: ${parts.join('; ')}.`
}

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
        text: (d: Data) =>
          `${plural(d.names.length, 'file is a Git LFS pointer', 'files are Git LFS pointers')}, not the content${d.realBytes ? ` (${formatDecimalBytes(d.realBytes)} behind ${d.names.length === 1 ? 'it' : 'them'})` : ''}: ${listNames(d.names)}.${unread(d)}`,
        hint: (d: Data) =>
          d.unread.length > 0
            ? 'Fix what stopped the read through Git LFS (for a private repository, a token that can read it: the github-token input with contents: read, GITHUB_TOKEN for the CLI; for an object that was never pushed, git lfs push --all), or fetch the objects with actions/checkout and `lfs: true`.'
            : 'The checkout did not fetch LFS objects: let friendli-preflight read the safetensors headers through Git LFS (the action does unless lfs-headers is false; the CLI with --lfs-headers), use actions/checkout with `lfs: true` (or run `git lfs pull`), or check the model on the Hub instead. If the repository itself stores pointers as plain files, push the real files with git lfs.',
      },
    },
  },
  check({ artifacts: { lfsPointers }, report }) {
    if (lfsPointers.length === 0) return
    const names = lfsPointers.map((p) => p.path)
    const realBytes = lfsPointers.reduce((sum, p) => sum + (p.realSize ?? 0), 0)
    // Why reading through Git LFS failed, once per reason, with the files it stopped.
    const byReason = new Map<string, string[]>()
    for (const p of lfsPointers)
      if (p.lfsReason !== undefined) byReason.set(p.lfsReason, [...(byReason.get(p.lfsReason) ?? []), p.path])
    const unread = [...byReason].map(([reason, files]) => ({ reason, files }))
    report('pointers', { names, realBytes, unread }, { path: names.length === 1 ? names[0] : '.' })
  },
})
