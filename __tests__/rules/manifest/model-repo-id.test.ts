import rule from '../../../src/rules/manifest/model-repo-id.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

manifestRuleTester(rule, {
  valid: [
    { name: 'an org/name id', manifest: createYaml('', { hfModelRepo: 'meta-llama/Llama-3.1-8B-Instruct' }) },
    { name: 'an update body without a model', manifest: 'name: x\n' },
  ],
  invalid: [
    {
      name: 'a repository the Hub does not have: its answer, on hfModelRepo',
      manifest: createYaml('', { hfModelRepo: 'org/nowhere' }),
      refused: {
        reason: 'repo',
        message: 'org/nowhere@main: repository not found, or the token cannot see it.',
      },
      errors: [
        {
          messageId: 'notFound',
          line: 4,
          column: 1,
          message: '"org/nowhere", which the Hub does not show: org/nowhere@main: repository not found',
        },
      ],
    },
    {
      name: 'a Hub URL: the id it should be',
      manifest: createYaml('', { hfModelRepo: 'https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct' }),
      errors: [
        {
          messageId: 'url',
          line: 4,
          column: 1,
          pointer: '/hfModelRepo',
          message: "a link, but it takes the model's Hub id: meta-llama/Llama-3.1-8B-Instruct.",
        },
      ],
    },
    {
      name: 'a URL of a revision: the id, and the revision for its own field',
      manifest: createYaml('', { hfModelRepo: 'huggingface.co/org/model/tree/v1.2' }),
      errors: [
        { messageId: 'url', line: 4, message: 'org/model, with the revision "v1.2" in hfModelRepoRevision' },
      ],
    },
    {
      name: 'an hf:// reference',
      manifest: createYaml('', { hfModelRepo: 'hf://org/model' }),
      errors: [{ messageId: 'url', line: 4, message: 'Hub id: org/model.' }],
    },
    {
      name: 'an id with @revision',
      manifest: createYaml('', { hfModelRepo: 'org/model@main' }),
      errors: [{ messageId: 'withRevision', line: 4, message: 'hfModelRepo takes org/model alone' }],
    },
    {
      name: 'empty',
      manifest: createYaml('', { hfModelRepo: '""' }),
      errors: [{ messageId: 'empty', line: 4 }],
    },
    {
      name: 'a local path',
      manifest: createYaml('', { hfModelRepo: './models/chat' }),
      errors: [
        { messageId: 'invalid', line: 4, message: 'is not a Hugging Face Hub id: a repo id has exactly one' },
      ],
    },
    {
      name: 'a URL of another host',
      manifest: createYaml('', { hfModelRepo: 'https://example.com/org/model' }),
      errors: [{ messageId: 'invalid', line: 4, message: 'a URL of example.com' }],
    },
    {
      name: 'a Hub URL of a dataset',
      manifest: createYaml('', { hfModelRepo: 'https://huggingface.co/datasets/org/data' }),
      errors: [{ messageId: 'invalid', line: 4, message: 'names no model repository' }],
    },
    {
      name: 'a workflow command and control characters in the value: quoted and escaped',
      manifest: '{"hfModelRepo": "::error::owned\\r\\n::warning::x"}',
      file: 'friendli-endpoint.json',
      errors: [{ messageId: 'invalid', line: 1, message: '"::error::owned\\r\\n::warning::x"' }],
    },
    {
      name: 'a legacy name without an organization',
      manifest: createYaml('', { hfModelRepo: 'gpt2' }),
      errors: [{ messageId: 'bareName', line: 4, message: 'with no organization' }],
    },
  ],
})
