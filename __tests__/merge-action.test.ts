// The action's `mode: merge-reports`, in process, as the last job of a dataset-shard matrix: the shards'
// reports (each job's report-file, as actions/download-artifact lays the artifacts out) merged into one
// run's outputs, job summary, check run (on a loopback fake of the GitHub API) and SARIF file; reports
// that cannot be merged fail the step with one error saying why. @actions/github's `context` reads the
// runner's environment when it is imported, so the environment is set first and main.ts imported after.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chat, jsonl, raw } from './helpers/dataset-tester.js'
import { renderers, text } from './helpers/gfm.js'
import { startFakeGithub, type FakeGithub } from './helpers/fake-github.js'
import { runActionIn, writeFiles } from './helpers/in-process.js'
import { parseOutputs } from './helpers/run-bundle.js'
import { executedCommands } from './helpers/runner-commands.js'

const HEAD = 'e'.repeat(40)
let tmp: string
let ws: string
let gh: FakeGithub
let run: (env?: NodeJS.ProcessEnv) => Promise<void>
const savedEnv = { ...process.env }
let base: NodeJS.ProcessEnv

/** Rows with findings of several rules, and duplicates that only meet across shards. */
const rows = Array.from({ length: 45 }, (_, k) =>
  k % 6 === 2
    ? chat(['user', 'the same question'], ['assistant', 'the same answer'])
    : k % 7 === 3
      ? raw('{"messages": [')
      : k % 5 === 4
        ? chat(['user', `no answer ${k}`])
        : chat(['user', `question ${k}`], ['assistant', `answer ${k}`]),
)

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-merge-action-')))
  ws = path.join(tmp, 'ws')
  writeFiles(ws, { 'data/train.jsonl': jsonl(rows) })
  writeFileSync(
    path.join(tmp, 'event.json'),
    JSON.stringify({ pull_request: { number: 5, head: { sha: HEAD } } }),
  )
  gh = await startFakeGithub()
  base = {
    PATH: savedEnv.PATH,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: ws,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_REPOSITORY: 'me/data',
    GITHUB_SHA: '1'.repeat(40),
    GITHUB_RUN_ID: '9',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: path.join(tmp, 'event.json'),
    'INPUT_FAIL-ON': 'error',
    'INPUT_GITHUB-TOKEN': 'ghs_merge_action_secret_0123456789',
    'INPUT_CHECK-NAME': 'friendli-preflight',
    INPUT_MODEL: '',
  }
  process.env = { ...base }
  ;({ run } = await import('../src/main.js'))
})
afterAll(async () => {
  process.env = { ...savedEnv }
  process.exitCode = undefined
  await gh.close()
  rmSync(tmp, { recursive: true, force: true })
})

/** One step of the action, its report files under `runnerTemp`: what the runner sees of it. */
async function step(runnerTemp: string, inputs: Record<string, string>) {
  mkdirSync(runnerTemp, { recursive: true })
  // One summary file for every step: @actions/core keeps the path it first read.
  const files = { output: path.join(runnerTemp, 'output'), summary: path.join(tmp, 'summary') }
  writeFileSync(files.output, '')
  writeFileSync(files.summary, '')
  gh.log.length = 0
  process.exitCode = undefined
  const env: NodeJS.ProcessEnv = {
    ...base,
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
  }
  const stdout = await runActionIn(run, env, inputs)
  const exitCode = process.exitCode
  process.exitCode = undefined
  return {
    exitCode,
    outputs: parseOutputs(readFileSync(files.output, 'utf8')),
    /** The job summary as GitHub shows it: its text. */
    summary: text(renderers[0]!.render(readFileSync(files.summary, 'utf8'))),
    summaryMarkdown: readFileSync(files.summary, 'utf8'),
    checkRuns: gh.log.filter((r) => r.method === 'POST').map((r) => r.body),
    errors: executedCommands(stdout).filter((c) => c.name === 'error' && !c.props.title),
  }
}

