import { z } from 'zod'
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
    let skippedRows = 0
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
        skippedRows += rows.count
        report(
          'skippedRows',
          { path: file.path, first: rows.row, last: rows.row + rows.count - 1, problem: rows.problem },
          { path: file.path, row: rows.row },
        )
      },
      end(total) {
        if (hadFiles && total === 0 && broken.size < names.length) report(...noRows(names))
      },
      // A shard knows its own rows only: the merge adds the rows every shard read to these.
      shardState: () => ({ skipped: skippedRows, broken: [...broken] }),
    }
  },
  mergeShards: {
    replaces: ['noRows'],
    parse: (state) => State.parse(state),
    merge(states: z.infer<typeof State>[], ctx) {
      const broken = new Set(states.flatMap((s) => s.broken))
      const total = ctx.rows + states.reduce((n, s) => n + s.skipped, 0)
      if (ctx.files.length > 0 && total === 0 && broken.size < ctx.files.length)
        ctx.report(...noRows(ctx.files))
    },
  },
})

const State = z.strictObject({ skipped: z.number().int().min(0), broken: z.array(z.string()) })

/** One file is the dataset's only file; several are the dataset as a whole. */
function noRows(names: readonly string[]) {
  return ['noRows', { files: listNames(names) }, { path: names.length === 1 ? names[0]! : '.' }] as const
}
