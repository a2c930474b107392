// MR301 on real safetensors bytes: each defect is a file built by makeSafetensors and then broken
// the way a bad writer, a cut-off upload or a hand edit breaks it.
import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/model/invalid-safetensors-header.js'
import { ruleTester, runRule } from '../../helpers/rule-tester.js'
import {
  assembleSafetensors,
  makeSafetensors,
  rewriteHeader,
  rewriteHeaderText,
} from '../../helpers/safetensors.js'

/** Two tensors, 16 + 4 bytes of data, with `__metadata__: {"format": "pt"}`, as save_pretrained writes. */
const good = makeSafetensors({
  'model.embed_tokens.weight': { dtype: 'BF16', shape: [4, 2] },
  'model.norm.weight': { dtype: 'BF16', shape: [2] },
})
/** One F16 tensor `w` of 2 elements (4 bytes of data). */
const small = makeSafetensors({ w: { dtype: 'F16', shape: [2] } })

/** An 8-byte little-endian length prefix. */
function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(n)
  return b
}

const LFS_POINTER =
  'version https://git-lfs.github.com/spec/v1\noid sha256:52addd84f7e83b6f5b54edfbcd11a9dc71ced13e63967e0e551fcdd071a09cac\nsize 8792578462\n'

ruleTester(rule, {
  valid: [
    { name: 'a file written like save_pretrained writes it', files: { 'model.safetensors': good } },
    {
      name: 'sharded weights with their index',
      files: {
        'model-00001-of-00002.safetensors': good,
        'model-00002-of-00002.safetensors': small,
        'model.safetensors.index.json': '{"weight_map": {}}',
      },
    },
    {
      name: 'an empty header and no data (the crate accepts it; MR303 reports the missing format)',
      files: { 'model.safetensors': assembleSafetensors('{}      ') },
    },
    {
      name: 'a zero-size tensor and a scalar, both legal',
      files: {
        'model.safetensors': makeSafetensors({
          empty: { dtype: 'F32', shape: [2, 0] },
          scalar: { dtype: 'F32', shape: [] },
        }),
      },
    },
    {
      name: 'trailing whitespace of any JSON kind after the header',
      files: { 'model.safetensors': rewriteHeaderText(small, (t) => t.trimEnd() + '\n\t\r ', false) },
    },
    {
      name: 'a Git LFS pointer instead of the weights: lfs-pointer-files reports it, the header is never parsed',
      files: { 'model.safetensors': LFS_POINTER },
    },
    {
      name: 'a gap between tensors: invalid-tensor-layout reports it',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => {
          h['model.norm.weight'].data_offsets = [17, 21]
        }),
      },
    },
    {
      name: 'no __metadata__: safetensors-metadata-format reports it',
      files: { 'model.safetensors': makeSafetensors({ w: { dtype: 'F16', shape: [2] } }, null) },
    },
    {
      name: 'a broken file in a subfolder is not read (nested-model and ignored-files deal with folders)',
      files: { 'model.safetensors': good, 'checkpoint-500/model.safetensors': new Uint8Array(7) },
    },
    {
      name: 'a folder named like a shard: missing-shard reports it when the index names it',
      files: { 'model.safetensors': good, 'model-00001-of-00001.safetensors': { directory: true } },
    },
    {
      name: 'a link leaving the folder is never opened: link-outside-model reports it',
      files: { 'model.safetensors': { link: 'outside' } },
    },
    {
      name: 'other files are not safetensors and are not read',
      files: { 'model.safetensors': good, 'pytorch_model.bin': new Uint8Array(3) },
    },
  ],
  invalid: [
    {
      name: 'a 0-byte file',
      files: { 'model.safetensors': new Uint8Array(0) },
      errors: [
        {
          messageId: 'tooSmall',
          path: 'model.safetensors',
          message:
            'model.safetensors is 0 bytes long, too short to hold the 8-byte header length every safetensors file starts with.',
        },
      ],
    },
    {
      name: 'a 7-byte file',
      files: { 'model.safetensors': new Uint8Array(7) },
      errors: [{ messageId: 'tooSmall', path: 'model.safetensors', message: 'is 7 bytes long' }],
    },
    {
      name: 'a header length of 2^63 − 1: refused from the first 8 bytes, exact in the message',
      files: { 'model.safetensors': Buffer.concat([u64(2n ** 63n - 1n), Buffer.from('{}      ')]) },
      errors: [
        {
          messageId: 'tooLarge',
          path: 'model.safetensors',
          message:
            'model.safetensors declares a header of 9223372036854775807 bytes, over the safetensors limit of 100,000,000.',
        },
      ],
    },
    {
      name: 'a header length of 2^64 − 1',
      files: { 'model.safetensors': Buffer.concat([u64(2n ** 64n - 1n), Buffer.from('{}')]) },
      errors: [{ messageId: 'tooLarge', path: 'model.safetensors', message: '18446744073709551615 bytes' }],
    },
    {
      name: 'one byte over the crate limit of 100,000,000',
      files: { 'model.safetensors': Buffer.concat([u64(100_000_001n), Buffer.from('{}')]) },
      errors: [{ messageId: 'tooLarge', path: 'model.safetensors', message: 'a header of 100000001 bytes' }],
    },
    {
      name: 'a file too large to be a pointer that starts like one: named as a likely LFS pointer',
      files: { 'model.safetensors': LFS_POINTER + 'x'.repeat(2000) },
      errors: [
        {
          messageId: 'tooLarge',
          path: 'model.safetensors',
          message: 'over the safetensors limit of 100,000,000; the file looks like a Git LFS pointer.',
        },
      ],
    },
    {
      name: 'a header length larger than the file',
      files: { 'model.safetensors': Buffer.concat([u64(1000n), Buffer.from('{}      ')]) },
      errors: [
        {
          messageId: 'pastEof',
          path: 'model.safetensors',
          message: 'model.safetensors declares a header of 1,000 bytes, longer than the file (16 bytes).',
        },
      ],
    },
    {
      name: 'exactly the crate limit, but past the end of the file',
      files: { 'model.safetensors': Buffer.concat([u64(100_000_000n), Buffer.from('{}')]) },
      errors: [
        {
          messageId: 'pastEof',
          path: 'model.safetensors',
          message: 'a header of 100,000,000 bytes, longer than the file (10 bytes).',
        },
      ],
    },
    {
      name: 'a header length one byte past the end (the data is cut into the header)',
      files: {
        'model.safetensors': assembleSafetensors('{}      ', new Uint8Array(0), 9n),
      },
      errors: [{ messageId: 'pastEof', path: 'model.safetensors', message: 'a header of 9 bytes' }],
    },
    {
      name: 'invalid UTF-8 in the header, at its file offset',
      // 8 bytes of length, then `{"a":"` (6 bytes): the 0xff is byte 14 of the file.
      files: {
        'model.safetensors': assembleSafetensors(
          new Uint8Array([...Buffer.from('{"a":"'), 0xff, ...Buffer.from('"}')]),
        ),
      },
      errors: [
        {
          messageId: 'utf8',
          path: 'model.safetensors',
          message: 'The header of model.safetensors is not valid UTF-8 (first bad byte at offset 14).',
        },
      ],
    },
    {
      name: 'a header that is not JSON',
      files: { 'model.safetensors': assembleSafetensors('not json') },
      errors: [
        {
          messageId: 'json',
          path: 'model.safetensors',
          message: /^The header of model\.safetensors is not valid JSON: .+ \(at byte 8\)\.$/,
        },
      ],
    },
    {
      name: 'a header cut off mid-object',
      files: { 'model.safetensors': rewriteHeaderText(small, (t) => t.trimEnd().slice(0, -2), false) },
      errors: [{ messageId: 'json', path: 'model.safetensors', message: 'is not valid JSON' }],
    },
    {
      name: 'a UTF-8 byte-order mark before the header: serde_json rejects it',
      files: { 'model.safetensors': rewriteHeaderText(small, (t) => '\ufeff' + t.trimEnd(), false) },
      errors: [{ messageId: 'json', path: 'model.safetensors', message: '(at byte 8)' }],
    },
    {
      name: 'a header that is a JSON array',
      files: { 'model.safetensors': assembleSafetensors('[1, 2]  ') },
      errors: [
        {
          messageId: 'notObject',
          path: 'model.safetensors',
          message: 'The header of model.safetensors must be a JSON object but is an array.',
        },
      ],
    },
    {
      name: 'a header that is a JSON string',
      files: { 'model.safetensors': assembleSafetensors('"hello" ') },
      errors: [{ messageId: 'notObject', path: 'model.safetensors', message: 'but is a string.' }],
    },
    {
      name: 'a tensor written twice: a warning, since the crate keeps the last entry',
      files: {
        'model.safetensors': rewriteHeaderText(small, (t) => t.replace(/("w":\{[^}]*\})/, '$1,$1').trimEnd()),
      },
      errors: [
        {
          messageId: 'duplicateTensor',
          path: 'model.safetensors',
          severity: 'warning',
          message:
            'Tensor w is named twice in the header of model.safetensors; the safetensors library keeps the last entry and ignores the earlier one',
        },
      ],
    },
    {
      name: 'a tensor written twice, the last entry broken: the checks read the last one, as the crate does',
      files: {
        'model.safetensors': rewriteHeaderText(small, (t) =>
          t.replace(/("w":\{[^}]*\})/, (entry) => `${entry},${entry.replace('"F16"', '"F17"')}`).trimEnd(),
        ),
      },
      errors: [
        { messageId: 'duplicateTensor', path: 'model.safetensors', message: 'Tensor w is named twice' },
        { messageId: 'unknownDtype', path: 'model.safetensors', message: 'has dtype "F17"' },
      ],
    },
    {
      name: '__metadata__ written twice: serde refuses a field given twice',
      files: {
        'model.safetensors': rewriteHeaderText(small, (t) =>
          t.replace('{', '{"__metadata__":{"format":"pt"},').trimEnd(),
        ),
      },
      errors: [
        {
          messageId: 'duplicateKey',
          path: 'model.safetensors',
          message: 'has the key "__metadata__" twice;',
        },
      ],
    },
    {
      name: 'a key written twice inside __metadata__: the message says where',
      files: {
        'model.safetensors': rewriteHeaderText(small, (t) =>
          t.replace('{"format":"pt"}', '{"format":"pt","format":"pt"}').trimEnd(),
        ),
      },
      errors: [
        {
          messageId: 'duplicateKey',
          path: 'model.safetensors',
          message: 'has the key "format" twice in /__metadata__;',
        },
      ],
    },
    {
      name: 'a tensor without dtype',
      files: {
        'model.safetensors': rewriteHeader(small, (h) => {
          delete h.w.dtype
        }),
      },
      errors: [
        {
          messageId: 'tensorEntry',
          path: 'model.safetensors',
          message: 'Tensor w in model.safetensors has an invalid "dtype": is missing.',
        },
      ],
    },
    {
      name: 'a negative dimension',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => {
          h['model.norm.weight'].shape = [-2]
        }),
      },
      errors: [
        {
          messageId: 'tensorEntry',
          path: 'model.safetensors',
          message:
            'Tensor model.norm.weight in model.safetensors has an invalid "shape": dimension 0 is -2, not a non-negative integer.',
        },
      ],
    },
    {
      name: 'data_offsets with three numbers',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => {
          h['model.norm.weight'].data_offsets = [16, 20, 24]
        }),
      },
      errors: [
        {
          messageId: 'tensorEntry',
          path: 'model.safetensors',
          message: 'has an invalid "data_offsets": has 3 elements, not 2 ([begin, end]).',
        },
      ],
    },
    {
      name: 'a tensor entry that is a string',
      files: {
        'model.safetensors': rewriteHeader(small, (h) => {
          h.x = 'F16'
        }),
      },
      errors: [
        {
          messageId: 'tensorEntry',
          path: 'model.safetensors',
          message: 'Tensor x in model.safetensors has an invalid entry: is a string, not an object.',
        },
      ],
    },
    {
      name: 'a dtype the crate does not know',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => {
          h['model.norm.weight'].dtype = 'FP4'
        }),
      },
      errors: [
        {
          messageId: 'unknownDtype',
          path: 'model.safetensors',
          message:
            'Tensor model.norm.weight in model.safetensors has dtype "FP4", which the safetensors library does not know.',
        },
      ],
    },
    {
      name: '__metadata__ that is not an object',
      files: {
        'model.safetensors': rewriteHeader(small, (h) => {
          h.__metadata__ = ['pt']
        }),
      },
      errors: [
        {
          messageId: 'metadataNotObject',
          path: 'model.safetensors',
          message: 'The __metadata__ of model.safetensors must be an object of strings but is an array.',
        },
      ],
    },
    {
      name: 'a __metadata__ value that is not a string',
      files: {
        'model.safetensors': rewriteHeader(small, (h) => {
          h.__metadata__.total_parameters = 7
        }),
      },
      errors: [
        {
          messageId: 'metadataNotStrings',
          path: 'model.safetensors',
          message:
            'The value of __metadata__.total_parameters in model.safetensors is a number (7); the format allows only string values.',
        },
      ],
    },
    {
      name: 'an extra key in a tensor entry: a warning',
      files: {
        'model.safetensors': rewriteHeader(small, (h) => {
          h.w.quant = 'none'
        }),
      },
      errors: [
        {
          messageId: 'unknownKey',
          path: 'model.safetensors',
          severity: 'warning',
          message: 'Tensor w in model.safetensors has an extra key "quant" that the format does not define.',
        },
      ],
    },
    {
      name: 'a tensor entry written as [dtype, shape, data_offsets]: a warning',
      files: {
        'model.safetensors': rewriteHeader(small, (h) => {
          h.w = ['F16', [2], [0, 4]]
        }),
      },
      errors: [
        {
          messageId: 'entryArray',
          path: 'model.safetensors',
          severity: 'warning',
          message: 'Tensor w in model.safetensors is written as an array instead of an object',
        },
      ],
    },
    {
      name: 'a header over the 25 MB limit of huggingface_hub: a warning',
      // 95 bytes of JSON around the 25,000,000-character note, padded with one space to 25,000,096.
      files: {
        'model.safetensors': makeSafetensors(
          { w: { dtype: 'F16', shape: [2] } },
          { format: 'pt', notes: 'x'.repeat(25_000_000) },
        ),
      },
      errors: [
        {
          messageId: 'overHubLimit',
          path: 'model.safetensors',
          severity: 'warning',
          message:
            'The header of model.safetensors is 25,000,096 bytes, over the 25,000,000-byte limit of huggingface_hub and huggingface.js.',
        },
      ],
    },
    {
      name: 'leading whitespace before the header: info',
      files: { 'model.safetensors': rewriteHeaderText(small, (t) => ' ' + t.trimEnd()) },
      errors: [
        {
          messageId: 'leadingWhitespace',
          path: 'model.safetensors',
          severity: 'info',
          message:
            'The header of model.safetensors starts with whitespace; the format says it must begin with "{".',
        },
      ],
    },
    {
      name: 'every problem of a header is reported, in header order',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => {
          h['model.embed_tokens.weight'].dtype = 'X9'
          h['model.norm.weight'].shape = [1.5]
        }),
      },
      errors: [
        { messageId: 'unknownDtype', path: 'model.safetensors', message: 'model.embed_tokens.weight' },
        {
          messageId: 'tensorEntry',
          path: 'model.safetensors',
          message: '"shape": dimension 0 is 1.5, not an integer.',
        },
      ],
    },
    {
      name: 'the bad inputs the header reader must survive, one file each, in path order',
      files: {
        'a-empty.safetensors': new Uint8Array(0),
        'b-seven.safetensors': new Uint8Array(7),
        'c-huge.safetensors': Buffer.concat([u64(2n ** 63n - 1n), Buffer.from('{}')]),
        'd-past.safetensors': Buffer.concat([u64(1000n), Buffer.from('{}      ')]),
        'e-notjson.safetensors': assembleSafetensors('not json'),
        'f-array.safetensors': assembleSafetensors('[1, 2]  '),
        'g-good.safetensors': good,
      },
      errors: [
        { messageId: 'tooSmall', path: 'a-empty.safetensors' },
        { messageId: 'tooSmall', path: 'b-seven.safetensors' },
        { messageId: 'tooLarge', path: 'c-huge.safetensors' },
        { messageId: 'pastEof', path: 'd-past.safetensors' },
        { messageId: 'json', path: 'e-notjson.safetensors' },
        { messageId: 'notObject', path: 'f-array.safetensors' },
      ],
    },
    {
      name: 'a shard of an index is checked like any other file',
      files: {
        'model-00001-of-00002.safetensors': good,
        'model-00002-of-00002.safetensors': new Uint8Array(3),
        'model.safetensors.index.json': '{"weight_map": {}}',
      },
      errors: [
        { messageId: 'tooSmall', path: 'model-00002-of-00002.safetensors', message: 'is 3 bytes long' },
      ],
    },
    {
      name: 'more problems of one kind than are listed: 1,000 listed, the rest counted in one finding',
      files: {
        'model.safetensors': assembleSafetensors(
          `{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4],${Array.from({ length: 1003 }, (_, i) => `"k${i}":0`).join(',')}},"__metadata__":{"format":"pt"}}`,
          new Uint8Array(4),
        ),
      },
      errors: [
        ...Array.from({ length: 1000 }, () => ({ messageId: 'unknownKey', path: 'model.safetensors' })),
        {
          messageId: 'omitted',
          path: 'model.safetensors',
          message: '3 more problems of the kind "unknown-tensor-key"',
        },
      ],
    },
    {
      // 34.3 MB of header read, then one that declares 100,000,000 bytes: past the 128 MiB per model.
      // Only the second file's first block is read; its zero bytes are never touched.
      name: 'headers past the budget of header bytes per model are not read, and said so once',
      files: {
        'a.safetensors': assembleSafetensors(
          `{"__metadata__":{"format":"pt","x":"${'a'.repeat(34_300_000)}"}}`,
        ),
        'b.safetensors': (() => {
          const file = new Uint8Array(8 + 100_000_000)
          new DataView(file.buffer).setBigUint64(0, 100_000_000n, true)
          return file
        })(),
      },
      errors: [
        { messageId: 'overHubLimit', path: 'a.safetensors' },
        {
          messageId: 'notRead',
          path: 'b.safetensors',
          message:
            '1 safetensors header not read (b.safetensors): the headers together take 128.1 MiB, past the 128.0 MiB read per model',
        },
      ],
    },
    {
      name: 'a severity set by the user applies to every message',
      files: { 'model.safetensors': rewriteHeaderText(small, (t) => ' ' + t.trimEnd()) },
      level: 'error',
      errors: [{ messageId: 'leadingWhitespace', path: 'model.safetensors', severity: 'error' }],
    },
  ],
})

describe('MR301 on large headers', () => {
  // A header of 100,000 tensors: __tests__/scale/model-rules.test.ts.

  it('reports each of 1,000 broken entries of one header once', async () => {
    const tensors: Record<string, { dtype: string; shape: number[] }> = {}
    for (let i = 0; i < 1000; i++) tensors[`t${i}`] = { dtype: 'F16', shape: [1] }
    const file = rewriteHeader(makeSafetensors(tensors), (h) => {
      for (let i = 0; i < 1000; i++) h[`t${i}`].dtype = 'F17'
    })
    const findings = await runRule(rule, { files: { 'model.safetensors': file } })
    expect(findings).toHaveLength(1000)
    expect(new Set(findings.map((f) => f.messageId))).toEqual(new Set(['unknownDtype']))
  })
})
