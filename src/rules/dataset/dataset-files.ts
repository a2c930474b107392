import { defineDatasetRule } from '../dataset-rule.js'
import { listNames } from '../../common/wording.js'

const SUPPORTED = 'JSONL (.jsonl), JSON arrays (.json) and Parquet (.parquet)'

export default defineDatasetRule({
  meta: {
    id: 'DS102',
    name: 'dataset-files',
    description: 'Require data files Friendli reads, that can be read, with at least one row',
    severity: 'error',
    inputs: ['files'],
    messages: {
      noFiles: {
        text: (d: { splits: string }) =>
          `No data files found${d.splits}: the dataset holds no .jsonl, .json or .parquet file.`,
        hint: () =>
          `Add the data as ${SUPPORTED}; on the Hub, name files after their split (train.jsonl, data/train-00000-of-00001.parquet).`,
      },
      unsupported: {
        text: (d: { path: string }) =>
          `${d.path} is in a format Friendli does not read; it reads ${SUPPORTED}.`,
        hint: () =>
          'Convert it, for example with datasets: load_dataset(...).to_json("train.jsonl") or .to_parquet("train.parquet").',
      },
      unreadable: {
        text: (d: { path: string; reason: string }) => `${d.path} cannot be read as rows: ${d.reason}.`,
        hint: () =>
          'Write the file again with the tool that made it (json.dumps per line, or pyarrow / datasets for Parquet).',
      },
      skippedRows: {
        severity: 'warning',
        text: (d: { path: string; first: number; last: number; problem: string }) =>
          `${d.path}: rows ${d.first.toLocaleString('en-US')} to ${d.last.toLocaleString('en-US')} were not checked: ${d.problem.replace(/\.$/, '')}.`,
        hint: () =>
          'Write the file with smaller row groups (pyarrow: pq.write_table(..., row_group_size=1000); datasets writes small ones), so each decodes within the limit.',
      },
      truncated: {
        severity: 'warning',
        text: () =>
          'The dataset folder is deeper or larger than the check walks (4 folder levels, 20,000 entries): data files past that were not found or read.',
        hint: () =>
          'Point dataset at the folder or file that holds the data, or keep data files in the first levels (data/train-*.parquet).',
      },
      noRows: {
        text: (d: { files: string }) => `The dataset has no rows: ${d.files} hold none.`,
        hint: () => 'Add conversations; Friendli cannot fine-tune on an empty dataset.',
      },
    },
  },
  create({ report }) {
    let hadFiles = false
    const broken = new Set<string>()
    let names: string[] = []
    return {
      files(files, unsupported, truncated) {
        if (truncated) report('truncated', {}, { path: '.' })
        hadFiles = files.length > 0
        names = files.map((f) => f.path)
        for (const path of unsupported) report('unsupported', { path }, { path })
        if (files.length === 0 && unsupported.length === 0) report('noFiles', { splits: '' }, { path: '.' })
      },
      fileError(file, reason, line) {
        broken.add(file.path)
        report(
          'unreadable',
          { path: file.path, reason: reason.replace(/\.$/, '') },
          { path: file.path, ...(line ? { line } : {}) },
        )
      },
      skipped(file, rows) {
        report(
          'skippedRows',
          { path: file.path, first: rows.row, last: rows.row + rows.count - 1, problem: rows.problem },
          { path: file.path, row: rows.row },
        )
      },
      end(total) {
        if (hadFiles && total === 0 && broken.size < names.length)
          // One file is the dataset's only file; several are the dataset as a whole.
          report('noRows', { files: listNames(names) }, { path: names.length === 1 ? names[0] : '.' })
      },
    }
  },
})
