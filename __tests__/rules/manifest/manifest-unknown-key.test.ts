import rule from '../../../src/rules/manifest/manifest-unknown-key.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

manifestRuleTester(rule, {
  valid: [
    {
      name: 'a create body with every field',
      manifest: createYaml('simplescale:\n  replicas: 2\ninitialVersionComment: first'),
    },
    { name: 'an update body', manifest: 'newVersionComment: bump\nautoscalingPolicy:\n  maxReplica: 3\n' },
    {
      name: 'a $schema key for editors',
      manifest: '{"$schema": "./schema.json", "name": "x"}',
      file: 'friendli-endpoint.json',
    },
  ],
  invalid: [
    {
      name: 'a misspelled top-level key, with the key it is near',
      manifest: createYaml('hfModelRepoRevison: main'),
      errors: [
        {
          messageId: 'unknown',
          line: 9,
          column: 1,
          message: 'Unknown key "hfModelRepoRevison" at the top level (did you mean "hfModelRepoRevision"?)',
        },
      ],
    },
    {
      name: 'misspelled keys in nested objects',
      manifest: createYaml('  max_batch_sise: 8\nautoscalingPolicy:\n  maxReplicas: 3\n  color: blue'),
      errors: [
        {
          messageId: 'unknown',
          line: 9,
          column: 3,
          message: '"max_batch_sise" in advanced (did you mean "max_batch_size"?)',
        },
        {
          messageId: 'unknown',
          line: 11,
          message: '"maxReplicas" in autoscalingPolicy (did you mean "maxReplica"?)',
        },
        {
          messageId: 'unknown',
          line: 12,
          message: /^Unknown key "color" in autoscalingPolicy: the create-endpoint body/,
        },
      ],
    },
    {
      name: "the update body's comment in a create body",
      manifest: createYaml('newVersionComment: v2'),
      errors: [
        {
          messageId: 'otherBody',
          line: 9,
          message: 'newVersionComment is a field of the update-endpoint body',
        },
      ],
    },
    {
      name: 'an unknown key in JSON, on its line',
      manifest: '{\n  "name": "x",\n  "replicas": 2\n}\n',
      file: 'friendli-endpoint.json',
      errors: [{ messageId: 'unknown', line: 3, column: 3, message: 'the update-endpoint body (PUT' }],
    },
    {
      name: 'a flood of unknown keys: 50 listed, the rest counted',
      manifest: Array.from({ length: 120 }, (_, i) => `key${i}: 1`).join('\n') + '\n',
      errors: [
        ...Array.from({ length: 50 }, (_, i) => ({ messageId: 'unknown', line: i + 1 })),
        { messageId: 'more', message: '70 more unknown keys' },
      ],
    },
  ],
})
