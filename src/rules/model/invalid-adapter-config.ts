import { defineModelRule } from '../model-rule.js'
import { brokenJsonLocation, brokenJsonReason, notFileWhat } from '../utils/json-file.js'

export default defineModelRule({
  meta: {
    id: 'MR601',
    name: 'invalid-adapter-config',
    description: 'Require adapter_config.json of a LoRA adapter to be a valid JSON object',
    severity: 'error',
    artifacts: ['adapterConfig'],
    // A folder named adapter_config.json makes the target a model (only a readable file marks an
    // adapter), so this rule also runs on models: that is the one place the folder can be reported.
    appliesTo: ['model', 'adapter'],
    messages: {
      invalid: {
        text: (d: { reason: string }) => `adapter_config.json ${d.reason}.`,
        hint: () =>
          'Save the adapter again with PeftModel.save_pretrained(path), or fix the JSON by hand: plain JSON (no comments, no trailing commas), UTF-8 without a byte-order mark.',
      },
      notFile: {
        text: (d: { what: string }) =>
          `adapter_config.json is ${d.what}, so the repository was checked as a full model, not as a LoRA adapter.`,
        hint: () =>
          'Replace it with the adapter_config.json file that PeftModel.save_pretrained() writes, or remove it if this is not an adapter.',
      },
    },
  },
  check({ artifacts: { adapterConfig: file }, report }) {
    // A link leaving the folder or leading nowhere is reported by link-outside-model.
    if (file.state === 'not-file' && !file.entry.link)
      return report('notFile', { what: notFileWhat(file)! }, { path: file.path })
    const reason = brokenJsonReason(file)
    if (reason) report('invalid', { reason }, brokenJsonLocation(file))
  },
})