describe('mode: merge-reports', () => {
  let single: Awaited<ReturnType<typeof step>>
  beforeAll(async () => {
    // The matrix: three jobs, each with its report where download-artifact puts an artifact.
    for (let i = 1; i <= 3; i++) {
      const shard = await step(path.join(ws, `shard-reports/friendli-preflight-report-shard-${i}`), {
        dataset: 'data',
        'dataset-shard': `${i}/3`,
        'check-name': `friendli-preflight (shard ${i}/3)`,
      })
      expect(shard.outputs['report-file']).toMatch(/friendli-preflight-report\.json$/)
    }
    single = await step(path.join(tmp, 'single'), { dataset: 'data' })
  })

  it("gives one run's outputs, check run and SARIF file from the shards' reports", async () => {
    const merged = await step(path.join(tmp, 'merged'), {
      mode: 'merge-reports',
      reports: 'shard-reports/**/friendli-preflight-report.json',
    })
    expect(merged.errors.map((e) => e.data)).toEqual(single.errors.map((e) => e.data))
    expect(merged.exitCode).toBe(1)
    const paths = (o: Record<string, string>) => ({ ...o, 'report-file': 'x', 'sarif-file': 'x' })
    expect(paths(merged.outputs)).toEqual(paths(single.outputs))
    expect(merged.outputs).toMatchObject({ result: 'fail' })
    // The same check run: its conclusion, title and annotations (its summary says it was merged).
    expect(merged.checkRuns).toHaveLength(1)
    const run = (r: (typeof merged.checkRuns)[number]) => ({
      name: r.name,
      head_sha: r.head_sha,
      conclusion: r.conclusion,
      title: r.output.title,
      annotations: r.output.annotations,
    })
    expect(run(merged.checkRuns[0]!)).toEqual(run(single.checkRuns[0]!))
    expect(merged.checkRuns[0]!.output.annotations.length).toBeGreaterThan(0)
    const sarif = (file: string) => JSON.parse(readFileSync(file, 'utf8')).runs[0].results
    expect(sarif(merged.outputs['sarif-file']!)).toEqual(sarif(single.outputs['sarif-file']!))
    // The job summary says the dataset was merged, and shows what the single run shows.
    expect(merged.summary).toContain(
      "Merged from the reports of 3 shards: rows and duplicate rows (DS302) are the whole dataset's.",
    )
    const findingsPart = (summary: string, dir: string) =>
      summary.slice(summary.indexOf('Messages by role')).replace(path.join(tmp, dir), 'RUNNER_TEMP')
    expect(findingsPart(merged.summaryMarkdown, 'merged')).toEqual(
      findingsPart(single.summaryMarkdown, 'single'),
    )
    const report = JSON.parse(readFileSync(merged.outputs['report-file']!, 'utf8'))
    expect(report.targets[0].merged).toEqual({ shards: 3 })
  })

  it('reports that cannot be merged: the step fails with one error saying why, no check run', async () => {
    const missing = await step(path.join(tmp, 'missing'), {
      mode: 'merge-reports',
      reports:
        'shard-reports/friendli-preflight-report-shard-1/*.json\nshard-reports/friendli-preflight-report-shard-3/*.json',
    })
    const message = 'shard 2 of 3 is missing: merge-reports needs the report of every shard'
    expect(missing.exitCode).toBe(1)
    expect(missing.errors.map((e) => e.data)).toEqual([`friendli-preflight: ${message}`])
    expect(missing.outputs).toMatchObject({ result: 'fail', errors: '0', warnings: '0' })
    expect(missing.summary).toContain(`Nothing was checked: ${message}`)
    expect(missing.checkRuns).toEqual([])
    const none = await step(path.join(tmp, 'none'), { mode: 'merge-reports' })
    expect(none.errors.map((e) => e.data)).toEqual([
      "friendli-preflight: mode: merge-reports needs the reports input: the shards' JSON reports (files, folders or globs)",
    ])
    const bad = await step(path.join(tmp, 'bad'), { mode: 'merge' })
    expect(bad.errors.map((e) => e.data)).toEqual([
      'friendli-preflight: mode must be check or merge-reports; got "merge"',
    ])
  })
})
