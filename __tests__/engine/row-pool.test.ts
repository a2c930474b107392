import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ResourceLimits } from 'node:worker_threads'
import { loadBaseModel, type RunLimits } from '../../src/artifacts/base-model.js'
import { TOKEN_SAMPLE } from '../../src/engine/dataset-stats.js'
import { startRowPool, WorkerStopped } from '../../src/engine/row-pool.js'
import { runDatasetRules } from '../../src/engine/run-dataset.js'
import { findDataFiles } from '../../src/readers/splits.js'
import { datasetRules } from '../../src/rules/registry.js'
import { memorySource, type MemoryEntry } from '../../src/sources/memory.js'
import { chat, chatmlBase, dataFile, raw } from '../helpers/dataset-tester.js'
import { runCliIn, writeFiles } from '../helpers/in-process.js'

// A template that refuses a row whose first message is "system", and renders the rest as ChatML.
const TEMPLATE =
  "{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system messages') }}{% endif %}" +
  "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}"

/** Rows of every kind the rules tell apart, more than the statistics' sample, in two files. */
function rows(n: number, seed: number): unknown[] {
  return Array.from({ length: n }, (_, i) => {
    const k = (i * 7919 + seed) % 97
    if (k === 0) return raw('{"messages": [') // not JSON
    if (k === 1) return chat(['system', 'be brief'], ['user', 'hi']) // the template raises
    if (k === 2) return chat(['user', 'x'.repeat(300)], ['assistant', 'ok']) // longer than the context
    if (k === 3) return chat(['user', 'same'], ['assistant', 'row']) // duplicates
    if (k === 4) return { messages: [{ role: 'user', content: 'hi', weight: 1 }] } // a key never read
    if (k === 5) return { messages: [{ role: 'user', content: 7 }] } // content not a string
    if (k === 6) return { prompt: 'no messages' }
    return chat(['user', `question ${i} ${'w'.repeat(i % 40)}`], ['assistant', `answer ${seed}`])
  })
}

const files = (): Record<string, MemoryEntry> => ({
  'data/train-00000-of-00002.jsonl': dataFile('data/train-00000-of-00002.jsonl', rows(TOKEN_SAMPLE + 700, 1)),
  'data/train-00001-of-00002.jsonl': dataFile('data/train-00001-of-00002.jsonl', rows(2500, 2)),
})

async function check(jobs: number, limits?: RunLimits, workerLimits?: ResourceLimits) {
  const base = await loadBaseModel(
    memorySource(chatmlBase({ template: TEMPLATE, context: 200 })),
    'org/base',
    limits,
  )
  const source = memorySource(files())
  const found = findDataFiles(await source.list())
  const result = await runDatasetRules(source, found.files, [], datasetRules, {
    levels: new Map(),
    docsBase: 'https://docs.test/',
    base,
    jobs,
    ...(workerLimits ? { workerLimits } : {}),
  })
  return { ...result, stats: { ...result.stats, seconds: 0 } }
}

/** A template that doubles a list until a worker's small heap cannot hold it. */
const DOUBLING =
  '{% set ns = namespace(l=[1]) %}{% for i in range(30) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}'

/** Every dataset rule over one train.jsonl of `rows` against a base model made of `baseFiles`. */
async function checkRows(
  baseFiles: Record<string, MemoryEntry>,
  rows: unknown[],
  jobs: number,
  workerLimits?: ResourceLimits,
) {
  const base = await loadBaseModel(memorySource(baseFiles), 'org/base')
  const source = memorySource({ 'train.jsonl': dataFile('train.jsonl', rows) })
  const found = findDataFiles(await source.list())
  const result = await runDatasetRules(source, found.files, [], datasetRules, {
    levels: new Map(),
    docsBase: 'https://docs.test/',
    base,
    jobs,
    ...(workerLimits ? { workerLimits } : {}),
  })
  return { ...result, stats: { ...result.stats, seconds: 0 } }
}

