import { defineModelRule } from '../model-rule.js'
import { formatBinaryBytes, listNames, plural } from '../../common/wording.js'
import {
  hasRow,
  omittedProblemsMessage,
  problemMessages,
  problemTable,
} from '../utils/safetensors-problems.js'
import { MAX_PROBLEMS_PER_CODE } from '../../artifacts/safetensors.js'
import { LAYOUT_PROBLEM_CODES } from './invalid-tensor-layout.js'

/** Each problem code this rule reports, with the message id, text and hint of its findings. */
const PROBLEMS = problemTable({
  'header-too-small': {
    message: 'tooSmall',
    text: (d) =>
      `${d.file} is ${plural(d.fileSize, 'byte')} long, too short to hold the 8-byte header length every safetensors file starts with.`,
    hint: () => 'The file is empty or cut off: upload it again.',
  },
  'header-too-large': {
    message: 'tooLarge',
    text: (d) =>
      `${d.file} declares a header of ${d.headerLength} bytes, over the safetensors limit of ${d.limit.toLocaleString('en-US')}${d.lfsPointer ? '; the file looks like a Git LFS pointer' : ''}.`,
    hint: () =>
      'The first 8 bytes are not a safetensors header length: the file is not a safetensors file or is corrupt. Save it again with save_pretrained().',
  },
  'header-past-eof': {
    message: 'pastEof',
    text: (d) =>
      `${d.file} declares a header of ${plural(d.headerLength, 'byte')}, longer than the file (${plural(d.fileSize, 'byte')}).`,
    hint: () => 'The file is truncated or corrupt: upload it again.',
  },
  'invalid-utf8': {
    message: 'utf8',
    text: (d) => `The header of ${d.file} is not valid UTF-8 (first bad byte at offset ${d.byteOffset}).`,
    hint: () => 'The header is corrupt: save the weights again with save_pretrained().',
  },
  'invalid-json': {
    message: 'json',
    text: (d) => `The header of ${d.file} is not valid JSON: ${d.detail} (at byte ${d.byteOffset}).`,
    hint: () => 'The header is corrupt: save the weights again with save_pretrained().',
  },
  'not-an-object': {
    message: 'notObject',
    text: (d) => `The header of ${d.file} must be a JSON object but is ${d.found}.`,
    hint: () => 'The header is corrupt: save the weights again with save_pretrained().',
  },
  'duplicate-key': {
    message: 'duplicateKey',
    text: (d) =>
      `The header of ${d.file} has the key "${d.key}" twice${d.pointer ? ` in ${d.pointer}` : ''}; the format forbids duplicate keys.`,
    hint: () =>
      'A tool wrote this header by hand or merged two: save the weights again with save_pretrained().',
  },
  'duplicate-tensor': {
    message: 'duplicateTensor',
    text: (d) =>
      `Tensor ${d.tensor} is named ${d.times === 2 ? 'twice' : `${d.times.toLocaleString('en-US')} times`} in the header of ${d.file}; the safetensors library keeps the last entry and ignores the earlier ones, but the format forbids duplicate names.`,
    hint: () =>
      'A tool wrote this header by hand or merged two: keep one entry per tensor, or save the weights again with save_pretrained().',
  },
  'invalid-tensor-entry': {
    message: 'tensorEntry',
    text: (d) =>
      `Tensor ${d.tensor} in ${d.file} has an invalid ${d.field === 'entry' ? 'entry' : `"${d.field}"`}: ${d.detail}.`,
    hint: () =>
      'Each tensor needs "dtype", "shape" (a list of non-negative integers) and "data_offsets" ([begin, end]): save the weights again.',
  },
  'unknown-dtype': {
    message: 'unknownDtype',
    text: (d) =>
      `Tensor ${d.tensor} in ${d.file} has dtype "${d.dtype}", which the safetensors library does not know.`,
    hint: () =>
      'Use one of the safetensors dtypes (BF16, F16, F32, F8_E4M3, I8, U8, …): convert the tensor and save again.',
  },
  'metadata-not-object': {
    message: 'metadataNotObject',
    text: (d) => `The __metadata__ of ${d.file} must be an object of strings but is ${d.found}.`,
    hint: () => 'Write __metadata__ as {"format": "pt"}, or save again with save_pretrained().',
  },
  'metadata-not-strings': {
    message: 'metadataNotStrings',
    text: (d) =>
      `The value of __metadata__.${d.key} in ${d.file} is ${d.found}; the format allows only string values.`,
    hint: () =>
      'Store metadata values as strings (JSON-encode anything else), or save again with save_pretrained().',
  },
  'unknown-tensor-key': {
    message: 'unknownKey',
    text: (d) =>
      `Tensor ${d.tensor} in ${d.file} has an extra key "${d.key}" that the format does not define.`,
    hint: () =>
      'Readers ignore it today; save with the safetensors library so the header has only dtype, shape and data_offsets.',
  },
  'tensor-entry-array': {
    message: 'entryArray',
    text: (d) =>
      `Tensor ${d.tensor} in ${d.file} is written as an array instead of an object; only the Rust library accepts that.`,
    hint: () => 'Save the weights with the safetensors library, which writes each tensor as an object.',
  },
  'header-over-hub-limit': {
    message: 'overHubLimit',
    text: (d) =>
      `The header of ${d.file} is ${plural(d.headerLength, 'byte')}, over the ${d.limit.toLocaleString('en-US')}-byte limit of huggingface_hub and huggingface.js.`,
    hint: () =>
      'Split the weights into more shards (save_pretrained(max_shard_size=...)) so each header stays small.',
  },
  'leading-whitespace': {
    message: 'leadingWhitespace',
    text: (d) => `The header of ${d.file} starts with whitespace; the format says it must begin with "{".`,
    hint: () => 'Readers accept it today; save with the safetensors library to be safe.',
  },
})

