import { defineModelRule } from '../model-rule.js'
import { plural } from '../../common/wording.js'
import { MAX_PROBLEMS_PER_CODE } from '../../artifacts/safetensors.js'
import {
  hasRow,
  omittedProblemsMessage,
  problemMessages,
  problemTable,
} from '../utils/safetensors-problems.js'

const shape = (s: readonly number[]) => `[${s.join(', ')}]`

/** Each problem code this rule reports, with the message id, text and hint of its findings. */
const PROBLEMS = problemTable({
  'invalid-offsets': {
    message: 'reversed',
    text: (d) => `Tensor ${d.tensor} in ${d.file} ends (${d.end}) before it begins (${d.start}).`,
    hint: () => 'The header is corrupt: save the weights again with save_pretrained().',
  },
  'non-contiguous': {
    message: 'gap',
    text: (d) =>
      d.kind === 'leading-gap'
        ? `The first tensor of ${d.file}, ${d.tensor}, begins at byte ${d.start} of the data instead of 0.`
        : d.kind === 'gap'
          ? `Tensor ${d.tensor} in ${d.file} begins at byte ${d.start}, leaving a gap after ${d.previous} (which ends at ${d.expected}).`
          : `Tensor ${d.tensor} in ${d.file} begins at byte ${d.start}, overlapping ${d.previous} (which ends at ${d.expected}).`,
    hint: () =>
      'safetensors requires the tensors to follow each other without gaps or overlaps: save the weights again with save_pretrained().',
  },
  'size-overflow': {
    message: 'overflow',
    text: (d) =>
      `Tensor ${d.tensor} in ${d.file} has shape ${shape(d.shape)}, whose ${d.dtype} size overflows 64 bits.`,
    hint: () => 'The shape is corrupt: save the weights again.',
  },
  'subbyte-misaligned': {
    message: 'misaligned',
    text: (d) =>
      `Tensor ${d.tensor} in ${d.file} holds ${plural(d.elements, `${d.dtype} element`)} of ${d.bits} bits, which do not fill whole bytes.`,
    hint: () =>
      'Sub-byte tensors must have an element count that fills whole bytes: pad the tensor and save again.',
  },
  'tensor-size-mismatch': {
    message: 'size',
    text: (d) =>
      `Tensor ${d.tensor} in ${d.file} is ${d.dtype} ${shape(d.shape)}, which takes ${plural(d.expectedBytes, 'byte')}, but its offsets span ${plural(d.actualBytes, 'byte')}.`,
    hint: () => 'The header does not match the data: save the weights again with save_pretrained().',
  },
  'data-past-eof': {
    message: 'truncated',
    text: (d) =>
      `${d.file} is ${plural(d.fileSize, 'byte')} but its header declares ${plural(d.expectedSize, 'byte')}: the file is cut off.`,
    hint: () =>
      'An upload or download stopped early: upload the file again and compare its size with the original.',
  },
  'file-size-mismatch': {
    message: 'trailing',
    text: (d) =>
      `${d.file} has ${plural(d.extraBytes, 'byte')} after its last tensor (${plural(d.fileSize, 'byte')} where the header accounts for ${d.expectedSize.toLocaleString('en-US')}).`,
    hint: () =>
      'Something was appended to the file; the safetensors library refuses it. Save the weights again.',
  },
})

/** The kinds of problem this rule reports: it also says how many of each were past the list's cap. */
export const LAYOUT_PROBLEM_CODES = Object.keys(PROBLEMS)

export default defineModelRule({
  meta: {
    id: 'MR302',
    name: 'invalid-tensor-layout',
    description: 'Require the tensors of a safetensors file to tile its data exactly, as the header declares',
    severity: 'error',
    artifacts: ['weights'],
    appliesTo: ['model', 'adapter'],
    messages: {
      ...problemMessages(PROBLEMS),
      omitted: omittedProblemsMessage(
        'They share a cause, usually the tool that wrote the header: save the weights again with save_pretrained().',
      ),
    },
  },
  check({ artifacts: { weights }, report }) {
    for (const f of weights.files) {
      const problems = f.parse?.problems ?? []
      // A tensor whose offsets cannot be read (invalid-safetensors-header reports it) still holds
      // bytes somewhere: the gap or the trailing bytes it leaves are that report, not a second one.
      const unplaced = problems.some(
        (p) => p.code === 'invalid-tensor-entry' && (p.field === 'entry' || p.field === 'data_offsets'),
      )
      for (const problem of problems) {
        if (
          unplaced &&
          (problem.code === 'file-size-mismatch' ||
            (problem.code === 'non-contiguous' && problem.kind !== 'overlap'))
        )
          continue
        if (hasRow(PROBLEMS, problem))
          report(PROBLEMS[problem.code].message, { ...problem, file: f.path }, { path: f.path })
      }
      for (const o of f.parse?.omitted ?? [])
        if (Object.hasOwn(PROBLEMS, o.code))
          report(
            'omitted',
            { file: f.path, count: o.count, code: o.code, limit: MAX_PROBLEMS_PER_CODE },
            { path: f.path },
          )
    }
  },
})
