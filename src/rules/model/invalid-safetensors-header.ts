import type { SafetensorsProblem } from '../../artifacts/safetensors.js'
import { defineModelRule } from '../model-rule.js'
import { plural } from '../../common/wording.js'

type P<C extends SafetensorsProblem['code']> = Extract<SafetensorsProblem, { code: C }> & { file: string }

export default defineModelRule({
  meta: {
    id: 'MR301',
    name: 'invalid-safetensors-header',
    description: 'Require every safetensors file to have a header the safetensors library can read',
    severity: 'error',
    artifacts: ['weights'],
    appliesTo: ['model', 'adapter'],
    messages: {
      tooSmall: {
        text: (d: P<'header-too-small'>) =>
          `${d.file} is ${plural(d.fileSize, 'byte')} long, too short to hold the 8-byte header length every safetensors file starts with.`,
        hint: () => 'The file is empty or cut off: upload it again.',
      },
      tooLarge: {
        text: (d: P<'header-too-large'>) =>
          `${d.file} declares a header of ${d.headerLength} bytes, over the safetensors limit of ${d.limit.toLocaleString('en-US')}${d.lfsPointer ? '; the file looks like a Git LFS pointer' : ''}.`,
        hint: () =>
          'The first 8 bytes are not a safetensors header length: the file is not a safetensors file or is corrupt. Save it again with save_pretrained().',
      },
      pastEof: {
        text: (d: P<'header-past-eof'>) =>
          `${d.file} declares a header of ${plural(d.headerLength, 'byte')}, longer than the file (${plural(d.fileSize, 'byte')}).`,
        hint: () => 'The file is truncated or corrupt: upload it again.',
      },
      utf8: {
        text: (d: P<'invalid-utf8'>) =>
          `The header of ${d.file} is not valid UTF-8 (first bad byte at offset ${d.byteOffset}).`,
        hint: () => 'The header is corrupt: save the weights again with save_pretrained().',
      },
      json: {
        text: (d: P<'invalid-json'>) =>
          `The header of ${d.file} is not valid JSON: ${d.detail} (at byte ${d.byteOffset}).`,
        hint: () => 'The header is corrupt: save the weights again with save_pretrained().',
      },
      notObject: {
        text: (d: P<'not-an-object'>) => `The header of ${d.file} must be a JSON object but is ${d.found}.`,
        hint: () => 'The header is corrupt: save the weights again with save_pretrained().',
      },
      duplicateKey: {
        text: (d: P<'duplicate-key'>) =>
          `The header of ${d.file} has the key "${d.key}" twice${d.pointer ? ` in ${d.pointer}` : ''}; the format forbids duplicate keys.`,
        hint: () =>
          'A tool wrote this header by hand or merged two: save the weights again with save_pretrained().',
      },
      tensorEntry: {
        text: (d: P<'invalid-tensor-entry'>) =>
          `Tensor ${d.tensor} in ${d.file} has an invalid ${d.field === 'entry' ? 'entry' : `"${d.field}"`}: ${d.detail}.`,
        hint: () =>
          'Each tensor needs "dtype", "shape" (a list of non-negative integers) and "data_offsets" ([begin, end]): save the weights again.',
      },
      unknownDtype: {
        text: (d: P<'unknown-dtype'>) =>
          `Tensor ${d.tensor} in ${d.file} has dtype "${d.dtype}", which the safetensors library does not know.`,
        hint: () =>
          'Use one of the safetensors dtypes (BF16, F16, F32, F8_E4M3, I8, U8, …): convert the tensor and save again.',
      },
      metadataNotObject: {
        text: (d: P<'metadata-not-object'>) =>
          `The __metadata__ of ${d.file} must be an object of strings but is ${d.found}.`,
        hint: () => 'Write __metadata__ as {"format": "pt"}, or save again with save_pretrained().',
      },
      metadataNotStrings: {
        text: (d: P<'metadata-not-strings'>) =>
          `The value of __metadata__.${d.key} in ${d.file} is ${d.found}; the format allows only string values.`,
        hint: () =>
          'Store metadata values as strings (JSON-encode anything else), or save again with save_pretrained().',
      },
      unknownKey: {
        severity: 'warning',
        text: (d: P<'unknown-tensor-key'>) =>
          `Tensor ${d.tensor} in ${d.file} has an extra key "${d.key}" that the format does not define.`,
        hint: () =>
          'Readers ignore it today; save with the safetensors library so the header has only dtype, shape and data_offsets.',
      },
      entryArray: {
        severity: 'warning',
        text: (d: P<'tensor-entry-array'>) =>
          `Tensor ${d.tensor} in ${d.file} is written as an array instead of an object; only the Rust library accepts that.`,
        hint: () => 'Save the weights with the safetensors library, which writes each tensor as an object.',
      },
      overHubLimit: {
        severity: 'warning',
        text: (d: P<'header-over-hub-limit'>) =>
          `The header of ${d.file} is ${plural(d.headerLength, 'byte')}, over the ${d.limit.toLocaleString('en-US')}-byte limit of huggingface_hub and huggingface.js.`,
        hint: () =>
          'Split the weights into more shards (save_pretrained(max_shard_size=...)) so each header stays small.',
      },
      leadingWhitespace: {
        severity: 'info',
        text: (d: { file: string }) =>
          `The header of ${d.file} starts with whitespace; the format says it must begin with "{".`,
        hint: () => 'Readers accept it today; save with the safetensors library to be safe.',
      },
    },
  },
  check({ artifacts: { weights }, report }) {
    const key = {
      'header-too-small': 'tooSmall',
      'header-too-large': 'tooLarge',
      'header-past-eof': 'pastEof',
      'invalid-utf8': 'utf8',
      'invalid-json': 'json',
      'not-an-object': 'notObject',
      'duplicate-key': 'duplicateKey',
      'invalid-tensor-entry': 'tensorEntry',
      'unknown-dtype': 'unknownDtype',
      'metadata-not-object': 'metadataNotObject',
      'metadata-not-strings': 'metadataNotStrings',
      'unknown-tensor-key': 'unknownKey',
      'tensor-entry-array': 'entryArray',
      'header-over-hub-limit': 'overHubLimit',
      'leading-whitespace': 'leadingWhitespace',
    } as const
    for (const f of weights.files) {
      for (const problem of f.parse?.problems ?? []) {
        // The table pairs each problem code with the message whose data has that code's shape.
        if (problem.code in key)
          report(key[problem.code as keyof typeof key], { ...problem, file: f.path } as never, {
            path: f.path,
          })
      }
    }
  },
})
