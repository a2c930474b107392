// MR307: numbered shards (`<prefix>-0000k-of-0000n.safetensors`) form a series: every number 1..n
// present or named, one n per prefix, and every numbered file at the root named by the index.
import { describe, expect, it } from '@jest/globals'
import { modelRules as allRules } from '../../../src/rules/registry.js'
import { runModelRules } from '../../../src/engine/run-model.js'
import rule from '../../../src/rules/model/shard-numbering.js'
import { memorySource } from '../../../src/sources/memory.js'
import { ruleTester } from '../../helpers/rule-tester.js'
import { makeSafetensors } from '../../helpers/safetensors.js'

/** Lines 1-5: `{`, `"metadata": {`, `"total_size": 8`, `},`, `"weight_map": {` (key at column 3). */
const index = (weightMap: Record<string, unknown>) =>
  JSON.stringify({ metadata: { total_size: 8 }, weight_map: weightMap }, null, 2) + '\n'

const shard = makeSafetensors({ a: { dtype: 'F16', shape: [2] } })
const name = (k: number, n: number, prefix = 'model') =>
  `${prefix}-${String(k).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`
/** The index naming shards 1..n (one tensor each), and those shards, as save_pretrained writes them. */
function series(n: number, present = true): Record<string, Uint8Array | string> {
  const files: Record<string, Uint8Array | string> = {}
  const map: Record<string, string> = {}
  for (let k = 1; k <= n; k++) {
    map[`t${k}`] = name(k, n)
    if (present) files[name(k, n)] = shard
  }
  return { 'model.safetensors.index.json': index(map), ...files }
}
const WHERE = { path: 'model.safetensors.index.json', pointer: '/weight_map', line: 5, column: 3 }

