// MR305: model.safetensors.index.json must parse, have a weight_map, and name only plain shard files
// at the root. Names that would reach outside the folder are reported here and never opened, so no
// other rule (missing-shard, shard-numbering, the header rules) reports them again.
import { describe, expect, it } from '@jest/globals'
import { modelRules as allRules } from '../../../src/rules/registry.js'
import { runModelRules } from '../../../src/engine/run-model.js'
import rule from '../../../src/rules/model/invalid-shard-index.js'
import { memorySource, type MemoryEntry } from '../../../src/sources/memory.js'
import type { Source } from '../../../src/sources/source.js'
import { ruleTester } from '../../helpers/rule-tester.js'
import { makeSafetensors } from '../../helpers/safetensors.js'

/**
 * The index as save_pretrained writes it (2-space indent). Line 1 `{`, line 2 `"metadata": {`,
 * line 3 `"total_size": …`, line 4 `},`, line 5 `"weight_map": {` (key at column 3), and the i-th
 * entry of the map on line 5 + i, its key at column 5.
 */
const index = (weightMap: unknown, metadata: unknown = { total_size: 8 }) =>
  JSON.stringify({ metadata, weight_map: weightMap }, null, 2) + '\n'

const shard = makeSafetensors({ a: { dtype: 'F16', shape: [2] }, b: { dtype: 'F16', shape: [2] } })
const POINTER = 'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 20919\n'

