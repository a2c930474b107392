import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/model/adapter-peft-type.js'
import { adapterConfig, corpusAdapters, corpusFindings, CORPUS_MODELS } from '../../helpers/adapter.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const adapter = (overrides: Record<string, unknown>) => ({ 'adapter_config.json': adapterConfig(overrides) })

ruleTester(rule, {
  valid: [
    { name: 'LORA', files: adapter({}) },
    { name: 'LORA with DoRA on (still a LoRA config for PEFT)', files: adapter({ use_dora: true }) },
    {
      name: 'a broken adapter_config.json: invalid-adapter-config reports it',
      files: { 'adapter_config.json': '{' },
    },
    { name: 'a model: the rule does not run', files: { 'config.json': configJson() } },
  ],
  invalid: [
    {
      name: 'LOHA, at its line',
      files: adapter({ peft_type: 'LOHA' }),
      errors: [
        {
          messageId: 'notLora',
          path: 'adapter_config.json',
          line: 7,
          column: 3,
          pointer: '/peft_type',
          message: '"peft_type" is "LOHA", but Friendli serves LoRA adapters only ("peft_type": "LORA").',
        },
      ],
    },
    {
      name: 'IA3',
      files: adapter({ peft_type: 'IA3', target_modules: ['k_proj', 'v_proj', 'down_proj'] }),
      errors: [{ messageId: 'notLora', path: 'adapter_config.json', line: 7, column: 3, message: '"IA3"' }],
    },
    {
      name: 'PREFIX_TUNING (a prompt-learning method, no target modules)',
      files: adapter({ peft_type: 'PREFIX_TUNING', target_modules: undefined, num_virtual_tokens: 20 }),
      errors: [
        { messageId: 'notLora', path: 'adapter_config.json', line: 8, column: 3, message: '"PREFIX_TUNING"' },
      ],
    },
    {
      name: 'ADALORA: LoRA-like, but a different type',
      files: adapter({ peft_type: 'ADALORA' }),
      errors: [
        { messageId: 'notLora', path: 'adapter_config.json', line: 7, column: 3, message: '"ADALORA"' },
      ],
    },
    {
      name: 'an empty string',
      files: adapter({ peft_type: '' }),
      errors: [{ messageId: 'notLora', path: 'adapter_config.json', line: 7, column: 3, message: 'is "",' }],
    },
    {
      name: 'lowercase "lora": PEFT looks it up case-sensitively and fails',
      files: adapter({ peft_type: 'lora' }),
      errors: [
        {
          messageId: 'lowercase',
          path: 'adapter_config.json',
          line: 7,
          column: 3,
          message:
            '"peft_type" is "lora", but PEFT matches the type case-sensitively and accepts only "LORA".',
        },
      ],
    },
    {
      name: 'mixed case "LoRA"',
      files: adapter({ peft_type: 'LoRA' }),
      errors: [
        { messageId: 'lowercase', path: 'adapter_config.json', line: 7, column: 3, message: '"LoRA"' },
      ],
    },
    {
      name: 'spaces around it are not a case problem',
      files: adapter({ peft_type: ' LORA ' }),
      errors: [
        { messageId: 'notLora', path: 'adapter_config.json', line: 7, column: 3, message: '" LORA "' },
      ],
    },
    {
      name: 'missing: at the top of the file',
      files: adapter({ peft_type: undefined }),
      errors: [
        {
          messageId: 'missing',
          path: 'adapter_config.json',
          message:
            'adapter_config.json has no "peft_type", so neither PEFT nor Friendli can tell which kind of adapter it holds.',
        },
      ],
    },
    {
      name: 'null: at its line',
      files: adapter({ peft_type: null }),
      errors: [{ messageId: 'missing', path: 'adapter_config.json', line: 7, column: 3 }],
    },
    {
      name: 'a number',
      files: adapter({ peft_type: 1 }),
      errors: [
        {
          messageId: 'notString',
          path: 'adapter_config.json',
          line: 7,
          column: 3,
          message: '"peft_type" in adapter_config.json must be a string but is a number.',
        },
      ],
    },
    {
      name: 'a list',
      files: adapter({ peft_type: ['LORA'] }),
      errors: [
        { messageId: 'notString', path: 'adapter_config.json', line: 7, column: 3, message: 'an array' },
      ],
    },
  ],
})

describe('MR603 on the corpus adapters', () => {
  const names = corpusAdapters()
  if (names.length === 0) {
    it('is skipped: no corpus', () => console.log(`${CORPUS_MODELS} is absent: corpus adapter tests skipped`))
    return
  }
  it.each(names)('%s is LORA', async (name) => {
    expect(await corpusFindings(rule, name)).toEqual([])
  })
})
