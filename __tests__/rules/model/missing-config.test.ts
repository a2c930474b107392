import rule from '../../../src/rules/model/missing-config.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

ruleTester(rule, {
  valid: [
    { name: 'config.json at the root', files: { 'config.json': configJson(), 'model.safetensors': 'x' } },
    { name: 'broken JSON: invalid-config reports it', files: { 'config.json': '{\n  "model_type": \n' } },
    { name: 'an empty config.json: invalid-config reports it', files: { 'config.json': '' } },
    {
      name: 'a link leaving the folder: link-outside-model reports it',
      files: { 'config.json': { link: 'outside' } },
    },
    { name: 'a broken link: link-outside-model reports it', files: { 'config.json': { link: 'broken' } } },
  ],
  invalid: [
    {
      name: 'an empty repository',
      files: {},
      errors: [{ messageId: 'missing', path: '.', message: 'config.json is missing from the root' }],
    },
    {
      name: 'weights and tokenizer but no config',
      files: { 'model.safetensors': 'x', 'tokenizer.json': '{}', 'generation_config.json': '{}' },
      errors: [{ messageId: 'missing', path: '.' }],
    },
    {
      name: 'config.json only in a subfolder: missing at the root (nested-model says where it is)',
      files: { 'llama/config.json': configJson(), 'llama/model.safetensors': 'x' },
      errors: [{ messageId: 'missing', path: '.' }],
    },
    {
      name: 'names are case-sensitive: Config.json is not config.json',
      files: { 'Config.json': configJson() },
      errors: [{ messageId: 'missing', path: '.' }],
    },
    {
      name: 'config.json is a folder',
      files: { 'config.json': { directory: true } },
      errors: [{ messageId: 'notFile', path: 'config.json', message: 'config.json is a folder, not a file' }],
    },
    {
      name: 'config.json is a folder holding files',
      files: { 'config.json/config.json': configJson() },
      errors: [{ messageId: 'notFile', path: 'config.json', message: 'a folder' }],
    },
    {
      name: 'the user can lower the severity',
      files: {},
      level: 'warning',
      errors: [{ messageId: 'missing', path: '.', severity: 'warning' }],
    },
  ],
})
