// merge-reports: the JSON reports of the n shards of a dataset (`--shard i/n`), merged, are one run over
// the whole dataset: the same findings (message kinds, root causes and docs links too), the same omitted
// counts, statistics and outputs, for every way a dataset is split (whole files, Parquet row ranges,
// JSON Lines rows round robin) and n from 1 to 4. Shards and single runs run in process on real files;
// the comparison is of what they report, never of timings.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkTargets, type Report } from '../src/check.js'
import type { DatasetStats } from '../src/engine/dataset-stats.js'
import { MAX_REPORT_BYTES, mergeReports, readReports, type ReportInput } from '../src/merge-reports.js'
import { jsonReportChunks } from '../src/report/json.js'
import { buildSarif } from '../src/report/sarif.js'
import { formatText, mergedNote } from '../src/report/text.js'
import { packNumbers } from '../src/common/packed.js'
import { docsBase } from '../src/rules/registry.js'
import { resolveSettings } from '../src/settings.js'
import { chatmlBase } from './helpers/chatml-base.js'
import { chat, jsonl, raw } from './helpers/dataset-tester.js'
import { runCliIn } from './helpers/in-process.js'
import { messagesParquet, type Message } from './helpers/parquet.js'
import { rawInputs } from './helpers/raw-inputs.js'

let tmp: string
let n = 0
beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-merge-')))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** A template that refuses a tool message, so template-render (DS401) has findings about rows. */
const TEMPLATE =
  "{% for m in messages %}{% if m['role'] == 'tool' %}{{ raise_exception('no tool messages here') }}{% endif %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}"

/** A workspace with `files` (text or bytes) and a base model `base/` whose context is 150 tokens. */
function workspace(files: Record<string, string | Uint8Array>): string {
  const ws = path.join(tmp, `ws-${++n}`)
  const all = { ...files, ...prefixed('base/', chatmlBase({ template: TEMPLATE, context: 150 })) }
  for (const [rel, content] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true })
    writeFileSync(path.join(ws, rel), content)
  }
  return ws
}
const prefixed = (prefix: string, files: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [prefix + k, v as string]))

interface CheckOptions {
  shard?: string
  maxRows?: string
  config?: string
  base?: string
}

/** One run, as the CLI's settings make it. */
async function check(ws: string, dataset: string, o: CheckOptions = {}): Promise<Report> {
  const settings = resolveSettings(
    rawInputs({
      dataset,
      baseModel: o.base ?? 'base',
      shard: o.shard ?? '',
      maxRows: o.maxRows ?? '',
      config: o.config ?? '',
    }),
    ws,
    {},
  )
  return checkTargets(settings, {})
}

/** The JSON report as the CLI writes it. */
const json = (r: Report) => [...jsonReportChunks(r)].join('')

/** Every shard's report of `count`, as files would hold them. */
async function shardReports(ws: string, dataset: string, count: number, o: CheckOptions = {}) {
  const reports: ReportInput[] = []
  for (let i = 1; i <= count; i++)
    reports.push({
      label: `shard-${i}.json`,
      text: json(await check(ws, dataset, { ...o, shard: `${i}/${count}` })),
    })
  return reports
}

const merge = (ws: string, reports: readonly ReportInput[]) =>
  mergeReports(reports, { workspace: ws, failOn: 'error', docsBase: docsBase({}) })

/** The figures both runs must agree on: all but the time (the sampled rows in any order). */
function figures(d: DatasetStats | undefined) {
  if (!d) return d
  const { seconds: _, tokenSample, ...rest } = d
  return { ...rest, tokenSample: [...(tokenSample ?? [])].sort((a, b) => a.key - b.key) }
}

/** The JSON report without what only a shard's or a merged report has. */
function comparableJson(r: Report) {
  const report = JSON.parse(json(r)) as { targets: Record<string, unknown>[] }
  for (const t of report.targets) {
    delete t.shardState
    delete t.merged
  }
  return report
}

