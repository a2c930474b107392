import { defineModelRule } from '../model-rule.js'
import { baseName, folderOf, hasRootFile, isSafetensors, rootEntries } from '../utils/files.js'
import { isReadableFile } from '../../sources/readable.js'
import { listNames } from '../../common/wording.js'

const CONFIGS = ['config.json', 'adapter_config.json']

export default defineModelRule({
  meta: {
    id: 'MR103',
    name: 'nested-model',
    description: 'Disallow a model whose config.json or weights sit in a subfolder instead of the root',
    severity: 'error',
    artifacts: ['files'],
    appliesTo: ['model', 'adapter'],
    // Folded: the findings that say again what this one says, that the root has no config.json or no
    // weights (and, through missing-safetensors, the shards of a root index). Kept, after this one: the
    // other findings about the root (no tokenizer.json, no chat template). The nested folder is not
    // checked as a model, so the check cannot tell whether moving it up fixes them; folding them would
    // hide a real problem until the next run, while a warning the move clears costs a glance. The
    // hint says to check the folder itself to know.
    rootCause: { explains: ['missing-config', 'missing-safetensors'] },
    messages: {
      nested: {
        text: (d: { folder: string; holds: string[]; rootLacks: string }) =>
          `The model is nested in ${d.folder}/: it holds ${listNames(d.holds, 4)}, but the root has no ${d.rootLacks}.`,
        hint: (d: { folder: string }) =>
          `Friendli reads only the root of the repository (a deployment names a repository and revision, never a folder). Move the files of ${d.folder}/ up to the root. To see which other findings about the root the move fixes, check ${d.folder}/ itself as the target.`,
      },
    },
  },
  check({ artifacts: { files }, report }) {
    // A LoRA adapter's config is adapter_config.json: a nested adapter is as broken as a nested model.
    const rootHasConfig = CONFIGS.some((name) => hasRootFile(files, name))
    const rootHasWeights = rootEntries(files).some(isSafetensors)
    if (rootHasConfig && rootHasWeights) return

    // Candidate folders: those holding what the root lacks. Shallowest first, then by name.
    const found = new Map<string, string[]>()
    for (const e of files.entries) {
      const folder = folderOf(e.path)
      if (!folder) continue
      const name = baseName(e.path)
      const wanted =
        (!rootHasConfig && CONFIGS.includes(name) && isReadableFile(e)) ||
        (!rootHasWeights && isSafetensors(e))
      if (wanted) found.set(folder, [...(found.get(folder) ?? []), name])
    }
    if (found.size === 0) return
    const depth = (f: string) => f.split('/').length
    // A folder with both config.json and weights is the model; prefer it over a stray file.
    const score = (f: string) =>
      (found.get(f)!.some((n) => CONFIGS.includes(n)) ? 0 : 1) + (found.get(f)!.length > 1 ? 0 : 1)
    const [folder] = [...found.keys()].sort(
      (a, b) => score(a) - score(b) || depth(a) - depth(b) || a.localeCompare(b),
    )
    // Point at a real file of the folder (its config when it has one), so the annotation lands on it.
    const holds = found.get(folder)!
    const config = holds.find((n) => CONFIGS.includes(n))
    const rootLacks = [!rootHasConfig && (config ?? 'config.json'), !rootHasWeights && 'safetensors weights']
      .filter(Boolean)
      .join(' and no ')
    const first = config ?? holds[0]
    report('nested', { folder, holds, rootLacks }, { path: `${folder}/${first}` })
  },
})
