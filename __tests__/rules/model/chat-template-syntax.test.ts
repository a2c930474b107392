import rule from '../../../src/rules/model/chat-template-syntax.js'
import { ruleTester } from '../../helpers/rule-tester.js'

const GOOD = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
const BROKEN =
  "{% for m in messages %}\n{{ m['role'] }}:\n{% if m['content'] %}{{ m['content'] }}\n  {% endfor %}"
/** Jinja2's message for BROKEN: `endfor` (line 4, column 6) while the `if` of line 3 is open. */
const BROKEN_MESSAGE =
  "Encountered unknown tag 'endfor'. You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if' (opened at line 3, column 1)"
const tc = (chat_template: unknown) => JSON.stringify({ eos_token: '</s>', chat_template }, null, 2)
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

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
    {
      name: 'grammar beyond what chat templates usually use: tests without parentheses, raw, with, tuples',
      files: {
        'chat_template.jinja':
          '{% raw %}{{ not parsed }}{% endraw %}{% with n = messages|length %}{{ n is divisibleby 2 }}{% endwith %}{{ (1,) }}{{ 1 < 2 < 3 }}',
      },
    },
    {
      name: 'an unknown filter in a branch that never runs: Jinja2 3 fails only when it runs',
      files: { 'chat_template.jinja': '{% if false %}{{ messages|nofilter }}{% endif %}' },
    },
    { name: 'no template: missing-chat-template reports it', files: {} },
  ],
  invalid: [
    {
      name: 'an unclosed if in chat_template.jinja: on the offending tag, the column in the message too',
      files: { 'chat_template.jinja': BROKEN },
      errors: [
        {
          messageId: 'syntax',
          path: 'chat_template.jinja',
          line: 4,
          column: 6,
          message: new RegExp(
            `^The chat template \\(chat_template\\.jinja\\) does not parse \\(line 4, column 6\\): ${escaped(BROKEN_MESSAGE)}\\.$`,
          ),
        },
      ],
    },
    {
      name: 'inside tokenizer_config.json: on the chat_template value, the template line and column in the message',
      files: { 'tokenizer_config.json': tc(BROKEN) },
      errors: [
        {
          messageId: 'syntax',
          path: 'tokenizer_config.json',
          line: 3,
          column: 3,
          pointer: '/chat_template',
          message: new RegExp(
            `^The chat template \\("chat_template" in tokenizer_config\\.json\\) does not parse \\(line 4, column 6 of the template\\): ${escaped(BROKEN_MESSAGE)}\\.$`,
          ),
        },
      ],
    },
    {
      name: 'a named template of the list form, cut off inside a tag',
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
          message:
            /^The "tool_use" chat template \("chat_template" in tokenizer_config\.json\) does not parse \(line 1, column 16 of the template\): unexpected end of template, expected 'end of print statement'\.$/,
        },
      ],
    },
    {
      name: 'chat_template.json of a processor',
      files: { 'chat_template.json': JSON.stringify({ chat_template: '{% if %}' }) },
      errors: [
        {
          messageId: 'syntax',
          path: 'chat_template.json',
          line: 1,
          column: 2,
          message:
            /\(line 1, column 7 of the template\): Expected an expression, got 'end of statement block'\.$/,
        },
      ],
    },
    {
      name: 'a lexer error on a later line of a .jinja file: its line and column',
      files: { 'chat_template.jinja': "{{ bos_token }}\n{% set x = 'open %}\n" },
      errors: [
        {
          messageId: 'syntax',
          path: 'chat_template.jinja',
          line: 2,
          column: 12,
          message: /does not parse \(line 2, column 12\): unexpected char "'" at 27\.$/,
        },
      ],
    },
    {
      name: 'an unknown filter where it always runs: a compile error, on the filter',
      files: { 'chat_template.jinja': 'a\n{{ messages | nofilter }}' },
      errors: [
        {
          messageId: 'syntax',
          path: 'chat_template.jinja',
          line: 2,
          column: 15,
          message: /\(line 2, column 15\): No filter named 'nofilter'\.$/,
        },
      ],
    },
    {
      name: 'a template that nests too deeply: a syntax error at the level past the limit, no crash',
      files: { 'chat_template.jinja': '{% if x %}'.repeat(10_000) + '{% endif %}'.repeat(10_000) },
      errors: [
        {
          messageId: 'syntax',
          path: 'chat_template.jinja',
          line: 1,
          column: 1001,
          message: /more than 100 levels deep\.$/,
        },
      ],
    },
  ],
})
