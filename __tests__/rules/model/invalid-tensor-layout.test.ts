// MR302 on real safetensors bytes: offsets, shapes and file sizes that do not tile the data buffer
// the way the safetensors crate's `Metadata::validate` and `read_metadata` require.
import rule from '../../../src/rules/model/invalid-tensor-layout.js'
import { ruleTester } from '../../helpers/rule-tester.js'
import {
  assembleSafetensors,
  makeSafetensors,
  rewriteHeader,
  rewriteHeaderText,
} from '../../helpers/safetensors.js'

/** embed [0, 16) and norm [16, 20) of the data buffer, as save_pretrained writes them. */
const good = makeSafetensors({
  'model.embed_tokens.weight': { dtype: 'BF16', shape: [4, 2] },
  'model.norm.weight': { dtype: 'BF16', shape: [2] },
})
/** One F16 tensor `w` of 2 elements: data [0, 4). */
const small = makeSafetensors({ w: { dtype: 'F16', shape: [2] } })

const zeros = (n: number) => Buffer.alloc(n)
const bytes = (n: number) => n.toLocaleString('en-US')

ruleTester(rule, {
  valid: [
    { name: 'a file written like save_pretrained writes it', files: { 'model.safetensors': good } },
    {
      name: 'tensors listed in another order than their offsets (the crate sorts by offset)',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => ({
          __metadata__: h.__metadata__,
          'model.norm.weight': h['model.norm.weight'],
          'model.embed_tokens.weight': h['model.embed_tokens.weight'],
        })),
      },
    },
    {
      name: 'a zero-size tensor [2, 0] with offsets [x, x], and a scalar',
      files: {
        'model.safetensors': makeSafetensors({
          a: { dtype: 'F32', shape: [2] },
          empty: { dtype: 'F32', shape: [2, 0] },
          scalar: { dtype: 'F32', shape: [] },
        }),
      },
    },
    {
      name: 'sub-byte dtypes that fill whole bytes: F4 × 4 (2 bytes), F6_E2M3 × 4 (3 bytes)',
      files: {
        'model.safetensors': makeSafetensors({
          a: { dtype: 'F4', shape: [2, 2] },
          b: { dtype: 'F6_E2M3', shape: [4] },
        }),
      },
    },
    {
      name: 'an empty header and no data',
      files: { 'model.safetensors': assembleSafetensors('{}      ') },
    },
    {
      name: 'a header that is not JSON: invalid-safetensors-header reports it',
      files: { 'model.safetensors': assembleSafetensors('not json', zeros(64)) },
    },
    {
      name: 'a file too short for a header: invalid-safetensors-header reports it',
      files: { 'model.safetensors': new Uint8Array(7) },
    },
    {
      name: 'an unknown dtype with good offsets: invalid-safetensors-header reports it, and its bytes still count',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => {
          h['model.embed_tokens.weight'].dtype = 'FP4'
        }),
      },
    },
    {
      name: 'the last tensor without data_offsets: invalid-safetensors-header reports it, its 4 bytes are not "trailing"',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => {
          delete h['model.norm.weight'].data_offsets
        }),
      },
    },
    {
      name: 'the first tensor written as a string: invalid-safetensors-header reports it, the gap it leaves is not a second finding',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => {
          h['model.embed_tokens.weight'] = 'BF16 [4, 2]'
        }),
      },
    },
    {
      name: 'data_offsets with three numbers: invalid-safetensors-header reports it',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => {
          h['model.norm.weight'].data_offsets = [16, 20, 24]
        }),
      },
    },
    {
      name: 'a Git LFS pointer: lfs-pointer-files reports it',
      files: {
        'model.safetensors': 'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 20\n',
      },
    },
  ],
  invalid: [
    {
      name: 'a tensor that ends before it begins',
      files: {
        'model.safetensors': rewriteHeader(small, (h) => {
          h.z = { dtype: 'F16', shape: [0], data_offsets: [4, 0] }
        }),
      },
      errors: [
        {
          messageId: 'reversed',
          path: 'model.safetensors',
          message: 'Tensor z in model.safetensors ends (0) before it begins (4).',
        },
      ],
    },
    {
      name: 'the first tensor does not begin at 0',
      files: {
        'model.safetensors': Buffer.concat([
          rewriteHeader(small, (h) => {
            h.w.data_offsets = [2, 6]
          }),
          zeros(2),
        ]),
      },
      errors: [
        {
          messageId: 'gap',
          path: 'model.safetensors',
          message: 'The first tensor of model.safetensors, w, begins at byte 2 of the data instead of 0.',
        },
      ],
    },
    {
      name: 'a gap between two tensors (a polyglot file hides data there)',
      files: {
        'model.safetensors': Buffer.concat([
          rewriteHeader(good, (h) => {
            h['model.norm.weight'].data_offsets = [18, 22]
          }),
          zeros(2),
        ]),
      },
      errors: [
        {
          messageId: 'gap',
          path: 'model.safetensors',
          message:
            'Tensor model.norm.weight in model.safetensors begins at byte 18, leaving a gap after model.embed_tokens.weight (which ends at 16).',
        },
      ],
    },
    {
      name: 'two tensors overlapping',
      files: {
        'model.safetensors': (() => {
          const f = rewriteHeader(good, (h) => {
            h['model.norm.weight'].data_offsets = [14, 18]
          })
          return f.subarray(0, f.length - 2)
        })(),
      },
      errors: [
        {
          messageId: 'gap',
          path: 'model.safetensors',
          message:
            'Tensor model.norm.weight in model.safetensors begins at byte 14, overlapping model.embed_tokens.weight (which ends at 16).',
        },
      ],
    },
    {
      name: 'a shape whose size overflows 64 bits',
      files: {
        'model.safetensors': rewriteHeader(small, (h) => {
          h.w.shape = [4294967296, 4294967296, 2]
        }),
      },
      errors: [
        {
          messageId: 'overflow',
          path: 'model.safetensors',
          message:
            'Tensor w in model.safetensors has shape [4294967296, 4294967296, 2], whose F16 size overflows 64 bits.',
        },
      ],
    },
    {
      name: 'an F4 tensor of 3 elements (12 bits)',
      files: { 'model.safetensors': makeSafetensors({ q: { dtype: 'F4', shape: [3] } }) },
      errors: [
        {
          messageId: 'misaligned',
          path: 'model.safetensors',
          message:
            'Tensor q in model.safetensors holds 3 F4 elements of 4 bits, which do not fill whole bytes.',
        },
      ],
    },
    {
      name: 'a shape that does not match the offsets',
      files: {
        'model.safetensors': rewriteHeader(small, (h) => {
          h.w.shape = [3]
        }),
      },
      errors: [
        {
          messageId: 'size',
          path: 'model.safetensors',
          message:
            'Tensor w in model.safetensors is F16 [3], which takes 6 bytes, but its offsets span 4 bytes.',
        },
      ],
    },
    {
      name: 'a file cut off 3 bytes before its end',
      files: { 'model.safetensors': good.subarray(0, good.length - 3) },
      errors: [
        {
          messageId: 'truncated',
          path: 'model.safetensors',
          message: `model.safetensors is ${bytes(good.length - 3)} bytes but its header declares ${bytes(good.length)} bytes: the file is cut off.`,
        },
      ],
    },
    {
      name: 'a header that declares data but a file that ends with the header',
      files: {
        'model.safetensors': (() => {
          const f = rewriteHeaderText(small, (t) => t)
          return f.subarray(0, f.length - 4)
        })(),
      },
      errors: [{ messageId: 'truncated', path: 'model.safetensors', message: 'the file is cut off.' }],
    },
    {
      name: 'bytes appended after the last tensor',
      files: { 'model.safetensors': Buffer.concat([good, Buffer.from('junk')]) },
      errors: [
        {
          messageId: 'trailing',
          path: 'model.safetensors',
          message: `model.safetensors has 4 bytes after its last tensor (${bytes(good.length + 4)} bytes where the header accounts for ${bytes(good.length)}).`,
        },
      ],
    },
    {
      name: 'a tensor missing from a header leaves its bytes behind: a gap, then the rest runs on',
      files: {
        'model.safetensors': rewriteHeader(good, (h) => {
          delete h['model.embed_tokens.weight']
        }),
      },
      errors: [
        {
          messageId: 'gap',
          path: 'model.safetensors',
          message: 'begins at byte 16 of the data instead of 0.',
        },
      ],
    },
    {
      name: 'next to a tensor whose offsets cannot be read, an overlap and a cut-off file are still reported',
      files: {
        'model.safetensors': (() => {
          const f = rewriteHeader(good, (h) => {
            h['model.norm.weight'].data_offsets = [14, 18]
            h.extra = { dtype: 'F16', shape: [1] }
          })
          return f.subarray(0, f.length - 3)
        })(),
      },
      errors: [
        { messageId: 'gap', path: 'model.safetensors', message: 'overlapping model.embed_tokens.weight' },
        { messageId: 'truncated', path: 'model.safetensors', message: 'the file is cut off.' },
      ],
    },
    {
      name: 'every problem of a file, and of each file, in path order',
      files: {
        'a.safetensors': Buffer.concat([good, zeros(1)]),
        'b.safetensors': rewriteHeader(small, (h) => {
          h.w.shape = [1]
        }),
        'c.safetensors': good,
      },
      errors: [
        { messageId: 'trailing', path: 'a.safetensors', message: 'has 1 byte after its last tensor' },
        {
          messageId: 'size',
          path: 'b.safetensors',
          message: 'which takes 2 bytes, but its offsets span 4 bytes.',
        },
      ],
    },
    {
      name: 'more misplaced tensors than are listed: 1,000 listed, the rest counted in one finding',
      files: {
        'model.safetensors': assembleSafetensors(
          `{${Array.from({ length: 1003 }, (_, i) => `"t${i}":{"dtype":"BF16","shape":[1],"data_offsets":[${4 * i},${4 * i + 4}]}`).join(',')},"__metadata__":{"format":"pt"}}`,
          new Uint8Array(4 * 1003),
        ),
      },
      errors: [
        ...Array.from({ length: 1000 }, () => ({ messageId: 'size', path: 'model.safetensors' })),
        {
          messageId: 'omitted',
          path: 'model.safetensors',
          message: '3 more problems of the kind "tensor-size-mismatch"',
        },
      ],
    },
    {
      name: 'a severity set by the user applies to every message',
      files: { 'model.safetensors': Buffer.concat([good, Buffer.from('junk')]) },
      level: 'warning',
      errors: [{ messageId: 'trailing', path: 'model.safetensors', severity: 'warning' }],
    },
  ],
})

// MR302 on a header of 100,000 tensors: __tests__/scale/model-rules.test.ts.
