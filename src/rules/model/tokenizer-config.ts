import { defineModelRule } from '../model-rule.js'
import { brokenJsonLocation, brokenJsonReason, notFileWhat } from '../utils/json-file.js'

export default defineModelRule({
  meta: {
    id: 'MR402',
    name: 'tokenizer-config',
    description: 'Require a valid tokenizer_config.json at the root of the model',
    severity: 'warning',
    artifacts: ['tokenizerConfig'],
    messages: {
      missing: {
        text: () =>
          'tokenizer_config.json is missing: Friendli reads the chat template from it to provide the chat API, unless a custom chat template is set on the endpoint.',
        hint: () =>
          'Save the tokenizer with tokenizer.save_pretrained(path, save_jinja_files=False): it writes tokenizer_config.json with the chat template inside.',
      },
      invalid: {
        severity: 'error',
        text: (d: { reason: string }) => `tokenizer_config.json ${d.reason}.`,
        hint: () => 'Regenerate it with tokenizer.save_pretrained(), or fix the JSON by hand.',
      },
      notFile: {
        severity: 'error',
        text: (d: { what: string }) => `tokenizer_config.json is ${d.what}, not a file Friendli can read.`,
        hint: () => 'Replace it with the real tokenizer_config.json file.',
      },
    },
  },
  check({ artifacts: { tokenizerConfig: file }, report }) {
    if (file.state === 'missing') return report('missing', {}, { path: '.' })
    if (file.state === 'not-file' && !file.entry.link)
      return report('notFile', { what: notFileWhat(file)! }, { path: file.path })
    const reason = brokenJsonReason(file)
    if (reason) report('invalid', { reason }, brokenJsonLocation(file))
  },
})
