// `model: auto` on a monorepo: which folders are models, which files are datasets, what the walk
// skips (node_modules, dot-folders, a model's own subfolders, links out of the workspace) and its caps,
// proved by counting the folder entries it reads. Then the same through resolveSettings and the CLI.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { discoverTargets, isDatasetFile, isModelFolder } from '../src/discover.js'
import { UsageError } from '../src/common/errors.js'
import { isWithin, resolveSettings } from '../src/settings.js'
import { runCliIn, writeFiles } from './helpers/in-process.js'
import { rawInputs } from './helpers/raw-inputs.js'

let tmp: string
let counter = 0
const row = JSON.stringify({
  messages: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello' },
  ],
})

/** A folder under tmp with the given files ('' content is enough: discovery reads names only). */
function folder(files: Record<string, string>): string {
  const dir = path.join(tmp, `ws-${++counter}`)
  writeFiles(dir, files)
  return dir
}

const inside = (ws: string) => (p: string) => isWithin(p, realpathSync(ws))

/** The monorepo of these tests: two models (one with a checkpoint inside), an adapter, datasets, noise. */
function monorepo(): string {
  const ws = folder({
    'models/chat-8b/config.json': '{}',
    'models/chat-8b/model.safetensors': '',
    // A checkpoint inside a model: part of it, not another target.
    'models/chat-8b/checkpoints/step-100/config.json': '{}',
    'models/chat-8b/checkpoints/step-100/model.safetensors': '',
    'models/chat-8b/train.jsonl': row, // inside a model folder: not a dataset of its own
    'models/chat-70b/config.json': '{}',
    'models/chat-70b/model.safetensors.index.json': '{}',
    'adapters/support/adapter_config.json': '{}',
    'adapters/support/adapter_model.safetensors': '',
    'data/train.jsonl': row,
    'data/extra/chat.parquet': '',
    'data/validation.json': '[]',
    'data/config.json': '{}', // a .json not named as data
    'data/dataset_info.json': '{}', // the Hub's metadata
    'eval/results.json': '{}',
    'configs/only/config.json': '{}', // a config without weights: not a model
    'node_modules/pkg/data/train.jsonl': row,
    'node_modules/pkg/m/config.json': '{}',
    'node_modules/pkg/m/model.safetensors': '',
    '.github/fixtures/train.jsonl': row,
    '__pycache__/x.jsonl': row,
    // A diffusers pipeline: one config.json and weights per component.
    'sd/model_index.json': '{}',
    'sd/unet/config.json': '{}',
    'sd/unet/diffusion_pytorch_model.safetensors': '',
  })
  // Links: a dataset file and a folder that lead out of the workspace, and a link to a model inside it.
  const outside = folder({ 'secret.jsonl': row, 'm/config.json': '{}', 'm/model.safetensors': '' })
  symlinkSync(path.join(outside, 'secret.jsonl'), path.join(ws, 'data/leak.jsonl'))
  symlinkSync(path.join(outside, 'm'), path.join(ws, 'models/linked-out'))
  symlinkSync(path.join(ws, 'models/chat-70b'), path.join(ws, 'models/alias'))
  symlinkSync(path.join(ws, 'data/train.jsonl'), path.join(ws, 'data/train-link.jsonl'))
  return ws
}

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-discover-')))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('discoverTargets', () => {
  it('finds the models, adapters and datasets of a monorepo, and nothing else', () => {
    const ws = monorepo()
    const r = discoverTargets(ws, inside(ws))
    expect(r.models).toEqual(['adapters/support', 'models/chat-70b', 'models/chat-8b'])
    expect(r.datasets).toEqual([
      'data/extra/chat.parquet',
      'data/train-link.jsonl', // a link that stays in the workspace
      'data/train.jsonl',
      'data/validation.json',
    ])
    expect(r.notes).toEqual([
      'model: auto left out 1 dataset file that is a link leading outside the workspace',
    ])
  })

  it('reads folder entries only where it walks: not node_modules, dot-folders or inside a model', () => {
    const ws = monorepo()
    // Entries of the folders walked: the root (9), models (4, two of them links, not followed),
    // chat-8b (4: read to see it is a model), chat-70b (2), adapters (1), support (2), data (7),
    // extra (1), eval (1), configs (1), only (1), sd (2: read to see it is a pipeline).
    expect(discoverTargets(ws, inside(ws)).entries).toBe(9 + 4 + 4 + 2 + 1 + 2 + 7 + 1 + 1 + 1 + 1 + 2)
  })

  it('the entries cap: stops at it, with a note', () => {
    const ws = monorepo()
    const r = discoverTargets(ws, inside(ws), { entries: 12, depth: 12 })
    expect(r.entries).toBe(12)
    expect(r.models).toEqual([])
    expect(r.notes).toContain(
      'model: auto stopped after reading 12 folder entries; models and datasets past them were not found (list them as targets in the config file)',
    )
  })

  it('the depth cap: a model deeper than it is not found, with a note', () => {
    const deep = Array.from({ length: 5 }, (_, i) => `d${i}`).join('/')
    const ws = folder({ [`${deep}/config.json`]: '{}', [`${deep}/model.safetensors`]: '' })
    const shallow = discoverTargets(ws, inside(ws), { entries: 100, depth: 4 })
    expect(shallow.models).toEqual([])
    // The workspace and d0..d3 are read (depths 0-4), one entry each; d4, 5 levels deep, is not.
    expect(shallow.entries).toBe(5)
    expect(shallow.notes).toEqual(['model: auto did not search 1 folder more than 4 levels deep'])
    expect(discoverTargets(ws, inside(ws), { entries: 100, depth: 5 }).models).toEqual([deep])
  })

  it('the repository itself as the model: one target, nothing below it', () => {
    const ws = folder({
      'config.json': '{}',
      'model.safetensors': '',
      'sub/config.json': '{}',
      'sub/a.safetensors': '',
    })
    expect(discoverTargets(ws, inside(ws)).models).toEqual([''])
  })

  it.each([
    [['config.json', 'model-00001-of-00002.safetensors'], true],
    [['config.json', 'model.safetensors.index.json'], true],
    [['config.json', 'pytorch_model.bin'], true], // found, so the check can say it must be safetensors
    [['adapter_config.json', 'adapter_model.safetensors'], true],
    [['adapter_config.json', 'adapter_model.bin'], true],
    [['config.json', 'tokenizer.json'], false],
    [['model.safetensors'], false],
    [['adapter_config.json'], false],
  ])('a folder holding %j is a model: %s', (names, expected) => {
    expect(isModelFolder(new Set(names))).toBe(expected)
  })

  it.each([
    ['train.jsonl', true],
    ['anything.parquet', true],
    ['train.json', true],
    ['test-00000-of-00001.json', true],
    ['data_v2.json', true],
    ['dataset.json', true],
    ['val.json', true],
    ['config.json', false],
    ['tokenizer.json', false],
    ['dataset_info.json', false],
    ['database.json', false],
    ['trainer_state.json', false],
    ['.hidden.jsonl', false],
  ])('%s is a dataset file: %s', (name, expected) => {
    expect(isDatasetFile(name)).toBe(expected)
  })
})

