// MR306: every shard model.safetensors.index.json names must be a file at the root. A missing shard is
// reported here only: the header, mismatch and total-size rules stay quiet about what is not there.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { modelRules as allRules } from '../../../src/rules/registry.js'
import { runModelRules } from '../../../src/engine/run-model.js'
import rule from '../../../src/rules/model/missing-shard.js'
import { memorySource, type MemoryEntry } from '../../../src/sources/memory.js'
import type { Source } from '../../../src/sources/source.js'
import { ruleTester } from '../../helpers/rule-tester.js'
import { makeSafetensors } from '../../helpers/safetensors.js'
import { CORPUS_ROOT } from '../../helpers/corpus.js'
import { plural } from '../../../src/common/wording.js'

/**
 * The index as save_pretrained writes it: lines 1-5 are `{`, `"metadata": {`, `"total_size": …`,
 * `},` and `"weight_map": {`; the i-th entry of the map is on line 5 + i, its key at column 5.
 */
const index = (weightMap: Record<string, unknown>, totalSize = 8) =>
  JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2) + '\n'

const S1 = 'model-00001-of-00002.safetensors'
const S2 = 'model-00002-of-00002.safetensors'
const shard1 = makeSafetensors({ a: { dtype: 'F16', shape: [2] } })
const shard2 = makeSafetensors({ b: { dtype: 'F16', shape: [1] }, c: { dtype: 'F16', shape: [1] } })
const POINTER = 'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 4965799096\n'

/** The name of shard `i` of `n` as save_pretrained writes it. */
const shardName = (i: number, n: number) => {
  const width = Math.max(5, String(n).length)
  return `model-${String(i).padStart(width, '0')}-of-${String(n).padStart(width, '0')}.safetensors`
}

/** An index naming `n` shards `model-0000k-of-0000n`, one tensor each. */
function numbered(n: number): Record<string, string> {
  const map: Record<string, string> = {}
  for (let i = 1; i <= n; i++) map[`t.${i}`] = shardName(i, n)
  return map
}