/** The merged report is the single run's, in every output. */
function expectSameRun(merged: Report, single: Report, ws: string) {
  expect(merged.result).toBe(single.result)
  expect(merged.counts).toEqual(single.counts)
  expect(merged.targets).toHaveLength(single.targets.length)
  merged.targets.forEach((m, i) => {
    const s = single.targets[i]!
    expect(m.status).toBe(s.status)
    expect(m.findings).toEqual(s.findings)
    expect(m.omitted ?? []).toEqual(s.omitted ?? [])
    expect(figures(m.dataset)).toEqual(figures(s.dataset))
  })
  expect(comparableJson(merged)).toEqual(comparableJson(single))
  // The text output, but for the line that says the dataset was merged.
  const note = (shards: number) => `; ${mergedNote(shards)}`
  const shards = merged.targets.find((t) => t.merged)?.merged?.shards ?? 0
  expect(formatText(merged).replace(note(shards), '')).toBe(formatText(single))
  const sarif = (r: Report) =>
    buildSarif(r, '0.0.0', docsBase({}), { workspace: ws, repoRoot: ws }).log.runs[0]!.results
  expect(sarif(merged)).toEqual(sarif(single))
}

const good = (i: number) => chat(['user', `question ${i}`], ['assistant', `answer ${i}`])
const same = chat(['user', 'the same question'], ['assistant', 'the same answer'])
const long = (i: number) => chat(['user', `a long question ${i} `.repeat(12)], ['assistant', 'yes'])
const weighted = (i: number) => ({
  messages: [
    { role: 'user', content: `weighed ${i}`, weight: 1 },
    { role: 'assistant', content: 'ok' },
  ],
})

/**
 * Rows with something for every rule: duplicates (DS302), rows without "messages" after a first row
 * with them (DS101), an unused message key first met on row 2 (DS301: in shard 2 of a round robin),
 * unparsable rows (DS201), bad messages (DS202), no assistant and a late system message (DS203), a tool
 * message the template refuses (DS401), rows longer than the context (DS402).
 */
function mixed(count: number, tag: string): unknown[] {
  return Array.from({ length: count }, (_, k) => {
    const i = k + 1
    if (i === 1) return good(0)
    if (i === 2 || i % 10 === 9) return weighted(i)
    if (i % 9 === 3) return raw('{"messages": [')
    if (i % 7 === 5) return same
    if (i % 11 === 6) return { prompt: `p${i}`, completion: 'c' }
    if (i % 13 === 7) return chat(['user', `only a question ${tag}${i}`])
    if (i % 17 === 8) return long(i)
    if (i % 19 === 10) return chat(['user', 'q'], ['assistant', 'a'], ['system', `late ${i}`])
    if (i % 23 === 11) return chat(['user', 'q'], ['tool', `t${i}`], ['assistant', 'a'])
    if (i % 29 === 12) return chat(['user', 42], ['assistant', 'a'])
    return good(Number(`${tag.length}${i}`))
  })
}

const conversation = (i: number): Message[] => [
  { role: 'user', content: `question ${i}` },
  { role: 'assistant', content: `answer ${i}` },
]

