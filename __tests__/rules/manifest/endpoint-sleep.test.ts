import rule from '../../../src/rules/manifest/endpoint-sleep.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

manifestRuleTester(rule, {
  valid: [
    {
      name: 'a replica always up',
      manifest: createYaml('autoscalingPolicy:\n  minReplica: 1\n  maxReplica: 2'),
    },
    { name: 'a fixed number of replicas', manifest: createYaml('simplescale:\n  replicas: 1') },
    { name: 'no scaling settings (the API documents no default policy)', manifest: createYaml() },
    { name: 'a null policy', manifest: createYaml('autoscalingPolicy: null') },
  ],
  invalid: [
    {
      name: 'minReplica 0: on its line, with the cooldown and the FAQ',
      manifest: createYaml('autoscalingPolicy:\n  minReplica: 0\n  maxReplica: 2\n  cooldownPeriod: 600'),
      errors: [
        {
          messageId: 'sleeps',
          line: 10,
          column: 3,
          message:
            'autoscalingPolicy.minReplica is 0, so the endpoint goes to sleep after the cooldown period of 600 seconds without requests; Friendli sends a notice after 24 hours of sleep and terminates the endpoint after 48 hours asleep unless it is reactivated.',
        },
      ],
    },
    {
      name: 'a policy without minReplica: its default is 0',
      manifest: createYaml('autoscalingPolicy:\n  maxReplica: 2'),
      errors: [
        {
          messageId: 'sleeps',
          line: 9,
          column: 1,
          message:
            'minReplica is 0 (its default: it is not set), so the endpoint goes to sleep after the cooldown period (300 seconds by default)',
        },
      ],
    },
    {
      name: 'in JSON',
      manifest: '{\n  "autoscalingPolicy": {\n    "minReplica": 0\n  }\n}\n',
      file: 'friendli-endpoint.json',
      errors: [{ messageId: 'sleeps', line: 3, column: 5 }],
    },
  ],
})
