// The bundles on a monorepo (the examples, copied): `model: auto` finds its models and dataset, and
// `scope: changed` on a pull request checks only the one its files change, listed from a loopback
// GitHub API.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startFakeGithub } from '../helpers/fake-github.js'
import { repoRoot, runActionAsync, runCli, runtimes } from '../helpers/run-bundle.js'

const TOKEN = 'ghs_e2e_scope_0123456789'
let tmp: string
let ws: string
let event: string

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-e2e-scope-'))
  ws = path.join(tmp, 'ws')
  cpSync(path.join(repoRoot, 'examples'), path.join(ws, 'examples'), { recursive: true })
  mkdirSync(path.join(ws, '.git'))
  event = path.join(tmp, 'event.json')
  writeFileSync(event, JSON.stringify({ pull_request: { number: 3, changed_files: 1 } }))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe.each(runtimes())('model: auto and scope: changed under $name', ({ bin }) => {
  it('the action: one page of files, the model they change and the dataset based on it', async () => {
    const gh = await startFakeGithub({
      pullFiles: [{ filename: 'examples/conforming-chat-model/tokenizer_config.json', status: 'modified' }],
    })
    try {
      const run = await runActionAsync(
        bin,
        {
          model: 'auto',
          scope: 'changed',
          'base-model': 'examples/conforming-chat-model',
          'github-token': TOKEN,
          'upload-report': 'false',
        },
        ws,
        {
          GITHUB_API_URL: gh.url,
          GITHUB_REPOSITORY: 'me/models',
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_EVENT_PATH: event,
        },
      )
      expect(gh.log.filter((r) => r.path.includes('/pulls/')).map((r) => r.path)).toEqual([
        '/repos/me/models/pulls/3/files?per_page=100&page=1',
      ])
      expect(run.stdout).toContain('checked: examples/conforming-chat-model: 1 changed file in it')
      expect(run.stdout).toContain('checked: examples/chat-dataset/train.jsonl: its base model changed')
      expect(run.stdout).toContain('not checked: examples/broken-model: nothing of it changed')
      expect(run.outputs.result).toBe('fail') // the example dataset's rows are meant to fail
      expect(run.outputs['sarif-file']).toBeUndefined()
      expect(run.summary).toContain('scope\\: changed\\: 2 of 3 targets changed in this pull request')
      expect(run.stdout.split('\n').filter((l) => l.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`])
    } finally {
      await gh.close()
    }
  })

  it('the CLI: auto finds both models and the dataset (a checkpoint inside a model is not another)', () => {
    const r = runCli(bin, ['auto', '--format', 'json', '--base-model', 'examples/conforming-chat-model'], ws)
    const report = JSON.parse(r.stdout) as { targets: { kind: string; ref: string; status: string }[] }
    expect(report.targets.map((t) => [t.kind, t.ref, t.status])).toEqual([
      ['model', 'examples/broken-model', 'fail'],
      ['model', 'examples/conforming-chat-model', 'pass'],
      ['dataset', 'examples/chat-dataset/train.jsonl', 'fail'], // its rows are meant to fail
    ])
    expect(r.status).toBe(1)
  })
})