/** The three ways a dataset is split, each a dataset that is split that way for 2, 3 and 4 shards. */
const KINDS: Record<string, () => { files: Record<string, string | Uint8Array>; dataset: string }> = {
  // Five files, at least as many as shards: whole files, by path. One file has no "messages" column
  // (its first row lacks it; later rows have it), and the unused key is first in file 2 (shard 2).
  'whole files': () => ({
    dataset: 'data',
    files: {
      'data/train-00000-of-00004.jsonl': jsonl([good(1), same, weighted(3), ...mixed(12, 'a').slice(3)]),
      'data/train-00001-of-00004.jsonl': jsonl([good(2), weighted(1), same, ...mixed(20, 'bb').slice(2)]),
      'data/train-00002-of-00004.jsonl': jsonl([
        { prompt: 'p', completion: 'c' },
        good(5),
        { prompt: 'p2', completion: 'c' },
        same,
      ]),
      'data/train-00003-of-00004.jsonl': jsonl(mixed(15, 'ccc')),
      'data/validation-00000-of-00001.jsonl': jsonl([same, good(9), chat(['user', 'q'])]),
    },
  }),
  // One Parquet file: contiguous row ranges, as its footer says how many rows.
  'Parquet row ranges': () => ({
    dataset: 'train.parquet',
    files: {
      'train.parquet': messagesParquet(
        Array.from({ length: 40 }, (_, k) =>
          k % 6 === 4
            ? conversation(1000) // the same conversation, in every range
            : k % 7 === 2
              ? [{ role: 'user', content: `only a question ${k}` }]
              : k % 9 === 5
                ? [
                    { role: 'user', content: `a long question ${k} `.repeat(12) },
                    { role: 'assistant', content: 'a' },
                  ]
                : conversation(k),
        ),
        { rowGroupSize: 7 },
      ),
    },
  }),
  // One JSON Lines file: row r to shard ((r - 1) mod n) + 1.
  'JSON Lines rows round robin': () => ({
    dataset: 'train.jsonl',
    files: { 'train.jsonl': jsonl(mixed(60, 'a')) },
  }),
}

describe('merged shards are one run over the whole dataset', () => {
  const cases = Object.keys(KINDS).flatMap((kind) => [1, 2, 3, 4].map((count) => [kind, count] as const))
  it.each(cases)('%s, %d shards', async (kind, count) => {
    const { files, dataset } = KINDS[kind]!()
    const ws = workspace(files)
    const single = await check(ws, dataset)
    const reports = await shardReports(ws, dataset, count)
    const merged = merge(ws, reports)
    expectSameRun(merged, single, ws)
    expect(merged.targets[0]!.merged).toEqual({ shards: count })
    // Something to compare: findings of most rules, and duplicates no shard finds alone.
    const rules = new Set(single.targets[0]!.findings.map((f) => f.ruleId))
    expect(rules.size).toBeGreaterThanOrEqual(kind === 'Parquet row ranges' ? 3 : 8)
    const duplicates = (r: Report) => r.targets[0]!.findings.filter((f) => f.ruleId === 'DS302').length
    const alone = reports.reduce((sum, r) => sum + duplicates(mergeOne(r)), 0)
    if (count > 1) expect(duplicates(merged)).toBeGreaterThan(alone)
  })
})

/** What one shard's report says about itself (its findings, as its run reported them). */
function mergeOne(r: ReportInput): Report {
  const report = JSON.parse(r.text) as { targets: { findings: { ruleId: string }[] }[] }
  return { targets: report.targets.map((t) => ({ findings: t.findings })) } as unknown as Report
}

