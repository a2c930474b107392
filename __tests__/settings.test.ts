import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { resolveSettings, splitList } from '../src/settings.js'
import { rawInputs } from './helpers/raw-inputs.js'

let ws: string
const raw = rawInputs

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
    expect(s.targets).toEqual([{ kind: 'model', ref: '.', source: 'local', root: ws }])
    expect(s.hub).toEqual({ url: 'https://huggingface.co', token: undefined })
  })

  it('marks the workspace as the implicit model only when nothing was named', () => {
    expect(resolveSettings(raw(), ws).implicitModel).toBe(true)
    expect(resolveSettings(raw({ model: '.' }), ws).implicitModel).toBeUndefined()
    expect(resolveSettings(raw({ dataset: 'd' }), ws).implicitModel).toBeUndefined()
    expect(resolveSettings(raw({ config: 'cfg/preflight.yml' }), ws).implicitModel).toBeUndefined()
  })

  it('a data file that does not exist stays a file, not a folder', () => {
    const [spec] = resolveSettings(raw({ dataset: 'sub/missing.jsonl' }), ws).targets
    expect(spec).toMatchObject({ kind: 'dataset', root: path.join(ws, 'sub'), file: 'missing.jsonl' })
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
        source: 'local',
        root: path.join(ws, 'models/a'),
        origin: { file: 'cfg/preflight.yml', line: 7 },
        // Read from the repository: it must stay inside the workspace.
        within: realpathSync(ws),
      },
      {
        kind: 'model',
        ref: '../models/b',
        source: 'local',
        root: path.join(ws, 'models/b'),
        origin: { file: 'cfg/preflight.yml', line: 8 },
        within: realpathSync(ws),
      },
    ])
  })

  it('an explicit model wins over the config file targets', () => {
    const s = resolveSettings(raw({ model: './models/x', config: 'cfg/preflight.yml' }), ws)
    expect(s.targets).toEqual([
      { kind: 'model', ref: './models/x', source: 'local', root: path.join(ws, 'models/x') },
    ])
  })

  it('a repo id that is not a folder is a hub target; config targets may be hub repos too', () => {
    expect(resolveSettings(raw({ model: 'org/m@refs/pr/1' }), ws, {}).targets).toEqual([
      {
        kind: 'model',
        ref: 'org/m@refs/pr/1',
        source: 'hub',
        root: ws,
        hub: { repo: 'org/m', revision: 'refs/pr/1' },
      },
    ])
    writeFileSync(path.join(ws, 'hub.yml'), 'targets:\n  - model: ./models/a\n  - model: hf://org/m@v1\n')
    const s = resolveSettings(raw({ config: 'hub.yml' }), ws, {})
    expect(s.targets.map((t) => [t.source, t.hub, t.origin?.line])).toEqual([
      ['local', undefined, 2],
      ['hub', { repo: 'org/m', revision: 'v1' }, 3],
    ])
  })

  it('a hub model named in the running workflow is located on the line that names it', () => {
    mkdirSync(path.join(ws, '.github', 'workflows'), { recursive: true })
    writeFileSync(
      path.join(ws, '.github', 'workflows', 'ci.yml'),
      'jobs:\n  check:\n    steps:\n      - uses: friendli/preflight@v1\n        with:\n          model: "org/m@abc"  # pinned\n',
    )
    const env = { GITHUB_WORKFLOW_REF: 'me/repo/.github/workflows/ci.yml@refs/heads/main' }
    expect(resolveSettings(raw({ model: 'org/m@abc' }), ws, env).targets[0].origin).toEqual({
      file: '.github/workflows/ci.yml',
      line: 6,
    })
    // Another model, or a workflow that is not checked out: no line, the summary carries the findings.
    expect(resolveSettings(raw({ model: 'org/other' }), ws, env).targets[0].origin).toBeUndefined()
    const elsewhere = { GITHUB_WORKFLOW_REF: 'me/repo/.github/workflows/gone.yml@refs/heads/main' }
    expect(resolveSettings(raw({ model: 'org/m@abc' }), ws, elsewhere).targets[0].origin).toBeUndefined()
  })

  it('hub-url: the input, else HF_ENDPOINT, else huggingface.co, without a trailing slash; token from input or HF_TOKEN', () => {
    const env = { HF_ENDPOINT: 'https://mirror.example/hf/', HF_TOKEN: 'hf_env' }
    expect(resolveSettings(raw(), ws, env).hub).toEqual({ url: 'https://mirror.example/hf', token: 'hf_env' })
    expect(resolveSettings(raw({ hubUrl: 'http://127.0.0.1:9/', hfToken: 'hf_input' }), ws, env).hub).toEqual(
      {
        url: 'http://127.0.0.1:9',
        token: 'hf_input',
      },
    )
  })

  it.each([
    [{ hubUrl: 'not a url' }, 'hub-url "not a url" is not a URL'],
    [{ hubUrl: 'ftp://hub.example' }, 'hub-url must be an http(s) URL; got "ftp://hub.example"'],
    [
      { hubUrl: 'https://user:pw@hub.example' },
      'hub-url must be a plain base URL, without credentials, query or fragment',
    ],
    [{ hfToken: 'hf_abc\nInjected: 1' }, 'the Hugging Face token holds characters a token cannot have'],
  ])('rejects hub input %j', (over, message) => {
    expect(() => resolveSettings(raw(over), ws, {})).toThrow(message)
  })

  it('never puts the token in an error', () => {
    expect(() => resolveSettings(raw({ hfToken: 'hf_SECRET value' }), ws, {})).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hf_SECRET') }),
    )
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
    ['rules:\n  a: off\n  a: off\n', /not valid YAML at line 3: the key "a" appears twice/],
    [
      'targets:\n  - model: a\n  - {dataset: d, split: x, split: y}\n',
      /not valid YAML at line 3: the key "split"/,
    ],
    ['rules: [\n', /not valid YAML at line \d+/],
  ])('rejects config file %j', (text, message) => {
    writeFileSync(path.join(ws, 'bad.yml'), text)
    expect(() => resolveSettings(raw({ config: 'bad.yml' }), ws)).toThrow(message)
  })

  it.each([
    ['1,001 targets', `targets:\n${'  - model: m\n'.repeat(1001)}`, /<=1000 items\n {2}→ at targets/],
    [
      '1,001 extra architectures',
      `extra-architectures: [${'A,'.repeat(1000)}A]\n`,
      /<=1000 items\n {2}→ at \["extra-architectures"\]/,
    ],
    [
      'an architecture of 201 characters',
      `extra-architectures: [${'A'.repeat(201)}]\n`,
      /extra-architectures/,
    ],
  ])('rejects a config file with %s', (_label, text, message) => {
    writeFileSync(path.join(ws, 'big.yml'), text)
    expect(() => resolveSettings(raw({ config: 'big.yml' }), ws)).toThrow(message)
  })

  it('refuses a config file over 256 KiB before parsing it', () => {
    writeFileSync(path.join(ws, 'huge.yml'), `rules:\n${'  # padding\n'.repeat(30_000)}`)
    expect(() => resolveSettings(raw({ config: 'huge.yml' }), ws)).toThrow(
      /huge\.yml is 360,007 bytes, more than the 256 KiB a config file may be/,
    )
  })

  it('finds a repeated key among 15,000 in one pass, and prints no library warning', () => {
    const keys = Array.from({ length: 15_000 }, (_, i) => `  k${i}: off`)
    writeFileSync(path.join(ws, 'many.yml'), `rules:\n${keys.join('\n')}\n  k7: off\n`)
    expect(() => resolveSettings(raw({ config: 'many.yml' }), ws)).toThrow(
      /many\.yml is not valid YAML at line 15002: the key "k7" appears twice/,
    )
    // A collection as a key makes the yaml library warn on stderr, with the key's text.
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    try {
      writeFileSync(path.join(ws, 'collection-key.yml'), 'rules:\n  ? [::error::x]\n  : off\n')
      expect(() => resolveSettings(raw({ config: 'collection-key.yml' }), ws)).toThrow(/unknown rule/)
      expect(warn).not.toHaveBeenCalled()
    } finally {
      warn.mockRestore()
    }
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
