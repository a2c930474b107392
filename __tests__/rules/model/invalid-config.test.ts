import { JSON_LIMITS } from '../../../src/artifacts/model-artifacts.js'
import rule from '../../../src/rules/model/invalid-config.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)))

/** A valid JSON object of exactly `size` bytes: braces around spaces (cheap to build at any size). */
function paddedObject(size: number): Uint8Array {
  const data = new Uint8Array(size).fill(0x20)
  data[0] = 0x7b
  data[size - 1] = 0x7d
  return data
}

ruleTester(rule, {
  valid: [
    { name: 'a config saved by save_pretrained', files: { 'config.json': configJson() } },
    {
      name: 'minified',
      files: { 'config.json': '{"architectures":["LlamaForCausalLM"],"model_type":"llama"}' },
    },
    { name: 'CRLF line endings', files: { 'config.json': '{\r\n  "model_type": "llama"\r\n}\r\n' } },
    {
      name: 'non-ASCII text in valid UTF-8',
      files: { 'config.json': configJson({ _name: 'café 模型 🦙' }) },
    },
    { name: 'an empty object: missing-architectures reports it', files: { 'config.json': '{}' } },
    { name: 'no config.json: missing-config reports it', files: {} },
    {
      name: 'config.json is a folder: missing-config reports it',
      files: { 'config.json': { directory: true } },
    },
    {
      name: 'config.json is a link leaving the folder: link-outside-model reports it',
      files: { 'config.json': { link: 'outside' } },
    },
    {
      name: 'exactly at the size limit, so parsed',
      files: { 'config.json': paddedObject(JSON_LIMITS.config) },
    },
  ],
  invalid: [
    {
      name: 'empty: no line to point at',
      files: { 'config.json': '' },
      errors: [{ messageId: 'invalid', path: 'config.json', message: 'config.json is empty.' }],
    },
    {
      name: 'whitespace only: empty too',
      files: { 'config.json': '  \n\t\n' },
      errors: [{ messageId: 'invalid', path: 'config.json', message: 'config.json is empty.' }],
    },
    {
      name: 'a JSON array',
      files: { 'config.json': '[\n  "LlamaForCausalLM"\n]\n' },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          line: 1,
          column: 1,
          message: 'config.json must hold a JSON object but holds an array.',
        },
      ],
    },
    {
      name: 'a JSON array after a blank line, at the array',
      files: { 'config.json': '\n  [1]\n' },
      errors: [{ messageId: 'invalid', path: 'config.json', line: 2, column: 3, message: 'holds an array' }],
    },
    {
      name: 'a JSON string',
      files: { 'config.json': '"LlamaForCausalLM"\n' },
      errors: [{ messageId: 'invalid', path: 'config.json', line: 1, column: 1, message: 'holds a string.' }],
    },
    {
      name: 'null',
      files: { 'config.json': 'null' },
      errors: [{ messageId: 'invalid', path: 'config.json', line: 1, column: 1, message: 'holds null.' }],
    },
    {
      name: 'invalid UTF-8: at the bad byte',
      files: { 'config.json': bytes([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]) },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          line: 1,
          column: 3,
          message: 'config.json is not valid UTF-8 (first bad byte at line 1, column 3).',
        },
      ],
    },
    {
      name: 'invalid UTF-8 after a multi-byte character: the column counts characters, not bytes',
      // Line 2 is `  "name": "café` then 0xff: é is two bytes but one column, so the bad byte is column 16.
      files: { 'config.json': bytes('{\n  "name": "café', [0xff], '"\n}\n') },
      errors: [
        { messageId: 'invalid', path: 'config.json', line: 2, column: 16, message: 'line 2, column 16' },
      ],
    },
    {
      name: 'a Latin-1 file',
      files: { 'config.json': bytes('{"name": "caf', [0xe9], '"}') },
      errors: [
        { messageId: 'invalid', path: 'config.json', line: 1, column: 14, message: 'not valid UTF-8' },
      ],
    },
    {
      name: 'a multi-byte character cut off at the end',
      files: { 'config.json': bytes('{"a": 1}\n', [0xc3]) },
      errors: [{ messageId: 'invalid', path: 'config.json', line: 2, column: 1, message: 'not valid UTF-8' }],
    },
    {
      name: 'a UTF-8 byte-order mark',
      files: { 'config.json': '\ufeff' + configJson() },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          line: 1,
          column: 1,
          message:
            "starts with a UTF-8 byte-order mark, which Python's json module (used by transformers) rejects.",
        },
      ],
    },
    {
      name: 'a trailing comma in an object: at the closing brace',
      files: {
        'config.json': '{\n  "architectures": [\n    "LlamaForCausalLM"\n  ],\n  "model_type": "llama",\n}\n',
      },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          line: 6,
          column: 1,
          message:
            'config.json is not valid JSON: a property name in double quotes is expected at line 6, column 1.',
        },
      ],
    },
    {
      name: 'a trailing comma in a list: at the closing bracket',
      files: {
        'config.json': '{\n  "architectures": [\n    "LlamaForCausalLM",\n  ],\n  "model_type": "llama"\n}\n',
      },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          line: 4,
          column: 3,
          message: 'a value is expected at line 4, column 3.',
        },
      ],
    },
    {
      name: 'a line comment',
      files: { 'config.json': '{\n  // saved by hand\n  "model_type": "llama"\n}\n' },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          line: 2,
          column: 3,
          message: 'comments are not allowed in JSON at line 2, column 3.',
        },
      ],
    },
    {
      name: 'a block comment',
      files: { 'config.json': '{\n  "model_type": "llama" /* was mistral */\n}\n' },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          line: 2,
          column: 25,
          message: 'comments are not allowed',
        },
      ],
    },
    {
      name: 'single quotes',
      files: { 'config.json': "{\n  'model_type': 'llama'\n}\n" },
      errors: [
        { messageId: 'invalid', path: 'config.json', line: 2, column: 3, message: 'unexpected character' },
      ],
    },
    {
      name: 'cut off in the middle',
      files: { 'config.json': '{\n  "architectures": [\n    "LlamaForCausalLM"\n' },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          line: 4,
          column: 1,
          message: 'a closing bracket is expected at line 4, column 1.',
        },
      ],
    },
    {
      name: 'two objects one after the other',
      files: { 'config.json': '{"model_type": "llama"}\n{"model_type": "llama"}\n' },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          line: 2,
          column: 1,
          message: 'unexpected content after the end of the JSON value',
        },
      ],
    },
    {
      name: 'CRLF line endings with a trailing comma',
      files: { 'config.json': '{\r\n  "model_type": "llama",\r\n}\r\n' },
      errors: [{ messageId: 'invalid', path: 'config.json', line: 3, column: 1 }],
    },
    {
      name: '50 MB: not parsed, and no line',
      files: { 'config.json': paddedObject(50_000_000) },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          message:
            'config.json is 47.7 MiB, more than the 8 MiB such a file can reasonably be, so it was not parsed.',
        },
      ],
    },
    {
      name: 'one byte over the size limit: the size in bytes, so it reads as more than the limit',
      files: { 'config.json': paddedObject(JSON_LIMITS.config + 1) },
      errors: [
        {
          messageId: 'invalid',
          path: 'config.json',
          message: 'config.json is 8,388,609 bytes, more than the 8 MiB',
        },
      ],
    },
    {
      name: 'the user can lower the severity',
      files: { 'config.json': '' },
      level: 'warning',
      errors: [{ messageId: 'invalid', path: 'config.json', severity: 'warning' }],
    },
  ],
})