ruleTester(rule, {
  valid: [
    {
      name: 'an index naming shards at the root',
      files: {
        'model.safetensors.index.json': index({
          a: 'model-00001-of-00001.safetensors',
          b: 'model-00001-of-00001.safetensors',
        }),
        'model-00001-of-00001.safetensors': shard,
      },
    },
    { name: 'no index (a single model.safetensors)', files: { 'model.safetensors': shard } },
    {
      name: 'shards the index names are absent: missing-shard reports them',
      files: {
        'model.safetensors.index.json': index({
          a: 'model-00001-of-00002.safetensors',
          b: 'model-00002-of-00002.safetensors',
        }),
      },
    },
    {
      name: 'shard names that are not numbered are fine here (consolidated.safetensors, embed_tokens.safetensors)',
      files: {
        'model.safetensors.index.json': index({
          a: 'consolidated.safetensors',
          b: 'embed_tokens.safetensors',
        }),
      },
    },
    {
      name: "NaN as Python's json reads it (total_size is shard-index-total-size's)",
      files: { 'model.safetensors.index.json': '{"metadata": {"total_size": NaN}, "weight_map": {}}' },
    },
    {
      name: 'a Git LFS pointer instead of the index: lfs-pointer-files reports it',
      files: { 'model.safetensors.index.json': POINTER },
    },
    {
      name: 'a link leaving the folder: link-outside-model reports it',
      files: { 'model.safetensors.index.json': { link: 'outside' } },
    },
    {
      name: 'a broken link: link-outside-model reports it',
      files: { 'model.safetensors.index.json': { link: 'broken' } },
    },
    {
      name: 'an index in a subfolder is not read',
      files: { 'checkpoint-500/model.safetensors.index.json': '[]', 'model.safetensors': shard },
    },
  ],
  invalid: [
    {
      name: 'no metadata: transformers fails with a KeyError (a warning, on the document)',
      files: { 'model.safetensors.index.json': '{"weight_map": {}}' },
      errors: [{ messageId: 'noMetadata', path: 'model.safetensors.index.json' }],
    },
    {
      name: 'empty',
      files: { 'model.safetensors.index.json': '' },
      errors: [
        {
          messageId: 'invalid',
          path: 'model.safetensors.index.json',
          message: 'model.safetensors.index.json is empty.',
        },
      ],
    },
    {
      name: 'a trailing comma: at the line and column of the error',
      // Line 3 ends with a comma, so line 4's "}" comes where a key should.
      files: {
        'model.safetensors.index.json':
          '{\n  "weight_map": {\n    "a": "model-00001-of-00001.safetensors",\n  }\n}\n',
      },
      errors: [
        {
          messageId: 'invalid',
          path: 'model.safetensors.index.json',
          line: 4,
          column: 3,
          message:
            'model.safetensors.index.json is not valid JSON: a property name in double quotes is expected at line 4, column 3.',
        },
      ],
    },
    {
      name: 'a JSON array',
      files: { 'model.safetensors.index.json': '[\n  "model-00001-of-00001.safetensors"\n]\n' },
      errors: [
        {
          messageId: 'invalid',
          path: 'model.safetensors.index.json',
          line: 1,
          column: 1,
          message: 'model.safetensors.index.json must hold a JSON object but holds an array.',
        },
      ],
    },
    {
      name: 'a byte-order mark',
      files: { 'model.safetensors.index.json': '\ufeff' + index({}) },
      errors: [
        {
          messageId: 'invalid',
          path: 'model.safetensors.index.json',
          line: 1,
          column: 1,
          message: 'byte-order mark',
        },
      ],
    },
    {
      name: 'over 64 MiB: not parsed, no line',
      files: {
        'model.safetensors.index.json': (() => {
          const data = new Uint8Array(64 * 1024 * 1024 + 1).fill(0x20)
          data[0] = 0x7b
          data[data.length - 1] = 0x7d
          return data
        })(),
      },
      errors: [
        {
          messageId: 'invalid',
          path: 'model.safetensors.index.json',
          message:
            'model.safetensors.index.json is 67,108,865 bytes, more than the 64 MiB such a file can reasonably be, so it was not parsed.',
        },
      ],
    },
    {
      name: 'a folder',
      files: { 'model.safetensors.index.json': { directory: true } },
      errors: [
        {
          messageId: 'notFile',
          path: 'model.safetensors.index.json',
          message: 'model.safetensors.index.json is a folder, not a file Friendli can read.',
        },
      ],
    },
    {
      name: 'no weight_map: on the whole document',
      files: { 'model.safetensors.index.json': JSON.stringify({ metadata: { total_size: 8 } }, null, 2) },
      errors: [
        {
          messageId: 'noWeightMap',
          path: 'model.safetensors.index.json',
          message: 'model.safetensors.index.json has no "weight_map", so no loader can find the shards.',
        },
      ],
    },
    {
      name: 'weight_map that is a list of files: at its key, line 5',
      files: { 'model.safetensors.index.json': index(['model-00001-of-00001.safetensors']) },
      errors: [
        {
          messageId: 'noWeightMap',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map',
          line: 5,
          column: 3,
          message:
            '"weight_map" in model.safetensors.index.json must map tensor names to shard files but is an array.',
        },
      ],
    },
    {
      name: 'weight_map: null',
      files: { 'model.safetensors.index.json': index(null) },
      errors: [
        {
          messageId: 'noWeightMap',
          path: 'model.safetensors.index.json',
          line: 5,
          column: 3,
          message: 'but is null.',
        },
      ],
    },
    {
      name: 'values that are not file names, each at its own line; tensor names with "/" and "~" escaped in the pointer',
      files: {
        'model.safetensors.index.json': index({
          'model.embed_tokens.weight': 'model-00001-of-00001.safetensors',
          'model.norm.weight': 1,
          'vision/tower~0': ['model-00001-of-00001.safetensors'],
        }),
      },
      errors: [
        {
          messageId: 'notString',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map/model.norm.weight',
          line: 7,
          column: 5,
          message: 'The index maps tensor model.norm.weight to a number instead of a shard file name.',
        },
        {
          messageId: 'notString',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map/vision~1tower~00',
          line: 8,
          column: 5,
          message: 'The index maps tensor vision/tower~0 to an array instead of a shard file name.',
        },
      ],
    },
    {
      name: 'every kind of unsafe shard name: one finding per name, at the first tensor mapped to it',
      files: {
        'model.safetensors.index.json': index({
          t1: 'weights/model-00001-of-00002.safetensors', // line 6
          t2: 'weights\\model-00002-of-00002.safetensors', // line 7
          t3: '../model.safetensors', // line 8
          t4: '/data/model.safetensors', // line 9
          t5: 'C:\\models\\model.safetensors', // line 10
          t6: 'https://huggingface.co/org/model/resolve/main/model.safetensors', // line 11
          t7: 's3://bucket/model.safetensors', // line 12
          t8: 'pytorch_model-00001-of-00002.bin', // line 13
          t9: 'model.safetensors.index.json', // line 14: the index names itself
          t10: '', // line 15
          t11: '../model.safetensors', // line 16: the same name again only adds to the count
          t12: 'model-00001-of-00001.safetensors', // line 17: fine
        }),
      },
      errors: [
        {
          messageId: 'unsafeName',
          path: 'model.safetensors.index.json',
          pointer: '/weight_map/t1',
          line: 6,
          column: 5,
          message:
            'The index maps a tensor to "weights/model-00001-of-00002.safetensors", which is in a subfolder, where Friendli does not look; it was not opened.',
        },
        {
          messageId: 'unsafeName',
          path: 'model.safetensors.index.json',
          line: 7,
          column: 5,
          message: '"weights\\model-00002-of-00002.safetensors", which is in a subfolder',
        },
        {
          messageId: 'unsafeName',
          path: 'model.safetensors.index.json',
          line: 8,
          column: 5,
          message:
            'The index maps 2 tensors to "../model.safetensors", which climbs out of the folder with ..; it was not opened.',
        },
        {
          messageId: 'unsafeName',
          path: 'model.safetensors.index.json',
          line: 9,
          column: 5,
          message: '"/data/model.safetensors", which is an absolute path;',
        },
        {
          messageId: 'unsafeName',
          path: 'model.safetensors.index.json',
          line: 10,
          column: 5,
          message: '"C:\\models\\model.safetensors", which is an absolute path;',
        },
        {
          messageId: 'unsafeName',
          path: 'model.safetensors.index.json',
          line: 11,
          column: 5,
          message: 'which is a URL;',
        },
        {
          messageId: 'unsafeName',
          path: 'model.safetensors.index.json',
          line: 12,
          column: 5,
          message: 'which is a URL;',
        },
        {
          messageId: 'unsafeName',
          path: 'model.safetensors.index.json',
          line: 13,
          column: 5,
          message: '"pytorch_model-00001-of-00002.bin", which does not end in .safetensors;',
        },
        {
          messageId: 'unsafeName',
          path: 'model.safetensors.index.json',
          line: 14,
          column: 5,
          message:
            'The index maps a tensor to "model.safetensors.index.json", which does not end in .safetensors; it was not opened.',
        },
        {
          messageId: 'unsafeName',
          path: 'model.safetensors.index.json',
          line: 15,
          column: 5,
          message: 'The index maps a tensor to "", which is empty; it was not opened.',
        },
      ],
    },
    {
      name: 'a one-line index: the column finds the entry',
      // `{"weight_map": {` is 16 characters, `"a": "x.safetensors", ` 22 more: "b" starts at column 39.
      files: {
        'model.safetensors.index.json': '{"weight_map": {"a": "x.safetensors", "b": "../y.safetensors"}}',
      },
      errors: [
        { messageId: 'noMetadata', path: 'model.safetensors.index.json' },
        { messageId: 'unsafeName', path: 'model.safetensors.index.json', line: 1, column: 39 },
      ],
    },
    {
      name: 'a severity set by the user',
      files: { 'model.safetensors.index.json': '' },
      level: 'warning',
      errors: [{ messageId: 'invalid', path: 'model.safetensors.index.json', severity: 'warning' }],
    },
  ],
})

