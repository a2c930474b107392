import rule from '../../../src/rules/model/chat-template-render.js'
import { ruleTester } from '../../helpers/rule-tester.js'

const CHATML =
  "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
// Gemma's: no system role, strict alternation.
const NO_SYSTEM = [
  "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}",
  "{% for m in messages %}{% if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}",
  "{{ '<start_of_turn>' + m['role'] + '\\n' + m['content'] + '<end_of_turn>\\n' }}{% endfor %}",
].join('\n')
const tc = (chat_template: string) => JSON.stringify({ eos_token: '<eos>', chat_template }, null, 2)

ruleTester(rule, {
  valid: [
    { name: 'ChatML renders every smoke conversation', files: { 'tokenizer_config.json': tc(CHATML) } },
    {
      name: 'a template that does not parse: chat-template-syntax reports it',
      files: { 'chat_template.jinja': '{% if %}' },
    },
  ],
  invalid: [
    {
      name: 'a template that rejects the system role: its own words, on its raise_exception line',
      files: { 'chat_template.jinja': NO_SYSTEM },
      errors: [
        {
          messageId: 'raised',
          path: 'chat_template.jinja',
          line: 1,
          message:
            'The chat template (chat_template.jinja) raises "System role not supported" on [system, user] and [system, user, assistant]: requests and fine-tuning rows shaped like that are refused.',
        },
      ],
    },
    {
      name: 'inside tokenizer_config.json: the template line goes in the message',
      files: { 'tokenizer_config.json': tc(NO_SYSTEM) },
      errors: [
        {
          messageId: 'raised',
          path: 'tokenizer_config.json',
          line: 3,
          column: 3,
          pointer: '/chat_template',
          message: '"System role not supported" (line 1 of the template) on',
        },
      ],
    },
    {
      name: "a Jinja error, not the template's own raise: told apart",
      files: { 'chat_template.jinja': "{% for m in messages %}{{ m['content'] + 1 }}{% endfor %}" },
      errors: [
        {
          messageId: 'failed',
          path: 'chat_template.jinja',
          message:
            /^The chat template \(chat_template\.jinja\) fails with a Jinja error on \[user\], \[system, user\], /,
        },
      ],
    },
  ],
})