/** Kinds another rule reports (invalid-tensor-layout): it says how many of them were not listed. */
const OWNED_ELSEWHERE = new Set<string>(LAYOUT_PROBLEM_CODES)

export default defineModelRule({
  meta: {
    id: 'MR301',
    name: 'invalid-safetensors-header',
    description: 'Require every safetensors file to have a header the safetensors library can read',
    severity: 'error',
    artifacts: ['weights'],
    appliesTo: ['model', 'adapter'],
    messages: {
      ...problemMessages(PROBLEMS),
      omitted: omittedProblemsMessage(
        'They share a cause, usually the tool that wrote the header: fix the ones reported, or save the weights again with save_pretrained().',
      ),
      notRead: {
        severity: 'warning',
        text: (d: { files: string[]; total: number; budget: number }) =>
          `${plural(d.files.length, 'safetensors header')} not read (${listNames(d.files)}): the headers together take ${formatBinaryBytes(d.total)}, past the ${formatBinaryBytes(d.budget)} read per model, so the tensors in ${d.files.length === 1 ? 'it' : 'them'} were not checked.`,
        hint: () =>
          'Real models keep their headers to a few MB in all (tensor names, dtypes and shapes): save the weights again with save_pretrained(), without what bloats the headers.',
      },
    },
  },
  check({ artifacts: { weights }, report }) {
    for (const f of weights.files) {
      for (const problem of f.parse?.problems ?? [])
        if (hasRow(PROBLEMS, problem))
          report(PROBLEMS[problem.code].message, { ...problem, file: f.path }, { path: f.path })
      for (const o of f.parse?.omitted ?? [])
        if (Object.hasOwn(PROBLEMS, o.code) || !OWNED_ELSEWHERE.has(o.code))
          report(
            'omitted',
            { file: f.path, count: o.count, code: o.code, limit: MAX_PROBLEMS_PER_CODE },
            { path: f.path },
          )
    }
    const notRead = weights.files.filter((f) => f.notRead !== undefined)
    if (notRead.length > 0)
      report(
        'notRead',
        {
          files: notRead.map((f) => f.path),
          total: notRead.reduce((sum, f) => sum + f.notRead!, weights.headerBytes),
          budget: weights.budget,
        },
        { path: notRead[0]!.path },
      )
  },
})
