// Mistakes in what the user asked for are usage errors (exit 2, one line), not findings: a split the
// dataset does not have, a data file that does not exist, a run with nothing named in a folder that
// holds no model, a mistake in the config file. The real CLI, in process, with a temporary folder as
// the working directory.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runCliIn, writeFiles } from './helpers/in-process.js'

let tmp: string
const cwd = process.cwd()
const row = JSON.stringify({
  messages: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello' },
  ],
})

/** A folder under tmp with the given files. */
let counter = 0
function folder(files: Record<string, string>): string {
  const dir = path.join(tmp, `ws-${++counter}`)
  writeFiles(dir, files)
  return dir
}

/** The CLI run in `dir`: exit code, stdout and stderr. */
const run = (dir: string, argv: string[]) => runCliIn(dir, argv)

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-usage-')))
})
afterEach(() => process.chdir(cwd))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('usage errors, not findings', () => {
  it('a split the dataset does not have: exit 2, and the splits it has', async () => {
    const ws = folder({ 'chat-dataset/train.jsonl': row + '\n' })
    const r = await run(ws, ['--dataset', 'chat-dataset', '--dataset-split', 'validation'])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe(
      [
        'chat-dataset: could not check: no split "validation" in chat-dataset: the splits found are train',
        'error: 1 target checked (1 could not be checked): 0 errors, 0 warnings, 0 infos (fail-on: error)',
        '',
      ].join('\n'),
    )
    expect(r.stdout).not.toContain('DS102')
    expect(r.stderr).toBe('')
  })

  it('a split by its alias is found; several missing splits are all named', async () => {
    const ws = folder({ 'd/train.jsonl': row + '\n', 'd/test.jsonl': row + '\n' })
    expect((await run(ws, ['--dataset', 'd', '--dataset-split', 'eval', '--format', 'json'])).status).toBe(0)
    const r = await run(ws, ['--dataset', 'd', '--dataset-split', 'train,val,dev2'])
    expect(r.status).toBe(2)
    expect(r.stdout.split('\n')[0]).toBe(
      'd: could not check: no splits "val" and "dev2" in d: the splits found are train and test',
    )
  })

  it('a data file that does not exist is named as one, not as "the folder"', async () => {
    const ws = folder({})
    const r = await run(ws, ['--dataset', 'missing.jsonl'])
    expect(r.status).toBe(2)
    expect(r.stdout.split('\n')[0]).toBe(
      'missing.jsonl: could not check: dataset file missing.jsonl does not exist',
    )
    const nested = await run(ws, ['--dataset', 'no/such/folder/data.parquet'])
    expect(nested.status).toBe(2)
    expect(nested.stdout.split('\n')[0]).toBe(
      'no/such/folder/data.parquet: could not check: dataset file no/such/folder/data.parquet does not exist',
    )
  })

  it('nothing named in a folder that holds no model: the usage line, not five findings', async () => {
    const ws = folder({ 'notes.txt': 'hello\n' })
    const r = await run(ws, [])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      `friendli-preflight: nothing to check in ${ws}: it holds no config.json, weights or deployment manifest; name a model folder, a hub repo, --dataset or --manifest\n` +
        'Usage: friendli-preflight [model] [--dataset REF] [options]\n',
    )
  })

  it('a folder the user names keeps its findings, even when it holds no model', async () => {
    const ws = folder({})
    for (const named of ['.', ws]) {
      const r = await run(ws, [named, '--format', 'json'])
      expect(r.status).toBe(1)
      expect(r.stderr).toBe('')
      const report = JSON.parse(r.stdout) as { targets: { findings: { ruleId: string }[] }[] }
      expect(report.targets[0]!.findings.map((f) => f.ruleId)).toEqual([
        'MR101',
        'MR102',
        'MR401',
        'MR402',
        'MR501',
      ])
    }
  })

  it('a mistake in the config file: exit 2 and one line, file:line:column: what and where', async () => {
    const ws = folder({ '.friendli-preflight.yml': 'rules: {}\ntargets:\n  - modle: ./m\n' })
    for (const format of ['text', 'json']) {
      const r = await run(ws, ['--format', format])
      expect(r).toEqual({
        status: 2,
        stdout: '',
        stderr: '.friendli-preflight.yml:3:5: unknown key "modle" in targets[0]; did you mean "model"?\n',
      })
    }
    const named = folder({ 'conf/preflight.yml': 'rules:\n  MR203: loud\n' })
    expect((await run(named, ['--config', 'conf/preflight.yml'])).stderr).toBe(
      'conf/preflight.yml:2:10: rules.MR203 must be one of off, info, warning, error; got "loud"\n',
    )
  })

  it('nothing named in a folder with weights or a config is checked as before', async () => {
    const ws = folder({ 'config.json': '{}' })
    const r = await run(ws, ['--format', 'json'])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout).targets).toHaveLength(1)
  })
})
