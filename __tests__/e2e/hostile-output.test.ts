// A pull request plants workflow commands everywhere its text can reach the log: a folder name, a file
// name, config.json values, a chat template's raise_exception, a tokenizer.json pattern the tokenizer
// library prints, a YAML key the YAML library warns about, and a link out of the workspace. The bundles
// run as the runner runs them; their output goes through a model of the runner's command parser
// (helpers/runner-commands.ts). Only the action's own annotations and its pause/resume may execute.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { INJECT, writePlantedModel } from '../helpers/planted-commands.js'
import { executedCommands, type RunnerCommand } from '../helpers/runner-commands.js'
import { runAction, runCli, runtimes } from '../helpers/run-bundle.js'

const FOLDER = '::warning::planted folder'
const SECRET = 'OutsideSecretForCausalLM'

let tmp: string
let ws: string

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-hostile-'))
  ws = path.join(tmp, 'ws')
  const model = path.join(ws, FOLDER)
  writePlantedModel(model)
  // A Split pattern that is neither {Regex} nor {String}: @huggingface/tokenizers prints it with console.warn.
  const vocab = Object.fromEntries([...'abcdefghijklmnopqrstuvwxyz <>/|_\n'].map((c, i) => [c, i + 1]))
  writeFileSync(
    path.join(model, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      added_tokens: [],
      normalizer: null,
      pre_tokenizer: { type: 'Split', pattern: INJECT, behavior: 'Isolated', invert: false },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab: { '[UNK]': 0, ...vocab }, unk_token: '[UNK]' },
    }),
  )
  writeFileSync(path.join(model, '##[set-output name=result]pass.bin'), 'not weights')
  writeFileSync(
    path.join(ws, 'rows.jsonl'),
    JSON.stringify({
      messages: [
        { role: 'user', content: INJECT },
        { role: 'assistant', content: 'ok' },
      ],
    }) + '\n',
  )
  // What lies outside the workspace, and a link to it.
  mkdirSync(path.join(tmp, 'outside'))
  writeFileSync(path.join(tmp, 'outside', 'config.json'), JSON.stringify({ architectures: [SECRET] }))
  symlinkSync(path.join(tmp, 'outside'), path.join(ws, 'linked-model'))
  writeFileSync(
    path.join(ws, '.friendli-preflight.yml'),
    [
      'targets:',
      `  - model: ${JSON.stringify(FOLDER)}`,
      `  - dataset: rows.jsonl`,
      `    base-model: ${JSON.stringify(FOLDER)}`,
      '  - model: linked-model',
      '  - model: ../outside',
      '',
    ].join('\n'),
  )
  // A config file whose collection key makes the YAML library warn, quoting it.
  writeFileSync(path.join(ws, 'collection-key.yml'), `rules:\n  ? [${JSON.stringify(INJECT)}]\n  : off\n`)
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** An annotation or failure line the action itself emits: a rule's annotation, or its own summary line. */
const isOurs = (c: RunnerCommand) =>
  (['error', 'warning', 'notice'].includes(c.name) &&
    (/^((MR|DS)\d{3} |friendli-preflight could not check$)/.test(c.props.title ?? '') ||
      c.data.startsWith('friendli-preflight'))) ||
  c.name === 'stop-commands' ||
  c.name === 'resume'

describe.each(runtimes())('hostile repository content under $name', ({ bin }) => {
  it('the action runs no command but its own, writes no planted output, and reads nothing outside', () => {
    const run = runAction(bin, { model: '' }, ws, { GITHUB_ACTIONS: 'true' })
    const stdout = executedCommands(run.stdout)
    expect(stdout.filter((c) => !isOurs(c)).map((c) => c.line)).toEqual([])
    // Every pause is resumed: the step's later output (the runner's own) is processed again.
    expect(stdout.filter((c) => c.name === 'stop-commands')).toHaveLength(
      stdout.filter((c) => c.name === 'resume').length,
    )
    // stderr (library warnings) is inert even read on its own, outside any pause.
    expect(executedCommands(run.stderr)).toEqual([])
    // The planted text did reach the log, as plain text: it was printed, not executed.
    expect(run.stdout + run.stderr).toContain('planted annotation')
    expect(run.outputs.result).toBe('fail')
    expect(run.stdout + run.stderr + run.summary).not.toContain(SECRET)
    // Both links out are "could not check".
    expect(run.stdout.match(/leads outside the workspace/g)?.length).toBeGreaterThanOrEqual(2)
  })

  it('the action on a config file that makes the YAML library warn: the warning is inert', () => {
    const run = runAction(bin, { model: '', config: 'collection-key.yml' }, ws, { GITHUB_ACTIONS: 'true' })
    expect(executedCommands(run.stdout).filter((c) => !isOurs(c))).toEqual([])
    expect(executedCommands(run.stderr)).toEqual([])
    expect(run.status).toBe(1)
  })

  it.each([['text'], ['json'], ['sarif']])(
    'the CLI in a workflow step (--format %s) prints nothing the runner would run',
    (format) => {
      const r = runCli(bin, ['--format', format], ws, { GITHUB_ACTIONS: 'true' })
      expect(r.status).toBe(2) // the links out could not be checked
      expect(executedCommands(r.stdout)).toEqual([])
      expect(executedCommands(r.stderr)).toEqual([])
      expect(r.stdout).toContain('planted')
      if (format !== 'text') expect(() => JSON.parse(r.stdout) as unknown).not.toThrow()
      expect(r.stdout + r.stderr).not.toContain(SECRET)
    },
  )

  it('the CLI in a workflow step (--format github) runs only its own annotations', () => {
    const r = runCli(bin, ['--format', 'github'], ws, { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ws })
    expect(r.status).toBe(2)
    const commands = executedCommands(r.stdout)
    expect(commands.filter((c) => !isOurs(c)).map((c) => c.line)).toEqual([])
    expect(commands.length).toBeGreaterThan(0)
    expect(
      commands.every((c) => Object.keys(c.props).every((k) => ['file', 'line', 'col', 'title'].includes(k))),
    ).toBe(true)
    expect(executedCommands(r.stderr)).toEqual([])
    expect(r.stdout).toContain('planted')
    expect(r.stdout + r.stderr).not.toContain(SECRET)
  })

  it('the CLI in a workflow step: a usage error quoting repository text is inert too', () => {
    const r = runCli(bin, ['--config', 'collection-key.yml'], ws, { GITHUB_ACTIONS: 'true' })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('unknown rule')
    expect(executedCommands(r.stdout + r.stderr)).toEqual([])
  })
})
