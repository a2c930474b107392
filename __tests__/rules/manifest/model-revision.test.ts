import rule from '../../../src/rules/manifest/model-revision.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

manifestRuleTester(rule, {
  valid: [
    { name: 'a full commit sha', manifest: createYaml() },
    { name: 'no revision', manifest: createYaml('', { hfModelRepoRevision: '' }) },
    { name: 'null', manifest: createYaml('', { hfModelRepoRevision: 'null' }) },
  ],
  invalid: [
    {
      name: '39 hex characters: not a full sha',
      manifest: createYaml('', { hfModelRepoRevision: '3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8' }),
      errors: [
        {
          messageId: 'partial',
          line: 5,
          column: 1,
          message: '39 hex characters: not a full commit sha (40)',
        },
      ],
    },
    {
      name: 'a short sha',
      manifest: createYaml('', { hfModelRepoRevision: '"3f2a9c1"' }),
      errors: [{ messageId: 'partial', line: 5, message: '7 hex characters' }],
    },
    {
      name: 'a sha in capitals',
      manifest: createYaml('', { hfModelRepoRevision: 'A'.repeat(40) }),
      errors: [{ messageId: 'uppercase', line: 5 }],
    },
    {
      name: 'a branch',
      manifest: createYaml('', { hfModelRepoRevision: 'main' }),
      errors: [
        { messageId: 'ref', line: 5, message: '"main", a branch or tag name rather than a commit sha' },
      ],
    },
    {
      name: 'a name no git ref can have',
      manifest: createYaml('', { hfModelRepoRevision: '"my branch"' }),
      errors: [{ messageId: 'invalid', line: 5, message: '"my branch", which no Hub revision can be' }],
    },
  ],
})
