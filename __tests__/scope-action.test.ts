// `scope: changed` in the action, in process: the pull request's files paged from a loopback GitHub
// (requests counted), the targets it changes checked, and the notes in the log and the job summary.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { renderers, text } from './helpers/gfm.js'
import { startFakeGithub, type FakeGithub } from './helpers/fake-github.js'
import { runActionIn, writeFiles } from './helpers/in-process.js'
import { parseOutputs } from './helpers/run-bundle.js'

let tmp: string
let counter = 0
const savedEnv = { ...process.env }
let outputFile: string
let summaryFile: string
let run: (env: NodeJS.ProcessEnv) => Promise<void>
const TOKEN = 'ghs_scopeTestToken000000000000000000'

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-scope-action-')))
  outputFile = path.join(tmp, 'output')
  summaryFile = path.join(tmp, 'summary')
  // @actions/github reads its context from the environment when it is first imported: none of the
  // runner's variables, so no check run is attempted against a real API.
  for (const k of Object.keys(process.env)) if (k.startsWith('GITHUB_')) delete process.env[k]
  ;({ run } = await import('../src/main.js'))
})
afterEach(() => {
  process.env = { ...savedEnv }
  process.exitCode = undefined
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** A monorepo checked out at the workspace's root: two models (their findings do not matter here). */
const MONOREPO = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  'models/a/config.json': '{}',
  'models/a/model.safetensors': '',
  'models/b/config.json': '{}',
  'models/b/model.safetensors': '',
  'README.md': '',
}

async function runAction(
  gh: FakeGithub,
  event: { name: string; pull?: { number: number; changed_files: number } },
  inputs: Record<string, string>,
) {
  const dir = path.join(tmp, `run-${++counter}`)
  const workspace = path.join(dir, 'ws')
  writeFiles(workspace, MONOREPO)
  const eventFile = path.join(dir, 'event.json')
  writeFileSync(eventFile, JSON.stringify(event.pull ? { pull_request: event.pull } : {}))
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: NodeJS.ProcessEnv = {
    PATH: savedEnv.PATH,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_API_URL: gh.url,
    RUNNER_TEMP: dir,
    INPUT_MODEL: 'auto',
    'INPUT_FAIL-ON': 'never',
    'INPUT_GITHUB-TOKEN': TOKEN,
    'INPUT_CHECK-NAME': 'friendli-preflight',
  }
  const stdout = await runActionIn(run, env, inputs)
  const outputs = parseOutputs(readFileSync(outputFile, 'utf8'))
  const report = JSON.parse(readFileSync(outputs['report-file']!, 'utf8')) as { targets: { ref: string }[] }
  return {
    stdout,
    outputs,
    checked: report.targets.map((t) => t.ref),
    summary: text(renderers[0]!.render(readFileSync(summaryFile, 'utf8'))),
    /** The pull request's file pages requested. */
    pages: gh.log.filter((r) => r.path.startsWith('/repos/o/r/pulls/')),
  }
}

/** `n` changed files outside any model, and `extra`. */
const changed = (n: number, ...extra: string[]) => [
  ...Array.from({ length: n }, (_, i) => ({ filename: `docs/page-${i}.md`, status: 'modified' })),
  ...extra.map((filename) => ({ filename, status: 'modified' })),
]

describe('scope: changed in the action', () => {
  it('pages through 250 files (3 requests) and checks only the model they change', async () => {
    const gh = await startFakeGithub({ pullFiles: changed(249, 'models/b/config.json') })
    try {
      const r = await runAction(
        gh,
        { name: 'pull_request', pull: { number: 5, changed_files: 250 } },
        { scope: 'changed' },
      )
      expect(r.pages.map((p) => p.path)).toEqual([
        '/repos/o/r/pulls/5/files?per_page=100&page=1',
        '/repos/o/r/pulls/5/files?per_page=100&page=2',
        '/repos/o/r/pulls/5/files?per_page=100&page=3',
      ])
      expect(r.pages.every((p) => p.authorization === `token ${TOKEN}`)).toBe(true)
      expect(r.checked).toEqual(['models/b'])
      expect(r.stdout).toContain('checked: models/b: 1 changed file in it')
      expect(r.stdout).toContain('not checked: models/a: nothing of it changed')
      expect(r.summary).toContain(
        'Note: scope: changed: 1 of 2 targets changed in this pull request and was checked; the other 1 was not',
      )
      // Code scanning would take models/a's alerts as fixed: no SARIF file this time.
      expect(r.outputs['sarif-file']).toBeUndefined()
      // The token is masked first (the one line that carries it), and sent to the API alone.
      expect(r.stdout.split('\n').filter((l) => l.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`])
    } finally {
      await gh.close()
    }
  })

  it('no target changed: pass, every output written, and the note says so', async () => {
    const gh = await startFakeGithub({ pullFiles: changed(3) })
    try {
      const r = await runAction(
        gh,
        { name: 'pull_request_target', pull: { number: 9, changed_files: 3 } },
        { scope: 'changed' },
      )
      expect(r.checked).toEqual([])
      expect(r.outputs).toMatchObject({ result: 'pass', errors: '0', warnings: '0' })
      expect(r.outputs['report-file']).toMatch(/friendli-preflight-report\.json$/)
      expect(r.summary).toContain(
        'Note: no target changed in this pull request (scope: changed): 2 targets not checked',
      )
      expect(r.stdout).toContain('no target changed in this pull request')
    } finally {
      await gh.close()
    }
  })

  it('more files than GitHub lists: no request, every target, and a note', async () => {
    const gh = await startFakeGithub({ pullFiles: changed(10) })
    try {
      const r = await runAction(
        gh,
        { name: 'pull_request', pull: { number: 5, changed_files: 3500 } },
        { scope: 'changed' },
      )
      expect(r.pages).toEqual([])
      expect(r.checked).toEqual(['models/a', 'models/b'])
      expect(r.summary).toContain(
        'Note: this pull request changes more files than GitHub lists (3,000): every target is checked',
      )
      expect(r.outputs['sarif-file']).toBeDefined()
    } finally {
      await gh.close()
    }
  })

  it('a push: every target, with a note; scope: all (the default) asks nothing', async () => {
    const gh = await startFakeGithub({ pullFiles: changed(1) })
    try {
      const push = await runAction(gh, { name: 'push' }, { scope: 'changed' })
      expect(push.checked).toEqual(['models/a', 'models/b'])
      expect(push.summary).toContain(
        'Note: scope: changed narrows pull_request and pull_request_target runs; this is a push: every target is checked',
      )
      const all = await runAction(gh, { name: 'pull_request', pull: { number: 5, changed_files: 1 } }, {})
      expect(all.checked).toEqual(['models/a', 'models/b'])
      expect(all.summary).not.toContain('Note:')
      expect(gh.log.filter((r) => r.path.includes('/pulls/'))).toEqual([])
    } finally {
      await gh.close()
    }
  })

  it('a token that may not read the pull request: every target, saying why', async () => {
    const gh = await startFakeGithub({ readOnly: true })
    try {
      const r = await runAction(
        gh,
        { name: 'pull_request', pull: { number: 5, changed_files: 2 } },
        { scope: 'changed' },
      )
      expect(r.checked).toEqual(['models/a', 'models/b'])
      expect(r.summary).toContain(
        "Note: scope: changed could not list the pull request's files (Resource not accessible by integration",
      )
    } finally {
      await gh.close()
    }
  })

  it('a scope that is neither: could not start', async () => {
    const gh = await startFakeGithub()
    try {
      const dir = path.join(tmp, `bad-${++counter}`)
      mkdirSync(dir, { recursive: true })
      writeFileSync(outputFile, '')
      writeFileSync(summaryFile, '')
      const env: NodeJS.ProcessEnv = {
        PATH: savedEnv.PATH,
        GITHUB_WORKSPACE: dir,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        RUNNER_TEMP: dir,
        INPUT_MODEL: '.',
        INPUT_SCOPE: 'some',
      }
      await runActionIn(run, env, {})
      expect(parseOutputs(readFileSync(outputFile, 'utf8')).result).toBe('fail')
      expect(text(renderers[0]!.render(readFileSync(summaryFile, 'utf8')))).toContain(
        'scope must be one of changed, all; got "some"',
      )
    } finally {
      await gh.close()
    }
  })
})
