import { defineModelRule } from '../model-rule.js'
import { notFileWhat } from '../utils/json-file.js'

export default defineModelRule({
  meta: {
    id: 'MR101',
    name: 'missing-config',
    description: 'Require a config.json file at the root of the model',
    severity: 'error',
    artifacts: ['config'],
    // Without config.json the rules that read it have nothing to check: a cause, listed first. It
    // explains no other rule's finding (they stay silent rather than report its absence).
    rootCause: { explains: [] },
    messages: {
      missing: {
        text: () => 'config.json is missing from the root of the model.',
        hint: () =>
          'Add the config.json that save_pretrained() writes next to the weights; Friendli reads the architecture from it.',
      },
      notFile: {
        text: (d: { what: string }) => `config.json is ${d.what}, not a file Friendli can read.`,
        hint: () => 'Replace it with the real config.json file.',
      },
    },
  },
  check({ artifacts: { config }, report }) {
    if (config.state === 'missing') report('missing', {}, { path: '.' })
    // Links leaving the folder are reported once, by link-outside-model.
    if (config.state === 'not-file' && !config.entry.link)
      report('notFile', { what: notFileWhat(config)! }, { path: config.path })
  },
})
