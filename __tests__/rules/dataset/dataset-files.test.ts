import rule from '../../../src/rules/dataset/dataset-files.js'
import { chat, datasetRuleTester, exactly } from '../../helpers/dataset-tester.js'
import { messagesParquet } from '../../helpers/parquet.js'
import { rewriteFooter } from '../../helpers/parquet-footer.js'

const rows = [chat(['user', 'a'], ['assistant', 'b'])]
const lfsPointer =
  'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'a'.repeat(64) + '\nsize 12345\n'

datasetRuleTester(rule, {
  valid: [
    { name: 'a readable dataset', rows },
    { name: 'a JSON array', file: 'train.json', rows },
    { name: 'a Parquet file', file: 'data/train-00000-of-00001.parquet', rows },
  ],
  invalid: [
    {
      name: 'no data files at all',
      files: { 'README.md': '# data' },
      errors: [
        {
          messageId: 'noFiles',
          path: '.',
          message: exactly('No data files found: the dataset holds no .jsonl, .json or .parquet file.'),
        },
      ],
    },
    {
      name: 'a CSV is named, with the formats Friendli reads',
      files: { 'train.csv': 'a,b\n1,2\n' },
      errors: [
        {
          messageId: 'unsupported',
          path: 'train.csv',
          message: exactly(
            'train.csv is in a format Friendli does not read; it reads JSONL (.jsonl), JSON arrays (.json) and Parquet (.parquet).',
          ),
        },
      ],
    },
    {
      name: 'a Parquet file that is an LFS pointer cannot be read',
      files: { 'data/train-00000-of-00001.parquet': lfsPointer },
      errors: [
        {
          messageId: 'unreadable',
          path: 'data/train-00000-of-00001.parquet',
          message: /^data\/train-00000-of-00001\.parquet cannot be read as rows: .*LFS pointer/,
        },
      ],
    },
    {
      // The footer says the first row group is 600 MiB uncompressed (300 per column): skipped unread.
      name: 'a Parquet row group past what is decoded at once is reported and skipped; the next is read',
      files: {
        'train.parquet': rewriteFooter(
          messagesParquet(
            Array.from({ length: 4 }, () => [
              { role: 'user', content: 'a' },
              { role: 'assistant', content: 'b' },
            ]),
            { rowGroupSize: 2 },
          ),
          (footer) => {
            for (const c of footer.row_groups[0]!.columns) c.meta_data!.total_uncompressed_size = 300n << 20n
          },
        ),
      },
      errors: [
        {
          messageId: 'skippedRows',
          path: 'train.parquet',
          row: 1,
          message: exactly(
            'train.parquet: rows 1 to 2 were not checked: row group 1 of 2 is 600.0 MiB in 2 rows, past the 256.0 MiB and 1,048,576 rows the check decodes at once; its 2 rows were not read.',
          ),
        },
      ],
    },
    {
      name: 'files without a single row',
      files: { 'train.jsonl': '\n\n' },
      errors: [
        {
          messageId: 'noRows',
          path: 'train.jsonl',
          message: exactly('The dataset has no rows: train.jsonl hold none.'),
        },
      ],
    },
    {
      name: 'several files without a single row: about the dataset, not the first file',
      files: { 'train.jsonl': '\n', 'test.jsonl': '\n' },
      errors: [
        {
          messageId: 'noRows',
          path: '.',
          message: exactly('The dataset has no rows: train.jsonl and test.jsonl hold none.'),
        },
      ],
    },
    {
      name: 'a listing cut at its limit: data files past it were not found',
      rows,
      truncated: true,
      errors: [{ messageId: 'truncated', path: '.', severity: 'warning', message: '4 folder levels' }],
    },
  ],
})
