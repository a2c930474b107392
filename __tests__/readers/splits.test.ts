// Which files hold rows, and in which split, by the Hub's naming conventions (datasets' data_files.py).
import { describe, expect, it } from '@jest/globals'
import { canonicalSplit, findDataFiles } from '../../src/readers/splits.js'
import type { Listing, RepoEntry } from '../../src/sources/source.js'

function listing(paths: string[]): Listing {
  const entries: RepoEntry[] = []
  const dirs = new Set<string>()
  for (const p of paths) {
    const parts = p.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
    entries.push({ path: p, type: 'file', size: p.length })
  }
  for (const d of dirs) entries.push({ path: d, type: 'directory', size: 0 })
  return { entries, truncated: false }
}

const splitsOf = (paths: string[], splits?: string[]) =>
  findDataFiles(listing(paths), splits).files.map((f) => [f.split, f.path])

describe('findDataFiles', () => {
  it('file names with a split keyword at a word boundary', () => {
    expect(
      splitsOf([
        'README.md',
        '.gitattributes',
        'train.jsonl',
        'validation.jsonl',
        'test.json',
        'my_train-v2.parquet',
        'dev.jsonl',
        'eval.jsonl',
        'training.jsonl',
        'trainer.jsonl',
        'contest.jsonl',
        'val.ndjson',
      ]),
    ).toEqual([
      ['train', 'my_train-v2.parquet'],
      ['train', 'train.jsonl'],
      ['train', 'training.jsonl'],
      ['validation', 'dev.jsonl'],
      ['validation', 'val.ndjson'],
      ['validation', 'validation.jsonl'],
      ['test', 'eval.jsonl'],
      ['test', 'test.json'],
    ])
  })

  it('files that no keyword names are left out once a keyword matched (as `datasets` does), and listed as ignored', () => {
    const found = findDataFiles(listing(['train.jsonl', 'trainer.jsonl', 'extra.jsonl']))
    expect(found.files.map((f) => f.path)).toEqual(['train.jsonl'])
    expect(found.ignored.map((e) => e.path)).toEqual(['extra.jsonl', 'trainer.jsonl'])
  })

  it('no keyword anywhere: every data file is train', () => {
    expect(splitsOf(['data.jsonl', 'more/part-1.parquet', 'notes.md', 'script.py'])).toEqual([
      ['train', 'data.jsonl'],
      ['train', 'more/part-1.parquet'],
    ])
  })

  it('the push_to_hub layout data/{split}-00000-of-00001.parquet, any split name, wins over the rest', () => {
    expect(
      splitsOf([
        'data/train-00000-of-00002.parquet',
        'data/train-00001-of-00002.parquet',
        'data/test-00000-of-00001.parquet',
        'data/custom-00000-of-00001.parquet',
        'test.jsonl',
      ]),
    ).toEqual([
      ['train', 'data/train-00000-of-00002.parquet'],
      ['train', 'data/train-00001-of-00002.parquet'],
      ['test', 'data/test-00000-of-00001.parquet'],
      ['custom', 'data/custom-00000-of-00001.parquet'],
    ])
  })

  it('folders named for a split, before file names', () => {
    expect(
      splitsOf([
        'data/train/part-0.jsonl',
        'data/train/test-notes.jsonl',
        'train/a.jsonl',
        'my-valid/x.json',
        'test_set/y.parquet',
        'default/test/0000.parquet',
        'validation.jsonl',
      ]),
    ).toEqual([
      ['train', 'data/train/part-0.jsonl'],
      ['train', 'data/train/test-notes.jsonl'],
      ['train', 'train/a.jsonl'],
      ['validation', 'my-valid/x.json'],
      ['test', 'default/test/0000.parquet'],
      ['test', 'test_set/y.parquet'],
    ])
  })

  it('data files this check cannot read are unsupported; metadata, hidden and special files are ignored', () => {
    const found = findDataFiles(
      listing([
        'train.csv',
        'train.jsonl',
        'test.jsonl.gz',
        'test.tsv',
        'validation.arrow',
        'images/train/cat.png',
        'dataset_info.json',
        'config.json',
        'dataset_infos.json',
        '.git/objects/train.json',
        '.cache/train.jsonl',
        '__pycache__/train.json',
        'README.md',
      ]),
    )
    expect(found.files.map((f) => [f.split, f.path, f.format])).toEqual([['train', 'train.jsonl', 'jsonl']])
    expect(found.unsupported.map((e) => e.path)).toEqual([
      'train.csv',
      'validation.arrow',
      'test.jsonl.gz',
      'test.tsv',
    ])
    expect(found.ignored).toEqual([])
  })

  it('formats and sizes come from the listing; folders and unreadable links are not files', () => {
    const l = listing(['a.json', 'b.JSONL', 'c.parquet'])
    l.entries.push({ path: 'link.jsonl', type: 'other', size: 0, link: 'outside' })
    expect(findDataFiles(l).files).toEqual([
      { path: 'a.json', size: 6, format: 'json', split: 'train' },
      { path: 'b.JSONL', size: 7, format: 'jsonl', split: 'train' },
      { path: 'c.parquet', size: 9, format: 'parquet', split: 'train' },
    ])
  })

  it('keeps only the splits asked for, by name or alias', () => {
    const paths = ['train.jsonl', 'validation.jsonl', 'test.jsonl', 'test.csv']
    expect(splitsOf(paths, ['validation'])).toEqual([['validation', 'validation.jsonl']])
    expect(splitsOf(paths, ['train', 'dev'])).toEqual([
      ['train', 'train.jsonl'],
      ['validation', 'validation.jsonl'],
    ])
    expect(findDataFiles(listing(paths), ['train']).unsupported).toEqual([])
    expect(findDataFiles(listing(paths), ['eval']).unsupported.map((e) => e.path)).toEqual(['test.csv'])
  })

  it('canonical split names', () => {
    expect(
      ['val', 'dev', 'valid', 'eval', 'evaluation', 'training', 'testing', 'other'].map(canonicalSplit),
    ).toEqual(['validation', 'validation', 'validation', 'test', 'test', 'train', 'test', 'other'])
  })
})
