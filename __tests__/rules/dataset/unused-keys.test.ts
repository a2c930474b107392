import rule from '../../../src/rules/dataset/unused-keys.js'
import { chatmlBase, datasetRuleTester, exactly } from '../../helpers/dataset-tester.js'

const row = {
  messages: [
    { role: 'user', content: 'a', weight: 1 },
    { role: 'assistant', content: 'b', weight: 0, name: 'bot' },
  ],
}
const named = [{ messages: [{ role: 'user', content: 'a', name: 'x' }] }]
const readsName =
  "{% for m in messages %}{{ m['role'] }}{% if m.name %}{{ m.name }}{% endif %}{{ m['content'] }}{% endfor %}"

datasetRuleTester(rule, {
  valid: [
    { name: 'keys the template reads are fine', rows: named, base: chatmlBase({ template: readsName }) },
    { name: 'without a base model nothing is said', rows: named },
  ],
  invalid: [
    {
      // About the whole dataset: on the first row's line, without a row of its own.
      name: 'reports keys the template never names, once per key, with the count and the first row',
      rows: [row, row],
      base: chatmlBase(),
      errors: [
        {
          messageId: 'unused',
          line: 1,
          message: exactly(
            'Messages carry "weight" (4 messages, first in row 1), which the base model\'s chat template never reads: it is dropped from training silently.',
          ),
        },
        {
          messageId: 'unused',
          line: 1,
          message: exactly(
            'Messages carry "name" (2 messages, first in row 1), which the base model\'s chat template never reads: it is dropped from training silently.',
          ),
        },
      ],
    },
  ],
})
