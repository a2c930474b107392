// The CLI in a workflow step (GITHUB_ACTIONS=true), in process: a repository plants workflow commands
// everywhere its text reaches the output (folder and file names, config.json values, a chat template's
// raise_exception, dataset rows, the config file), and every output format the CLI has (cli.ts FORMATS,
// so a new format is covered the day it is added) goes through the model of the runner's command
// parser (helpers/runner-commands.ts). Text, JSON and SARIF run no command at all; --format github runs
// only its own annotations, each on a file of the repository, its paths relative to the git top-level.
// __tests__/e2e/hostile-output.test.ts runs the same attack on the bundles.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { FORMATS } from '../src/cli.js'
import { runCliIn } from './helpers/in-process.js'
import { INJECT, writePlantedModel } from './helpers/planted-commands.js'
import { executedCommands } from './helpers/runner-commands.js'

const FOLDER = '::warning file=README.md,line=2::planted folder'
let tmp: string
let ws: string

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-cli-workflow-')))
  ws = path.join(tmp, 'ws')
  const model = path.join(ws, FOLDER)
  writePlantedModel(model)
  writeFileSync(path.join(model, '##[set-output name=result]pass,line=9.bin'), 'not weights')
  const row = (content: string) =>
    JSON.stringify({ messages: [{ role: 'user', content }, { role: INJECT }] }) + '\n'
  writeFileSync(path.join(ws, 'rows%0A::error::x.jsonl'), row(INJECT) + row('again') + "{'python': 'repr'}\n")
  writeFileSync(
    path.join(ws, '.friendli-preflight.yml'),
    [
      'targets:',
      `  - model: ${JSON.stringify(FOLDER)}`,
      `  - dataset: ${JSON.stringify('rows%0A::error::x.jsonl')}`,
      `    base-model: ${JSON.stringify(FOLDER)}`,
      '',
    ].join('\n'),
  )
  writeFileSync(path.join(ws, 'bad-key.yml'), `rules:\n  ${JSON.stringify(INJECT)}: off\n`)
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** The CLI run in `dir` (the workspace) as a workflow step runs it: exit code, stdout and stderr. */
const run = (argv: string[], dir = ws) =>
  runCliIn(dir, argv, { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ws })

describe('the CLI in a workflow step, on a repository that plants workflow commands', () => {
  it('has the formats this test covers', () => {
    expect([...FORMATS].sort()).toEqual(['github', 'json', 'sarif', 'text'])
  })

  /** Every format but github, and the text format's --verbose. */
  const plain: [string, string[]][] = FORMATS.filter((f) => f !== 'github').map((f) => [f, []])
  plain.push(['text', ['--verbose']])

  it.each(plain)(
    '--format %s %j runs no command, and prints the planted text as text',
    async (format, extra) => {
      const r = await run(['--format', format, ...extra])
      expect(r.status).toBe(1)
      expect(executedCommands(r.stdout)).toEqual([])
      expect(executedCommands(r.stderr)).toEqual([])
      expect(r.stdout).toContain('planted annotation')
      if (format !== 'text') expect(() => JSON.parse(r.stdout) as unknown).not.toThrow()
    },
  )

  it('--format github runs only its own annotations, each on a file of the repository', async () => {
    const r = await run(['--format', 'github'])
    expect(r.status).toBe(1)
    expect(executedCommands(r.stderr)).toEqual([])
    const commands = executedCommands(r.stdout)
    expect(commands.length).toBeGreaterThan(3)
    for (const c of commands) {
      expect(['error', 'warning', 'notice']).toContain(c.name)
      expect(c.props.title).toMatch(/^((MR|DS)\d{3} [a-z-]+(:| |$)|friendli-preflight\b)/)
      expect(Object.keys(c.props).every((k) => ['file', 'line', 'col', 'title'].includes(k))).toBe(true)
      // A file of the workspace, as the repository names it (planted commands and all).
      if (c.props.file !== undefined)
        expect(
          c.props.file === '.friendli-preflight.yml' ||
            c.props.file.startsWith(`${FOLDER}/`) ||
            c.props.file === 'rows%0A::error::x.jsonl',
        ).toBe(true)
    }
    expect(commands.some((c) => c.props.file === `${FOLDER}/config.json` && c.props.line === '3')).toBe(true)
    expect(commands.some((c) => c.props.file === 'rows%0A::error::x.jsonl' && c.props.line === '3')).toBe(
      true,
    )
    expect(commands.some((c) => c.data.includes('planted annotation'))).toBe(true)
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^fail: 2 targets checked: /)
  })

  it('a usage error quoting repository text is inert, whatever the format', async () => {
    for (const format of FORMATS) {
      const r = await run(['--format', format, '--config', 'bad-key.yml'])
      expect(r.status).toBe(2)
      expect(r.stderr).toContain('planted annotation')
      expect(executedCommands(r.stdout + r.stderr)).toEqual([])
    }
  })
})

describe('--format github, run in a folder of a repository', () => {
  it('writes paths relative to the git top-level, and names a file outside it in the message', async () => {
    const repo = path.join(tmp, 'repo')
    const sub = path.join(repo, 'team', 'models')
    mkdirSync(path.join(repo, '.git'), { recursive: true })
    mkdirSync(path.join(sub, 'chat'), { recursive: true })
    writeFileSync(path.join(sub, 'chat', 'config.json'), '{\n  "architectures": ["NoSuchForCausalLM"]\n}\n')
    mkdirSync(path.join(tmp, 'outside-model'))
    writeFileSync(
      path.join(tmp, 'outside-model', 'config.json'),
      '{\n  "architectures": ["NoSuchForCausalLM"]\n}\n',
    )

    const inside = executedCommands((await run(['chat', '--format', 'github'], sub)).stdout)
    expect(inside.find((c) => c.props.title?.startsWith('MR203'))?.props).toMatchObject({
      file: 'team/models/chat/config.json',
      line: '2',
    })
    // Outside a workflow a folder outside the repository may be checked; GitHub cannot show its file.
    const { stdout } = await runCliIn(sub, ['../../../outside-model', '--format', 'github'])
    const mr203 = executedCommands(stdout).find((c) => c.props.title?.startsWith('MR203'))
    expect(mr203?.props.file).toBeUndefined()
    expect(mr203?.data.startsWith('../../../outside-model/config.json:2: ')).toBe(true)
  })
})
