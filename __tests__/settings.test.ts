import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { resolveSettings, splitList, type RawInputs } from '../src/settings.js'

let ws: string
const raw = (over: Partial<RawInputs> = {}): RawInputs => ({
  model: '',
  config: '',
  failOn: '',
  extraArchitectures: '',
  ...over,
})

beforeAll(() => {
  ws = mkdtempSync(path.join(os.tmpdir(), 'fp-settings-'))
  mkdirSync(path.join(ws, 'cfg'))
  writeFileSync(
    path.join(ws, 'cfg', 'preflight.yml'),
    [
      '# comment',
      'extra-architectures: [MyForCausalLM]',
      'rules:',
      '  MR104: off',
      '  missing-tokenizer-json: error',
      'targets:',
      '  - model: ../models/a',
      '  - model: ../models/b',
      '',
    ].join('\n'),
  )
})
afterAll(() => rmSync(ws, { recursive: true, force: true }))

describe('resolveSettings', () => {
  it('defaults: the workspace itself, fail-on error, no config file', () => {
    const s = resolveSettings(raw(), ws)
    expect(s).toMatchObject({ failOn: 'error', extraArchitectures: [], configFile: undefined })
    expect(s.targets).toEqual([{ kind: 'model', ref: '.', root: ws }])
  })

  it('reads rules by id or name, extra architectures, and targets with the line that names each', () => {
    const s = resolveSettings(
      raw({ config: 'cfg/preflight.yml', extraArchitectures: 'AForCausalLM,\n BForCausalLM' }),
      ws,
    )
    expect([...s.levels]).toEqual([
      ['MR104', 'off'],
      ['MR401', 'error'],
    ])
    expect(s.extraArchitectures).toEqual(['AForCausalLM', 'BForCausalLM', 'MyForCausalLM'])
    // Targets are relative to the config file's folder.
    expect(s.targets).toEqual([
      {
        kind: 'model',
        ref: '../models/a',
        root: path.join(ws, 'models/a'),
        origin: { file: 'cfg/preflight.yml', line: 7 },
      },
      {
        kind: 'model',
        ref: '../models/b',
        root: path.join(ws, 'models/b'),
        origin: { file: 'cfg/preflight.yml', line: 8 },
      },
    ])
  })

  it('an explicit model wins over the config file targets', () => {
    const s = resolveSettings(raw({ model: 'models/x', config: 'cfg/preflight.yml' }), ws)
    expect(s.targets).toEqual([{ kind: 'model', ref: 'models/x', root: path.join(ws, 'models/x') }])
  })

  it('finds .friendli-preflight.yml at the workspace root by default', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-default-'))
    writeFileSync(path.join(dir, '.friendli-preflight.yml'), 'rules:\n  MR203: warning\n')
    expect(resolveSettings(raw(), dir).levels.get('MR203')).toBe('warning')
    rmSync(dir, { recursive: true })
  })

  it.each([
    [raw({ failOn: 'loud' }), 'fail-on must be one of error, warning, never; got "loud"'],
    [raw({ config: 'missing.yml' }), 'config file missing.yml does not exist'],
  ])('rejects bad input with a usage error', (input, message) => {
    expect(() => resolveSettings(input, ws)).toThrow(message)
  })

  it.each([
    ['unknown: 1\n', /Unrecognized key: "unknown"/],
    ['rules:\n  MR203: loud\n', /rules\.MR203/],
    ['targets:\n  - path: x\n', /targets\[0\]/],
    ['rules:\n  a: off\n  a: off\n', /not valid YAML at line 3/],
    ['rules: [\n', /not valid YAML at line \d+/],
  ])('rejects config file %j', (text, message) => {
    writeFileSync(path.join(ws, 'bad.yml'), text)
    expect(() => resolveSettings(raw({ config: 'bad.yml' }), ws)).toThrow(message)
  })

  it('an empty config file is fine', () => {
    writeFileSync(path.join(ws, 'empty.yml'), '')
    expect(resolveSettings(raw({ config: 'empty.yml' }), ws).targets).toHaveLength(1)
  })
})

describe('splitList', () => {
  it('splits on commas and newlines and drops blanks', () => {
    expect(splitList(' a, b\n\nc ,')).toEqual(['a', 'b', 'c'])
  })
})
