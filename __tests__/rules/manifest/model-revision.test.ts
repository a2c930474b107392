import rule from '../../../src/rules/manifest/model-revision.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

manifestRuleTester(rule, {
  valid: [
    { name: 'a full commit sha', manifest: createYaml() },
    { name: 'no revision', manifest: createYaml('', { hfModelRepoRevision: '' }) },
    { name: 'null', manifest: createYaml('', { hfModelRepoRevision: 'null' }) },
    {
      name: 'a full sha, the model read at it',
      manifest: createYaml(),
      model: { 'config.json': '{}' },
      sha: '3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e',
    },
    {
      name: 'no revision, a local model (no sha)',
      manifest: createYaml('', { hfModelRepoRevision: '' }),
      model: { 'config.json': '{}' },
    },
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
      name: 'a branch the Hub resolved: the commit it is today',
      manifest: createYaml('', { hfModelRepoRevision: 'main' }),
      model: { 'config.json': '{}' },
      sha: '3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e',
      errors: [
        {
          messageId: 'moving',
          line: 5,
          column: 1,
          message:
            '"main", a branch or tag that the Hub resolves to 3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e today: a branch or tag moves under the endpoint',
        },
      ],
    },
    {
      name: 'no revision: main, named by its commit today, on hfModelRepo',
      manifest: createYaml('', { hfModelRepoRevision: '' }),
      model: { 'config.json': '{}' },
      sha: '3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e',
      errors: [
        {
          messageId: 'missing',
          line: 4,
          message:
            'the endpoint deploys whatever main of org/model is at deploy time, 3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e today',
        },
      ],
    },
    {
      name: 'a revision the Hub does not have',
      manifest: createYaml('', { hfModelRepoRevision: 'v2' }),
      refused: { reason: 'revision', message: 'org/model@v2: revision "v2" not found in org/model' },
      errors: [
        { messageId: 'notFound', line: 5, message: '"v2", which "org/model" does not have on the Hub' },
      ],
    },
    {
      name: 'a name no git ref can have',
      manifest: createYaml('', { hfModelRepoRevision: '"my branch"' }),
      errors: [{ messageId: 'invalid', line: 5, message: '"my branch", which no Hub revision can be' }],
    },
  ],
})