ruleTester(rule, {
  valid: [
    { name: 'a complete series with its index', files: series(3) },
    { name: 'a single model.safetensors', files: { 'model.safetensors': shard } },
    {
      name: 'a complete series without an index (missing-safetensors and friends judge that)',
      files: { [name(1, 2)]: shard, [name(2, 2)]: shard },
    },
    {
      name: 'shards the index names but that are absent complete the series: missing-shard reports them',
      files: series(4, false),
    },
    {
      name: 'names that are not numbered (one tensor per file, consolidated.safetensors)',
      files: {
        'model.safetensors.index.json': index({
          'model.embed_tokens.weight': 'embed_tokens.safetensors',
          'model.layers.0.input_layernorm.weight':
            'model-00001-model.layers.0.input_layernorm.weight.safetensors',
        }),
        'embed_tokens.safetensors': shard,
        'model-00001-model.layers.0.input_layernorm.weight.safetensors': shard,
        'consolidated.safetensors': shard,
      },
    },
    {
      name: 'a series counted from 0, as gpt-oss names its shards (00000, 00001, 00002 of 00002)',
      files: {
        'model.safetensors.index.json': index({ a: name(0, 2), b: name(1, 2), c: name(2, 2) }),
        [name(0, 2)]: shard,
        [name(1, 2)]: shard,
        [name(2, 2)]: shard,
      },
    },
    {
      name: 'unsafe names are invalid-shard-index’s alone: no series is built from them',
      files: {
        'model.safetensors.index.json': index({
          a: `../${name(1, 3)}`,
          b: `weights/${name(2, 3)}`,
          c: `https://example.com/${name(3, 5)}`,
        }),
      },
    },
    {
      name: 'a series of more than 100,000 is not enumerated (a typo in n)',
      files: { 'model.safetensors.index.json': index({ a: name(1, 999_999) }), [name(1, 999_999)]: shard },
    },
    {
      name: 'numbered shards in a subfolder are not looked at',
      files: { ...series(2), [`checkpoint-500/${name(1, 3)}`]: shard },
    },
    {
      name: 'a folder with a shard name is not a shard (missing-shard reports it when named)',
      files: { [name(1, 1)]: shard, [name(1, 2)]: { directory: true } },
    },
  ],
  invalid: [
    {
      name: 'a numbered shard the index does not name: on the index, without a line',
      files: {
        'model.safetensors.index.json': index({ a: name(1, 2), b: name(1, 2) }),
        [name(1, 2)]: shard,
        [name(2, 2)]: shard,
      },
      errors: [
        {
          messageId: 'unreferenced',
          path: 'model.safetensors.index.json',
          message:
            '1 numbered shard is not named by model.safetensors.index.json: model-00002-of-00002.safetensors; Friendli downloads it but no loader reads it.',
        },
      ],
    },
    {
      name: 'shards of an earlier save next to the new series: unreferenced, and two values of n',
      files: { ...series(2), [name(1, 3)]: shard, [name(2, 3)]: shard, [name(3, 3)]: shard },
      errors: [
        {
          messageId: 'unreferenced',
          path: 'model.safetensors.index.json',
          message:
            '3 numbered shards are not named by model.safetensors.index.json: model-00001-of-00003.safetensors, model-00002-of-00003.safetensors and model-00003-of-00003.safetensors; Friendli downloads them but no loader reads them.',
        },
        {
          ...WHERE,
          messageId: 'totals',
          message:
            'Shards named model-*-of-N disagree on N (2 and 3): files of two different saves are mixed.',
        },
      ],
    },
    {
      name: 'a gap in the series without an index: on the folder',
      files: { [name(1, 3)]: shard, [name(3, 3)]: shard },
      errors: [
        {
          messageId: 'gaps',
          path: '.',
          message: 'The shard series model-*-of-00003 lacks 1 number: 2.',
        },
      ],
    },
    {
      name: 'a number neither present nor named: on the weight_map',
      files: {
        'model.safetensors.index.json': index({ a: name(1, 4), b: name(2, 4), d: name(4, 4) }),
        [name(1, 4)]: shard,
        [name(2, 4)]: shard,
        [name(4, 4)]: shard,
      },
      errors: [
        // A missing shard has no line: on the weight_map, without the line of its opening brace.
        {
          path: 'model.safetensors.index.json',
          pointer: '/weight_map',
          messageId: 'gaps',
          message: 'The shard series model-*-of-00004 lacks 1 number: 3.',
        },
      ],
    },
    {
      name: 'eight numbers missing: all named',
      files: { [name(1, 9)]: shard },
      errors: [
        {
          messageId: 'gaps',
          path: '.',
          message: 'The shard series model-*-of-00009 lacks 8 numbers: 2, 3, 4, 5, 6, 7, 8 and 9.',
        },
      ],
    },
    {
      name: 'nine numbers missing: the first eight, and how many more',
      files: { [name(1, 10)]: shard },
      errors: [
        {
          messageId: 'gaps',
          path: '.',
          message: 'The shard series model-*-of-00010 lacks 9 numbers: 2, 3, 4, 5, 6, 7, 8, 9 and 1 more.',
        },
      ],
    },
    {
      name: 'a long series with most of it absent',
      files: { [name(1, 100)]: shard, [name(50, 100)]: shard },
      errors: [
        {
          messageId: 'gaps',
          path: '.',
          message: 'The shard series model-*-of-00100 lacks 98 numbers: 2, 3, 4, 5, 6, 7, 8, 9 and 90 more.',
        },
      ],
    },
    {
      name: 'the largest series that is enumerated: 100,000',
      files: { [`model-000001-of-100000.safetensors`]: shard },
      errors: [
        {
          messageId: 'gaps',
          path: '.',
          message:
            'The shard series model-*-of-100000 lacks 99,999 numbers: 2, 3, 4, 5, 6, 7, 8, 9 and 99,991 more.',
        },
      ],
    },
    {
      name: 'many values of n (2 to 12): the list is cut',
      files: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [name(1, i + 2), shard])),
      errors: [
        {
          messageId: 'totals',
          path: '.',
          message:
            'Shards named model-*-of-N disagree on N (2, 3, 4, 5, 6, 7, 8, 9 and 3 more): files of two different saves are mixed.',
        },
      ],
    },
    {
      name: 'each prefix is its own series',
      files: {
        [name(1, 2)]: shard,
        [name(2, 2)]: shard,
        [name(1, 2, 'consolidated')]: shard,
        [name(1, 3, 'adapter')]: shard,
      },
      errors: [
        // In the order the files are listed: by path.
        {
          messageId: 'gaps',
          path: '.',
          message: 'The shard series adapter-*-of-00003 lacks 2 numbers: 2 and 3.',
        },
        {
          messageId: 'gaps',
          path: '.',
          message: 'The shard series consolidated-*-of-00002 lacks 1 number: 2.',
        },
      ],
    },
    {
      name: 'a severity set by the user',
      files: { [name(1, 3)]: shard, [name(3, 3)]: shard },
      level: 'error',
      errors: [{ messageId: 'gaps', path: '.', severity: 'error' }],
    },
  ],
})

describe('MR307 on large inputs', () => {
  // 100,000 one-shard series, and 100,000 values of n: __tests__/scale/model-rules.test.ts.

  it('a gap and the missing shards of a series: MR307 names the number nobody names, MR306 the absent files', async () => {
    const findings = await runModelRules(
      memorySource({ 'model.safetensors.index.json': index({ a: name(1, 3), c: name(3, 3) }) }),
      allRules.filter((r) => /^MR3(0\d|10)$/.test(r.meta.id)),
      { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' },
    )
    expect(findings.map((f) => `${f.ruleId} ${f.message}`)).toEqual([
      'MR306 All 2 shards listed in model.safetensors.index.json are missing: model-00001-of-00003.safetensors and model-00003-of-00003.safetensors.',
      'MR307 The shard series model-*-of-00003 lacks 1 number: 2.',
    ])
  })
})
