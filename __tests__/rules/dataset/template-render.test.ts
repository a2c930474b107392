import rule from '../../../src/rules/dataset/template-render.js'
import { chat, chatmlBase, datasetRuleTester, exactly } from '../../helpers/dataset-tester.js'

const GEMMA = [
  "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}",
  "{% for m in messages %}{{ '<start_of_turn>' + m['role'] + '\\n' + m['content'] + '<end_of_turn>\\n' }}{% endfor %}",
].join('')

/** A value nested `depth` lists deep. */
const nested = (depth: number): unknown => (depth === 0 ? 'x' : [nested(depth - 1)])

datasetRuleTester(rule, {
  valid: [
    {
      name: 'rows the template renders',
      rows: [chat(['user', 'a'], ['assistant', 'b'])],
      base: chatmlBase(),
    },
    { name: 'says nothing without a base model', rows: [chat(['user', [1]])] },
  ],
  invalid: [
    {
      name: "a row the template refuses, in its own words; a row Jinja2 cannot render, with Python's message",
      rows: [
        chat(['user', 'a'], ['assistant', 'b']),
        chat(['system', 's'], ['user', 'a'], ['assistant', 'b']),
        chat(['user', [{ type: 'text', text: 'a' }]], ['assistant', 'b']),
      ],
      base: chatmlBase({ template: GEMMA }),
      errors: [
        {
          messageId: 'raised',
          row: 2,
          line: 2,
          message: exactly('The chat template of org/base refuses this row: "System role not supported".'),
        },
        {
          messageId: 'failed',
          row: 3,
          line: 3,
          message: exactly(
            'The chat template of org/base cannot render this row: can only concatenate str (not "list") to str.',
          ),
        },
      ],
    },
    {
      name: 'a row too deep to render within the bounds',
      rows: [chat(['user', nested(300)], ['assistant', 'b'])],
      base: chatmlBase(),
      errors: [
        { messageId: 'limit', row: 1, line: 1, message: 'did not finish: input nesting deeper than 200' },
      ],
    },
  ],
})
