import rule from '../../../src/rules/dataset/template-render.js'
import { chat, chatmlBase, datasetRuleTester, exactly } from '../../helpers/dataset-tester.js'

const GEMMA = [
  "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}",
  "{% for m in messages %}{{ '<start_of_turn>' + m['role'] + '\\n' + m['content'] + '<end_of_turn>\\n' }}{% endfor %}",
].join('')

/** ChatML, but a row whose first message is "big" asks for a string past the output bound. */
const BIG_ON_DEMAND =
  "{% if messages[0]['content'] == 'big' %}{{ 'x' * 100000000 }}{% endif %}" +
  "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}"
const ok = chat(['user', 'a'], ['assistant', 'b'])

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
    {
      name: 'after a limit on a row the template renders no later row; the rows not rendered are counted',
      rows: [ok, chat(['user', 'big']), ok, chat(['system', 'big'], ['user', [1]]), ok],
      base: chatmlBase({ template: BIG_ON_DEMAND }),
      errors: [
        {
          messageId: 'limit',
          row: 2,
          line: 2,
          message: exactly(
            'Rendering this row with the chat template of org/base did not finish: the output grew past 67,108,864 characters.',
          ),
        },
        {
          // Row 4 would fail (a list added to a string) but is not rendered: three rows, not one finding.
          messageId: 'notRendered',
          message: exactly(
            '3 more rows were not rendered with the chat template of org/base: after it did not finish on row 2 of train.jsonl (the output grew past 67,108,864 characters), it was not run again, so those rows were not checked against it.',
          ),
        },
      ],
    },
  ],
})
