import rule from '../../../src/rules/manifest/manifest-required-field.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

manifestRuleTester(rule, {
  valid: [
    { name: 'a complete create body', manifest: createYaml() },
    { name: 'an update body needs nothing', manifest: 'newVersionComment: bump\n' },
  ],
  invalid: [
    {
      name: 'a create body without its model and instance: on the object that lacks them',
      manifest: createYaml('', { instanceOptionId: '', hfModelRepo: '' }),
      errors: [
        {
          messageId: 'missing',
          line: 1,
          column: 1,
          message: 'The create body requires instanceOptionId, which is missing',
        },
        { messageId: 'missing', line: 1, message: 'requires hfModelRepo' },
      ],
    },
    {
      name: 'advanced without the tokenizer settings, in an update body too',
      manifest: '# update\nname: x\nadvanced:\n  max_batch_size: 4\n',
      errors: [
        { messageId: 'missing', line: 3, message: 'advanced requires tokenizer_skip_special_tokens' },
        { messageId: 'missing', line: 3, message: 'advanced requires tokenizer_add_special_tokens' },
      ],
    },
    {
      name: 'a misspelled required key is missing under its real name',
      manifest:
        '{\n  "projectId": "p",\n  "name": "n",\n  "instanceOptionId": "TwD5AqnBSVN0",\n  "hfModelRepos": "org/m",\n  "advanced": {"tokenizer_skip_special_tokens": true, "tokenizer_add_special_tokens": true}\n}\n',
      file: 'friendli-endpoint.json',
      errors: [{ messageId: 'missing', line: 1, message: 'requires hfModelRepo, which is missing' }],
    },
    {
      name: 'an adapters list of 10,000 entries without hfAdapterRepo: 50 findings, and one counting the rest',
      manifest: createYaml(`adapters: [${Array.from({ length: 10_000 }, () => '{}').join(',')}]`),
      errors: [
        ...Array.from({ length: 50 }, (_, i) => ({
          messageId: 'missing',
          line: 9,
          message: `adapters[${i}] requires hfAdapterRepo, which is missing`,
        })),
        { messageId: 'more', message: '9,950 more required fields are missing and not listed one by one.' },
      ],
    },
  ],
})
