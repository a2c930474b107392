// MR309: metadata.total_size of the index should be the bytes of the tensors of the shards it names.
// It is checked only when every shard is there and readable: otherwise the real cause is reported by
// missing-shard, lfs-pointer-files or the header rules, and a size comparison would only add noise.
import rule from '../../../src/rules/model/shard-index-total-size.js'
import type { MemoryEntry } from '../../../src/sources/memory.js'
import { ruleTester } from '../../helpers/rule-tester.js'
import { makeSafetensors } from '../../helpers/safetensors.js'

/** Line 1 `{`, line 2 `"metadata": {`, line 3 `"total_size": …` (key at column 5), then the weight_map. */
const index = (metadata: unknown, weightMap: Record<string, unknown> = { a: S1, b: S2, c: S2 }) =>
  JSON.stringify({ metadata, weight_map: weightMap }, null, 2) + '\n'

const S1 = 'model-00001-of-00002.safetensors'
const S2 = 'model-00002-of-00002.safetensors'
/** 4 bytes in shard 1 (a: F16 [2]), 8 in shard 2 (b, c): 12 bytes of tensors. */
const shards: Record<string, MemoryEntry> = {
  [S1]: makeSafetensors({ a: { dtype: 'F16', shape: [2] } }),
  [S2]: makeSafetensors({ b: { dtype: 'F16', shape: [2] }, c: { dtype: 'BF16', shape: [2] } }),
}
const files = (metadata: unknown, extra: Record<string, MemoryEntry> = {}) => ({
  'model.safetensors.index.json': index(metadata),
  ...shards,
  ...extra,
})
const AT = { path: 'model.safetensors.index.json', pointer: '/metadata/total_size', line: 3, column: 5 }

ruleTester(rule, {
  valid: [
    { name: 'the exact byte count', files: files({ total_size: 12 }) },
    { name: 'the exact byte count, written as a string', files: files({ total_size: '12' }) },
    { name: 'no metadata', files: files(undefined) },
    { name: 'metadata without total_size', files: files({ format: 'pt' }) },
    { name: 'total_size null is not compared', files: files({ total_size: null }) },
    { name: 'a fraction is not a byte count', files: files({ total_size: 12.5 }) },
    { name: 'total_size "12 GB"', files: files({ total_size: '12 GB' }) },
    { name: 'total_size beyond 2^53', files: files({ total_size: '99999999999999999999' }) },
    {
      name: 'a shard is missing: missing-shard reports it, the size cannot be checked',
      files: { 'model.safetensors.index.json': index({ total_size: 999 }), [S1]: shards[S1] },
    },
    {
      name: 'a shard is an LFS pointer: lfs-pointer-files reports it',
      files: files(
        { total_size: 999 },
        { [S2]: 'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 30\n' },
      ),
    },
    {
      name: 'a shard header is broken: invalid-safetensors-header reports it',
      files: files({ total_size: 999 }, { [S2]: new Uint8Array(7) }),
    },
    {
      name: 'a shard is cut off: invalid-tensor-layout reports it',
      files: files(
        { total_size: 999 },
        { [S2]: (shards[S2] as Uint8Array).subarray(0, (shards[S2] as Uint8Array).length - 2) },
      ),
    },
    {
      name: 'an unsafe shard name: invalid-shard-index reports it',
      files: {
        'model.safetensors.index.json': index({ total_size: 999 }, { a: S1, b: `../${S2}` }),
        ...shards,
      },
    },
    {
      name: 'a value that is not a shard name: invalid-shard-index reports it',
      files: { 'model.safetensors.index.json': index({ total_size: 999 }, { a: S1, b: 2 }), ...shards },
    },
    {
      name: 'a leftover shard the index does not name is not counted',
      files: files(
        { total_size: 12 },
        { 'model-00003-of-00003.safetensors': makeSafetensors({ z: { dtype: 'F32', shape: [100] } }) },
      ),
    },
    { name: 'no index', files: { 'model.safetensors': shards[S1] } },
  ],
  invalid: [
    {
      name: 'a stale total_size: at the value',
      files: files({ total_size: 13 }),
      errors: [
        {
          ...AT,
          messageId: 'mismatch',
          message: "metadata.total_size in the index is 13 bytes, but the shards' tensors take 12.",
        },
      ],
    },
    {
      name: 'a stale total_size written as a string',
      files: files({ total_size: '16' }),
      errors: [{ ...AT, messageId: 'mismatch', message: 'is 16 bytes, but' }],
    },
    {
      name: 'the parameter count instead of the byte count',
      files: files({ total_size: 6 }),
      errors: [{ ...AT, messageId: 'mismatch', message: 'is 6 bytes' }],
    },
    {
      name: 'the size of the real model the index was copied from: thousands separators',
      files: files({ total_size: 6_425_499_648 }),
      errors: [{ ...AT, messageId: 'mismatch', message: 'is 6,425,499,648 bytes' }],
    },
    {
      name: 'zero',
      files: files({ total_size: 0 }),
      errors: [{ ...AT, messageId: 'mismatch', message: 'is 0 bytes' }],
    },
    {
      name: 'metadata after the weight_map: the line follows the key',
      files: {
        ...shards,
        'model.safetensors.index.json':
          '{\n  "weight_map": {\n    "a": "model-00001-of-00002.safetensors",\n    "b": "model-00002-of-00002.safetensors",\n    "c": "model-00002-of-00002.safetensors"\n  },\n  "metadata": {"total_size": 20}\n}\n',
      },
      errors: [
        {
          messageId: 'mismatch',
          path: 'model.safetensors.index.json',
          pointer: '/metadata/total_size',
          line: 7,
          column: 16,
        },
      ],
    },
    {
      name: 'a severity set by the user',
      files: files({ total_size: 13 }),
      level: 'error',
      errors: [{ ...AT, messageId: 'mismatch', severity: 'error' }],
    },
  ],
})
