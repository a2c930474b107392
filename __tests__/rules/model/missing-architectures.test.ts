import rule from '../../../src/rules/model/missing-architectures.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

ruleTester(rule, {
  valid: [
    { name: 'one architecture', files: { 'config.json': configJson() } },
    {
      name: 'several architectures',
      files: { 'config.json': configJson({ architectures: ['LlamaForCausalLM', 'LlamaModel'] }) },
    },
    {
      name: 'an unknown architecture: unsupported-architecture reports it',
      files: { 'config.json': configJson({ architectures: ['RwkvForCausalLM'] }) },
    },
    { name: 'no config.json: missing-config reports it', files: {} },
    { name: 'broken JSON: invalid-config reports it', files: { 'config.json': '{"architectures": [' } },
    { name: 'a JSON array: invalid-config reports it', files: { 'config.json': '["LlamaForCausalLM"]' } },
    {
      name: 'config.json is a folder: missing-config reports it',
      files: { 'config.json': { directory: true } },
    },
  ],
  invalid: [
    {
      name: 'no architectures field: at the object',
      files: { 'config.json': JSON.stringify({ model_type: 'llama', vocab_size: 32000 }, null, 2) + '\n' },
      errors: [
        {
          messageId: 'missing',
          path: 'config.json',
          message: 'config.json has no "architectures" field',
        },
      ],
    },
    {
      name: 'no architectures field, the object on line 2',
      files: { 'config.json': '\n{"model_type": "llama"}' },
      errors: [{ messageId: 'missing', path: 'config.json' }],
    },
    {
      name: 'a string instead of a list: at the key',
      files: { 'config.json': configJson({ architectures: 'LlamaForCausalLM' }) },
      errors: [
        {
          messageId: 'notList',
          path: 'config.json',
          line: 2,
          column: 3,
          pointer: '/architectures',
          message: '"architectures" in config.json must be a list of class names but is a string.',
        },
      ],
    },
    {
      name: 'null',
      files: { 'config.json': configJson({ architectures: null }) },
      errors: [{ messageId: 'notList', path: 'config.json', line: 2, column: 3, message: 'but is null.' }],
    },
    {
      name: 'an object',
      files: { 'config.json': configJson({ architectures: { llama: 'LlamaForCausalLM' } }) },
      errors: [
        { messageId: 'notList', path: 'config.json', line: 2, column: 3, message: 'but is an object.' },
      ],
    },
    {
      name: 'an empty list',
      files: { 'config.json': configJson({ architectures: [] }) },
      errors: [
        {
          messageId: 'empty',
          path: 'config.json',
          line: 2,
          column: 3,
          pointer: '/architectures',
          message: '"architectures" in config.json is an empty list.',
        },
      ],
    },
    {
      name: 'an empty list in a minified config: at the key, column 23',
      files: { 'config.json': '{"model_type":"llama","architectures":[]}' },
      errors: [{ messageId: 'empty', path: 'config.json', line: 1, column: 23, pointer: '/architectures' }],
    },
    {
      name: 'entries that are not class names: one finding each, on its own line',
      // Lines 3-6 hold "LlamaForCausalLM", 5, "" and null, each at column 5.
      files: { 'config.json': configJson({ architectures: ['LlamaForCausalLM', 5, '', null] }) },
      errors: [
        {
          messageId: 'notString',
          path: 'config.json',
          line: 4,
          column: 5,
          pointer: '/architectures/1',
          message: '"architectures" entry 1 in config.json must be a class name string but is a number.',
        },
        {
          messageId: 'notString',
          path: 'config.json',
          line: 5,
          column: 5,
          pointer: '/architectures/2',
          message: 'entry 2 in config.json must be a class name string but is an empty string.',
        },
        {
          messageId: 'notString',
          path: 'config.json',
          line: 6,
          column: 5,
          pointer: '/architectures/3',
          message: 'but is null.',
        },
      ],
    },
    {
      name: 'a blank first entry',
      files: { 'config.json': configJson({ architectures: ['  '] }) },
      errors: [
        {
          messageId: 'notString',
          path: 'config.json',
          line: 3,
          column: 5,
          pointer: '/architectures/0',
          message: 'entry 0',
        },
      ],
    },
    {
      name: 'a nested list',
      files: { 'config.json': configJson({ architectures: [['LlamaForCausalLM']] }) },
      errors: [
        { messageId: 'notString', path: 'config.json', line: 3, column: 5, message: 'but is an array.' },
      ],
    },
  ],
})
