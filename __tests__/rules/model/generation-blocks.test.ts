import rule from '../../../src/rules/model/generation-blocks.js'
import { ruleTester } from '../../helpers/rule-tester.js'

const TRL =
  "{% for m in messages %}\n{% if m['role'] == 'assistant' %}\n{%- generation -%}{{ m['content'] }}{%- endgeneration -%}\n{% endif %}{% endfor %}"

ruleTester(rule, {
  valid: [{ name: 'no generation blocks', files: { 'chat_template.jinja': "{{ messages[0]['content'] }}" } }],
  invalid: [
    {
      name: 'a TRL training template: noted on the line of the block',
      files: { 'chat_template.jinja': TRL },
      errors: [
        {
          messageId: 'generation',
          path: 'chat_template.jinja',
          line: 3,
          severity: 'info',
          message: 'marks assistant turns with {% generation %}',
        },
      ],
    },
    {
      name: 'inside tokenizer_config.json',
      files: { 'tokenizer_config.json': JSON.stringify({ chat_template: TRL }) },
      errors: [
        {
          messageId: 'generation',
          path: 'tokenizer_config.json',
          line: 1,
          column: 2,
          message: '{% generation %} (line 3 of the template)',
        },
      ],
    },
  ],
})
