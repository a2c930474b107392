// Datasets end to end through checkTargets: settings → sources → readers → rules → reporters, on disk
// and on the fake hub, with the base model from either.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkTargets, exitCode } from '../src/check.js'
import { planAnnotations } from '../src/report/annotations.js'
import { toJson } from '../src/report/json.js'
import { formatSummary } from '../src/report/summary.js'
import { resolveSettings, type RawInputs } from '../src/settings.js'
import { chat, chatmlBase, jsonl } from './helpers/dataset-tester.js'
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js'
import { messagesParquet } from './helpers/parquet.js'

let ws: string
let hub: FakeHub
const raw = (over: Partial<RawInputs>): RawInputs => ({
  model: '',
  config: '',
  failOn: '',
  extraArchitectures: '',
  ...over,
})
const GEMMA =
  "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\\n' }}{% endfor %}"

const good = chat(['user', 'What is 2 + 2?'], ['assistant', '4'])
const withSystem = chat(['system', 'Be brief.'], ['user', 'Hi'], ['assistant', 'Hello'])

beforeAll(async () => {
  ws = mkdtempSync(path.join(os.tmpdir(), 'fp-ds-'))
  const write = (rel: string, content: string | Uint8Array) => {
    mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true })
    writeFileSync(path.join(ws, rel), content)
  }
  for (const [name, content] of Object.entries(chatmlBase({ template: GEMMA })))
    write(`gemma/${name}`, content as string)
  write('data/train.jsonl', jsonl([good, withSystem, good, ...Array.from({ length: 20 }, () => withSystem)]))
  write('data/validation.jsonl', jsonl([good]))
  hub = await startFakeHub({
    repos: {
      'org/chat-data': {
        kind: 'dataset',
        files: {
          'data/train-00000-of-00001.parquet': messagesParquet(
            [
              [
                { role: 'user', content: 'a' },
                { role: 'assistant', content: 'b' },
              ],
              [
                { role: 'system', content: 's' },
                { role: 'user', content: 'a' },
                { role: 'assistant', content: 'b' },
              ],
            ],
            { codec: 'SNAPPY' },
          ),
          'README.md': '# chat data',
        },
      },
      'org/gemma': { files: chatmlBase({ template: GEMMA }) as Record<string, string> },
    },
  })
})
afterAll(async () => {
  await hub.close()
  rmSync(ws, { recursive: true, force: true })
})

