import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/dataset/dataset-files.js'
import { chat, jsonl, runDataset } from '../../helpers/dataset-tester.js'

const run = async (files: Record<string, string | Uint8Array>) =>
  (await runDataset([rule], files)).findings.map((f) => [f.messageId, f.location.path, f.message])

describe('DS102 dataset-files', () => {
  it('is silent on a readable dataset', async () => {
    expect(await run({ 'train.jsonl': jsonl([chat(['user', 'a'], ['assistant', 'b'])]) })).toEqual([])
  })
  it('no data files at all', async () => {
    expect(await run({ 'README.md': '# data' })).toEqual([
      ['noFiles', '.', 'No data files found: the dataset holds no .jsonl, .json or .parquet file.'],
    ])
  })
  it('a CSV is named, with the formats Friendli reads', async () => {
    expect(await run({ 'train.csv': 'a,b\n1,2\n' })).toEqual([
      [
        'unsupported',
        'train.csv',
        'train.csv is in a format Friendli does not read; it reads JSONL (.jsonl), JSON arrays (.json) and Parquet (.parquet).',
      ],
    ])
  })
  it('a Parquet file that is an LFS pointer cannot be read', async () => {
    const pointer =
      'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'a'.repeat(64) + '\nsize 12345\n'
    const findings = await run({ 'data/train-00000-of-00001.parquet': pointer })
    expect(findings).toHaveLength(1)
    expect(findings[0][0]).toBe('unreadable')
    expect(findings[0][2]).toMatch(
      /^data\/train-00000-of-00001\.parquet cannot be read as rows: .*LFS pointer/,
    )
  })
  it('files without a single row', async () => {
    expect(await run({ 'train.jsonl': '\n\n' })).toEqual([
      ['noRows', 'train.jsonl', 'The dataset has no rows: train.jsonl hold none.'],
    ])
  })
})
