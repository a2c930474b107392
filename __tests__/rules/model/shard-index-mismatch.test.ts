// MR308: the index and the shard headers must agree: each mapped tensor in the shard the index names,
// each tensor of a named shard in the map, and no tensor in two shards. Shards that are missing,
// unreadable or LFS pointers are left to the rules that report them.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { modelRules as allRules } from '../../../src/rules/registry.js'
import { runModelRules } from '../../../src/engine/run-model.js'
import rule from '../../../src/rules/model/shard-index-mismatch.js'
import { memorySource, type MemoryEntry } from '../../../src/sources/memory.js'
import { ruleTester } from '../../helpers/rule-tester.js'
import { makeSafetensors, type TensorSpec } from '../../helpers/safetensors.js'
import { CORPUS_ROOT } from '../../helpers/corpus.js'

/** Lines 1-5: `{`, `"metadata": {`, `"total_size": …`, `},`, `"weight_map": {`; entry i on line 5 + i, column 5. */
const index = (weightMap: Record<string, unknown>, totalSize = 12) =>
  JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2) + '\n'

const S1 = 'model-00001-of-00002.safetensors'
const S2 = 'model-00002-of-00002.safetensors'
const f16 = (n = 2): TensorSpec => ({ dtype: 'F16', shape: [n] })
const tensors = (...names: string[]) => makeSafetensors(Object.fromEntries(names.map((n) => [n, f16()])))
/** `a` in shard 1, `b` and `c` in shard 2, and the index that says so. */
const files = (map: Record<string, unknown> = { a: S1, b: S2, c: S2 }): Record<string, MemoryEntry> => ({
  'model.safetensors.index.json': index(map),
  [S1]: tensors('a'),
  [S2]: tensors('b', 'c'),
})
const POINTER = 'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 8\n'

ruleTester(rule, {
  valid: [
    { name: 'index and shards agree', files: files() },
    { name: 'no index', files: { 'model.safetensors': tensors('a') } },
    {
      name: 'a missing shard: missing-shard reports it',
      files: { 'model.safetensors.index.json': index({ a: S1, b: S2, c: S2 }), [S1]: tensors('a') },
    },
    {
      name: 'a shard that is an LFS pointer: lfs-pointer-files reports it',
      files: { ...files(), [S2]: POINTER },
    },
    {
      name: 'a shard whose header is broken: invalid-safetensors-header reports it',
      files: { ...files(), [S2]: new Uint8Array(5) },
    },
    {
      name: 'a shard with a layout error: invalid-tensor-layout reports it, its tensors are not trusted',
      files: { ...files(), [S2]: Buffer.concat([tensors('b'), Buffer.from('junk')]) },
    },
    {
      name: 'a shard without __metadata__ (a warning elsewhere) is still compared, and agrees',
      files: { ...files(), [S2]: makeSafetensors({ b: f16(), c: f16() }, null) },
    },
    {
      name: 'a numbered shard the index does not name: shard-numbering reports it, its tensors are not compared',
      files: { ...files(), 'model-00003-of-00003.safetensors': tensors('a', 'z') },
    },
    {
      name: 'unsafe names: invalid-shard-index reports them',
      files: { 'model.safetensors.index.json': index({ a: `../${S1}`, b: `sub/${S2}` }), [S1]: tensors('a') },
    },
    {
      name: 'an index that does not parse: invalid-shard-index reports it',
      files: { ...files(), 'model.safetensors.index.json': '{"weight_map": ' },
    },
    {
      name: 'a tensor of zero elements and a scalar, mapped like the others',
      files: {
        'model.safetensors.index.json': index({ empty: S1, scalar: S1 }),
        [S1]: makeSafetensors({ empty: { dtype: 'F16', shape: [0] }, scalar: { dtype: 'F16', shape: [] } }),
      },
    },
  ],
  invalid: [
    {
      name: 'the index maps a tensor to a shard whose header lacks it: at that entry',
      files: files({ a: S1, b: S2, c: S2, d: S2 }),
      errors: [
        {
          messageId: 'notInShard',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map/d',
          line: 9,
          column: 5,
          message: 'The index maps 1 tensor to model-00002-of-00002.safetensors, whose header lacks it: d.',
        },
      ],
    },
    {
      name: 'many such tensors: one finding per shard, at the first, the list cut at five',
      files: files({ a: S1, b: S2, c: S2, d1: S2, d2: S2, d3: S2, d4: S2, d5: S2, d6: S2, d7: S2 }),
      errors: [
        {
          messageId: 'notInShard',
          path: 'model.safetensors.index.json',
          line: 9,
          column: 5,
          message:
            'The index maps 7 tensors to model-00002-of-00002.safetensors, whose header lacks them: d1, d2, d3, d4, d5 and 2 more.',
        },
      ],
    },
    {
      name: 'a shard holds a tensor the index does not map: on the shard file',
      files: files({ a: S1, b: S2 }),
      errors: [
        {
          messageId: 'notInMap',
          path: S2,
          message:
            'model-00002-of-00002.safetensors holds 1 tensor the index does not map, so loaders never read it: c.',
        },
      ],
    },
    {
      name: 'an index from another save (renamed tensors): both directions',
      files: files({ 'model.a': S1, b: S2, c: S2 }),
      errors: [
        {
          messageId: 'notInShard',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map/model.a',
          line: 6,
          column: 5,
          message:
            'The index maps 1 tensor to model-00001-of-00002.safetensors, whose header lacks it: model.a.',
        },
        {
          messageId: 'notInMap',
          path: S1,
          message: 'holds 1 tensor the index does not map, so loaders never read it: a.',
        },
      ],
    },
    {
      name: 'the same tensor in two shards: on the weight_map',
      files: { ...files(), [S2]: tensors('a', 'b', 'c') },
      errors: [
        {
          messageId: 'twice',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map',
          line: 5,
          column: 3,
          message:
            '1 tensor is stored in more than one shard (model-00001-of-00002.safetensors and model-00002-of-00002.safetensors): a.',
        },
      ],
    },
    {
      name: 'a tensor in two shards that the index does not map at all: unmapped in each, and twice',
      files: {
        'model.safetensors.index.json': index({ a: S1, b: S2 }),
        [S1]: tensors('a', 'x'),
        [S2]: tensors('b', 'x'),
      },
      errors: [
        { messageId: 'notInMap', path: S1, message: 'never read it: x.' },
        { messageId: 'notInMap', path: S2, message: 'never read it: x.' },
        {
          messageId: 'twice',
          path: 'model.safetensors.index.json',
          line: 5,
          column: 3,
          message: 'more than one shard',
        },
      ],
    },
    {
      name: 'a severity set by the user',
      files: files({ a: S1, b: S2 }),
      level: 'warning',
      errors: [{ messageId: 'notInMap', path: S2, severity: 'warning' }],
    },
  ],
})

