import { defineModelRule } from '../model-rule.js'
import { brokenJsonLocation, brokenJsonReason } from '../utils/json-file.js'

export default defineModelRule({
  meta: {
    id: 'MR201',
    name: 'invalid-config',
    description: 'Require config.json to be a valid JSON object',
    severity: 'error',
    artifacts: ['config'],
    messages: {
      invalid: {
        text: (d: { reason: string }) => `config.json ${d.reason}.`,
        hint: () =>
          'Regenerate config.json with save_pretrained(), or fix it by hand: it must be plain JSON (no comments, no trailing commas), UTF-8 without a byte-order mark.',
      },
    },
  },
  check({ artifacts: { config }, report }) {
    const reason = brokenJsonReason(config)
    if (reason) report('invalid', { reason }, brokenJsonLocation(config))
  },
})
