import rule from '../../../src/rules/manifest/replica-range.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

manifestRuleTester(rule, {
  valid: [
    { name: 'min below max', manifest: createYaml('autoscalingPolicy:\n  minReplica: 1\n  maxReplica: 3') },
    {
      name: 'min equal to max',
      manifest: createYaml('autoscalingPolicy:\n  minReplica: 2\n  maxReplica: 2'),
    },
    { name: 'min 1 and the default max 1', manifest: createYaml('autoscalingPolicy:\n  minReplica: 1') },
    {
      name: 'a max written as a string (EP103 says so)',
      manifest: createYaml('autoscalingPolicy:\n  minReplica: 2\n  maxReplica: "3"'),
    },
  ],
  invalid: [
    {
      name: 'min above max: on the minimum',
      manifest: createYaml('autoscalingPolicy:\n  maxReplica: 2\n  minReplica: 5'),
      errors: [
        {
          messageId: 'minAboveMax',
          line: 11,
          column: 3,
          message: 'autoscalingPolicy.minReplica is 5, above maxReplica 2: no number of replicas',
        },
      ],
    },
    {
      name: 'min above the default max',
      manifest: createYaml('autoscalingPolicy:\n  minReplica: 2'),
      errors: [
        { messageId: 'minAboveMax', line: 10, message: 'above maxReplica 1 (its default: it is not set)' },
      ],
    },
  ],
})