describe('a dataset checked against its base model', () => {
  it('local JSONL against a local base model: row findings, grouped annotations, the summary table', async () => {
    const settings = resolveSettings(raw({ dataset: 'data', baseModel: './gemma' }), ws, {})
    expect(settings.targets.map((t) => t.kind)).toEqual(['dataset'])
    const report = await checkTargets(settings, {})
    const t = report.targets[0]
    expect(t.status).toBe('fail')
    const render = t.findings.filter((f) => f.ruleId === 'DS401')
    expect(render).toHaveLength(21)
    // Paths are relative to the dataset's folder, as a model's are to the model's.
    expect(render[0]).toMatchObject({ location: { path: 'train.jsonl', line: 2, row: 2 } })
    expect(render[0].message).toBe(
      'The chat template of ./gemma refuses this row: "System role not supported".',
    )
    expect(t.findings.filter((f) => f.ruleId === 'DS302')).toHaveLength(22) // every repeat, across both files
    expect(t.dataset).toMatchObject({
      rows: 24,
      rowsPerSplit: new Map([
        ['train', 23],
        ['validation', 1],
      ]),
      roles: new Map([
        ['user', 24],
        ['assistant', 24],
        ['system', 21],
      ]),
    })
    expect(t.dataset!.tokens!.counted).toBe(3) // rows that rendered

    // Annotations: one per rule and file, with the count and the first rows, never 21 of them.
    const annotations = planAnnotations(report).filter((a) => a.title?.startsWith('DS401'))
    expect(annotations).toEqual([
      expect.objectContaining({
        level: 'error',
        title: 'DS401 template-render: 21 rows',
        file: 'data/train.jsonl',
        startLine: 2,
      }),
    ])
    expect(annotations[0].message).toMatch(
      /^data\/train\.jsonl:2 \(row 2\): The chat template of \.\/gemma refuses this row/,
    )
    expect(annotations[0].message).toContain(
      '…and 16 more rows: the job summary and the JSON report list every one.',
    )

    const summary = formatSummary(report)
    expect(summary).toContain('| train | 23 |')
    expect(summary).toContain('Messages by role: user 24 · assistant 24 · system 21')
    expect(summary).toContain('| DS401 template-render | 21 |')
    expect(toJson(report).targets[0]).toMatchObject({ kind: 'dataset', source: 'local' })
  })

  it('dataset-split and dataset-max-rows narrow the pass', async () => {
    const only = await checkTargets(
      resolveSettings(raw({ dataset: 'data', datasetSplit: 'validation' }), ws, {}),
      {},
    )
    expect(only.targets[0].dataset).toMatchObject({ rows: 1, rowsPerSplit: new Map([['validation', 1]]) })
    const first = await checkTargets(
      resolveSettings(raw({ dataset: 'data/train.jsonl', maxRows: '2' }), ws, {}),
      {},
    )
    expect(first.targets[0].dataset!.rows).toBe(2)
  })

  it('a model and a dataset: the model is the default base model, and both are checked', () => {
    const settings = resolveSettings(raw({ model: './gemma', dataset: 'data/validation.jsonl' }), ws, {})
    expect(settings.targets.map((t) => [t.kind, t.base?.ref])).toEqual([
      ['model', undefined],
      ['dataset', './gemma'],
    ])
  })

  it('a hub dataset (Parquet over Range) against a hub base model', async () => {
    const settings = resolveSettings(
      raw({ dataset: 'org/chat-data', baseModel: 'org/gemma', hubUrl: hub.url }),
      ws,
      {},
    )
    const report = await checkTargets(settings, {})
    const t = report.targets[0]
    expect(t).toMatchObject({ kind: 'dataset', source: 'hub', status: 'fail' })
    expect(t.revision).toMatch(/^[0-9a-f]{40}$/)
    expect(t.findings.map((f) => [f.ruleId, f.location.path, f.location.row])).toEqual([
      ['DS401', 'data/train-00000-of-00001.parquet', 2],
    ])
    // The Parquet file is read through the dataset's resolve URL (LFS), at the resolved commit.
    expect(hub.log.some((r) => r.url.startsWith(`/datasets/org/chat-data/resolve/${t.revision}/data/`))).toBe(
      true,
    )
  })

  it.each([
    [{ dataset: 'data', maxRows: '0' }, 'dataset-max-rows must be a whole number of rows above 0; got "0"'],
    [
      { dataset: 'data', maxRows: 'many' },
      'dataset-max-rows must be a whole number of rows above 0; got "many"',
    ],
  ])('rejects %j', (over, message) => {
    expect(() => resolveSettings(raw(over), ws, {})).toThrow(message)
  })

  it('a dataset file that does not exist is "could not check"', async () => {
    const report = await checkTargets(resolveSettings(raw({ dataset: 'data/missing.jsonl' }), ws, {}), {})
    expect(exitCode(report)).toBe(2)
  })

  it('a config-file dataset entry without base-model is checked against the first model listed', () => {
    writeFileSync(
      path.join(ws, 'ds.yml'),
      'targets:\n  - dataset: data/validation.jsonl\n  - model: ./gemma\n',
    )
    const settings = resolveSettings(raw({ config: 'ds.yml' }), ws, {})
    expect(settings.targets.map((t) => [t.kind, t.base?.ref, t.origin?.line])).toEqual([
      ['dataset', './gemma', 2],
      ['model', undefined, 3],
    ])
  })

  it('rows that cannot be parsed count towards max-rows and are not "no rows"; odd roles share one bucket', async () => {
    const lines = [
      "{'messages': []}",
      "{'messages': []}",
      JSON.stringify(chat(['constructor', 'x'], ['assistant', 'y'])),
    ]
    writeFileSync(path.join(ws, 'odd.jsonl'), lines.join('\n') + '\n')
    const all = await checkTargets(resolveSettings(raw({ dataset: 'odd.jsonl' }), ws, {}), {})
    const t = all.targets[0]
    expect(t.findings.map((f) => f.ruleId).filter((id) => id === 'DS102')).toEqual([])
    expect(t.dataset).toMatchObject({
      rows: 1,
      badRows: 2,
      roles: new Map([
        ['(other)', 1],
        ['assistant', 1],
      ]),
    })
    const two = await checkTargets(resolveSettings(raw({ dataset: 'odd.jsonl', maxRows: '2' }), ws, {}), {})
    expect(two.targets[0].dataset).toMatchObject({ rows: 0, badRows: 2 })
  })

  it('rows with tools render with the "tool_use" template, as transformers picks it', async () => {
    const strict =
      "{% if tools %}{{ raise_exception('default template takes no tools') }}{% endif %}{% for m in messages %}{{ m['content'] }}{% endfor %}"
    const base = chatmlBase()
    base['tokenizer_config.json'] = JSON.stringify({
      eos_token: '<|im_end|>',
      chat_template: [
        { name: 'default', template: strict },
        {
          name: 'tool_use',
          template: "{{ tools | length }}{% for m in messages %}{{ m['content'] }}{% endfor %}",
        },
      ],
    })
    for (const [name, content] of Object.entries(base))
      writeFileSync(path.join(ws, 'gemma', name), content as string)
    writeFileSync(
      path.join(ws, 'tools.jsonl'),
      jsonl([
        {
          ...chat(['user', 'a'], ['assistant', 'b']),
          tools: [{ type: 'function', function: { name: 'f' } }],
        },
      ]),
    )
    const report = await checkTargets(
      resolveSettings(raw({ dataset: 'tools.jsonl', baseModel: './gemma' }), ws, {}),
      {},
    )
    expect(report.targets[0].findings.filter((f) => f.ruleId === 'DS401')).toEqual([])
    for (const [name, content] of Object.entries(chatmlBase({ template: GEMMA })))
      writeFileSync(path.join(ws, 'gemma', name), content as string)
  })
})
