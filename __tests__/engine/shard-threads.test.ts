// A local dataset checked by several threads, each reading and checking its own share of the rows
// (engine/shard-threads.ts), merged in memory: the findings, omitted counts and statistics of one pass
// (the time apart), token sample included; and a thread that stops has its share checked again here.
// The threads run the sources through tsx (the bundle's threads: __tests__/scale/dataset-threads.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadBaseModel } from '../../src/artifacts/base-model.js'
import { compareFindings } from '../../src/common/finding.js'
import { runDatasetRules, type DatasetRunResult } from '../../src/engine/run-dataset.js'
import type { ShardJob } from '../../src/engine/shard-worker.js'
import { runDatasetInShards, SHARD_MIN_BYTES, threadShares } from '../../src/engine/shard-threads.js'
import { findDataFiles } from '../../src/readers/splits.js'
import { datasetRules } from '../../src/rules/registry.js'
import { openLocalSource } from '../../src/sources/local.js'
import { memorySource } from '../../src/sources/memory.js'
import { recordingSource } from '../../src/sources/recorded.js'
import { chatmlBase } from '../helpers/chatml-base.js'
import { chat, jsonl, raw } from '../helpers/dataset-tester.js'
import { messagesParquet } from '../helpers/parquet.js'

let dir: string
beforeAll(() => {
  dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-shard-threads-')))
  // Rows with findings of many rules: not JSON, no messages, a wrong role, an assistant turn first, a
  // row the template refuses, unused keys, long rows, and duplicates across the whole file; 12,000 in
  // all, more than the token sample takes.
  const row = (i: number) =>
    i % 997 === 5
      ? raw('{"messages": [')
      : i % 1009 === 7
        ? { prompt: `p${i}` }
        : i % 499 === 11
          ? chat(['bot', `q${i}`], ['assistant', 'a'])
          : i % 503 === 13
            ? chat(['assistant', `first ${i}`])
            : i % 101 === 17
              ? chat(['user', `q${i % 7}`], ['assistant', 'same'])
              : i % 211 === 19
                ? { ...chat(['user', `q${i}`], ['assistant', 'a']), extra: i }
                : chat(['user', `question ${i} ${'x'.repeat(i % 300)}`], ['assistant', `answer ${i}`])
  writeFileSync(path.join(dir, 'train.jsonl'), jsonl(Array.from({ length: 12_000 }, (_, i) => row(i))))
  // A file no share can read (every share opens every file): its finding is one run's, once.
  writeFileSync(
    path.join(dir, 'test.jsonl'),
    `version https://git-lfs.github.com/spec/v1\noid sha256:${'a'.repeat(64)}\nsize 123456789\n`,
  )
  writeFileSync(
    path.join(dir, 'validation.parquet'),
    messagesParquet(
      Array.from({ length: 3000 }, (_, i) => [
        { role: i % 401 === 3 ? 'bot' : 'user', content: `v${i % 1500}` },
        { role: 'assistant', content: `w${i % 1500}` },
      ]),
      { rowGroupSize: 128 },
    ),
  )
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** One pass on this thread, and the job the threads are given: the same files, rules and base model. */
async function setUp() {
  const recording = recordingSource(memorySource(chatmlBase({ context: 200 })))
  const base = await loadBaseModel(recording.source, 'org/base')
  const source = await openLocalSource(dir)
  const { files } = findDataFiles(await source.list())
  const levels = new Map()
  const docsBase = 'https://docs.test/'
  const single = await runDatasetRules(source, files, [], datasetRules, { levels, docsBase, base })
  const job: ShardJob = {
    root: dir,
    display: source.display,
    files,
    unsupported: [],
    truncated: false,
    base: { ref: 'org/base', record: recording.record },
    levels,
    docsBase,
  }
  return { single, job }
}

/** A result as the reports show it: findings in report order, the time left out. */
function comparable(r: DatasetRunResult) {
  const { seconds: _, tokenSample, ...stats } = r.stats
  return {
    findings: [...r.findings].sort(compareFindings),
    omitted: r.omitted,
    stats: { ...stats, tokenSample: [...(tokenSample ?? [])].sort((a, b) => a.key - b.key) },
  }
}

describe('a dataset checked by threads, each its own share', () => {
  it('gives the single pass’s findings, omitted counts and statistics, with 2 and 3 threads', async () => {
    const { single, job } = await setUp()
    const expected = comparable(single)
    // Something to compare: findings of many rules, a token sample.
    expect(new Set(single.findings.map((f) => f.ruleId)).size).toBeGreaterThanOrEqual(5)
    expect(single.findings.filter((f) => f.location.path === 'test.jsonl' && !f.location.row)).toHaveLength(1)
    expect(single.stats.tokens?.sample?.every).toBeGreaterThan(1)
    for (const count of [2, 3]) {
      const stopped: number[] = []
      const merged = await runDatasetInShards(job, count, { onThreadStopped: (k) => stopped.push(k) })
      expect(stopped).toEqual([])
      expect(comparable(merged)).toEqual(expected)
    }
  }, 120_000)

  it('a thread that stops (out of memory here) has its share checked on this thread: nothing is lost', async () => {
    const { single, job } = await setUp()
    const stopped: [number, string][] = []
    const merged = await runDatasetInShards(job, 2, {
      resourceLimits: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 },
      onThreadStopped: (k, why) => stopped.push([k, why]),
    })
    expect(stopped.map(([k]) => k).sort()).toEqual([1, 2])
    for (const [, why] of stopped) expect(why).toMatch(/ran out of memory|exited/)
    expect(comparable(merged)).toEqual(comparable(single))
  }, 120_000)

  it('is what a large local dataset gets with more than one job; a Hub dataset, a matrix shard, max-rows and a small one are read by one thread', () => {
    const big = { local: true, shard: false, maxRows: undefined, bytes: SHARD_MIN_BYTES }
    expect(threadShares(4, big)).toBe(4)
    expect(threadShares(1, big)).toBe(0)
    expect(threadShares(4, { ...big, local: false })).toBe(0)
    expect(threadShares(4, { ...big, shard: true })).toBe(0)
    expect(threadShares(4, { ...big, maxRows: 10 })).toBe(0)
    expect(threadShares(4, { ...big, bytes: SHARD_MIN_BYTES - 1 })).toBe(0)
  })
})
