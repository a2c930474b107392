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
      // On the first row that carries the key, with its row: where to look first.
      name: 'reports keys the template never names, once per key, with the count and the first row',
      rows: [row, row],
      base: chatmlBase(),
      errors: [
        {
          messageId: 'unused',
          row: 1,
          line: 1,
          message: exactly(
            'Messages carry "weight" (4 messages, first in row 1), which the base model\'s chat template never reads: it is dropped from training silently.',
          ),
        },
        {
          messageId: 'unused',
          row: 1,
          line: 1,
          message: exactly(
            'Messages carry "name" (2 messages, first in row 1), which the base model\'s chat template never reads: it is dropped from training silently.',
          ),
        },
      ],
    },
    {
      name: 'a key first carried by a later row is on that row',
      rows: [named[0], { messages: [{ role: 'user', content: 'a', weight: 1 }] }],
      base: chatmlBase({ template: readsName }),
      errors: [{ messageId: 'unused', row: 2, line: 2, message: '(1 message, first in row 2)' }],
    },
  ],
})