const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' }
const MR30X = /^MR3(0\d|10)$/

// MR308 on 100,000 tensors (one shard unmapped; two shards each): __tests__/scale/model-rules.test.ts.

const CORPUS = path.join(CORPUS_ROOT, 'models')
const RESHARDED = 'meta-llama__Llama-3.2-3B__resharded-per-tensor'

describe('MR308 on the real shards of Llama-3.2-3B, re-sharded one tensor per file', () => {
  if (!existsSync(path.join(CORPUS, RESHARDED))) {
    it('is skipped: no corpus', () => {
      console.log(`${CORPUS} is absent: corpus tests of MR308 skipped`)
    })
    return
  }
  const dir = path.join(CORPUS, RESHARDED)
  const real: Record<string, Uint8Array> = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f !== 'SOURCE.txt') // the corpus's own note, not part of the model
      .map((f) => [f, readFileSync(path.join(dir, f))]),
  )
  const shards = Object.keys(real).filter((f) => f.endsWith('.safetensors'))
  const fullIndex = JSON.parse(Buffer.from(real['model.safetensors.index.json']).toString('utf8')) as {
    weight_map: Record<string, string>
  }
  /** The real index cut down to the 11 shards the snapshot has; each holds one BF16 [3072] (6,144 bytes). */
  const presentIndex = JSON.stringify(
    {
      metadata: { total_size: shards.length * 6144 },
      weight_map: Object.fromEntries(
        Object.entries(fullIndex.weight_map).filter(([, s]) => shards.includes(s)),
      ),
    },
    null,
    2,
  )
  const weightRules = allRules.filter((r) => MR30X.test(r.meta.id))

  it('the real index: the shards there agree with it; only the absent ones are reported (MR306)', async () => {
    const findings = await runModelRules(memorySource(real), allRules, options)
    expect(findings.filter((f) => f.messageId === 'crashed')).toEqual([])
    expect(findings.filter((f) => MR30X.test(f.ruleId)).map((f) => `${f.ruleId} ${f.messageId}`)).toEqual([
      'MR306 manyMissing',
    ])
  })

  it('the index cut to the shards that are there: clean for MR301-MR310', async () => {
    expect(shards).toHaveLength(11)
    const findings = await runModelRules(
      memorySource({ ...real, 'model.safetensors.index.json': presentIndex }),
      weightRules,
      options,
    )
    expect(findings).toEqual([])
  })

  it('two real shards swapped under each other’s names: each mapped tensor is not where the index says', async () => {
    const [x, y] = shards
    const findings = await runModelRules(
      memorySource({ ...real, 'model.safetensors.index.json': presentIndex, [x]: real[y], [y]: real[x] }),
      weightRules,
      options,
    )
    expect(findings.map((f) => `${f.ruleId} ${f.messageId} ${f.location.path}`)).toEqual([
      'MR308 notInShard model.safetensors.index.json',
      'MR308 notInShard model.safetensors.index.json',
    ])
    // Each tensor is still mapped (to the other file), so neither is "not in the map".
    expect(findings[0].message).toBe(
      `The index maps 1 tensor to ${x}, whose header lacks it: model.layers.0.input_layernorm.weight.`,
    )
  })
})