describe('findings that depend on other rows', () => {
  it('an unused key first met in a later shard: its first row and every message that carries it', async () => {
    const ws = workspace({ 'train.jsonl': jsonl(mixed(60, 'a')) })
    const merged = merge(ws, await shardReports(ws, 'train.jsonl', 4))
    const unused = merged.targets[0]!.findings.filter((f) => f.ruleId === 'DS301')
    // Rows 2, 9, 19, 29, 39, 49 and 59: row 2 is shard 2's, and shard 1 meets the key on row 9 only.
    expect(unused.map((f) => [f.location.row, f.message])).toEqual([
      [2, expect.stringContaining('"weight" (7 messages, first in row 2)')],
    ])
  })

  it('a file whose first row has no "messages", split mid-file: one finding on the file, counted over every shard', async () => {
    const rows = Array.from({ length: 30 }, (_, k) => k)
    const ws = workspace({
      'ds/a.parquet': messagesParquet(
        rows.map((k) => conversation(k)),
        { column: 'conversations' },
      ),
      'ds/b.parquet': messagesParquet(rows.map((k) => conversation(k + 100))),
      'ds/c.jsonl': jsonl([
        { prompt: 'p', completion: 'c' },
        ...rows.map((k) => (k % 3 === 0 ? { prompt: `p${k}` } : good(k))),
      ]),
    })
    // Fewer files than shards: Parquet ranges and JSON Lines rows round robin.
    for (const count of [4, 5]) {
      const single = await check(ws, 'ds')
      const merged = merge(ws, await shardReports(ws, 'ds', count))
      expectSameRun(merged, single, ws)
      const onFiles = merged.targets[0]!.findings.filter((f) => f.ruleId === 'DS101')
      expect(onFiles.map((f) => [f.location.path, f.message.match(/\(([^)]*lack[^)]*)\)/)?.[1]])).toEqual([
        ['a.parquet', 'all 30 rows lack it'],
        ['c.jsonl', '11 of 31 rows lack it'],
      ])
    }
  })

  it('a file without any row, and a dataset without any: "no rows" only when no shard read a row', async () => {
    const empty = workspace({ 'ds/train.jsonl': '', 'ds/validation.jsonl': '' })
    const merged = merge(empty, await shardReports(empty, 'ds', 2))
    expectSameRun(merged, await check(empty, 'ds'), empty)
    expect(merged.targets[0]!.findings.map((f) => f.messageId)).toContain('noRows')
    const one = workspace({ 'ds/train.jsonl': jsonl([good(1)]), 'ds/validation.jsonl': '' })
    const two = merge(one, await shardReports(one, 'ds', 4))
    expectSameRun(two, await check(one, 'ds'), one)
    expect(two.targets[0]!.findings.map((f) => f.messageId)).not.toContain('noRows')
  })

  it('max-rows: shards of rows check the first N rows together, as one run does', async () => {
    const ws = workspace({ 'train.jsonl': jsonl(mixed(60, 'a')) })
    for (const count of [2, 3]) {
      const merged = merge(ws, await shardReports(ws, 'train.jsonl', count, { maxRows: '25' }))
      expectSameRun(merged, await check(ws, 'train.jsonl', { maxRows: '25' }), ws)
      expect(merged.targets[0]!.dataset!.partial).toMatchObject({ checked: 25, maxRows: 25 })
    }
  })
})

describe('a dataset no shard could check', () => {
  it('is one target that could not be checked, saying which shard said why', async () => {
    const ws = workspace({})
    const merged = merge(ws, await shardReports(ws, 'missing.jsonl', 2))
    expect(merged.result).toBe('error')
    expect(merged.targets[0]).toMatchObject({
      status: 'error',
      error: 'dataset file missing.jsonl does not exist (shard 1 of 2)',
      findings: [],
    })
  })
})

describe('finding caps crossed only when the shards are merged', () => {
  // 3,250 rows, in fives: a good row, the same conversation without an answer twice (DS203, DS302),
  // two rows without "messages" (DS101). 1,300 findings of each rule on the one file, fewer than 1,000 in
  // any of 2 or 3 shards.
  const rows = Array.from({ length: 3250 }, (_, k) =>
    k % 5 === 0 ? good(k) : k % 5 < 3 ? chat(['user', 'the same lone question']) : { prompt: `p${k}` },
  )
  it.each([2, 3])(
    'JSON Lines round robin, %d shards: the first 1,000 kept, the rest counted',
    async (count) => {
      const ws = workspace({ 'train.jsonl': jsonl(rows) })
      const reports = await shardReports(ws, 'train.jsonl', count)
      for (const r of reports) {
        const shard = JSON.parse(r.text) as { targets: { omitted: unknown[] }[] }
        expect(shard.targets[0]!.omitted).toEqual([]) // no shard reaches a cap
      }
      const single = await check(ws, 'train.jsonl')
      const merged = merge(ws, reports)
      expectSameRun(merged, single, ws)
      expect(merged.targets[0]!.omitted!.map((o) => [o.ruleId, o.count])).toEqual([
        ['DS101', 300],
        ['DS203', 300],
        ['DS302', 299],
      ])
    },
  )

  it('Parquet row ranges, 2 shards', async () => {
    const lone: Message[] = [{ role: 'user', content: 'the same lone question' }]
    const ws = workspace({ 'train.parquet': messagesParquet(Array.from({ length: 1500 }, () => lone)) })
    const reports = await shardReports(ws, 'train.parquet', 2)
    const merged = merge(ws, reports)
    expectSameRun(merged, await check(ws, 'train.parquet'), ws)
    expect(merged.targets[0]!.omitted!.map((o) => [o.ruleId, o.count])).toEqual([
      ['DS203', 500],
      ['DS302', 499],
    ])
  })
})

