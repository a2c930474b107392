import rule from '../../../src/rules/manifest/manifest-value.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

manifestRuleTester(rule, {
  valid: [
    {
      name: 'every field of the right type, nullable ones null',
      manifest: createYaml(
        '  max_batch_size: 8\n  max_context_length: 8192\n  queue_backpressure_metric_kind: TTFT_MS\n  queue_backpressure_metric_threshold: 0.5\n  enable_content_logging: null\nautoscalingPolicy:\n  minReplica: 0\n  maxReplica: 10\n  cooldownPeriod: 600\nsimplescale: null',
      ),
    },
    { name: 'an update body of nulls', manifest: 'advanced: null\nname: null\nhfModelRepo: null\n' },
  ],
  invalid: [
    {
      name: 'numbers written as strings, in JSON',
      manifest: '{\n  "autoscalingPolicy": {\n    "maxReplica": "3",\n    "cooldownPeriod": " 60 "\n  }\n}\n',
      file: 'friendli-endpoint.json',
      errors: [
        {
          messageId: 'quoted',
          line: 3,
          column: 5,
          message: 'autoscalingPolicy.maxReplica must be a whole number; got the string "3"',
        },
        { messageId: 'quoted', line: 4, message: 'cooldownPeriod must be a whole number' },
      ],
    },
    {
      name: 'a boolean as a string, a fraction for a whole number, a list for an object',
      manifest: createYaml(
        '  tokenizer_add_special_tokens: "false"\n  max_batch_size: 2.5\nsimplescale: [2]',
      ).replace('  tokenizer_add_special_tokens: false\n', ''),
      errors: [
        {
          messageId: 'quoted',
          line: 8,
          message: 'advanced.tokenizer_add_special_tokens must be true or false; got the string "false"',
        },
        {
          messageId: 'type',
          line: 9,
          message: 'advanced.max_batch_size must be a whole number; got the number 2.5',
        },
        { messageId: 'type', line: 10, message: 'simplescale must be an object; got a list' },
      ],
    },
    {
      name: 'a revision YAML reads as a number',
      manifest: createYaml('', { hfModelRepoRevision: '123e4567' }),
      errors: [{ messageId: 'unquoted', line: 5, message: 'YAML reads the unquoted 123e4567 as a number' }],
    },
    {
      name: 'null where a create body requires a value',
      manifest: createYaml('', { projectId: 'null' }),
      errors: [{ messageId: 'type', line: 1, message: 'projectId must be a string; got null' }],
    },
    {
      name: 'an unknown backpressure metric',
      manifest: createYaml('  queue_backpressure_metric_kind: LATENCY'),
      errors: [{ messageId: 'enum', line: 9, message: 'must be one of TPOT_MS, TTFT_MS, REQUEST_COUNT' }],
    },
    {
      name: 'limits the spec states',
      manifest: createYaml(
        '  max_context_length: 0\nautoscalingPolicy:\n  minReplica: -1\n  maxReplica: 20\nsimplescale:\n  replicas: 0',
      ),
      errors: [
        {
          messageId: 'range',
          line: 9,
          message: 'advanced.max_context_length must be at least 1; got the number 0',
        },
        { messageId: 'range', line: 11, message: 'autoscalingPolicy.minReplica must be at least 0' },
        {
          messageId: 'range',
          line: 12,
          message:
            'autoscalingPolicy.maxReplica must be at most 10; got the number 20: an autoscaling policy scales to at most 10 replicas',
        },
        { messageId: 'range', line: 14, message: 'simplescale.replicas must be at least 1' },
      ],
    },
    {
      name: 'control characters and a workflow command in a value are quoted, escaped',
      manifest: '{"name": 5, "advanced": "::error::x\\u001b[31m"}',
      file: 'friendli-endpoint.json',
      errors: [
        { messageId: 'type', line: 1, message: 'name must be a string; got the number 5' },
        {
          messageId: 'type',
          line: 1,
          message: 'advanced must be an object; got the string "::error::x\\u001b[31m"',
        },
      ],
    },
    {
      name: 'an adapters list of 10,000 numbers (20 KB): 50 findings on their line, and one counting the rest',
      manifest: createYaml(`adapters: [${Array.from({ length: 10_000 }, () => '7').join(',')}]`),
      errors: [
        ...Array.from({ length: 50 }, (_, i) => ({
          messageId: 'type',
          line: 9,
          message: `adapters[${i}] must be an object; got the number 7.`,
        })),
        {
          messageId: 'more',
          message: '9,950 more values of the wrong type or out of range are not listed one by one.',
        },
      ],
    },
  ],
})
