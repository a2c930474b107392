// The bundles on deployment manifests, as a shell and a workflow run them: the CLI against the fake Hub
// (text and JSON), and the action on the examples' manifests, its annotations on the manifests' lines,
// the model's findings on the hfModelRepo line. Needs a fresh bundle (npm run bundle).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js'
import { filesOf } from '../helpers/hub-repo.js'
import { repoRoot, runAction, runCliAsync, runtimes } from '../helpers/run-bundle.js'

const SHA = '3'.repeat(40)
let hub: FakeHub
let ws: string

beforeAll(async () => {
  hub = await startFakeHub({
    repos: { 'org/broken': { files: filesOf(path.join(repoRoot, 'examples/broken-model')), sha: SHA } },
  })
  ws = mkdtempSync(path.join(os.tmpdir(), 'fp-manifest-e2e-'))
  mkdirSync(path.join(ws, 'deploy'))
  writeFileSync(
    path.join(ws, 'deploy/friendli-endpoint.yaml'),
    [
      'projectId: p',
      'name: chat',
      'instanceOptionId: TwD5AqnBSVN0',
      'hfModelRepo: org/broken',
      `hfModelRepoRevision: "${SHA}"`,
      'advanced:',
      '  tokenizer_skip_special_tokens: true',
      '  tokenizer_add_special_tokens: "false"',
      '',
    ].join('\n'),
  )
})
afterAll(async () => {
  await hub.close()
  rmSync(ws, { recursive: true, force: true })
})

describe.each(runtimes())('deployment manifests under $name', ({ bin }) => {
  it('CLI text: the manifest the default pattern finds, the model findings on the hfModelRepo line', async () => {
    const r = await runCliAsync(bin, ['--hub-url', hub.url], ws)
    expect(r.status).toBe(1)
    expect(r.stderr).toBe('')
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toContain(
      'deploy/friendli-endpoint.yaml:8:3 error EP103 manifest-value advanced.tokenizer_add_special_tokens must be true or false; got the string "false", the value in quotes.',
    )
    const mr203 = `deploy/friendli-endpoint.yaml:4:1 error MR203 unsupported-architecture hf://org/broken@${SHA}/config.json:3:5: Architecture LlamaForCasualLM`
    expect(lines.some((l) => l.startsWith(mr203))).toBe(true)
    expect(lines.at(-1)).toMatch(/^fail: 1 target checked: \d+ errors?, /)
  })

  it('CLI JSON: kind manifest and the model it names', async () => {
    const args = ['--manifest', 'deploy/friendli-endpoint.yaml', '--hub-url', hub.url, '--format', 'json']
    const r = await runCliAsync(bin, args, ws)
    expect(r.status).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report.targets[0]).toMatchObject({
      kind: 'manifest',
      ref: 'deploy/friendli-endpoint.yaml',
      status: 'fail',
      model: { ref: 'org/broken', source: 'hub', revision: SHA },
    })
  })

  it('action: the examples, with annotations on the manifests lines', () => {
    const run = runAction(bin, { config: 'examples/friendli-preflight.yml', 'fail-on': 'never' })
    expect(run.status).toBe(0)
    const on = (file: string) =>
      run.commands.filter((c) => c.props.file === file).map((c) => `${c.props.title}@${c.props.line}`)
    // GitHub shows 10 errors a step: the models' and the dataset's come first, then the manifest's.
    expect(on('examples/endpoints/broken-endpoint.json')).toEqual(
      expect.arrayContaining([
        'EP301 instance-option@5',
        'EP103 manifest-value@11',
        'EP102 manifest-unknown-key@16',
      ]),
    )
    expect(on('examples/endpoints/chat-endpoint.yaml')).toEqual([
      'EP302 instance-fit@8',
      'MR104 ignored-files@9',
    ])
    const report = JSON.parse(readFileSync(run.outputs['report-file']!, 'utf8'))
    expect(report.targets.filter((t: { kind: string }) => t.kind === 'manifest')).toHaveLength(2)
    expect(report.summary).toEqual({ errors: 17, warnings: 6, infos: 7, result: 'pass' })
  })
})