describe('worker threads', () => {
  it('the findings, the omitted counts and the statistics are the same with 1, 2 and 3 threads', async () => {
    const one = await check(1)
    // Each kind of row gave its findings, so the comparison compares something.
    const ids = new Set(one.findings.map((f) => `${f.ruleId}/${f.messageId}`))
    for (const id of ['DS201/invalid', 'DS401/raised', 'DS402/tooLong', 'DS302/duplicate', 'DS301/unused'])
      expect([...ids].some((x) => x.startsWith(id.split('/')[0]!))).toBe(true)
    expect(one.stats.tokens?.sample).toBeDefined()
    for (const jobs of [2, 3]) {
      const many = await check(jobs)
      expect(many.findings).toEqual(one.findings)
      expect(many.omitted).toEqual(one.omitted)
      expect(many.stats).toEqual(one.stats)
    }
  }, 60_000)

  it('worker threads that cannot start (a heap too small to load them): this thread does their work, the same findings', async () => {
    const one = await check(1)
    const starved = await check(3, undefined, { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 })
    expect(starved.findings).toEqual(one.findings)
    expect(starved.stats).toEqual(one.stats)
  }, 60_000)

  it('a row nested too deep to send to a worker (9,000 levels, which JSON allows) is rendered here, the same findings', async () => {
    const deep = '['.repeat(9000) + ']'.repeat(9000)
    // In the first batch, which starts the workers (a full one).
    const rows = [
      chat(['user', 'a']),
      raw(`{"messages": [{"role": "user", "content": ${deep}}]}`),
      ...Array.from({ length: 300 }, (_, i) => chat(['user', `b${i}`])),
    ]
    const run = (jobs: number) => checkRows(chatmlBase(), rows, jobs)
    const one = await run(1)
    const two = await run(2)
    expect(two.findings).toEqual(one.findings)
    // Rows 1 and 3 rendered: nothing stopped the template at the batch's first row.
    expect(two.findings.some((f) => f.ruleId === 'DS401' && f.location.row === 1)).toBe(false)
  }, 60_000)

  it('a tokenizer.json too deep to give to a worker (9,000 levels in a key tokenizers.js ignores): the work is done here', async () => {
    const files = chatmlBase()
    const json = JSON.parse(files['tokenizer.json'] as string) as Record<string, unknown>
    const deep = JSON.stringify(json).replace(/}$/, `, "extra": ${'['.repeat(9000)}${']'.repeat(9000)}}`)
    const rows = Array.from({ length: 300 }, (_, i) => chat(['user', `q${i % 250}`], ['assistant', 'a']))
    const deepBase = { ...files, 'tokenizer.json': deep }
    expect((await loadBaseModel(memorySource(deepBase), 'org/base')).countTokens).toBeDefined()
    const run = (jobs: number) => checkRows(deepBase, rows, jobs)
    const one = await run(1)
    const two = await run(2)
    expect(one.stats.tokens?.counted).toBe(300)
    expect(two.findings).toEqual(one.findings)
    expect(two.stats).toEqual(one.stats)
  }, 60_000)

  it('a render budget used up stops the template at the same row with workers as without', async () => {
    // No time at all for rendering: the first row stops the template, the rest are counted as skipped.
    const limits = { renderRowMs: 2000, renderRunMs: 0, tokenizeRowMs: 2000, tokenizeRunMs: 60_000 }
    const one = await check(1, limits)
    expect(one.findings.some((f) => f.ruleId === 'DS401' && f.messageId === 'notRendered')).toBe(true)
    const two = await check(2, limits)
    expect(two.findings).toEqual(one.findings)
    expect(two.stats).toEqual(one.stats)
  }, 60_000)

  it('starts from any working directory (the worker finds its loader from its own file)', async () => {
    const cwd = process.cwd()
    const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-cwd-')))
    process.chdir(tmp)
    const pool = startRowPool(1, {
      templates: { default: '{{ messages[0].content }}!' },
      specialTokens: {},
      limits: { renderRowMs: 2000, renderRunMs: 60_000, tokenizeRowMs: 2000, tokenizeRunMs: 60_000 },
    })
    try {
      const reply = await pool.rows([
        { tool: false, messages: [{ role: 'user', content: 'hi' }], tools: null },
      ])
      expect(reply.results).toEqual([{ render: { ok: true, text: 'hi!' } }])
    } finally {
      process.chdir(cwd)
      await pool.close()
      rmSync(tmp, { recursive: true, force: true })
    }
  })

  it('a worker that runs out of memory fails its rows, and the pool says why', async () => {
    const pool = startRowPool(
      1,
      {
        templates: { default: DOUBLING },
        specialTokens: {},
        limits: { renderRowMs: 60_000, renderRunMs: 60_000, tokenizeRowMs: 2000, tokenizeRunMs: 2000 },
      },
      { resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } },
    )
    try {
      const reply = pool.rows([{ tool: false, messages: [], tools: null }])
      await expect(reply).rejects.toBeInstanceOf(WorkerStopped)
      await expect(reply).rejects.toThrow(/ran out of memory|exited/)
      // The pool has no thread left: later work fails at once, it does not hang.
      await expect(pool.count(['a'])).rejects.toBeInstanceOf(WorkerStopped)
    } finally {
      await pool.close()
    }
  }, 60_000)

  it('a dataset smaller than one batch starts no worker thread (it would be done before they were ready)', async () => {
    // With workers, the doubling template would stop one on its small heap; here this thread renders.
    const { findings } = await checkRows(
      chatmlBase({ template: DOUBLING }),
      [chat(['user', 'a']), chat(['user', 'b'])],
      4,
      { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
    )
    const ds401 = findings.filter((f) => f.ruleId === 'DS401')
    expect(ds401.length).toBeGreaterThan(0)
    for (const f of ds401) expect(f.message).not.toMatch(/worker thread/)
  }, 60_000)

  it('a worker that stops on a row: one finding on the first row it had, the template stopped, the other rules finish', async () => {
    // A full first batch (the workers start with one), the second row not JSON.
    const rows = [
      chat(['user', 'a']),
      raw('{'),
      ...Array.from({ length: 298 }, (_, i) => chat(['user', `b${i}`])),
    ]
    const { findings } = await checkRows(chatmlBase({ template: DOUBLING }), rows, 2, {
      maxOldGenerationSizeMb: 32,
      maxYoungGenerationSizeMb: 8,
    })
    const ds401 = findings.filter((f) => f.ruleId === 'DS401')
    expect(ds401.map((f) => [f.messageId, f.location.row])).toEqual([
      ['limit', 1],
      ['notRendered', undefined],
    ])
    expect(ds401[0]!.message).toMatch(
      /the worker thread rendering rows 1–256 stopped: (it ran out of memory|it exited)/,
    )
    expect(ds401[1]!.message).toMatch(/^298 more rows were not rendered/)
    // The row that is not JSON is still reported: the other rules went on.
    expect(findings.some((f) => f.ruleId === 'DS201' && f.location.row === 2)).toBe(true)
  }, 60_000)

  it.each(['0', '-1', 'a', '1.5', '257', '2 3', '1e2', '4\n::error::x'])(
    '--jobs %j: exit 2 and one line',
    async (jobs) => {
      const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-jobs-')))
      try {
        writeFiles(tmp, { 'train.jsonl': dataFile('train.jsonl', [chat(['user', 'a'])]) as string })
        const r = await runCliIn(tmp, ['--dataset', 'train.jsonl', `--jobs=${jobs}`])
        expect(r.status).toBe(2)
        expect(r.stdout).toBe('')
        expect(r.stderr.trimEnd().split('\n')).toEqual([
          expect.stringMatching(/jobs \(--jobs\) must be a whole number from 1 to 256; got "/),
        ])
      } finally {
        rmSync(tmp, { recursive: true, force: true })
      }
    },
  )
})
