import rule from '../../../src/rules/model/chat-template-location.js'
import { ruleTester } from '../../helpers/rule-tester.js'

const T = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
const tc = (extra: Record<string, unknown> = {}) => JSON.stringify({ eos_token: '</s>', ...extra }, null, 2)

ruleTester(rule, {
  valid: [
    {
      name: 'the template in tokenizer_config.json only',
      files: { 'tokenizer_config.json': tc({ chat_template: T }) },
    },
    {
      name: 'the same template in both places',
      files: { 'tokenizer_config.json': tc({ chat_template: T }), 'chat_template.jinja': T + '\n' },
    },
    {
      name: 'the same template with CRLF in the .jinja',
      files: { 'tokenizer_config.json': tc({ chat_template: 'a\nb' }), 'chat_template.jinja': 'a\r\nb' },
    },
    {
      name: 'no template anywhere: missing-chat-template reports it',
      files: { 'tokenizer_config.json': tc() },
    },
  ],
  invalid: [
    {
      name: 'only chat_template.jinja, as save_pretrained writes since transformers 4.5x',
      files: { 'tokenizer_config.json': tc(), 'chat_template.jinja': T },
      errors: [
        {
          messageId: 'elsewhere',
          path: 'tokenizer_config.json',
          message:
            'The chat template is only in chat_template.jinja, not in tokenizer_config.json: transformers finds it, but Friendli',
        },
      ],
    },
    {
      name: 'only a processor chat_template.json, no tokenizer_config.json',
      files: { 'chat_template.json': JSON.stringify({ chat_template: T }) },
      errors: [{ messageId: 'elsewhere', path: '.', message: 'only in chat_template.json' }],
    },
    {
      name: 'two different templates: transformers and Friendli would disagree',
      files: { 'tokenizer_config.json': tc({ chat_template: T }), 'chat_template.jinja': 'other' },
      errors: [
        {
          messageId: 'differ',
          path: 'tokenizer_config.json',
          line: 3,
          column: 3,
          pointer: '/chat_template',
          message:
            'chat_template.jinja and "chat_template" in tokenizer_config.json hold different templates',
        },
      ],
    },
    {
      name: 'legacy chat_template.json next to additional_chat_templates/',
      files: {
        'tokenizer_config.json': tc({ chat_template: T }),
        'chat_template.json': JSON.stringify({ chat_template: T }),
        'chat_template.jinja': T,
        'additional_chat_templates/tool_use.jinja': T,
      },
      errors: [
        {
          messageId: 'conflict',
          path: 'chat_template.json',
          message: 'Cannot load chat template due to conflicting files',
        },
      ],
    },
  ],
})
