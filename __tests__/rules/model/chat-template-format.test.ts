import rule from '../../../src/rules/model/chat-template-format.js'
import { ruleTester } from '../../helpers/rule-tester.js'

/** A JSON object nested 10,000 levels deep at line 3 (Python's json loads 9,998): level 9,999 opens at column 10,005. */
const tooDeepJson = `{\n  "eos_token_id": 2,\n  "x": ${'['.repeat(9_999)}${']'.repeat(9_999)}\n}\n`

const T = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
const tc = (chat_template: unknown) => JSON.stringify({ eos_token: '</s>', chat_template }, null, 2)

ruleTester(rule, {
  valid: [
    { name: 'a string', files: { 'tokenizer_config.json': tc(T) } },
    {
      name: 'a list with a default',
      files: {
        'tokenizer_config.json': tc([
          { name: 'default', template: T },
          { name: 'tool_use', template: T },
        ]),
      },
    },
    {
      name: 'chat_template.jinja plus additional templates',
      files: { 'chat_template.jinja': T, 'additional_chat_templates/rag.jinja': T },
    },
    {
      name: 'null: no template (missing-chat-template reports it)',
      files: { 'tokenizer_config.json': tc(null) },
    },
  ],
  invalid: [
    {
      name: 'chat_template.json nested deeper than Python loads',
      files: { 'chat_template.json': tooDeepJson },
      errors: [
        {
          messageId: 'tooDeep',
          severity: 'warning',
          path: 'chat_template.json',
          line: 3,
          column: 10_005,
          message:
            /^chat_template\.json is nested 10,000 levels deep; .* no chat template is read from it\.$/,
        },
      ],
    },
    {
      name: 'a number',
      files: { 'tokenizer_config.json': tc(42) },
      errors: [
        {
          messageId: 'notTemplate',
          path: 'tokenizer_config.json',
          line: 3,
          column: 3,
          pointer: '/chat_template',
          message: '"chat_template" is a number; it must be a string',
        },
      ],
    },
    {
      name: 'an object',
      files: { 'tokenizer_config.json': tc({ default: T }) },
      errors: [
        {
          messageId: 'notTemplate',
          path: 'tokenizer_config.json',
          line: 3,
          column: 3,
          message: '"chat_template" is an object',
        },
      ],
    },
    {
      name: 'list entries that are not named templates',
      files: { 'tokenizer_config.json': tc([T, { name: 'default' }, { template: T }]) },
      errors: [
        {
          messageId: 'badEntry',
          path: 'tokenizer_config.json',
          line: 4,
          column: 5,
          pointer: '/chat_template/0',
          message: 'Entry 0 of "chat_template" is not a named template: it is a string',
        },
        {
          messageId: 'badEntry',
          path: 'tokenizer_config.json',
          line: 5,
          column: 5,
          pointer: '/chat_template/1',
          message: 'its "template" is absent',
        },
        {
          messageId: 'badEntry',
          path: 'tokenizer_config.json',
          line: 8,
          column: 5,
          pointer: '/chat_template/2',
          message: 'its "name" is not a non-empty string',
        },
      ],
    },
    {
      name: 'two entries with one name, and no default',
      files: {
        'tokenizer_config.json': tc([
          { name: 'rag', template: T },
          { name: 'rag', template: T + ' ' },
        ]),
      },
      errors: [
        {
          messageId: 'duplicate',
          path: 'tokenizer_config.json',
          line: 8,
          column: 5,
          pointer: '/chat_template/1',
          message: 'Two entries of "chat_template" are named "rag"',
        },
        {
          messageId: 'noDefault',
          path: 'tokenizer_config.json',
          line: 3,
          column: 3,
          message: 'The chat templates in tokenizer_config.json are named "rag", but none is "default"',
        },
      ],
    },
    {
      name: 'additional templates without chat_template.jinja',
      files: { 'additional_chat_templates/rag.jinja': T, 'additional_chat_templates/tool_use.jinja': T },
      errors: [
        {
          messageId: 'noDefault',
          path: 'additional_chat_templates/rag.jinja',
          message: 'named "rag" and "tool_use", but none is "default"',
        },
      ],
    },
    {
      name: 'chat_template.jinja that is not UTF-8',
      files: { 'chat_template.jinja': new Uint8Array([0xff, 0xfe, 0x00]) },
      errors: [
        {
          messageId: 'unreadable',
          path: 'chat_template.jinja',
          message: 'chat_template.jinja cannot be used as a chat template: it is not UTF-8 text.',
        },
      ],
    },
  ],
})