describe('the shard state is compact', () => {
  it('a shard of 20,000 rows: the report grows by under 16 bytes a row (250,000 rows: under 4 MB)', async () => {
    const rows = (count: number) => jsonl(Array.from({ length: count }, (_, i) => good(i)))
    const ws = workspace({ 'small.jsonl': rows(20), 'large.jsonl': rows(40_020) })
    const size = async (file: string) => json(await check(ws, file, { base: '', shard: '1/2' })).length
    expect(((await size('large.jsonl')) - (await size('small.jsonl'))) / 20_000).toBeLessThan(16)
  })
})

describe('reports that cannot be merged are refused, saying why', () => {
  let ws: string
  let shards: ReportInput[]
  beforeAll(async () => {
    ws = workspace({
      'train.jsonl': jsonl(mixed(30, 'a')),
      'other/train.jsonl': jsonl(mixed(10, 'b')),
      ...prefixed('base2/', chatmlBase({ context: 99 })),
      'levels.yml': 'rules:\n  DS302: off\n',
    })
    shards = await shardReports(ws, 'train.jsonl', 3)
  })
  const refused = (reports: ReportInput[]) => () => merge(ws, reports)
  const edit = (r: ReportInput, change: (report: any) => void): ReportInput => {
    const report = JSON.parse(r.text)
    change(report)
    return { ...r, text: JSON.stringify(report) }
  }

  it('a shard missing, or given twice', () => {
    expect(refused([shards[0]!, shards[2]!])).toThrow(
      'shard 2 of 3 is missing: merge-reports needs the report of every shard',
    )
    expect(refused([shards[0]!])).toThrow('shards 2 and 3 of 3 are missing')
    expect(refused([...shards, { ...shards[1]!, label: 'again.json' }])).toThrow(
      'shard 2 of 3 is given twice: shard-2.json and again.json',
    )
    expect(refused([])).toThrow('merge-reports needs the JSON reports of the shards')
  })

  it('reports of different shard counts', async () => {
    const [other] = await shardReports(ws, 'train.jsonl', 4)
    expect(refused([shards[0]!, { ...other!, label: 'four.json' }, shards[2]!])).toThrow(
      'shard-1.json is shard 1 of 3 and four.json shard 1 of 4: merge the reports of one job matrix',
    )
  })

  it('reports of different datasets, base models, max-rows or rule levels', async () => {
    const second = async (o: CheckOptions, dataset = 'train.jsonl') => ({
      label: 'odd.json',
      text: json(await check(ws, dataset, { ...o, shard: '2/3' })),
    })
    expect(refused([shards[0]!, await second({}, 'other/train.jsonl'), shards[2]!])).toThrow(
      'shard-1.json and odd.json check different targets (target 1 is dataset "train.jsonl" in one, dataset "other/train.jsonl" in the other)',
    )
    expect(refused([shards[0]!, await second({ base: 'base2' }), shards[2]!])).toThrow(
      'against different base models (base and base2)',
    )
    expect(refused([shards[0]!, await second({ maxRows: '10' }), shards[2]!])).toThrow(
      'with different max-rows (none and 10)',
    )
    expect(refused([shards[0]!, await second({ config: 'levels.yml' }), shards[2]!])).toThrow(
      'were made with different rule levels',
    )
  })

  it('reports of different revisions', () => {
    const moved = edit(shards[1]!, (r) => (r.targets[0].revision = 'f'.repeat(40)))
    expect(refused([shards[0]!, moved, shards[2]!])).toThrow(
      `checked dataset "train.jsonl" at different revisions (null and ${'f'.repeat(40)})`,
    )
  })

  it('a report without shard state, or of another release', async () => {
    const plain = { label: 'plain.json', text: json(await check(ws, 'train.jsonl')) }
    expect(refused([plain])).toThrow(
      'plain.json has no shard state: it was not made with --shard i/n (dataset-shard)',
    )
    const older = edit(shards[1]!, (r) => (r.targets[0].shardState.tool = '0.0.1'))
    expect(refused([shards[0]!, older, shards[2]!])).toThrow(
      'shard-2.json was made by friendli-preflight 0.0.1, and this is',
    )
  })

  it('malformed reports: not JSON, not a report, a state that cannot be read, nested without end', () => {
    const bad = (text: string) => refused([{ label: 'bad.json', text }])
    expect(bad('{"version": 1, "targets": [')).toThrow(/^bad\.json is not JSON: /)
    expect(bad('[1, 2]')).toThrow('bad.json is not a friendli-preflight JSON report')
    expect(bad('['.repeat(100_000) + ']'.repeat(100_000))).toThrow(
      'bad.json is not a friendli-preflight report: it nests deeper than 32 levels',
    )
    const broken = edit(shards[1]!, (r) => (r.targets[0].shardState.dataset.rules.DS302.rows = '!!!!'))
    expect(refused([shards[0]!, broken, shards[2]!])).toThrow(
      'shard-2.json: the shard state of DS302 (duplicate-rows) cannot be used: not base64',
    )
    // More rows than the shard read: its state is refused before it is used.
    let rows = 0
    const more = edit(shards[1]!, (r) => {
      rows = r.targets[0].dataset.rows as number
      r.targets[0].shardState.dataset.rules.DS302.rows = packNumbers(Array<number>(4 * (rows + 1)).fill(1))
    })
    expect(rows).toBeGreaterThan(5)
    expect(refused([shards[0]!, more, shards[2]!])).toThrow(
      `shard-2.json: the shard state of DS302 (duplicate-rows) cannot be used: more than ${4 * rows} numbers`,
    )
    const shape = edit(shards[1]!, (r) => (r.targets[0].shardState.dataset.rules.DS101 = { files: 'x' }))
    expect(refused([shards[0]!, shape, shards[2]!])).toThrow(
      /^shard-2\.json: the shard state of DS101 \(missing-messages\) cannot be used: .* at files$/,
    )
    const unknown = edit(shards[1]!, (r) => (r.targets[0].findings[0].ruleId = 'XX999'))
    expect(refused([shards[0]!, unknown, shards[2]!])).toThrow(
      'shard-2.json has a finding of an unknown rule, "XX999"',
    )
    const file = edit(shards[1]!, (r) => (r.targets[0].findings[0].location.path = '/etc/passwd'))
    expect(refused([shards[0]!, file, shards[2]!])).toThrow('shard-2.json is not a report this release wrote')
  })

  it('a file past the size a report can be is not read (a sparse file: nothing is written or read)', () => {
    const huge = path.join(ws, 'huge.json')
    const fd = openSync(huge, 'w')
    // ftruncate makes the file MAX_REPORT_BYTES + 1 long without writing its bytes.
    ftruncateSync(fd, MAX_REPORT_BYTES + 1)
    closeSync(fd)
    expect(() => readReports([huge], ws)).toThrow(
      `huge.json is ${(MAX_REPORT_BYTES + 1).toLocaleString('en-US')} bytes, more than a shard's report can be (64 MiB)`,
    )
  })
})