describe('model: auto in the settings', () => {
  it('each found target as if listed: inside the workspace, datasets on the first model', () => {
    const ws = monorepo()
    const s = resolveSettings(rawInputs({ model: 'auto' }), ws, { GITHUB_ACTIONS: 'true' })
    const real = realpathSync(ws)
    expect(s.targets.map((t) => [t.kind, t.ref, t.base?.ref, t.within === real])).toEqual([
      ['model', 'adapters/support', undefined, true],
      ['model', 'models/chat-70b', undefined, true],
      ['model', 'models/chat-8b', undefined, true],
      ['dataset', 'data/extra/chat.parquet', 'adapters/support', true],
      ['dataset', 'data/train-link.jsonl', 'adapters/support', true],
      ['dataset', 'data/train.jsonl', 'adapters/support', true],
      ['dataset', 'data/validation.json', 'adapters/support', true],
    ])
    expect(s.targets[3]).toMatchObject({ root: path.join(ws, 'data/extra'), file: 'chat.parquet' })
    expect(s.notes).toEqual([
      'model: auto left out 1 dataset file that is a link leading outside the workspace',
    ])
    expect(s.implicitModel).toBeUndefined()
  })

  it('base-model and dataset-max-rows apply to found datasets; the dataset input is not found twice', () => {
    const ws = folder({
      'm/config.json': '{}',
      'm/model.safetensors': '',
      'd/train.jsonl': row,
      'd/x.jsonl': row,
    })
    const s = resolveSettings(
      rawInputs({ model: 'auto', baseModel: 'org/base', maxRows: '10', dataset: 'd/train.jsonl' }),
      ws,
    )
    expect(s.targets.map((t) => [t.ref, t.base?.ref, t.maxRows])).toEqual([
      ['m', undefined, undefined],
      ['d/x.jsonl', 'org/base', 10],
      ['d/train.jsonl', 'org/base', 10],
    ])
  })

  it('a folder named auto wins, as a folder wins over a repo id', () => {
    const ws = folder({ 'auto/config.json': '{}', 'm/config.json': '{}', 'm/model.safetensors': '' })
    expect(resolveSettings(rawInputs({ model: 'auto' }), ws).targets).toEqual([
      { kind: 'model', ref: 'auto', source: 'local', root: path.join(ws, 'auto') },
    ])
  })

  it('nothing found: a usage error naming what it looked for', () => {
    const ws = folder({ 'README.md': '', 'src/app.py': '', 'configs/config.json': '{}' })
    expect(() => resolveSettings(rawInputs({ model: 'auto' }), ws)).toThrow(UsageError)
    expect(() => resolveSettings(rawInputs({ model: 'auto' }), ws)).toThrow(
      'model: auto found no model and no dataset in the workspace. It looks for folders holding config.json with *.safetensors, *.safetensors.index.json or pytorch_model*.bin weights, folders holding adapter_config.json with adapter weights, and dataset files: *.jsonl, *.parquet, and .json files named train, validation, test, data or dataset (.git, node_modules and dot-folders are not searched)',
    )
  })
})

describe('friendli-preflight auto (the CLI)', () => {
  const run = (dir: string, argv: string[]) => runCliIn(dir, argv)

  it('checks every target found, and notes what it left out on stderr', async () => {
    const ws = monorepo()
    const r = await run(ws, ['auto', '--format', 'json'])
    const report = JSON.parse(r.stdout) as { targets: { kind: string; ref: string }[] }
    expect(report.targets.map((t) => `${t.kind} ${t.ref}`)).toEqual([
      'model adapters/support',
      'model models/chat-70b',
      'model models/chat-8b',
      'dataset data/extra/chat.parquet',
      'dataset data/train-link.jsonl',
      'dataset data/train.jsonl',
      'dataset data/validation.json',
    ])
    expect(r.stderr).toBe(
      'friendli-preflight: note: model: auto left out 1 dataset file that is a link leading outside the workspace\n',
    )
  })

  it('nothing found: exit 2 with what it looked for', async () => {
    const r = await run(folder({ 'README.md': '' }), ['auto'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(
      /^friendli-preflight: model: auto found no model and no dataset in the workspace\./,
    )
  })
})
