// A pull request must not make the check read outside the workspace: not through a config-file
// target, a target folder that is a link, a data file that is a link, a base model, or the config
// file itself. Each is "could not check", and no byte of what lies outside reaches any report.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkTargets, type Report } from '../src/check.js'
import { toJson } from '../src/report/json.js'
import { formatSummary } from '../src/report/summary.js'
import { formatText } from '../src/report/text.js'
import { toSarif } from '../src/report/sarif.js'
import { resolveSettings } from '../src/settings.js'
import { rawInputs } from './helpers/raw-inputs.js'

/** What lies outside the workspace: a model whose architecture is a secret the PR wants to read. */
const SECRET = 'SecretOutsideForCausalLM'
let tmp: string
let ws: string
let outside: string

const raw = rawInputs

function everyOutput(report: Report): string {
  return [
    JSON.stringify(toJson(report)),
    JSON.stringify(toSarif(report, '0.0.0', 'https://docs.test/')),
    formatText(report),
    formatSummary(report, 'report.json'),
  ].join('\n')
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-confine-'))
  ws = path.join(tmp, 'workspace')
  outside = path.join(tmp, 'outside')
  mkdirSync(path.join(outside, 'model'), { recursive: true })
  writeFileSync(path.join(outside, 'model', 'config.json'), JSON.stringify({ architectures: [SECRET] }))
  writeFileSync(path.join(outside, 'rows.jsonl'), JSON.stringify({ messages: [{ role: SECRET }] }) + '\n')
  writeFileSync(path.join(outside, 'status.yml'), `rules:\n  ${SECRET}: off\n`)
  mkdirSync(path.join(ws, 'models'), { recursive: true })
  symlinkSync(path.join(outside, 'model'), path.join(ws, 'models', 'linked'))
  symlinkSync(path.join(outside, 'rows.jsonl'), path.join(ws, 'rows.jsonl'))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('targets named by the config file stay inside the workspace', () => {
  it.each([
    ['an absolute path', () => path.join(outside, 'model')],
    ['a path climbing out with ..', () => '../outside/model'],
    ['a folder that is a link out', () => 'models/linked'],
  ])('%s is "could not check", and nothing from outside is shown', async (_label, ref) => {
    writeFileSync(path.join(ws, '.friendli-preflight.yml'), `targets:\n  - model: ${JSON.stringify(ref())}\n`)
    const report = await checkTargets(resolveSettings(raw(), ws, {}), {})
    expect(report.result).toBe('error')
    expect(report.targets[0]).toMatchObject({ status: 'error', findings: [] })
    expect(report.targets[0]!.error).toMatch(/leads outside the workspace/)
    expect(everyOutput(report)).not.toContain(SECRET)
    // Where it leads is not said either (the reference is the pull request's own text).
    expect(report.targets[0]!.error!.replace(ref(), '<ref>')).not.toContain(outside)
    rmSync(path.join(ws, '.friendli-preflight.yml'))
  })

  it('a dataset file that is a link out, and a base model outside', async () => {
    writeFileSync(
      path.join(ws, '.friendli-preflight.yml'),
      `targets:\n  - dataset: rows.jsonl\n  - dataset: rows.jsonl\n    base-model: ../outside/model\n`,
    )
    const report = await checkTargets(resolveSettings(raw(), ws, {}), {})
    expect(report.targets.map((t) => t.status)).toEqual(['error', 'error'])
    expect(report.targets[0]!.error).toMatch(/rows\.jsonl leads outside the workspace/)
    expect(everyOutput(report)).not.toContain(SECRET)
    rmSync(path.join(ws, '.friendli-preflight.yml'))
  })
})

describe('in a workflow, every local reference stays inside the workspace', () => {
  it('a model input naming a folder that is a link out is "could not check"', async () => {
    const report = await checkTargets(
      resolveSettings(raw({ model: 'models/linked' }), ws, { GITHUB_ACTIONS: 'true' }),
      {},
    )
    expect(report.targets[0]).toMatchObject({ status: 'error' })
    expect(everyOutput(report)).not.toContain(SECRET)
  })

  it('outside a workflow, a folder typed on the command line is read: the person typing it is trusted', async () => {
    const report = await checkTargets(resolveSettings(raw({ model: 'models/linked' }), ws, {}), {})
    expect(report.targets[0]!.status).not.toBe('error')
  })
})

describe('the config file itself', () => {
  it('a default config file that links out of the workspace is refused before it is read', () => {
    symlinkSync(path.join(outside, 'status.yml'), path.join(ws, '.friendli-preflight.yml'))
    try {
      let message = ''
      try {
        resolveSettings(raw(), ws, {})
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toMatch(/config file \.friendli-preflight\.yml leads outside the workspace/)
      expect(message).not.toContain(SECRET)
    } finally {
      rmSync(path.join(ws, '.friendli-preflight.yml'))
    }
  })

  it('in a workflow, a named config file that links out is refused too', () => {
    symlinkSync(path.join(outside, 'status.yml'), path.join(ws, 'cfg.yml'))
    try {
      expect(() => resolveSettings(raw({ config: 'cfg.yml' }), ws, { GITHUB_ACTIONS: 'true' })).toThrow(
        /config file cfg\.yml leads outside the workspace/,
      )
    } finally {
      rmSync(path.join(ws, 'cfg.yml'))
    }
  })
})