describe('models checked beside the dataset', () => {
  const files = {
    'm/config.json': '{"architectures": ["NoSuchForCausalLM"]}\n',
    'train.jsonl': jsonl(mixed(30, 'a')),
    'preflight.yml': 'targets:\n  - model: ./m\n  - dataset: train.jsonl\n    base-model: base\n',
  }

  it('are the same in every shard: taken once, with their message kinds and root causes', async () => {
    const ws = workspace(files)
    const reports = await shardReports(ws, '', 3, { config: 'preflight.yml', base: '' })
    const single = await check(ws, '', { config: 'preflight.yml', base: '' })
    expect(single.targets.map((t) => t.kind)).toEqual(['model', 'dataset'])
    expect(single.targets[0]!.findings.length).toBeGreaterThan(0)
    expectSameRun(merge(ws, reports), single, ws)
  })

  it('are refused when a shard checked them differently', async () => {
    const ws = workspace(files)
    const reports = await shardReports(ws, '', 2, { config: 'preflight.yml', base: '' })
    const report = JSON.parse(reports[1]!.text)
    report.targets[0].findings[0].message = 'something else'
    expect(() => merge(ws, [reports[0]!, { ...reports[1]!, text: JSON.stringify(report) }])).toThrow(
      'model "./m" has different findings in shard-1.json and shard-2.json (it changed between the jobs?)',
    )
  })
})

