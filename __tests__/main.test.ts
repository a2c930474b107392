// The action's entry, in process: run() with the runner's environment (INPUT_* variables, the output
// and summary files), its stdout read by the model of the runner's command parser. The bundle is run
// the same way by __tests__/e2e/action.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { run } from '../src/main.js'
import type { Uploader } from '../src/report/artifact.js'
import { renderers, text } from './helpers/gfm.js'
import { parseOutputs } from './helpers/run-bundle.js'
import { runActionIn, writeFiles } from './helpers/in-process.js'
import { executedCommands } from './helpers/runner-commands.js'

let tmp: string
let counter = 0
const savedEnv = { ...process.env }
// One output file and one summary file for every run: @actions/core keeps the summary file's path.
let outputFile: string
let summaryFile: string

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-main-')))
  outputFile = path.join(tmp, 'output')
  summaryFile = path.join(tmp, 'summary')
})
afterEach(() => {
  process.env = { ...savedEnv }
  process.exitCode = undefined
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** The action run on a workspace holding `files`, with `inputs` as the runner passes them. */
async function runAction(
  files: Record<string, string>,
  inputs: Record<string, string> = {},
  { env: extra = {}, upload }: { env?: NodeJS.ProcessEnv; upload?: Uploader } = {},
) {
  const dir = path.join(tmp, `run-${++counter}`)
  const workspace = path.join(dir, 'ws')
  writeFiles(workspace, files)
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: NodeJS.ProcessEnv = {
    PATH: savedEnv.PATH,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: dir,
    // action.yml's defaults, as the runner sets them.
    INPUT_MODEL: '.',
    'INPUT_FAIL-ON': 'error',
  }
  Object.assign(env, extra)
  const stdout = await runActionIn((e) => run(e, upload ? { upload } : {}), env, inputs)
  return {
    exitCode: process.exitCode,
    commands: executedCommands(stdout)
      .filter((c) => c.name !== 'stop-commands' && c.name !== 'resume')
      .map((c) => ({ name: c.name, props: c.props, data: c.data })),
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    /** The job summary as GitHub shows it: its text. */
    summary: text(renderers[0]!.render(readFileSync(summaryFile, 'utf8'))),
    /** The job summary's Markdown. */
    summaryMarkdown: readFileSync(summaryFile, 'utf8'),
    stdout,
  }
}

describe('the action, when it cannot start', () => {
  it('a mistake in the config file: one error on its line, the outputs, a summary, a failed step', async () => {
    const r = await runAction({ '.friendli-preflight.yml': 'rules: {}\ntargets:\n  - modle: ./m\n' })
    const message = '.friendli-preflight.yml:3:5: unknown key "modle" in targets[0]; did you mean "model"?'
    expect(r.exitCode).toBe(1)
    expect(r.commands).toEqual([
      {
        name: 'error',
        props: {
          title: 'friendli-preflight could not check',
          file: '.friendli-preflight.yml',
          line: '3',
          col: '5',
        },
        data: message,
      },
    ])
    expect(r.outputs).toEqual({
      result: 'fail',
      errors: '0',
      warnings: '0',
      'report-file': expect.stringMatching(/friendli-preflight-report\.json$/),
    })
    expect(JSON.parse(readFileSync(r.outputs['report-file']!, 'utf8'))).toEqual({
      version: 1,
      targets: [],
      summary: { errors: 0, warnings: 0, infos: 0, result: 'error' },
    })
    expect(r.summary).toBe(`friendli-preflight: ⚠️ could not check\nNothing was checked: ${message}\n`)
  })

  it('a YAML syntax error in a config file named by the input: where the parser says', async () => {
    const r = await runAction(
      { 'ci/preflight.yml': 'rules:\n  MR203: off\n   MR104: off\n' },
      { config: 'ci/preflight.yml' },
    )
    expect(r.exitCode).toBe(1)
    expect(r.commands).toEqual([
      {
        name: 'error',
        props: {
          title: 'friendli-preflight could not check',
          file: 'ci/preflight.yml',
          line: '2',
          col: '10',
        },
        data: 'ci/preflight.yml:2:10: not valid YAML: Nested mappings are not allowed in compact mappings',
      },
    ])
    expect(r.outputs.result).toBe('fail')
  })

  it('any other bad input: one error without a file, and the same outputs and summary', async () => {
    const r = await runAction({}, { 'fail-on': 'sometimes' })
    const message = 'fail-on must be one of error, warning, never; got "sometimes"'
    expect(r.exitCode).toBe(1)
    expect(r.commands).toEqual([{ name: 'error', props: {}, data: `friendli-preflight: ${message}` }])
    expect(r.outputs).toMatchObject({ result: 'fail', errors: '0', warnings: '0' })
    expect(r.summary).toBe(`friendli-preflight: ⚠️ could not check\nNothing was checked: ${message}\n`)
  })
})

describe('the action uploads its report as an artifact', () => {
  /** A runtime token as the runner's: a JWT whose scope claim names the run and the job. */
  const runtimeToken = (job: string) =>
    [
      'e30',
      Buffer.from(JSON.stringify({ scp: `Actions.GenericRead Actions.Results:run-1:${job}` })).toString(
        'base64url',
      ),
      'sig',
    ].join('.')
  const runner = (job = 'job-1'): NodeJS.ProcessEnv => ({
    ACTIONS_RUNTIME_TOKEN: runtimeToken(job),
    ACTIONS_RESULTS_URL: 'https://results.test/',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_RUN_ID: '7',
    GITHUB_JOB: 'check',
  })
  /** A fake of @actions/artifact's uploadArtifact that records its calls. */
  const recorder = (result: () => Promise<{ id?: number }>) => {
    const calls: Parameters<Uploader>[] = []
    const upload: Uploader = (...args) => {
      calls.push(args)
      return result()
    }
    return { calls, upload }
  }
  const model = { 'config.json': '{"architectures": ["NoSuchForCausalLM"]}\n' }
  /** Warnings that are not about a finding (those have a title: the rule). */
  const stepWarnings = (r: { commands: { name: string; props: Record<string, string> }[] }) =>
    r.commands.filter((c) => c.name === 'warning' && !c.props.title)

  it('uploads the JSON report and the SARIF file as one artifact, and the summary links it', async () => {
    const fake = recorder(() => Promise.resolve({ id: 42, size: 1234 }))
    const r = await runAction(model, {}, { env: runner(), upload: fake.upload })
    expect(fake.calls).toHaveLength(1)
    const [name, files, root, options] = fake.calls[0]!
    expect(name).toMatch(/^friendli-preflight-report-check-[0-9a-f]{12}$/)
    expect(files).toEqual([r.outputs['report-file'], r.outputs['sarif-file']])
    expect(root).toBe(path.dirname(r.outputs['report-file']!))
    expect(options).toEqual({ retentionDays: 30 })
    expect(r.outputs).toMatchObject({
      'report-artifact-id': '42',
      'report-artifact-url': 'https://github.com/o/r/actions/runs/7/artifacts/42',
    })
    expect(r.summaryMarkdown).toContain(
      `Full report: artifact [\`${name}\`](https://github.com/o/r/actions/runs/7/artifacts/42) (the JSON report and the SARIF file, kept 30 days).`,
    )
    expect(r.summaryMarkdown).not.toContain(r.outputs['report-file']!)
    expect(stepWarnings(r)).toEqual([])
  })

  it('a failed upload is one warning line; the result, the outputs and the exit code are unchanged', async () => {
    const off = await runAction(model, { 'upload-report': 'false' }, { env: runner() })
    const fake = recorder(() =>
      Promise.reject(
        new Error('Failed to CreateArtifact: (409) Conflict:\nan artifact with this name already exists'),
      ),
    )
    const failed = await runAction(model, {}, { env: runner(), upload: fake.upload })
    expect(fake.calls).toHaveLength(1)
    expect(stepWarnings(failed)).toEqual([
      {
        name: 'warning',
        props: {},
        data: "friendli-preflight: the report was not uploaded as an artifact (Failed to CreateArtifact: (409) Conflict: an artifact with this name already exists); the check's result stands. Set upload-report: false to skip the upload.",
      },
    ])
    expect(failed.exitCode).toBe(off.exitCode)
    const paths = (o: Record<string, string>) => ({ ...o, 'report-file': 'x', 'sarif-file': 'x' })
    expect(paths(failed.outputs)).toEqual(paths(off.outputs))
    expect(failed.commands.filter((c) => c.name !== 'warning' || c.props.title)).toEqual(off.commands)
    expect(failed.summaryMarkdown).toContain('(JSON, on the runner)')
  })

  it('upload-report: false uploads nothing; a value other than true or false cannot start', async () => {
    const fake = recorder(() => Promise.resolve({ id: 1 }))
    const off = await runAction(model, { 'upload-report': 'FALSE' }, { env: runner(), upload: fake.upload })
    expect(fake.calls).toEqual([])
    expect(off.outputs['report-artifact-id']).toBeUndefined()
    const bad = await runAction(model, { 'upload-report': 'no' }, { env: runner(), upload: fake.upload })
    expect(fake.calls).toEqual([])
    expect(bad.exitCode).toBe(1)
    expect(bad.commands).toEqual([
      { name: 'error', props: {}, data: 'friendli-preflight: upload-report must be true or false; got "no"' },
    ])
  })

  it('outside a runner with artifact storage, or on GitHub Enterprise Server: a log line, no warning', async () => {
    const fake = recorder(() => Promise.resolve({ id: 1 }))
    const local = await runAction(model, {}, { upload: fake.upload })
    const ghes = await runAction(
      model,
      {},
      { env: { ...runner(), GITHUB_SERVER_URL: 'https://ghe.example' }, upload: fake.upload },
    )
    expect(fake.calls).toEqual([])
    for (const r of [local, ghes]) {
      expect(stepWarnings(r)).toEqual([])
      expect(r.stdout).toMatch(/\nReport not uploaded as an artifact: /)
    }
  })

  it('the upload runs with commands on: the masks @actions/artifact sets take effect, its debug lines stay hidden', async () => {
    const upload: Uploader = () => {
      // What the library does with the signed upload URL of its CreateArtifact response.
      core.setSecret('s3cr3t-sig')
      core.debug('Body: {"signed_upload_url": "https://blob.test/x?sig=s3cr3t-sig"}')
      return Promise.resolve({ id: 5 })
    }
    const r = await runAction(model, {}, { env: runner(), upload })
    expect(r.commands).toEqual(
      expect.arrayContaining([
        { name: 'add-mask', props: {}, data: 's3cr3t-sig' },
        {
          name: 'debug',
          props: {},
          data: 'Body: {"signed_upload_url": "https://blob.test/x?sig=s3cr3t-sig"}',
        },
      ]),
    )
  })
})
