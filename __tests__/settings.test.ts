import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConfigFileError, resolveSettings, splitList } from '../src/settings.js'
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

  /** The error a config file of `text` makes: its message, file, line and column. */
  function configError(text: string, name = 'bad.yml') {
    writeFileSync(path.join(ws, name), text)
    try {
      resolveSettings(raw({ config: name }), ws)
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigFileError)
      const e = error as ConfigFileError
      return { message: e.message, file: e.file, line: e.line, column: e.column }
    }
    throw new Error(`${name} was accepted`)
  }

  it.each([
    // Unknown keys at every level, with the nearest known key.
    ['unknown: 1\n', '1:1: unknown key "unknown" at the top level'],
    // A byte-order mark does not shift the first line's columns.
    ['\ufeffmodle: 1\n', '1:1: unknown key "modle" at the top level'],
    // A key the schema's record would drop is still reported.
    ['rules:\n  __proto__: error\n', '2:3: unknown rule "__proto__" in rules'],
    ['targets:\n  - dataset: d\n    max-rows: .nan\n', '3:15: targets[0].max-rows must be a number; got NaN'],
    ['taregts:\n  - model: a\n', '1:1: unknown key "taregts" at the top level; did you mean "targets"?'],
    ['Rules:\n  MR203: off\n', '1:1: unknown key "Rules" at the top level; did you mean "rules"?'],
    [
      'targets:\n  - model: a\n  - modle: b\n',
      '3:5: unknown key "modle" in targets[1]; did you mean "model"?',
    ],
    [
      'targets:\n  - dataset: d\n    base_model: m\n',
      '3:5: unknown key "base_model" in targets[0]; did you mean "base-model"?',
    ],
    [
      'targets:\n  - {dataset: d, maxrows: 5}\n',
      '2:18: unknown key "maxrows" in targets[0]; did you mean "max-rows"?',
    ],
    [
      'rules:\n  missing-tokenzier-json: off\n',
      '2:3: unknown rule "missing-tokenzier-json" in rules; did you mean "missing-tokenizer-json"?',
    ],
    ['rules:\n  MR999: off\n', '2:3: unknown rule "MR999" in rules'],
    // Wrong types and values out of range, on the value.
    ['rules: 5\n', '1:8: rules must be a mapping; got 5'],
    ['targets: {}\n', '1:10: targets must be a list; got a mapping'],
    ['- a\n', '1:1: the config file must be a mapping; got a list'],
    ['rules:\n  MR203: loud\n', '2:10: rules.MR203 must be one of off, info, warning, error; got "loud"'],
    ['targets:\n  - model: 5\n', '2:12: targets[0].model must be a string; got 5'],
    ['targets:\n  - model: ""\n', '2:12: targets[0].model must not be empty'],
    ['targets:\n  - dataset: d\n    max-rows: 0\n', '3:15: targets[0].max-rows must be above 0; got 0'],
    [
      'targets:\n  - dataset: d\n    max-rows: 1.5\n',
      '3:15: targets[0].max-rows must be a whole number; got 1.5',
    ],
    ['targets:\n  - dataset: d\n    max-rows: "5"\n', '3:15: targets[0].max-rows must be a number; got "5"'],
    ['extra-architectures: [A, ""]\n', '1:26: extra-architectures[1] must not be empty'],
    // A target is a model or a dataset.
    ['targets:\n  - {}\n', '2:5: targets[0] has neither "model" nor "dataset"'],
    [
      'targets:\n  - {model: a, dataset: b}\n',
      '2:16: targets[0] has both "model" and "dataset": a target is one or the other',
    ],
    [
      'targets:\n  - model: m\n    split: train\n',
      '3:5: "split" in targets[0] applies to a dataset, and this target is a model',
    ],
    // The first problem in the file is the one reported.
    ['rules: 5\nextra: 1\n', '1:8: rules must be a mapping; got 5'],
    ['extra: 1\nrules: 5\n', '1:1: unknown key "extra" at the top level'],
    // YAML itself: duplicate keys (the second one), syntax, with the parser's line and column.
    ['rules:\n  a: off\n  a: off\n', '3:3: the key "a" appears twice in one mapping'],
    [
      'targets:\n  - model: a\n  - {dataset: d, split: x, split: y}\n',
      '3:28: the key "split" appears twice in one mapping',
    ],
    [
      'rules: [\n',
      '2:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    ['a: b: c\n', '1:4: not valid YAML: Nested mappings are not allowed in compact mappings'],
  ])('a config file of %j: bad.yml:%s', (text, where) => {
    const e = configError(text)
    expect(e.message).toBe(`bad.yml:${where}`)
    const [line, column] = where.split(':').map(Number)
    expect(e).toMatchObject({ file: 'bad.yml', line, column })
  })

  it('names the config file by its path in the workspace', () => {
    mkdirSync(path.join(ws, 'conf'), { recursive: true })
    expect(configError('taregts: []\n', 'conf/x.yml').message).toBe(
      'conf/x.yml:1:1: unknown key "taregts" at the top level; did you mean "targets"?',
    )
  })

  it('quotes the text of the file escaped and cut short', () => {
    expect(configError(`"${'k'.repeat(500)}\\u0007": 1\n`).message).toBe(
      `bad.yml:1:1: unknown key "${'k'.repeat(100)}…" at the top level`,
    )
    expect(configError('rules:\n  "MR2\\n03": off\n').message).toBe(
      'bad.yml:2:3: unknown rule "MR2\\n03" in rules; did you mean "MR203"?',
    )
  })

  it.each([
    [
      '1,001 targets',
      `targets:\n${'  - model: m\n'.repeat(1001)}`,
      '2:3: targets has 1,001 entries; at most 1,000 are allowed',
    ],
    [
      '1,001 extra architectures',
      `extra-architectures: [${'A,'.repeat(1000)}A]\n`,
      '1:22: extra-architectures has 1,001 entries; at most 1,000 are allowed',
    ],
    [
      'an architecture of 201 characters',
      `extra-architectures: [${'A'.repeat(201)}]\n`,
      '1:23: extra-architectures[0] is longer than 200 characters',
    ],
    [
      '1,001 rules',
      `rules:\n${Array.from({ length: 1001 }, (_, i) => `  k${i}: off`).join('\n')}\n`,
      '2:3: rules has 1,001 entries; at most 1,000 are allowed',
    ],
  ])('rejects a config file with %s', (_label, text, where) => {
    expect(configError(text, 'big.yml').message).toBe(`big.yml:${where}`)
  })

  it('refuses a config file over 256 KiB before parsing it', () => {
    writeFileSync(path.join(ws, 'huge.yml'), `rules:\n${'  # padding\n'.repeat(30_000)}`)
    expect(() => resolveSettings(raw({ config: 'huge.yml' }), ws)).toThrow(
      new ConfigFileError(
        'huge.yml',
        'the file is 360,007 bytes, more than the 256 KiB a config file may be',
      ),
    )
  })

  it('finds a repeated key among 15,000 in one pass, and prints no library warning', () => {
    const keys = Array.from({ length: 15_000 }, (_, i) => `  k${i}: off`)
    expect(configError(`rules:\n${keys.join('\n')}\n  k7: off\n`, 'many.yml').message).toBe(
      'many.yml:15002:3: the key "k7" appears twice in one mapping',
    )
    // A collection as a key makes the yaml library warn on stderr, with the key's text.
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    try {
      expect(configError('rules:\n  ? [::error::x]\n  : off\n', 'collection-key.yml').message).toMatch(
        /^collection-key\.yml:2:3: unknown rule "\[ ::error::x \]" in rules$/,
      )
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
