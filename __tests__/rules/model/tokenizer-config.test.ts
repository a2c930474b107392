import { JSON_LIMITS } from '../../../src/artifacts/model-artifacts.js'
import rule from '../../../src/rules/model/tokenizer-config.js'
import { ruleTester } from '../../helpers/rule-tester.js'

const tokenizerConfig = (value: Record<string, unknown> = {}) =>
  JSON.stringify(
    { tokenizer_class: 'LlamaTokenizerFast', chat_template: '{{ messages }}', ...value },
    null,
    2,
  ) + '\n'

ruleTester(rule, {
  valid: [
    {
      name: 'a tokenizer_config.json with a chat template',
      files: { 'tokenizer_config.json': tokenizerConfig() },
    },
    { name: 'an empty object: missing-chat-template reports it', files: { 'tokenizer_config.json': '{}' } },
    {
      name: 'a link leaving the folder: link-outside-model reports it',
      files: { 'tokenizer_config.json': { link: 'outside' } },
    },
    {
      name: 'a broken link: link-outside-model reports it',
      files: { 'tokenizer_config.json': { link: 'broken' } },
    },
  ],
  invalid: [
    {
      name: 'missing: a warning',
      files: { 'tokenizer.json': '{}' },
      errors: [
        {
          messageId: 'missing',
          path: '.',
          severity: 'warning',
          message:
            'tokenizer_config.json is missing: Friendli reads the chat template from it to provide the chat API, unless a custom chat template is set on the endpoint.',
        },
      ],
    },
    {
      name: 'only in a subfolder',
      files: { 'tokenizer/tokenizer_config.json': tokenizerConfig() },
      errors: [{ messageId: 'missing', path: '.' }],
    },
    {
      name: 'a folder: an error',
      files: { 'tokenizer_config.json': { directory: true } },
      errors: [
        {
          messageId: 'notFile',
          path: 'tokenizer_config.json',
          severity: 'error',
          message: 'tokenizer_config.json is a folder, not a file Friendli can read.',
        },
      ],
    },
    {
      name: 'empty: an error with no line',
      files: { 'tokenizer_config.json': '' },
      errors: [
        {
          messageId: 'invalid',
          path: 'tokenizer_config.json',
          severity: 'error',
          message: 'tokenizer_config.json is empty.',
        },
      ],
    },
    {
      name: 'whitespace only',
      files: { 'tokenizer_config.json': '\n\n   ' },
      errors: [{ messageId: 'invalid', path: 'tokenizer_config.json', message: 'is empty.' }],
    },
    {
      name: 'a JSON array',
      files: { 'tokenizer_config.json': '[]' },
      errors: [
        {
          messageId: 'invalid',
          path: 'tokenizer_config.json',
          line: 1,
          column: 1,
          message: 'tokenizer_config.json must hold a JSON object but holds an array.',
        },
      ],
    },
    {
      name: 'a JSON string',
      files: { 'tokenizer_config.json': '  "{{ messages }}"' },
      errors: [
        {
          messageId: 'invalid',
          path: 'tokenizer_config.json',
          line: 1,
          column: 3,
          message: 'holds a string.',
        },
      ],
    },
    {
      name: 'invalid UTF-8: at the bad byte',
      files: {
        'tokenizer_config.json': new Uint8Array([0x7b, 0x0a, 0x20, 0x20, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      },
      errors: [
        {
          messageId: 'invalid',
          path: 'tokenizer_config.json',
          line: 2,
          column: 4,
          message: 'is not valid UTF-8 (first bad byte at line 2, column 4).',
        },
      ],
    },
    {
      name: 'a UTF-8 byte-order mark',
      files: { 'tokenizer_config.json': '\ufeff' + tokenizerConfig() },
      errors: [
        {
          messageId: 'invalid',
          path: 'tokenizer_config.json',
          line: 1,
          column: 1,
          message: 'byte-order mark',
        },
      ],
    },
    {
      name: 'a trailing comma',
      // Lines 2 and 3 hold the two fields; the comma after the chat template leaves "}" on line 4 without a key.
      files: {
        'tokenizer_config.json':
          '{\n  "tokenizer_class": "LlamaTokenizerFast",\n  "chat_template": "{{ messages }}",\n}\n',
      },
      errors: [
        {
          messageId: 'invalid',
          path: 'tokenizer_config.json',
          line: 4,
          column: 1,
          message: 'is not valid JSON: a property name in double quotes is expected at line 4, column 1.',
        },
      ],
    },
    {
      name: 'a comment',
      files: { 'tokenizer_config.json': '{\n  "tokenizer_class": "LlamaTokenizerFast" // fast\n}\n' },
      errors: [
        {
          messageId: 'invalid',
          path: 'tokenizer_config.json',
          line: 2,
          column: 43,
          message: 'comments are not allowed',
        },
      ],
    },
    {
      name: 'one byte over the size limit: not parsed, no line',
      files: {
        'tokenizer_config.json': (() => {
          const data = new Uint8Array(JSON_LIMITS.tokenizerConfig + 1).fill(0x20)
          data[0] = 0x7b
          data[data.length - 1] = 0x7d
          return data
        })(),
      },
      errors: [
        {
          messageId: 'invalid',
          path: 'tokenizer_config.json',
          message:
            'tokenizer_config.json is 67,108,865 bytes, more than the 64 MiB such a file can reasonably be, so it was not parsed.',
        },
      ],
    },
    {
      name: 'a severity set by the user applies to every message',
      files: { 'tokenizer_config.json': { directory: true } },
      level: 'info',
      errors: [{ messageId: 'notFile', path: 'tokenizer_config.json', severity: 'info' }],
    },
  ],
})
