import rule from '../../../src/rules/model/missing-chat-template.js'
import { ruleTester } from '../../helpers/rule-tester.js'

const TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"

const tokenizerConfig = (value: Record<string, unknown> = {}) =>
  JSON.stringify({ tokenizer_class: 'LlamaTokenizerFast', ...value }, null, 2) + '\n'

ruleTester(rule, {
  valid: [
    {
      name: 'a chat_template string in tokenizer_config.json',
      files: { 'tokenizer_config.json': tokenizerConfig({ chat_template: TEMPLATE }) },
    },
    {
      name: 'a list of named templates, as save_pretrained writes several',
      files: {
        'tokenizer_config.json': tokenizerConfig({
          chat_template: [
            { name: 'default', template: TEMPLATE },
            { name: 'tool_use', template: TEMPLATE },
          ],
        }),
      },
    },
    {
      name: 'a list where one named template is set',
      files: {
        'tokenizer_config.json': tokenizerConfig({
          chat_template: [
            { name: 'rag', template: '' },
            { name: 'default', template: TEMPLATE },
          ],
        }),
      },
    },
    {
      name: 'chat_template.jinja only (tokenizer-config reports the missing tokenizer_config.json)',
      files: { 'chat_template.jinja': TEMPLATE },
    },
    {
      name: 'chat_template.jinja next to a tokenizer_config.json without chat_template, as transformers 4.5x saves it',
      files: { 'tokenizer_config.json': tokenizerConfig(), 'chat_template.jinja': TEMPLATE },
    },
    {
      name: 'chat_template.json only',
      files: { 'chat_template.json': JSON.stringify({ chat_template: TEMPLATE }, null, 4) },
    },
    {
      name: 'chat_template.json next to a tokenizer_config.json without chat_template',
      files: {
        'tokenizer_config.json': tokenizerConfig(),
        'chat_template.json': JSON.stringify({ chat_template: TEMPLATE }),
      },
    },
    {
      name: 'broken tokenizer_config.json: tokenizer-config reports it, and we cannot tell',
      files: { 'tokenizer_config.json': '{"chat_template": "{{ x }}",}' },
    },
    {
      name: 'empty tokenizer_config.json: tokenizer-config reports it',
      files: { 'tokenizer_config.json': '' },
    },
    {
      name: 'tokenizer_config.json is a folder: tokenizer-config reports it',
      files: { 'tokenizer_config.json': { directory: true } },
    },
    {
      name: 'tokenizer_config.json is a link leaving the folder: link-outside-model reports it',
      files: { 'tokenizer_config.json': { link: 'outside' } },
    },
    {
      name: 'a list of bare strings is not the named-template format: chat-template-format reports it',
      files: { 'tokenizer_config.json': tokenizerConfig({ chat_template: [TEMPLATE] }) },
    },
    {
      name: 'chat_template.jinja is a folder: chat-template-format reports it',
      files: { 'chat_template.jinja': { directory: true } },
    },
  ],
  invalid: [
    {
      name: 'no template anywhere, no tokenizer_config.json: on the root',
      files: { 'config.json': '{}', 'tokenizer.json': '{}' },
      errors: [
        {
          messageId: 'missing',
          path: '.',
          message:
            'No chat template found (no chat_template in tokenizer_config.json, no chat_template.jinja, no chat_template.json): the endpoint will not offer the chat API unless a custom chat template is set on it.',
        },
      ],
    },
    {
      name: 'tokenizer_config.json without chat_template: on the file, with no line (the key is absent)',
      files: { 'tokenizer_config.json': tokenizerConfig() },
      errors: [{ messageId: 'missing', path: 'tokenizer_config.json' }],
    },
    {
      name: 'tokenizer_config.json starting on line 2: still no line',
      files: { 'tokenizer_config.json': '\n{"tokenizer_class": "LlamaTokenizerFast"}\n' },
      errors: [{ messageId: 'missing', path: 'tokenizer_config.json' }],
    },
    {
      name: 'an empty-string chat_template',
      files: { 'tokenizer_config.json': tokenizerConfig({ chat_template: '' }) },
      errors: [{ messageId: 'missing', path: 'tokenizer_config.json' }],
    },
    {
      name: 'a whitespace-only chat_template',
      files: { 'tokenizer_config.json': tokenizerConfig({ chat_template: ' \n ' }) },
      errors: [{ messageId: 'missing', path: 'tokenizer_config.json' }],
    },
    {
      name: 'a null chat_template',
      files: { 'tokenizer_config.json': tokenizerConfig({ chat_template: null }) },
      errors: [{ messageId: 'missing', path: 'tokenizer_config.json' }],
    },
    {
      name: 'a list of named templates that are all empty',
      files: {
        'tokenizer_config.json': tokenizerConfig({ chat_template: [{ name: 'default', template: '' }] }),
      },
      errors: [{ messageId: 'missing', path: 'tokenizer_config.json' }],
    },
    {
      name: 'an empty list',
      files: { 'tokenizer_config.json': tokenizerConfig({ chat_template: [] }) },
      errors: [{ messageId: 'missing', path: 'tokenizer_config.json' }],
    },
    {
      name: 'an empty chat_template.jinja',
      files: { 'tokenizer_config.json': tokenizerConfig(), 'chat_template.jinja': '' },
      errors: [{ messageId: 'missing', path: 'tokenizer_config.json' }],
    },
    {
      name: 'chat_template.jinja only in a subfolder',
      files: { 'templates/chat_template.jinja': TEMPLATE },
      errors: [{ messageId: 'missing', path: '.' }],
    },
    {
      name: 'chat_template.json without a chat_template field',
      files: { 'chat_template.json': JSON.stringify({ template: TEMPLATE }) },
      errors: [{ messageId: 'missing', path: '.' }],
    },
    {
      name: 'chat_template.json with an empty template',
      files: { 'tokenizer_config.json': tokenizerConfig(), 'chat_template.json': '{"chat_template": ""}' },
      errors: [{ messageId: 'missing', path: 'tokenizer_config.json' }],
    },
    {
      name: 'chat_template.json that is not valid JSON',
      files: { 'chat_template.json': '{"chat_template": "{{ x }}",}' },
      errors: [{ messageId: 'missing', path: '.' }],
    },
    {
      name: 'the user can raise the severity',
      files: {},
      level: 'error',
      errors: [{ messageId: 'missing', path: '.', severity: 'error' }],
    },
  ],
})
