// The floods of a hostile pull request at full size, each bounded by a count: 6 MB of broken rows
// (3,000,000 findings), 150,000 and 200,000 one-row Parquet groups, five 95 MB safetensors headers. The same
// bounds at small size are in the fast suite (engine/finding-cap, readers/bounds, artifacts/
// header-budget); bench/floods.ts prints the times.
import { describe, expect, it } from '@jest/globals'
import { runModelRules } from '../../src/engine/run-model.js'
import { jsonReportChunks } from '../../src/report/json.js'
import { readParquet, type ParquetReadCounters } from '../../src/readers/read-parquet.js'
import { datasetRules, modelRules } from '../../src/rules/registry.js'
import { memorySource } from '../../src/sources/memory.js'
import type { Report } from '../../src/check.js'
import type { TargetSpec } from '../../src/settings.js'
import { runDataset } from '../helpers/dataset-tester.js'
import { chatRows, messagesParquet } from '../helpers/parquet.js'
import { rewriteFooter } from '../helpers/parquet-footer.js'

describe('6 MB of broken JSON Lines rows', () => {
  it('keeps 1,000 findings, counts 2,999,000, and writes the report in pieces', async () => {
    const { findings, omitted, stats } = await runDataset(datasetRules, {
      'train.jsonl': 'x\n'.repeat(3_000_000),
    })
    expect(stats.badRows).toBe(3_000_000)
    expect(findings.filter((f) => f.ruleId === 'DS201')).toHaveLength(1_000)
    expect(omitted).toEqual([
      {
        ruleId: 'DS201',
        rule: 'invalid-row',
        path: 'train.jsonl',
        severity: 'error',
        count: 2_999_000,
        byMessage: { unparsable: 2_999_000 },
      },
    ])
    const report: Report = {
      targets: [
        {
          kind: 'dataset',
          ref: 'data',
          source: 'local',
          revision: null,
          status: 'fail',
          findings,
          omitted,
          rootInWorkspace: 'data',
          spec: {} as TargetSpec,
        },
      ],
      counts: { errors: 3_000_000, warnings: 0, infos: 0 },
      result: 'fail',
      failOn: 'error',
    }
    let longest = 0
    let total = 0
    for (const piece of jsonReportChunks(report)) {
      longest = Math.max(longest, piece.length)
      total += piece.length
    }
    expect(longest).toBeLessThan(65 * 1024)
    expect(total).toBeLessThan(1_000_000)
  })
})

/** One row group, and a footer that lists it `n` times: as a hostile writer makes them. */
const manyGroups = (n: number) =>
  rewriteFooter(messagesParquet(chatRows(1, 0, 1)), (f) => {
    f.row_groups = Array.from({ length: n }, () => f.row_groups[0]!)
    f.num_rows = BigInt(n)
  })

describe('one-row Parquet groups by the hundred thousand', () => {
  it('200,000: a footer over 32 MiB, refused before it is decoded', async () => {
    const bytes = manyGroups(200_000)
    const file = { path: 'd.parquet', size: bytes.length, format: 'parquet', split: 'train' } as const
    const counters: ParquetReadCounters = { batches: 0, groupsPlanned: 0, pageBytes: 0, pagesRefused: 0 }
    await expect(
      (async () => {
        for await (const _ of readParquet(memorySource({ 'd.parquet': bytes }), file, { counters }));
      })(),
    ).rejects.toThrow(/its footer \(metadata\) is 36\.6 MiB, more than the 32\.0 MiB/)
    expect(counters.groupsPlanned).toBe(0)
  })

  it('150,000 (a 27 MiB footer): read in batches, each group planned once, one read per batch', async () => {
    const n = 150_000
    const bytes = manyGroups(n)
    let reads = 0
    const inner = memorySource({ 'd.parquet': bytes })
    const source = {
      ...inner,
      readRange: (p: string, a: number, b: number) => (reads++, inner.readRange(p, a, b)),
    }
    const counters: ParquetReadCounters = { batches: 0, groupsPlanned: 0, pageBytes: 0, pagesRefused: 0 }
    let rows = 0
    for await (const batch of readParquet(
      source,
      { path: 'd.parquet', size: bytes.length, format: 'parquet', split: 'train' },
      { counters },
    ))
      rows += batch.length
    expect(rows).toBe(n)
    expect(counters.groupsPlanned).toBe(n)
    expect(counters.batches).toBe(Math.ceil(n / 1024))
    expect(reads).toBeLessThanOrEqual(counters.batches + 5)
  })
})

describe('five 95 MB safetensors headers', () => {
  it('parses one within the 128 MiB budget and reads only the first block of the four others', async () => {
    // The first: 95 MB of real tensor entries. The others declare 95 MB headers and are zeros past
    // their length, never touched: only their first block may be read.
    const parts: string[] = []
    let offset = 0
    let length = 0
    for (let i = 0; length < 95_000_000; i++) {
      const p = `"model.layers.${i}.mlp.experts.${i % 64}.weight":{"dtype":"BF16","shape":[1],"data_offsets":[${offset},${offset + 2}]}`
      offset += 2
      length += p.length + 1
      parts.push(p)
    }
    const header = Buffer.from(`{${parts.join(',')},"__metadata__":{"format":"pt"}}`)
    parts.length = 0
    const first = new Uint8Array(8 + header.length + offset)
    new DataView(first.buffer).setBigUint64(0, BigInt(header.length), true)
    first.set(header, 8)
    const sparse = () => {
      const file = new Uint8Array(8 + 95_000_000)
      new DataView(file.buffer).setBigUint64(0, 95_000_000n, true)
      return file
    }
    const files: Record<string, Uint8Array> = { 'model-1.safetensors': first }
    for (let k = 2; k <= 5; k++) files[`model-${k}.safetensors`] = sparse()
    const inner = memorySource({ ...files, 'config.json': '{"architectures": ["LlamaForCausalLM"]}' })
    const bytesRead = new Map<string, number>()
    const source = {
      ...inner,
      async readRange(p: string, a: number, b: number) {
        const r = await inner.readRange(p, a, b)
        bytesRead.set(p, (bytesRead.get(p) ?? 0) + r.length)
        return r
      },
    }
    const findings = await runModelRules(
      source,
      modelRules.filter((r) => r.meta.id === 'MR301'),
      { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' },
    )
    expect(findings.map((f) => f.messageId).sort()).toEqual(['notRead', 'overHubLimit'])
    expect(findings.find((f) => f.messageId === 'notRead')!.message).toMatch(
      /^4 safetensors headers not read \(model-2\.safetensors, model-3\.safetensors, model-4\.safetensors and model-5\.safetensors\)/,
    )
    expect(bytesRead.get('model-1.safetensors')).toBe(8 + header.length)
    for (let k = 2; k <= 5; k++) expect(bytesRead.get(`model-${k}.safetensors`)).toBe(4096)
  })
})