ruleTester(rule, {
  valid: [
    {
      name: 'every shard present',
      files: { 'model.safetensors.index.json': index({ a: S1, b: S2, c: S2 }), [S1]: shard1, [S2]: shard2 },
    },
    { name: 'no index', files: { 'model.safetensors': shard1 } },
    {
      name: 'a shard that is a Git LFS pointer is there: lfs-pointer-files reports it',
      files: { 'model.safetensors.index.json': index({ a: S1, b: S2 }), [S1]: POINTER, [S2]: shard2 },
    },
    {
      name: 'unsafe names are never looked up: invalid-shard-index reports them',
      files: {
        'model.safetensors.index.json': index({
          a: '../model-00001-of-00002.safetensors',
          b: 'weights/model-00002-of-00002.safetensors',
          c: 'https://example.com/model.safetensors',
          d: 'model.safetensors.index.json',
        }),
      },
    },
    {
      name: 'a value that is not a string: invalid-shard-index reports it',
      files: { 'model.safetensors.index.json': index({ a: 7, b: null }) },
    },
    {
      name: 'an index that does not parse: invalid-shard-index reports it',
      files: { 'model.safetensors.index.json': '{"weight_map": {"a": "model-00001-of-00001.safetensors",}}' },
    },
    {
      name: 'an index without weight_map: invalid-shard-index reports it',
      files: { 'model.safetensors.index.json': '{"metadata": {}}' },
    },
    {
      name: 'an index that is a Git LFS pointer: lfs-pointer-files reports it',
      files: { 'model.safetensors.index.json': POINTER },
    },
    {
      name: 'shards that are links leaving the folder, or broken: link-outside-model reports them',
      files: {
        'model.safetensors.index.json': index({ a: S1, b: S2 }),
        [S1]: { link: 'outside' },
        [S2]: { link: 'broken' },
      },
    },
  ],
  invalid: [
    {
      name: 'the last shard is missing: at the first tensor mapped to it, with the count',
      files: { 'model.safetensors.index.json': index({ a: S1, b: S2, c: S2 }), [S1]: shard1 },
      errors: [
        {
          messageId: 'missing',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map/b',
          line: 7,
          column: 5,
          message: 'Shard model-00002-of-00002.safetensors is missing: the index maps 2 tensors to it.',
        },
      ],
    },
    {
      name: 'two missing: in the order the index first names them (lm_head is often first)',
      files: {
        'model.safetensors.index.json': index({
          'lm_head.weight': S2,
          'model.embed_tokens.weight': S1,
          'model.norm.weight': S2,
          'model.layers.0.weight': 'model-00003-of-00003.safetensors',
        }),
        'model-00003-of-00003.safetensors': shard1,
      },
      errors: [
        {
          messageId: 'missing',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map/lm_head.weight',
          line: 6,
          column: 5,
          message: 'Shard model-00002-of-00002.safetensors is missing: the index maps 2 tensors to it.',
        },
        {
          messageId: 'missing',
          path: 'model.safetensors.index.json',
          line: 7,
          column: 5,
          message: 'Shard model-00001-of-00002.safetensors is missing: the index maps a tensor to it.',
        },
      ],
    },
    {
      name: 'a shard only in a subfolder is missing at the root',
      files: { 'model.safetensors.index.json': index({ a: S1 }), [`weights/${S1}`]: shard1 },
      errors: [{ messageId: 'missing', path: 'model.safetensors.index.json', line: 6, column: 5 }],
    },
    {
      name: 'names are compared exactly (case matters on Linux and on the Hub)',
      files: {
        'model.safetensors.index.json': index({ a: 'Model.safetensors' }),
        'model.safetensors': shard1,
      },
      errors: [
        {
          messageId: 'missing',
          path: 'model.safetensors.index.json',
          line: 6,
          column: 5,
          message: 'Shard Model.safetensors is missing',
        },
      ],
    },
    {
      name: '5 of 6 shards missing: still one finding each',
      files: { 'model.safetensors.index.json': index(numbered(6)), [shardName(6, 6)]: shard1 },
      errors: Array.from({ length: 5 }, (_, i) => ({
        messageId: 'missing',
        path: 'model.safetensors.index.json',
        line: 6 + i,
        column: 5,
        message: `Shard ${shardName(i + 1, 6)} is missing`,
      })),
    },
    {
      name: '6 of 7 shards missing: one finding with the count, on the first one',
      files: { 'model.safetensors.index.json': index(numbered(7)), [shardName(7, 7)]: shard1 },
      errors: [
        {
          messageId: 'manyMissing',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map/t.1',
          line: 6,
          column: 5,
          message:
            '6 of the 7 shards the index names are missing: model-00001-of-00007.safetensors, model-00002-of-00007.safetensors, model-00003-of-00007.safetensors, model-00004-of-00007.safetensors, model-00005-of-00007.safetensors and model-00006-of-00007.safetensors.',
        },
      ],
    },
    {
      name: 'every shard missing: one finding with the count and the first names, on the weight map',
      files: { 'model.safetensors.index.json': index(numbered(30)) },
      errors: [
        {
          messageId: 'allMissing',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map',
          line: 5,
          column: 3,
          message:
            'All 30 shards listed in model.safetensors.index.json are missing: model-00001-of-00030.safetensors, model-00002-of-00030.safetensors, model-00003-of-00030.safetensors, model-00004-of-00030.safetensors, model-00005-of-00030.safetensors and 25 more.',
        },
      ],
    },
    {
      name: 'both shards of two missing: one finding, not one each',
      files: { 'model.safetensors.index.json': index({ a: S1, b: S2, c: S2 }) },
      errors: [
        {
          messageId: 'allMissing',
          path: 'model.safetensors.index.json',
          line: 5,
          column: 3,
          message:
            'All 2 shards listed in model.safetensors.index.json are missing: model-00001-of-00002.safetensors and model-00002-of-00002.safetensors.',
        },
      ],
    },
    {
      name: 'a shard that is a folder',
      files: {
        'model.safetensors.index.json': index({ a: S1, b: S2 }),
        [S1]: shard1,
        [S2]: { directory: true },
      },
      errors: [
        {
          messageId: 'notFile',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map/b',
          line: 7,
          column: 5,
          message: 'Shard model-00002-of-00002.safetensors, named by the index, is not a regular file.',
        },
      ],
    },
    {
      name: 'missing shards first, then shards that are not files',
      files: { 'model.safetensors.index.json': index({ a: S1, b: S2 }), [S1]: { directory: true } },
      errors: [
        { messageId: 'missing', path: 'model.safetensors.index.json', line: 7, column: 5 },
        { messageId: 'notFile', path: 'model.safetensors.index.json', line: 6, column: 5 },
      ],
    },
    {
      name: 'a severity set by the user',
      files: { 'model.safetensors.index.json': index({ a: S1 }) },
      level: 'warning',
      errors: [
        {
          messageId: 'missing',
          path: 'model.safetensors.index.json',
          line: 6,
          column: 5,
          severity: 'warning',
        },
      ],
    },
  ],
})

