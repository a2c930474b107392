// Each entry of adapters: a Hub id (not a link, not id@revision), a revision the Hub has and that does
// not move, and a repo that is a LoRA adapter; a list longer than a run checks said so. Each finding on
// its entry's line. The Hub's answers (a repo or revision it does not have, a gated adapter) are tested
// through the loopback fake Hub in __tests__/check-manifest.test.ts.
import rule from '../../../src/rules/manifest/adapter-repo.js'
import { checkedAdapter, createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

const SHA = 'b'.repeat(40)
const ADAPTER = {
  'adapter_config.json': JSON.stringify({
    peft_type: 'LORA',
    base_model_name_or_path: 'org/model',
    target_modules: ['q_proj', 'v_proj'],
  }),
}
/** adapters with one entry per [repo, revision] pair, from line 10 (each entry two lines, or one). */
const adapters = (...entries: [string, string?][]) =>
  createYaml(
    [
      'adapters:',
      ...entries.flatMap(([repo, rev]) => [
        `  - hfAdapterRepo: ${repo}`,
        ...(rev !== undefined ? [`    hfAdapterRepoRevision: ${rev}`] : []),
      ]),
    ].join('\n'),
  )

manifestRuleTester(rule, {
  valid: [
    {
      name: 'an adapter pinned to a commit, checked on the Hub',
      manifest: adapters(['org/adapter', `"${SHA}"`]),
      adapters: [checkedAdapter(ADAPTER, { sha: SHA })],
    },
    { name: 'no adapters', manifest: createYaml() },
    { name: 'an empty list', manifest: createYaml('adapters: []') },
  ],
  invalid: [
    {
      name: '10,000 entries (as many as 64 KiB holds: EP103 reports each entry that is no object)',
      manifest: createYaml(`adapters: [${Array.from({ length: 10_000 }, () => '0').join(',')}]`),
      errors: [
        {
          messageId: 'tooMany',
          line: 9,
          message: 'adapters lists 10,000 adapters: the first 20 were checked, the other 9,980 were not',
        },
      ],
    },
    {
      name: '25 entries: the first 20 are checked, and the finding says so',
      manifest: createYaml(
        `adapters:\n${Array.from({ length: 25 }, () => `  - {hfAdapterRepo: org/a, hfAdapterRepoRevision: "${SHA}"}`).join('\n')}`,
      ),
      errors: [
        {
          messageId: 'tooMany',
          line: 9,
          severity: 'warning',
          message: 'adapters lists 25 adapters: the first 20 were checked, the other 5 were not',
        },
      ],
    },
    {
      name: 'a link, an id with its revision, an empty id, a broken id, a bare name: each on its line',
      manifest: adapters(
        ['https://huggingface.co/org/adapter/tree/main'],
        ['org/adapter@v2'],
        ['""'],
        ['org/ad apter'],
        ['gpt2-lora'],
      ),
      errors: [
        {
          messageId: 'url',
          line: 10,
          column: 5,
          message:
            'adapters[0].hfAdapterRepo is "https://huggingface.co/org/adapter/tree/main", a link, but it takes the adapter\'s Hub id: org/adapter, with the revision "main" in hfAdapterRepoRevision. It was not checked.',
        },
        { messageId: 'withRevision', line: 11, message: 'hfAdapterRepo takes org/adapter alone' },
        { messageId: 'empty', line: 12, message: 'adapters[2].hfAdapterRepo is empty' },
        { messageId: 'invalid', line: 13, message: '"org/ad apter", which is not a Hugging Face Hub id' },
        {
          messageId: 'bareName',
          line: 14,
          severity: 'warning',
          message: '"gpt2-lora", with no organization',
        },
      ],
    },
    {
      name: 'a repo and a revision the Hub does not have',
      manifest: adapters(['org/nowhere', `"${SHA}"`], ['org/adapter', 'no-such-branch']),
      adapters: [
        { state: 'refused', refused: { reason: 'repo', message: 'org/nowhere: repository not found.' } },
        { state: 'refused', refused: { reason: 'revision', message: 'Revision Not Found' } },
      ],
      errors: [
        {
          messageId: 'notFound',
          line: 10,
          message:
            'adapters[0].hfAdapterRepo is "org/nowhere", which the Hub does not show: org/nowhere: repository not found.',
        },
        {
          messageId: 'revisionNotFound',
          line: 13,
          column: 5,
          message:
            'adapters[1].hfAdapterRepoRevision is "no-such-branch", which "org/adapter" does not have on the Hub',
        },
      ],
    },
    {
      name: 'a revision no Hub ref can be, and a 39-hex prefix',
      manifest: adapters(['org/adapter', '"a..b"'], ['org/adapter', `"${SHA.slice(0, 39)}"`]),
      errors: [
        { messageId: 'revisionInvalid', line: 11, message: 'is "a..b", which no Hub revision can be' },
        { messageId: 'partial', line: 13, severity: 'warning', message: '39 hex characters' },
      ],
    },
    {
      name: 'a branch, and no revision: the commit each resolves to today',
      manifest: adapters(['org/adapter', 'main'], ['org/adapter']),
      adapters: [checkedAdapter(ADAPTER, { sha: SHA }), checkedAdapter(ADAPTER, { sha: SHA })],
      errors: [
        {
          messageId: 'moving',
          line: 11,
          severity: 'warning',
          message: `adapters[0].hfAdapterRepoRevision is "main", a branch or tag that the Hub resolves to ${SHA} today`,
        },
        {
          messageId: 'unpinned',
          line: 12,
          severity: 'info',
          message: `adapters[1].hfAdapterRepo has no hfAdapterRepoRevision: the endpoint loads whatever main of "org/adapter" is at deploy time, ${SHA} today`,
        },
      ],
    },
    {
      name: 'a model repo, not an adapter',
      manifest: adapters(['org/full-model', `"${SHA}"`]),
      adapters: [checkedAdapter({ 'config.json': '{}' }, { repo: 'org/full-model' })],
      errors: [
        {
          messageId: 'notAdapter',
          line: 10,
          message: `has no adapter_config.json at its root: it is not a LoRA adapter`,
        },
      ],
    },
  ],
})
