// MR303: transformers 4.x refuses a safetensors file whose __metadata__ lacks "format" or names a
// framework it does not load; save_pretrained always writes {"format": "pt"}.
import rule from '../../../src/rules/model/safetensors-metadata-format.js'
import { ruleTester } from '../../helpers/rule-tester.js'
import { assembleSafetensors, makeSafetensors, rewriteHeader } from '../../helpers/safetensors.js'

const w = { w: { dtype: 'BF16', shape: [2] } }
const withMetadata = (metadata: Record<string, string> | null) => makeSafetensors(w, metadata)

ruleTester(rule, {
  valid: [
    {
      name: 'format "pt", as save_pretrained writes it',
      files: { 'model.safetensors': withMetadata({ format: 'pt' }) },
    },
    {
      name: 'the other formats transformers loads: tf, flax, mlx',
      files: {
        'a.safetensors': withMetadata({ format: 'tf' }),
        'b.safetensors': withMetadata({ format: 'flax' }),
        'c.safetensors': withMetadata({ format: 'mlx' }),
      },
    },
    {
      name: 'other metadata next to the format',
      files: { 'model.safetensors': withMetadata({ format: 'pt', total_parameters: '2' }) },
    },
    {
      name: 'a header that is not JSON: invalid-safetensors-header reports it',
      files: { 'model.safetensors': assembleSafetensors('not json') },
    },
    {
      name: 'a file too short for a header: invalid-safetensors-header reports it',
      files: { 'model.safetensors': new Uint8Array(0) },
    },
    {
      name: 'a Git LFS pointer: lfs-pointer-files reports it, its header is never read',
      files: {
        'model.safetensors': 'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 4\n',
      },
    },
    {
      name: 'a file in a subfolder is not read',
      files: {
        'model.safetensors': withMetadata({ format: 'pt' }),
        'old/model.safetensors': withMetadata(null),
      },
    },
  ],
  invalid: [
    {
      name: 'no __metadata__ at all (safetensors.torch.save_file without metadata)',
      files: { 'model.safetensors': withMetadata(null) },
      errors: [
        {
          messageId: 'missing',
          path: 'model.safetensors',
          message:
            'model.safetensors has no __metadata__ with "format": "pt", which transformers writes and checks.',
        },
      ],
    },
    {
      name: 'an empty header',
      files: { 'model.safetensors': assembleSafetensors('{}      ') },
      errors: [{ messageId: 'missing', path: 'model.safetensors', message: 'has no __metadata__ with' }],
    },
    {
      name: '__metadata__ without "format"',
      files: { 'model.safetensors': withMetadata({ source: 'merge-kit' }) },
      errors: [
        {
          messageId: 'missing',
          path: 'model.safetensors',
          message:
            'The __metadata__ of model.safetensors has no "format" key; transformers refuses to load such a file.',
        },
      ],
    },
    {
      name: '__metadata__: null is read as absent',
      files: {
        'model.safetensors': rewriteHeader(withMetadata({ format: 'pt' }), (h) => {
          h.__metadata__ = null
        }),
      },
      errors: [{ messageId: 'missing', path: 'model.safetensors', message: 'has no __metadata__ with' }],
    },
    {
      name: 'a format transformers does not load',
      files: { 'model.safetensors': withMetadata({ format: 'np' }) },
      errors: [
        {
          messageId: 'unsupported',
          path: 'model.safetensors',
          message:
            'The __metadata__ of model.safetensors gives "format": "np"; transformers loads only "pt", "tf", "flax" and "mlx".',
        },
      ],
    },
    {
      name: 'the format is compared exactly: "PT" is not "pt"',
      files: { 'model.safetensors': withMetadata({ format: 'PT' }) },
      errors: [{ messageId: 'unsupported', path: 'model.safetensors', message: '"format": "PT";' }],
    },
    {
      name: 'each shard is checked, in path order',
      files: {
        'model-00001-of-00003.safetensors': withMetadata({ format: 'pt' }),
        'model-00002-of-00003.safetensors': withMetadata(null),
        'model-00003-of-00003.safetensors': withMetadata({ format: 'paddle' }),
        'model.safetensors.index.json': '{"weight_map": {}}',
      },
      errors: [
        { messageId: 'missing', path: 'model-00002-of-00003.safetensors' },
        { messageId: 'unsupported', path: 'model-00003-of-00003.safetensors', message: '"paddle"' },
      ],
    },
    {
      name: 'also in a header with other problems (a layout problem does not hide it)',
      files: { 'model.safetensors': Buffer.concat([withMetadata(null), Buffer.from('junk')]) },
      errors: [{ messageId: 'missing', path: 'model.safetensors' }],
    },
    {
      name: 'a severity set by the user',
      files: { 'model.safetensors': withMetadata(null) },
      level: 'error',
      errors: [{ messageId: 'missing', path: 'model.safetensors', severity: 'error' }],
    },
  ],
})
