import rule from '../../../src/rules/manifest/scaling-mode.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

manifestRuleTester(rule, {
  valid: [
    { name: 'simplescale alone', manifest: createYaml('simplescale:\n  replicas: 2') },
    { name: 'autoscalingPolicy alone', manifest: createYaml('autoscalingPolicy:\n  maxReplica: 2') },
    {
      name: 'one of them null',
      manifest: createYaml('simplescale: null\nautoscalingPolicy:\n  maxReplica: 2'),
    },
  ],
  invalid: [
    {
      name: 'both: on simplescale',
      manifest: createYaml('autoscalingPolicy:\n  maxReplica: 2\nsimplescale:\n  replicas: 2'),
      errors: [{ messageId: 'both', line: 11, column: 1, message: 'sets both simplescale' }],
    },
  ],
})