const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' }

describe('MR305 beyond the in-memory cases', () => {
  it('a link inside the folder that leads to a folder is not a file: reported here', async () => {
    // memorySource has no inside links: mark the folder's entry as one.
    const base = memorySource({ 'model.safetensors.index.json': { directory: true } })
    const source: Source = {
      ...base,
      async list() {
        const listing = await base.list()
        return { ...listing, entries: listing.entries.map((e) => ({ ...e, link: 'inside' as const })) }
      },
    }
    const findings = await runModelRules(source, [rule], options)
    expect(findings.map((f) => `${f.messageId} ${f.location.path}: ${f.message}`)).toEqual([
      'notFile model.safetensors.index.json: model.safetensors.index.json is a folder, not a file Friendli can read.',
    ])
  })

  // Indexes of 100,000 entries and of 100,000 shards: __tests__/scale/model-rules.test.ts.

  it('unsafe names are reported once: not as missing shards, gaps in a series or mismatches', async () => {
    const files: Record<string, MemoryEntry> = {
      'model.safetensors.index.json': index({
        a: '../model-00001-of-00003.safetensors',
        b: 'weights/model-00002-of-00003.safetensors',
        c: 'https://example.com/model-00003-of-00003.safetensors',
        d: '/model-00003-of-00005.safetensors',
      }),
    }
    const findings = await runModelRules(
      memorySource(files),
      allRules.filter((r) => /^MR3(0\d|10)$/.test(r.meta.id)),
      options,
    )
    expect(findings.map((f) => `${f.ruleId} ${f.messageId}`)).toEqual(Array(4).fill('MR305 unsafeName'))
  })
})
