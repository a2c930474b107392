// The action's check run, in process, as on a pull request: @actions/github's `context` reads the
// runner's environment when it is imported, so the environment is set first and main.ts imported
// after. The bundle is run the same way by __tests__/e2e/check-run.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { READ_ONLY, startFakeGithub, type FakeAnswer, type FakeGithub } from '../helpers/fake-github.js'
import { runActionIn } from '../helpers/in-process.js'
import { parseOutputs, repoRoot } from '../helpers/run-bundle.js'

const TOKEN = 'ghs_in_process_secret_0123456789'
const HEAD = 'f'.repeat(40)
let tmp: string
let gh: FakeGithub
let answer: FakeAnswer | undefined
let run: (env?: NodeJS.ProcessEnv) => Promise<void>
const savedEnv = { ...process.env }
let base: NodeJS.ProcessEnv

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-check-run-')))
  writeFileSync(
    path.join(tmp, 'event.json'),
    JSON.stringify({ pull_request: { number: 3, head: { sha: HEAD } } }),
  )
  gh = await startFakeGithub({ answer: () => answer })
  base = {
    PATH: savedEnv.PATH,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: repoRoot,
    RUNNER_TEMP: tmp,
    GITHUB_OUTPUT: path.join(tmp, 'output'),
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_REPOSITORY: 'me/models',
    GITHUB_SHA: '1'.repeat(40),
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: path.join(tmp, 'event.json'),
    'INPUT_FAIL-ON': 'error',
    'INPUT_GITHUB-TOKEN': TOKEN,
  }
  process.env = { ...base }
  ;({ run } = await import('../../src/main.js'))
})
afterAll(async () => {
  process.env = { ...savedEnv }
  process.exitCode = undefined
  await gh.close()
  rmSync(tmp, { recursive: true, force: true })
})

async function runAction(inputs: Record<string, string>) {
  writeFileSync(path.join(tmp, 'output'), '')
  gh.log.length = 0
  const env: NodeJS.ProcessEnv = { ...base }
  process.exitCode = undefined
  const stdout = await runActionIn(run, env, inputs)
  const exitCode = process.exitCode
  process.exitCode = undefined
  return { stdout, exitCode, outputs: parseOutputs(readFileSync(path.join(tmp, 'output'), 'utf8')) }
}

describe('the check run of a pull request', () => {
  it('is on the head commit, named by check-name, linked to the workflow run; the log has its URL', async () => {
    answer = undefined
    const r = await runAction({ model: 'examples/broken-model', 'check-name': 'preflight (a)' })
    expect(r.exitCode).toBe(1)
    expect(gh.log).toHaveLength(1)
    expect(gh.log[0]!.body).toMatchObject({
      name: 'preflight (a)',
      head_sha: HEAD,
      details_url: 'https://github.test/me/models/actions/runs/42',
      conclusion: 'failure',
    })
    expect(r.stdout).toMatch(
      /Check run "preflight \(a\)" created with \d+ annotations?: https:\/\/github\.test\/o\/r\/runs\/\d+/,
    )
    expect(r.stdout.split('\n').filter((l) => l.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`])
  })

  it('a fork pull request (read-only token): one note, the result unchanged', async () => {
    answer = READ_ONLY
    const r = await runAction({ model: 'examples/conforming-chat-model' })
    expect(r.exitCode).toBeUndefined()
    expect(r.outputs.result).toBe('pass')
    expect(gh.log).toHaveLength(1)
    const notes = r.stdout.split('\n').filter((l) => /check run/i.test(l))
    expect(notes).toEqual([
      'No check run: the token may not create check runs (403: a pull request from a fork, or no "checks: write" permission); the annotations and the job summary carry the findings.',
    ])
  })

  it('a check-name that cannot be a name: nothing checked, the step fails saying why', async () => {
    answer = undefined
    const r = await runAction({ model: 'examples/conforming-chat-model', 'check-name': 'a\u0007b' })
    expect(r.exitCode).toBe(1)
    expect(r.outputs.result).toBe('fail')
    expect(gh.log).toHaveLength(0)
    expect(r.stdout).toContain('check-name holds a control character')
  })
})