const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' }
const MR30X = /^MR3(0\d|10)$/
const weightRules = allRules.filter((r) => MR30X.test(r.meta.id))
const run = (files: Record<string, MemoryEntry>) => runModelRules(memorySource(files), weightRules, options)

describe('MR306 beyond the in-memory cases', () => {
  it('a link inside the folder that leads to a folder is not a regular file', async () => {
    const base = memorySource({ 'model.safetensors.index.json': index({ a: S1 }), [S1]: { directory: true } })
    const source: Source = {
      ...base,
      async list() {
        const listing = await base.list()
        return {
          ...listing,
          entries: listing.entries.map((e) => (e.path === S1 ? { ...e, link: 'inside' as const } : e)),
        }
      },
    }
    const findings = await runModelRules(source, [rule], options)
    expect(findings.map((f) => [f.messageId, f.location.line])).toEqual([['notFile', 6]])
  })

  // An index of 100,000 absent shards: __tests__/scale/model-rules.test.ts.

  it('a missing shard is reported by MR306 alone: no mismatch, total-size or numbering finding', async () => {
    // total_size is wrong on purpose: with a shard missing, it cannot be checked.
    const findings = await run({
      'model.safetensors.index.json': index({ a: S1, b: S2, c: S2 }, 999),
      [S1]: shard1,
    })
    expect(findings.map((f) => `${f.ruleId} ${f.messageId}`)).toEqual(['MR306 missing'])
  })
})

const CORPUS = path.join(CORPUS_ROOT, 'models')

function corpusRepo(name: string): Record<string, Uint8Array> {
  const dir = path.join(CORPUS, name)
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f !== 'SOURCE.txt') // the corpus's own note, not part of the model
      .map((f) => [f, readFileSync(path.join(dir, f))]),
  )
}

describe('MR306 on the real indexes of the corpus (their shards are not in it)', () => {
  const names = existsSync(CORPUS)
    ? readdirSync(CORPUS)
        .filter((d) => existsSync(path.join(CORPUS, d, 'model.safetensors.index.json')))
        .sort()
    : []
  if (names.length === 0) {
    it('is skipped: no corpus', () => {
      console.log(`${CORPUS} is absent: corpus tests of MR306 skipped`)
    })
    return
  }

  it.each(names)('%s', async (name) => {
    const files = corpusRepo(name)
    const map = (
      JSON.parse(Buffer.from(files['model.safetensors.index.json']).toString('utf8')) as {
        weight_map: Record<string, string>
      }
    ).weight_map
    const named = [...new Set(Object.values(map))]
    const absent = named.filter((s) => !(s in files))

    const findings = await runModelRules(memorySource(files), allRules, options)
    expect(findings.filter((f) => f.messageId === 'crashed')).toEqual([])
    const missing = findings.filter((f) => f.ruleId === 'MR306')
    if (!Object.keys(files).some((f) => f.endsWith('.safetensors'))) {
      // No weights at the root at all: missing-safetensors says so, and the missing shards fold into it.
      expect(missing).toEqual([])
      expect(findings.find((f) => f.ruleId === 'MR102')?.message).toBe(
        `No safetensors weights (*.safetensors) at the root of the model; model.safetensors.index.json names ${plural(named.length, 'shard')}, and ${named.length === 1 ? 'it is not' : 'none is'} there. It explains 1 more finding, folded into this one: MR306 missing-shard.`,
      )
    } else if (absent.length > 1 && absent.length === named.length) {
      expect(missing.map((f) => f.message)).toEqual([
        expect.stringMatching(
          new RegExp(`^All ${named.length} shards listed in model.safetensors.index.json`),
        ),
      ])
    } else if (absent.length > 5) {
      expect(missing.map((f) => f.message)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${absent.length.toLocaleString('en-US')} of the ${named.length.toLocaleString('en-US')} shards the index names are missing: `,
          ),
        ),
      ])
    } else {
      expect(missing.map((f) => f.message.replace(/^Shard (\S+) is missing: .*$/, '$1'))).toEqual(absent)
      for (const f of missing) expect(f.location.line).toBeGreaterThan(0)
    }
    // Nothing else about the index or weights: the shards that are there are clean, or are LFS pointers.
    const others = findings.filter((f) => MR30X.test(f.ruleId) && f.ruleId !== 'MR306')
    expect(others.map((f) => f.ruleId)).toEqual(
      name === 'deepseek-ai__DeepSeek-R1-Distill-Qwen-32B' ? ['MR304'] : [],
    )
  })
})
