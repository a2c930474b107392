import rule from '../../../src/rules/model/link-outside-model.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

ruleTester(rule, {
  valid: [
    {
      name: 'no links',
      files: { 'config.json': configJson(), 'model.safetensors': 'x', 'sub/notes.txt': 'x' },
    },
    { name: 'an empty repository', files: {} },
  ],
  invalid: [
    {
      name: 'config.json is a link leaving the folder',
      files: { 'config.json': { link: 'outside' }, 'model.safetensors': 'x' },
      errors: [
        {
          messageId: 'outside',
          path: 'config.json',
          message: '1 file is a link to a place outside the model folder and was not read: config.json.',
        },
      ],
    },
    {
      name: 'several links leaving the folder are reported once, on the root',
      files: { 'config.json': { link: 'outside' }, 'model.safetensors': { link: 'outside' } },
      errors: [
        {
          messageId: 'outside',
          path: '.',
          message:
            '2 files are links to a place outside the model folder and were not read: config.json and model.safetensors.',
        },
      ],
    },
    {
      name: 'a link in a subfolder',
      files: { 'config.json': configJson(), 'weights/model.safetensors': { link: 'outside' } },
      errors: [
        { messageId: 'outside', path: 'weights/model.safetensors', message: ': weights/model.safetensors.' },
      ],
    },
    {
      name: 'a broken link',
      files: { 'tokenizer.json': { link: 'broken' } },
      errors: [
        { messageId: 'broken', path: 'tokenizer.json', message: '1 file is a broken link: tokenizer.json.' },
      ],
    },
    {
      name: 'several broken links',
      files: { 'tokenizer.json': { link: 'broken' }, 'vocab.json': { link: 'broken' } },
      errors: [
        {
          messageId: 'broken',
          path: '.',
          message: '2 files are broken links: tokenizer.json and vocab.json.',
        },
      ],
    },
    {
      name: 'both kinds: one finding each',
      files: { 'config.json': { link: 'outside' }, 'tokenizer.json': { link: 'broken' } },
      errors: [
        { messageId: 'outside', path: 'config.json' },
        { messageId: 'broken', path: 'tokenizer.json' },
      ],
    },
  ],
})