describe('the CLI: friendli-preflight merge-reports REPORT...', () => {
  let ws: string
  beforeAll(async () => {
    ws = workspace({ 'train.jsonl': jsonl(mixed(40, 'a')) })
    for (let i = 1; i <= 3; i++) {
      const r = await runCliIn(ws, ['--dataset', 'train.jsonl', '--shard', `${i}/3`, '--format', 'json'])
      expect(r.status).toBe(1)
      mkdirSync(path.join(ws, `shards/shard-${i}`), { recursive: true })
      writeFileSync(path.join(ws, `shards/shard-${i}/report.json`), r.stdout)
    }
  })

  it('merges the reports a glob or a folder names into the single run, in every format, with its exit code', async () => {
    const single = await runCliIn(ws, ['--dataset', 'train.jsonl', '--format', 'json'])
    for (const named of [
      ['shards/**/*.json'],
      ['shards'],
      ['shards/shard-3/report.json', 'shards/shard-1', 'shards/shard-2/*.json'],
    ]) {
      const merged = await runCliIn(ws, ['merge-reports', ...named, '--format', 'json'])
      expect(merged.stderr).toBe('')
      expect(merged.status).toBe(single.status)
      const plain = (text: string) => {
        const report = JSON.parse(text) as { targets: Record<string, unknown>[] }
        for (const t of report.targets) delete t.merged
        return report
      }
      expect(plain(merged.stdout)).toEqual(plain(single.stdout))
      expect(JSON.parse(merged.stdout).targets[0].merged).toEqual({ shards: 3 })
    }
    const text = await runCliIn(ws, ['merge-reports', 'shards'])
    expect(text.status).toBe(1)
    expect(text.stdout).toContain(`; ${mergedNote(3)}\n`)
    const sarif = await runCliIn(ws, ['merge-reports', 'shards', '--format', 'sarif'])
    const single2 = await runCliIn(ws, ['--dataset', 'train.jsonl', '--format', 'sarif'])
    expect(JSON.parse(sarif.stdout).runs[0].results).toEqual(JSON.parse(single2.stdout).runs[0].results)
    const never = await runCliIn(ws, ['merge-reports', 'shards', '--fail-on', 'never'])
    expect(never.status).toBe(0)
  })

  it.each([
    [[], 'merge-reports needs the JSON reports of the shards: name their files or a glob'],
    [
      ['shards/shard-1', 'shards/shard-2'],
      'shard 3 of 3 is missing: merge-reports needs the report of every shard',
    ],
    [
      ['shards', '--dataset', 'x'],
      '--dataset does not apply to merge-reports: the reports say what was checked',
    ],
    [['nothing/*.json'], '"nothing/*.json" names no report file'],
    [['shards', '--fail-on', 'sometimes'], 'fail-on must be one of error, warning, never; got "sometimes"'],
  ])('merge-reports %j: exit 2 and one line, no report', async (args, message) => {
    const r = await runCliIn(ws, ['merge-reports', ...args])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(`friendli-preflight: ${message}\n`)
  })

  it('--help says how to merge', async () => {
    const r = await runCliIn(ws, ['merge-reports', '--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^Usage: friendli-preflight merge-reports REPORT\.\.\./)
  })
})
