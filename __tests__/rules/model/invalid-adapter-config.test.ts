import { describe, expect, it } from '@jest/globals'
import { JSON_LIMITS } from '../../../src/artifacts/model-artifacts.js'
import rule from '../../../src/rules/model/invalid-adapter-config.js'
import { adapterConfig, corpusAdapters, corpusFindings, CORPUS_MODELS } from '../../helpers/adapter.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const weights = { 'adapter_model.safetensors': 'stub' }

ruleTester(rule, {
  valid: [
    { name: 'an adapter saved by PEFT', files: { 'adapter_config.json': adapterConfig(), ...weights } },
    {
      name: 'an empty object: the field rules report what is missing',
      files: { 'adapter_config.json': '{}' },
    },
    { name: 'a model without adapter_config.json', files: { 'config.json': configJson() } },
    {
      name: 'adapter_config.json in a subfolder only: not an adapter at the root',
      files: { 'config.json': configJson(), 'lora/adapter_config.json': '{' },
    },
    {
      name: 'a link leaving the folder: link-outside-model reports it',
      files: { 'adapter_config.json': { link: 'outside' } },
    },
    {
      name: 'a broken link: link-outside-model reports it',
      files: { 'adapter_config.json': { link: 'broken' } },
    },
    {
      name: 'NaN, which Python reads',
      files: { 'adapter_config.json': '{\n  "lora_dropout": NaN,\n  "peft_type": "LORA"\n}' },
    },
  ],
  invalid: [
    {
      name: 'empty: no line to point at',
      files: { 'adapter_config.json': '', ...weights },
      errors: [
        { messageId: 'invalid', path: 'adapter_config.json', message: 'adapter_config.json is empty.' },
      ],
    },
    {
      name: 'a trailing comma, at the closing brace',
      files: { 'adapter_config.json': '{\n  "peft_type": "LORA",\n  "r": 8,\n}\n', ...weights },
      errors: [
        {
          messageId: 'invalid',
          path: 'adapter_config.json',
          line: 4,
          column: 1,
          message:
            'adapter_config.json is not valid JSON: a property name in double quotes is expected at line 4, column 1.',
        },
      ],
    },
    {
      name: 'cut off in the target_modules list',
      files: { 'adapter_config.json': '{\n  "target_modules": [\n    "q_proj",\n' },
      errors: [
        {
          messageId: 'invalid',
          path: 'adapter_config.json',
          line: 4,
          column: 1,
          message: 'a value is expected',
        },
      ],
    },
    {
      name: 'a JSON list',
      files: { 'adapter_config.json': '\n["q_proj", "v_proj"]\n' },
      errors: [
        {
          messageId: 'invalid',
          path: 'adapter_config.json',
          line: 2,
          column: 1,
          message: 'adapter_config.json must hold a JSON object but holds an array.',
        },
      ],
    },
    {
      name: 'a UTF-8 byte-order mark',
      files: { 'adapter_config.json': '\ufeff' + adapterConfig() },
      errors: [
        { messageId: 'invalid', path: 'adapter_config.json', line: 1, column: 1, message: 'byte-order mark' },
      ],
    },
    {
      name: 'invalid UTF-8 at the bad byte',
      files: { 'adapter_config.json': new Uint8Array([0x7b, 0x0a, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]) },
      errors: [
        {
          messageId: 'invalid',
          path: 'adapter_config.json',
          line: 2,
          column: 2,
          message: 'adapter_config.json is not valid UTF-8 (first bad byte at line 2, column 2).',
        },
      ],
    },
    {
      name: 'a comment',
      files: { 'adapter_config.json': '{\n  // r = 8\n  "r": 8\n}' },
      errors: [
        {
          messageId: 'invalid',
          path: 'adapter_config.json',
          line: 2,
          column: 3,
          message: 'comments are not allowed',
        },
      ],
    },
    {
      name: 'one byte over the size limit: not parsed, no line',
      files: {
        'adapter_config.json': (() => {
          const data = new Uint8Array(JSON_LIMITS.adapterConfig + 1).fill(0x20)
          data[0] = 0x7b
          data[data.length - 1] = 0x7d
          return data
        })(),
      },
      errors: [
        {
          messageId: 'invalid',
          path: 'adapter_config.json',
          message:
            'adapter_config.json is 8,388,609 bytes, more than the 8 MiB such a file can reasonably be, so it was not parsed.',
        },
      ],
    },
    {
      name: 'a folder: the repository is checked as a model, and this says why',
      files: { 'adapter_config.json': { directory: true }, 'adapter_model.safetensors': 'stub' },
      errors: [
        {
          messageId: 'notFile',
          path: 'adapter_config.json',
          message:
            'adapter_config.json is a folder, so the repository was checked as a full model, not as a LoRA adapter.',
        },
      ],
    },
    {
      name: 'the user can lower the severity',
      files: { 'adapter_config.json': '[]' },
      level: 'warning',
      errors: [
        { messageId: 'invalid', path: 'adapter_config.json', line: 1, column: 1, severity: 'warning' },
      ],
    },
  ],
})

describe('MR601 on the corpus adapters', () => {
  const names = corpusAdapters()
  if (names.length === 0) {
    it('is skipped: no corpus', () => console.log(`${CORPUS_MODELS} is absent: corpus adapter tests skipped`))
    return
  }
  it.each(names)('%s parses', async (name) => {
    expect(await corpusFindings(rule, name)).toEqual([])
  })
})
