import rule from '../../../src/rules/model/chat-template-syntax.js'
import { ruleTester } from '../../helpers/rule-tester.js'

const GOOD = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
const BROKEN =
  "{% for m in messages %}\n{{ m['role'] }}:\n{% if m['content'] %}{{ m['content'] }}\n{% endfor %}"
const tc = (chat_template: unknown) => JSON.stringify({ eos_token: '</s>', chat_template }, null, 2)

ruleTester(rule, {
  valid: [
    { name: 'a template that parses', files: { 'tokenizer_config.json': tc(GOOD) } },
    {
      name: 'CRLF line ends, as Windows editors save them',
      files: { 'chat_template.jinja': GOOD.replace(/\n/g, '\r\n') },
    },
    {
      name: 'a {% generation %} block (TRL training templates)',
      files: {
        'chat_template.jinja':
          "{% for m in messages %}{% generation %}{{ m['content'] }}{% endgeneration %}{% endfor %}",
      },
    },
    { name: 'no template: missing-chat-template reports it', files: {} },
  ],
  invalid: [
    {
      name: 'an unclosed if in chat_template.jinja: on the line the parser stops at',
      files: { 'chat_template.jinja': BROKEN },
      errors: [
        {
          messageId: 'syntax',
          path: 'chat_template.jinja',
          line: 4,
          message: /^The chat template \(chat_template\.jinja\) does not parse: /,
        },
      ],
    },
    {
      name: 'inside tokenizer_config.json: on the chat_template value, the template line in the message',
      files: { 'tokenizer_config.json': tc(BROKEN) },
      errors: [
        {
          messageId: 'syntax',
          path: 'tokenizer_config.json',
          line: 3,
          column: 3,
          pointer: '/chat_template',
          message:
            /^The chat template \("chat_template" in tokenizer_config\.json\) does not parse \(line 4 of the template\): /,
        },
      ],
    },
    {
      name: 'a named template of the list form',
      files: {
        'tokenizer_config.json': tc([
          { name: 'default', template: GOOD },
          { name: 'tool_use', template: '{{ messages[0] ' },
        ]),
      },
      errors: [
        {
          messageId: 'syntax',
          path: 'tokenizer_config.json',
          pointer: '/chat_template/1/template',
          line: 10,
          column: 7,
          message: /^The "tool_use" chat template/,
        },
      ],
    },
    {
      name: 'chat_template.json of a processor',
      files: { 'chat_template.json': JSON.stringify({ chat_template: '{% if %}' }) },
      errors: [{ messageId: 'syntax', path: 'chat_template.json', line: 1, column: 2 }],
    },
  ],
})
