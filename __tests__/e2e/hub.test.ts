// The bundles against the fake hub, as a workflow and a shell run them: a hub reference is checked like
// a folder, its findings land on the workflow line that names it (or in the summary with links), and
// the token is masked and never printed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js'
import { filesOf } from '../helpers/hub-repo.js'
import { repoRoot, runActionAsync, runCliAsync, runtimes } from '../helpers/run-bundle.js'

const TOKEN = 'hf_e2e_secret_token_42'
const SHA = '1'.repeat(40)
let hub: FakeHub
let ws: string

beforeAll(async () => {
  hub = await startFakeHub({
    repos: {
      'org/broken': { files: filesOf(path.join(repoRoot, 'examples/broken-model')), sha: SHA },
      'org/private': {
        files: filesOf(path.join(repoRoot, 'examples/conforming-chat-model')),
        private: true,
        allowTokens: [TOKEN],
      },
      'org/gated': { files: { 'config.json': '{}' }, gated: 'manual' },
    },
    validTokens: [TOKEN],
  })
  ws = mkdtempSync(path.join(os.tmpdir(), 'fp-hub-e2e-'))
  mkdirSync(path.join(ws, '.github/workflows'), { recursive: true })
  writeFileSync(
    path.join(ws, '.github/workflows/deploy.yml'),
    [
      'on: pull_request',
      'jobs:',
      '  preflight:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: friendli-preflight/friendli-preflight@v1',
      '        with:',
      '          model: org/broken@main',
      '',
    ].join('\n'),
  )
})
afterAll(async () => {
  await hub.close()
  rmSync(ws, { recursive: true, force: true })
})

describe.each(runtimes())('hub targets under $name', ({ bin }) => {
  it('CLI: a private repo with HF_TOKEN from the environment; the JSON names the commit', async () => {
    const r = await runCliAsync(bin, ['org/private', '--hub-url', hub.url, '--format', 'json'], ws, {
      HF_TOKEN: TOKEN,
    })
    expect(r.stderr).toBe('')
    const report = JSON.parse(r.stdout)
    expect(report.targets[0]).toMatchObject({ ref: 'org/private', source: 'hub', status: 'pass' })
    expect(report.targets[0].revision).toMatch(/^[0-9a-f]{40}$/)
    expect(r.status).toBe(0)
    expect(r.stdout).not.toContain(TOKEN)
  })

  it('CLI: a gated repo without a token is "could not check" in the FAQ words, exit 2, one line', async () => {
    const r = await runCliAsync(bin, ['org/gated', '--hub-url', hub.url], ws)
    expect(r.status).toBe(2)
    expect(r.stdout.split('\n')[0]).toMatch(
      /^org\/gated: could not check: org\/gated: You don't have access to this gated model: it is gated and no token was given\./,
    )
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /)
  })

  it('CLI: HF_ENDPOINT points it at the hub when --hub-url is not given; text paths are hf:// at the commit', async () => {
    const r = await runCliAsync(bin, ['org/broken'], ws, { HF_ENDPOINT: hub.url })
    expect(r.status).toBe(1)
    expect(r.stdout).toContain(`hf://org/broken@${SHA}/config.json:`)
  })

  it('action: findings go on the workflow line that names the model; the summary links each file at the commit', async () => {
    const run = await runActionAsync(
      bin,
      { model: 'org/broken@main', 'hub-url': hub.url, 'hf-token': TOKEN },
      ws,
      { GITHUB_WORKFLOW_REF: 'me/repo/.github/workflows/deploy.yml@refs/pull/7/merge' },
    )
    expect(run.status).toBe(1)
    expect(run.outputs.result).toBe('fail')
    const findings = run.commands.filter((c) => c.props.title?.startsWith('MR'))
    expect(findings.length).toBeGreaterThan(0)
    expect(
      findings.every((c) => c.props.file === '.github/workflows/deploy.yml' && c.props.line === '8'),
    ).toBe(true)
    expect(findings.some((c) => c.message.startsWith(`hf://org/broken@${SHA}/config.json:`))).toBe(true)
    expect(run.summary).toContain(`${hub.url}/org/broken/blob/${SHA}/config.json#L`)
    expect(run.summary).toContain(`at [\`${SHA.slice(0, 12)}\`](${hub.url}/org/broken/tree/${SHA})`)
    // The runner masks what ::add-mask:: names; nothing else may carry the token.
    const lines = run.stdout.split('\n').filter((l) => l.includes(TOKEN))
    expect(lines).toEqual([`::add-mask::${TOKEN}`])
    expect(run.summary).not.toContain(TOKEN)
  })

  it('action: a hub model no file names: annotations float with the hf:// path in the text', async () => {
    const run = await runActionAsync(bin, { model: 'org/broken', 'hub-url': hub.url }, ws)
    const findings = run.commands.filter((c) => c.props.title?.startsWith('MR'))
    expect(findings.length).toBeGreaterThan(0)
    expect(findings.every((c) => c.props.file === undefined)).toBe(true)
    expect(findings.every((c) => c.message.startsWith(`hf://org/broken@${SHA}`))).toBe(true)
  })
})
