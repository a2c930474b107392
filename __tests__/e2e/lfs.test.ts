// The bundles on a checkout of Git LFS pointers against a loopback LFS server (GITHUB_SERVER_URL), as a
// workflow and a shell run them: the action reads the headers through LFS by default with its
// github-token, the CLI with --lfs-headers and GITHUB_TOKEN; the token is masked and printed nowhere.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startFakeLfs, writeCheckout, type FakeLfs } from '../helpers/fake-lfs.js'
import { sharded, tinyLlama } from '../helpers/model-weights.js'
import { configJson } from '../helpers/rule-tester.js'
import { runActionAsync, runCliAsync, runtimes } from '../helpers/run-bundle.js'

const TOKEN = 'ghs_e2eLfsToken0123456789abcdef'
let lfs: FakeLfs
let ws: string

beforeAll(async () => {
  ws = mkdtempSync(path.join(os.tmpdir(), 'fp-lfs-e2e-'))
  const objects = writeCheckout(ws, {
    'config.json': configJson({ vocab_size: 64, hidden_size: 16 }),
    ...sharded(tinyLlama()),
  })
  lfs = await startFakeLfs({ objects, token: TOKEN })
  writeCheckout(ws, {}, { remote: `${lfs.url}/owner/repo` })
})
afterAll(async () => {
  await lfs.close()
  rmSync(ws, { recursive: true, force: true })
})

describe.each(runtimes())('a checkout of LFS pointers under $name', ({ bin }) => {
  it('action: reads the shards through LFS with github-token (lfs-headers defaults to true)', async () => {
    const run = await runActionAsync(
      bin,
      { model: '.', 'lfs-headers': 'true', 'github-token': TOKEN, 'upload-report': 'false' },
      ws,
      { GITHUB_SERVER_URL: lfs.url },
    )
    expect(run.commands.filter((c) => c.props.title?.startsWith('MR304'))).toEqual([])
    expect(run.summary.replace(/\\(.)/g, '$1')).toContain(
      "Git LFS: the headers of 2 safetensors files were read through the repository's Git LFS server",
    )
    const lines = run.stdout.split('\n').filter((l) => l.includes(TOKEN))
    expect(lines).toEqual([`::add-mask::${TOKEN}`])
    expect(run.summary + run.stderr).not.toContain(TOKEN)
  })

  it('CLI: --lfs-headers with GITHUB_TOKEN; the JSON report lists the files read through LFS', async () => {
    const r = await runCliAsync(bin, ['.', '--lfs-headers', '--format', 'json'], ws, {
      GITHUB_TOKEN: TOKEN,
      GITHUB_SERVER_URL: lfs.url,
    })
    const report = JSON.parse(r.stdout)
    expect(report.targets[0].lfs).toMatchObject({
      read: ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'],
      requests: 3,
    })
    expect(r.stdout + r.stderr).not.toContain(TOKEN)
  })
})
