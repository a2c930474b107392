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
import { formatText } from '../src/report/text.js'
import { resolveSettings, type RawInputs } from '../src/settings.js'
import { chat, chatmlBase, jsonl } from './helpers/dataset-tester.js'
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js'
import { messagesParquet } from './helpers/parquet.js'

let ws: string
let hub: FakeHub
const write = (rel: string, content: string | Uint8Array) => {
  mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true })
  writeFileSync(path.join(ws, rel), content)
}
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
      '…and 16 more rows: the JSON report (the report artifact, or --format json) lists them, up to 1,000 per rule and file, and counts the rest.',
    )

    const summary = formatSummary(report)
    expect(summary).toContain('| train | 23 | 0 |')
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

  it('the split table counts every row read, the unreadable ones too, and says how many they are', async () => {
    const lines = ['not json', '[1, 2]', JSON.stringify(good), '"a string"', JSON.stringify(good)]
    write('mixed/train.jsonl', lines.join('\n') + '\n')
    write('mixed/test.jsonl', jsonl([good]))
    const report = await checkTargets(resolveSettings(raw({ dataset: 'mixed' }), ws, {}), {})
    const t = report.targets[0]
    // DS201 reports exactly the rows counted as unreadable.
    expect(t.findings.filter((f) => f.ruleId === 'DS201').map((f) => f.location.row)).toEqual([1, 2, 4])
    expect(t.dataset).toMatchObject({
      seen: 6,
      unreadable: 3,
      rowsPerSplit: new Map([
        ['train', 5],
        ['test', 1],
      ]),
      unreadablePerSplit: new Map([['train', 3]]),
    })
    const summary = formatSummary(report)
    expect(summary).toContain('| Split | Rows | Unreadable |')
    expect(summary).toContain('| train | 5 | 3 |')
    expect(summary).toContain('| test | 1 | 0 |')
    expect(summary).toMatch(/\| \*\*all\*\* \| \*\*6\*\* \(.* rows\/s\) \| \*\*3\*\* \|/)
    expect(formatText(report)).toContain(
      'mixed rows: 6 read, 3 unreadable; by split: train 5 (3 unreadable), test 1\n',
    )
    expect(toJson(report).targets[0]).toMatchObject({
      dataset: {
        rows: 6,
        unreadable: 3,
        splits: [
          { split: 'train', rows: 5, unreadable: 3 },
          { split: 'test', rows: 1, unreadable: 0 },
        ],
        maxRows: null,
      },
    })
  })

  it('a finding about the whole dataset names the dataset: its file, or its folder, never the parent', async () => {
    const file = await checkTargets(resolveSettings(raw({ dataset: 'data/validation.jsonl' }), ws, {}), {})
    const none = file.targets[0].findings.find((f) => f.ruleId === 'DS403')!
    expect(none.location).toEqual({ path: 'validation.jsonl' })
    expect(formatText(file)).toMatch(/^data\/validation\.jsonl info DS403 base-model /)
    expect(formatText(file)).toContain(
      '\ndata/validation.jsonl rows: 1 read, 0 unreadable; by split: validation 1\n',
    )
    // An annotation on the file without a line says it is about the file.
    expect(planAnnotations(file).find((a) => a.title?.startsWith('DS403'))).toMatchObject({
      title: 'DS403 base-model (file-level)',
      file: 'data/validation.jsonl',
    })
    expect(planAnnotations(file).find((a) => a.title?.startsWith('DS403'))!.startLine).toBeUndefined()

    const folder = await checkTargets(resolveSettings(raw({ dataset: 'data' }), ws, {}), {})
    expect(folder.targets[0].findings.find((f) => f.ruleId === 'DS403')!.location).toEqual({ path: '.' })
    expect(formatText(folder)).toContain('\ndata info DS403 base-model ')
    expect(formatSummary(folder)).toContain('`(dataset folder)`')
  })

  it('max-rows: "checked N of M rows" when the files say M, "first N rows checked" when they cannot', async () => {
    write(
      'pq/train.parquet',
      messagesParquet(
        Array.from({ length: 5 }, (_, i) => [
          { role: 'user', content: `q${i}` },
          { role: 'assistant', content: 'a' },
        ]),
      ),
    )
    const parquet = await checkTargets(resolveSettings(raw({ dataset: 'pq', maxRows: '3' }), ws, {}), {})
    expect(parquet.targets[0].dataset!.partial).toEqual({ checked: 3, maxRows: 3, total: 5 })
    expect(formatText(parquet)).toContain(
      'pq rows: 3 read, 0 unreadable; by split: train 3; checked 3 of 5 rows (max-rows 3)\n',
    )
    expect(formatSummary(parquet)).toContain('\nChecked 3 of 5 rows (max-rows 3).\n')
    expect(toJson(parquet).targets[0]).toMatchObject({
      dataset: { rows: 3, maxRows: { limit: 3, checked: 3, total: 5 } },
    })

    // JSON Lines say nothing of the rows after the limit.
    const jsonLines = await checkTargets(
      resolveSettings(raw({ dataset: 'data/train.jsonl', maxRows: '2' }), ws, {}),
      {},
    )
    expect(jsonLines.targets[0].dataset!.partial).toEqual({ checked: 2, maxRows: 2 })
    expect(formatText(jsonLines)).toContain('; first 2 rows checked (max-rows 2); the rest not read\n')
    expect(formatSummary(jsonLines)).toContain('\nFirst 2 rows checked (max-rows 2); the rest not read.\n')
    expect(toJson(jsonLines).targets[0]).toMatchObject({
      dataset: { maxRows: { limit: 2, checked: 2, total: null } },
    })

    // A limit reached at the end of one file, with files left unopened: their rows are unknown.
    const folder = await checkTargets(resolveSettings(raw({ dataset: 'data', maxRows: '23' }), ws, {}), {})
    expect(folder.targets[0].dataset!.partial).toEqual({ checked: 23, maxRows: 23 })

    // A JSON Lines file of exactly max-rows rows: one row past the limit is peeked at, so nothing is
    // said to be left out when the file ends there.
    write(
      'exact/train.jsonl',
      ['a', 'b', 'c']
        .map((q) =>
          JSON.stringify({
            messages: [
              { role: 'user', content: q },
              { role: 'assistant', content: 'x' },
            ],
          }),
        )
        .join('\n'),
    )
    for (const [maxRows, partial] of [
      ['3', undefined],
      ['2', { checked: 2, maxRows: 2 }],
    ] as const) {
      const exact = await checkTargets(resolveSettings(raw({ dataset: 'exact', maxRows }), ws, {}), {})
      expect(exact.targets[0].dataset!.partial).toEqual(partial)
    }

    // Every row read (a Parquet file's whole count, or a limit never reached): nothing was left out.
    for (const [dataset, maxRows] of [
      ['pq', '5'],
      ['data', '100'],
    ]) {
      const all = await checkTargets(resolveSettings(raw({ dataset, maxRows }), ws, {}), {})
      expect(all.targets[0].dataset!.partial).toBeUndefined()
      expect(toJson(all).targets[0]).toMatchObject({ dataset: { maxRows: null } })
      expect(formatText(all)).not.toMatch(/checked \d|rows checked/)
    }
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
