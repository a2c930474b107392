// The action's entry, in process: run() with the runner's environment (INPUT_* variables, the output
// and summary files), its stdout read by the model of the runner's command parser. The bundle is run
// the same way by __tests__/e2e/action.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { run } from '../src/main.js'
import { renderers, text } from './helpers/gfm.js'
import { parseOutputs } from './helpers/run-bundle.js'
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
async function runAction(files: Record<string, string>, inputs: Record<string, string> = {}) {
  const dir = path.join(tmp, `run-${++counter}`)
  const workspace = path.join(dir, 'ws')
  mkdirSync(workspace, { recursive: true })
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true })
    writeFileSync(path.join(workspace, rel), content)
  }
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
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  process.env = env // @actions/core reads inputs and the output and summary files from here
  let stdout = ''
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s)
    return true
  })
  try {
    await run(env)
  } finally {
    spy.mockRestore()
  }
  return {
    exitCode: process.exitCode,
    commands: executedCommands(stdout)
      .filter((c) => c.name !== 'stop-commands' && c.name !== 'resume')
      .map((c) => ({ name: c.name, props: c.props, data: c.data })),
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    /** The job summary as GitHub shows it: its text. */
    summary: text(renderers[0]!.render(readFileSync(summaryFile, 'utf8'))),
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
