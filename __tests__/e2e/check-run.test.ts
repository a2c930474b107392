// The action bundle creating a check run against a loopback GitHub API, as on a pull request: every
// located finding becomes a check-run annotation, the token stays masked, and a fork's read-only
// token only costs a log line.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startFakeGithub } from '../helpers/fake-github.js'
import { startFakeProxy } from '../helpers/fake-proxy.js'
import { repoRoot, runActionAsync, runtimes } from '../helpers/run-bundle.js'

const TOKEN = 'ghs_e2e_secret_0123456789'
let tmp: string
let event: string

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-checks-'))
  event = path.join(tmp, 'event.json')
  writeFileSync(event, JSON.stringify({ pull_request: { head: { sha: 'f'.repeat(40) } } }))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe.each(runtimes())('check run under $name', ({ bin }) => {
  it('a pull request: the check run is on the head commit, with the findings; the token never printed', async () => {
    const gh = await startFakeGithub()
    try {
      const run = await runActionAsync(
        bin,
        { model: 'examples/broken-model', 'github-token': TOKEN },
        repoRoot,
        {
          GITHUB_API_URL: gh.url,
          GITHUB_REPOSITORY: 'me/models',
          GITHUB_SHA: '1'.repeat(40),
          GITHUB_EVENT_PATH: event,
        },
      )
      expect(run.status).toBe(1)
      expect(gh.log).toHaveLength(1)
      expect(gh.log[0].body).toMatchObject({ head_sha: 'f'.repeat(40), conclusion: 'failure' })
      expect(gh.log[0].body.output.annotations.map((a: { path: string }) => a.path)).toContain(
        'examples/broken-model/config.json',
      )
      expect(run.stdout).toContain('Check run "friendli-preflight" created with')
      expect(run.stdout.split('\n').filter((l) => l.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`])
    } finally {
      await gh.close()
    }
  })

  it('check-name names the run; behind HTTP_PROXY every request to GitHub goes through the proxy', async () => {
    const gh = await startFakeGithub()
    const proxy = await startFakeProxy()
    try {
      const run = await runActionAsync(
        bin,
        { model: 'examples/broken-model', 'github-token': TOKEN, 'check-name': 'preflight (broken)' },
        repoRoot,
        {
          GITHUB_API_URL: gh.url,
          GITHUB_REPOSITORY: 'me/models',
          GITHUB_SHA: '1'.repeat(40),
          GITHUB_SERVER_URL: 'https://github.test',
          GITHUB_RUN_ID: '42',
          HTTP_PROXY: proxy.url,
          HTTPS_PROXY: proxy.url,
        },
      )
      expect(run.status).toBe(1)
      expect(gh.log[0]!.body).toMatchObject({
        name: 'preflight (broken)',
        details_url: 'https://github.test/me/models/actions/runs/42',
      })
      expect(gh.log[0]!.userAgent).toMatch(/^friendli-preflight\/\d+\.\d+\.\d+ /)
      expect(proxy.log.length).toBeGreaterThanOrEqual(1)
      expect(proxy.log.every((p) => gh.url.endsWith(p.target))).toBe(true)
      expect(run.stdout).toContain('Check run "preflight (broken)" created with')
    } finally {
      await proxy.close()
      await gh.close()
    }
  })

  it('a fork pull request (read-only token): one log line, the result unchanged', async () => {
    const gh = await startFakeGithub({ readOnly: true })
    try {
      const run = await runActionAsync(
        bin,
        { model: 'examples/conforming-chat-model', 'github-token': TOKEN },
        repoRoot,
        {
          GITHUB_API_URL: gh.url,
          GITHUB_REPOSITORY: 'me/models',
          GITHUB_SHA: '1'.repeat(40),
        },
      )
      expect(run.status).toBe(0)
      expect(run.outputs.result).toBe('pass')
      expect(run.stdout).toContain('No check run: the token may not create check runs (403')
      expect(gh.log[0].body.head_sha).toBe('1'.repeat(40))
    } finally {
      await gh.close()
    }
  })
})
