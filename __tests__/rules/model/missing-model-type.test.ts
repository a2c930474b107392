import rule from '../../../src/rules/model/missing-model-type.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

// configJson() puts "model_type" on line 5, column 3, after the three lines of "architectures".
ruleTester(rule, {
  valid: [
    { name: 'a model_type string', files: { 'config.json': configJson() } },
    { name: 'any non-empty string', files: { 'config.json': configJson({ model_type: 'my_custom_type' }) } },
    { name: 'no config.json: missing-config reports it', files: {} },
    { name: 'broken JSON: invalid-config reports it', files: { 'config.json': '{"model_type": "llama",}' } },
    { name: 'a JSON string: invalid-config reports it', files: { 'config.json': '"llama"' } },
    {
      name: 'config.json is a folder: missing-config reports it',
      files: { 'config.json': { directory: true } },
    },
  ],
  invalid: [
    {
      name: 'no model_type field: at the object',
      files: { 'config.json': JSON.stringify({ architectures: ['LlamaForCausalLM'] }, null, 2) + '\n' },
      errors: [
        {
          messageId: 'missing',
          path: 'config.json',
          message:
            'config.json has no "model_type" field; transformers (AutoConfig) relies on it to pick the model class.',
        },
      ],
    },
    {
      name: 'an empty object',
      files: { 'config.json': '{}' },
      errors: [{ messageId: 'missing', path: 'config.json' }],
    },
    {
      name: 'a number: at the key',
      files: { 'config.json': configJson({ model_type: 7 }) },
      errors: [
        {
          messageId: 'notString',
          path: 'config.json',
          line: 5,
          column: 3,
          pointer: '/model_type',
          message: '"model_type" in config.json must be a string but is a number.',
        },
      ],
    },
    {
      name: 'an empty string',
      files: { 'config.json': configJson({ model_type: '' }) },
      errors: [
        {
          messageId: 'notString',
          path: 'config.json',
          line: 5,
          column: 3,
          message: 'but is an empty string.',
        },
      ],
    },
    {
      name: 'null',
      files: { 'config.json': configJson({ model_type: null }) },
      errors: [{ messageId: 'notString', path: 'config.json', line: 5, column: 3, message: 'but is null.' }],
    },
    {
      name: 'a list',
      files: { 'config.json': configJson({ model_type: ['llama'] }) },
      errors: [
        { messageId: 'notString', path: 'config.json', line: 5, column: 3, message: 'but is an array.' },
      ],
    },
    {
      name: 'the user can raise the severity',
      files: { 'config.json': '{}' },
      level: 'error',
      errors: [{ messageId: 'missing', path: 'config.json', severity: 'error' }],
    },
  ],
})
