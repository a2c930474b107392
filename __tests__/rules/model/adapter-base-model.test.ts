import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/model/adapter-base-model.js'
import { adapterConfig, corpusAdapters, corpusFindings, CORPUS_MODELS } from '../../helpers/adapter.js'
import { configJson, ruleTester, type Expected } from '../../helpers/rule-tester.js'

const base = (value: unknown) => ({
  'adapter_config.json': adapterConfig({ base_model_name_or_path: value }),
})
/** base_model_name_or_path is the first key: line 2, column 3. */
const at2 = { path: 'adapter_config.json', line: 2, column: 3, pointer: '/base_model_name_or_path' }
const local = (value: string, what = 'a local path'): Expected => ({
  messageId: 'localPath',
  ...at2,
  message: `"base_model_name_or_path" is ${JSON.stringify(value)}, ${what} rather than a Hugging Face Hub id, but Friendli binds an adapter to a base model on the Hub.`,
})

ruleTester(rule, {
  valid: [
    { name: 'meta-llama/Llama-3.2-3B', files: base('meta-llama/Llama-3.2-3B') },
    { name: 'dots, dashes and underscores', files: base('Qwen/Qwen2.5-0.5B-Instruct') },
    { name: 'an org with a dot and an underscore', files: base('unsloth/llama-3.1_8b.bnb') },
    {
      name: 'a broken adapter_config.json: invalid-adapter-config reports it',
      files: { 'adapter_config.json': '[]' },
    },
    { name: 'a model: the rule does not run', files: { 'config.json': configJson() } },
  ],
  invalid: [
    {
      name: 'missing: on the file, with no line (the key is absent)',
      files: base(undefined),
      errors: [
        {
          messageId: 'missing',
          path: 'adapter_config.json',
          message:
            'adapter_config.json names no base model ("base_model_name_or_path" is missing or null), so there is nothing to bind the adapter to.',
        },
      ],
    },
    {
      name: 'null, as PEFT writes it when it was not set',
      files: base(null),
      errors: [{ messageId: 'missing', ...at2 }],
    },
    {
      name: 'empty',
      files: base(''),
      errors: [
        {
          messageId: 'empty',
          ...at2,
          message: '"base_model_name_or_path" in adapter_config.json is empty, so it names no base model.',
        },
      ],
    },
    { name: 'blank', files: base('  '), errors: [{ messageId: 'empty', ...at2 }] },
    {
      name: 'a number',
      files: base(7),
      errors: [
        {
          messageId: 'notString',
          ...at2,
          message:
            '"base_model_name_or_path" in adapter_config.json must be a Hub id string but is a number.',
        },
      ],
    },
    { name: './outputs/base', files: base('./outputs/base'), errors: [local('./outputs/base')] },
    { name: '../base', files: base('../base'), errors: [local('../base')] },
    {
      name: 'an absolute path',
      files: base('/home/me/models/llama'),
      errors: [local('/home/me/models/llama')],
    },
    { name: 'a home path', files: base('~/models/llama'), errors: [local('~/models/llama')] },
    {
      name: 'more than one slash: a relative path, not org/name',
      files: base('outputs/run-3/merged'),
      errors: [local('outputs/run-3/merged')],
    },
    {
      name: 'C:\\models\\x: a Windows path, quoted as the JSON file has it',
      files: base('C:\\models\\x'),
      errors: [
        {
          messageId: 'localPath',
          ...at2,
          message:
            '"base_model_name_or_path" is "C:\\\\models\\\\x", a Windows path rather than a Hugging Face Hub id',
        },
      ],
    },
    {
      name: 'a Windows path with forward slashes',
      files: base('D:/models/x'),
      errors: [local('D:/models/x', 'a Windows path')],
    },
    { name: 'a backslash alone', files: base('models\\llama'), errors: [local('models\\llama')] },
    {
      name: 'a Hub URL',
      files: base('https://huggingface.co/meta-llama/Llama-3.2-3B'),
      errors: [local('https://huggingface.co/meta-llama/Llama-3.2-3B', 'a URL')],
    },
    {
      name: 'a legacy name without an organization (the Hub redirects it)',
      files: base('bert-base-uncased'),
      errors: [
        {
          messageId: 'bareName',
          ...at2,
          message:
            '"base_model_name_or_path" is "bert-base-uncased", with no organization: it is either a legacy Hub name that the Hub now redirects to an org/name id, or a local folder name.',
        },
      ],
    },
    { name: 'a bare folder name', files: base('merged_model'), errors: [{ messageId: 'bareName', ...at2 }] },
    {
      name: 'a space is not allowed in a Hub id',
      files: base('meta-llama/Llama 3.2 3B'),
      errors: [
        {
          messageId: 'notHubId',
          ...at2,
          message:
            '"base_model_name_or_path" is "meta-llama/Llama 3.2 3B", which is not a valid Hugging Face Hub id (org/name of letters, digits, "-", "_" and ".").',
        },
      ],
    },
    { name: 'a double dash', files: base('org/model--v2'), errors: [{ messageId: 'notHubId', ...at2 }] },
    { name: 'ending with .git', files: base('org/model.git'), errors: [{ messageId: 'notHubId', ...at2 }] },
    { name: 'a trailing dot', files: base('org/model.'), errors: [{ messageId: 'notHubId', ...at2 }] },
    { name: 'an empty org', files: base('/model'), errors: [local('/model')] },
    {
      name: 'longer than 96 characters',
      files: base(`org/${'m'.repeat(93)}`),
      errors: [{ messageId: 'notHubId', ...at2 }],
    },
    {
      name: 'the user can raise the warnings to errors',
      files: base('./outputs/base'),
      level: 'error',
      errors: [{ messageId: 'localPath', ...at2, severity: 'error' }],
    },
  ],
})

describe('MR604 on the corpus adapters', () => {
  const names = corpusAdapters()
  if (names.length === 0) {
    it('is skipped: no corpus', () => console.log(`${CORPUS_MODELS} is absent: corpus adapter tests skipped`))
    return
  }
  const expected: Record<string, string[]> = {
    '3L0L0__FLAN-T5-Motivation-LoRA': [],
    'AdelaCorbeanu__Llama-3.2-3B-Romanian-QA-LoRA': [],
    // Saved without a base model: PEFT writes null then.
    'Dheena731__tinyLlama-finetune-LoRA': ['missing @adapter_config.json:4'],
    'Hareshjethani__bert-base-uncased-SEQ_CLS-LoRA': ['bareName @adapter_config.json:4'],
  }
  // An adapter added to the corpus later is only run (it must not crash); the four known ones are pinned.
  it.each(names)('%s', async (name) => {
    const found = await corpusFindings(rule, name)
    expect(found).toEqual(expected[name] ?? found)
  })
})
