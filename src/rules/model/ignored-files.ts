import { defineModelRule } from '../model-rule.js'
import { FRIENDLI_FILES, rootEntries } from '../utils/files.js'
import { isUnfollowedLink } from '../../sources/readable.js'
import { listNames, plural } from '../../common/wording.js'

/** Files every repository has and nobody expects a server to use: listing them is only noise. */
const BOILERPLATE =
  /^(\..*|readme(\..*)?|license(\..*)?|licence(\..*)?|notice(\..*)?|use_policy\.md|.*\.(md|png|jpe?g|gif|svg))$/i

export default defineModelRule({
  meta: {
    id: 'MR104',
    name: 'ignored-files',
    description: 'Report files and folders that Friendli will not download',
    severity: 'info',
    artifacts: ['files'],
    appliesTo: ['model', 'adapter'],
    messages: {
      ignored: {
        text: (d: { names: string[] }) =>
          `Friendli will not download ${plural(d.names.length, 'entry', 'entries')} of this repository: ${listNames(d.names, 12)}.`,
        hint: () =>
          'Only safetensors weights, config.json, tokenizer.json, tokenizer_config.json and special_tokens_map.json (and adapter_config.json for a LoRA adapter) are used. If the model depends on one of these files (a chat template in chat_template.jinja, for example), carry it in a file Friendli reads.',
      },
    },
  },
  check({ artifacts: { files }, report }) {
    const names = rootEntries(files)
      .filter((e) => !BOILERPLATE.test(e.path))
      // Links that leave the folder or lead nowhere are reported by link-outside-model.
      .filter((e) => !isUnfollowedLink(e))
      // A folder named as a file Friendli reads is not "ignored" but broken, and missing-config,
      // missing-safetensors or tokenizer-config already say so.
      .filter((e) => !(FRIENDLI_FILES.has(e.path) || e.path.endsWith('.safetensors')))
      .map((e) => (e.type === 'directory' ? `${e.path}/` : e.path))
    if (names.length > 0) report('ignored', { names }, { path: '.' })
  },
})
