// Which files of a dataset repository hold rows, and in which split: the Hugging Face Hub's conventions
// (https://huggingface.co/docs/hub/datasets-file-names-and-splits), as `datasets` implements them in
// data_files.py. In order, the first rule that matches any data file decides, and files it does not
// match are not part of the dataset:
//   1. `data/{split}-00000-of-00001*.*` (any split name), as push_to_hub writes;
//   2. a folder named for a split (`train/`, `data/train/`, `my-test/`, `validation-data/`);
//   3. a file name with a split keyword at a word boundary (`train.jsonl`, `my_valid-00.parquet`);
//   4. otherwise every data file is in `train`.
// A keyword is bounded by the start or end of the name or one of `-._ 0-9` (a file name needs one of
// those after it). Like `datasets`, matching is case-sensitive.
import type { Listing, RepoEntry } from '../sources/source.js'
import type { DataFile, DatasetFormat } from './rows.js'

const FORMATS = new Map<string, DatasetFormat>([
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'], // `datasets` reads .ndjson with its json builder, as JSON Lines
  ['.json', 'json'],
  ['.parquet', 'parquet'],
])

/** Data files `datasets` would read that this check cannot (other builders, archives, compression). */
const UNSUPPORTED = new Set([
  '.csv',
  '.tsv',
  '.txt',
  '.arrow',
  '.xml',
  '.tar',
  '.zip',
  '.gz',
  '.bz2',
  '.xz',
  '.zst',
  '.lz4',
  '.7z',
  '.hdf5',
  '.h5',
  '.lance',
  '.eval',
  '.geoparquet',
  '.gpq',
])

/** Files `datasets` never treats as data (data_files.py FILES_TO_IGNORE). */
const IGNORED_NAMES = new Set([
  'README.md',
  'config.json',
  'dataset_info.json',
  'dataset_infos.json',
  'dummy_data.zip',
  'dataset_dict.json',
])

const SPLIT_KEYWORDS: Record<string, string[]> = {
  train: ['train', 'training'],
  validation: ['validation', 'valid', 'dev', 'val'],
  test: ['test', 'testing', 'eval', 'evaluation'],
}
const SPLIT_ORDER = ['train', 'validation', 'test']

const SEP = '[-._ 0-9]'
const keywordRe = (template: (k: string) => string) =>
  Object.entries(SPLIT_KEYWORDS).map(
    ([split, words]) => [split, new RegExp(words.map((w) => `(?:${template(w)})`).join('|'))] as const,
  )
/** `**\/{keyword}[sep]*` and `**\/*[sep]{keyword}[sep]*` on the file name. */
const FILE_NAME = keywordRe((k) => `^(?:.*${SEP})?${k}${SEP}`)
/** `**\/{keyword}/**`, `**\/*[sep]{keyword}/**`, `**\/{keyword}[sep]*\/**`, … on one folder name. */
const FOLDER_NAME = keywordRe((k) => `^(?:.*${SEP})?${k}(?:${SEP}.*)?$`)
/** `data/{split}-[0-9]{5}-of-[0-9]{5}*.*`, the layout push_to_hub writes. */
const SHARDED = /^data\/([^/]+?)-\d{5}-of-\d{5}[^/]*\.[^/]*$/

export interface DataFiles {
  /** Files this check reads, sorted by split (train, validation, test, then others by name) then path. */
  files: DataFile[]
  /** Data files in a split that `datasets` would read but this check cannot (CSV, Arrow, archives, …). */
  unsupported: RepoEntry[]
  /** Data files that are in no split: a naming rule matched other files, so `datasets` leaves these out. */
  ignored: RepoEntry[]
  /** Every split the dataset has, whether or not `splits` kept it, in split order. */
  splits: string[]
}

/**
 * The dataset's data files by the Hub's naming conventions. With `splits`, only those splits are kept
 * (aliases such as `val`, `dev` or `eval` name the split they belong to).
 */
export function findDataFiles(listing: Listing, splits?: string[]): DataFiles {
  const candidates = listing.entries.filter((e) => e.type === 'file' && isDataFile(e.path))
  const assigned = new Map<RepoEntry, string>()

  const sharded = candidates.filter((e) => SHARDED.test(e.path))
  if (sharded.length > 0) {
    for (const e of sharded) assigned.set(e, SHARDED.exec(e.path)![1])
  } else {
    const byFolder = (e: RepoEntry) => {
      const folders = e.path.split('/').slice(0, -1)
      return FOLDER_NAME.find(([, re]) => folders.some((f) => re.test(f)))?.[0]
    }
    const byName = (e: RepoEntry) => FILE_NAME.find(([, re]) => re.test(basename(e.path)))?.[0]
    for (const rule of [byFolder, byName, () => 'train']) {
      for (const e of candidates) {
        const split = rule(e)
        if (split) assigned.set(e, split)
      }
      if (assigned.size > 0) break
    }
  }

  const wanted = splits ? new Set(splits.map(canonicalSplit)) : undefined
  const files: DataFile[] = []
  const unsupported: RepoEntry[] = []
  const ignored: RepoEntry[] = []
  for (const e of candidates) {
    const split = assigned.get(e)
    if (split === undefined) {
      ignored.push(e)
      continue
    }
    if (wanted && !wanted.has(split)) continue
    const format = FORMATS.get(extension(e.path))
    if (format) files.push({ path: e.path, size: e.size, format, split })
    else unsupported.push(e)
  }
  const splitOf = new Map(files.map((f) => [f.path, f.split]))
  for (const e of unsupported) splitOf.set(e.path, assigned.get(e)!)
  const order = (a: { path: string }, b: { path: string }) =>
    compareSplits(splitOf.get(a.path)!, splitOf.get(b.path)!) || compare(a.path, b.path)
  files.sort(order)
  unsupported.sort(order)
  ignored.sort((a, b) => compare(a.path, b.path))
  const all = [...new Set(assigned.values())].sort(compareSplits)
  return { files, unsupported, ignored, splits: all }
}

/** `val`, `dev`, `eval`, … to the split they name; any other name as given. */
export function canonicalSplit(name: string): string {
  for (const [split, words] of Object.entries(SPLIT_KEYWORDS)) if (words.includes(name)) return split
  return name
}

function isDataFile(path: string): boolean {
  const parts = path.split('/')
  // Hidden files and folders (.git, .gitattributes, .cache) and special folders (__pycache__) are skipped.
  if (parts.some((p) => p.startsWith('.') || p.startsWith('__'))) return false
  const name = parts[parts.length - 1]
  if (IGNORED_NAMES.has(name)) return false
  const ext = extension(path)
  return FORMATS.has(ext) || UNSUPPORTED.has(ext)
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

function extension(path: string): string {
  const name = basename(path)
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(dot).toLowerCase() : ''
}

function compareSplits(a: string, b: string): number {
  const ia = SPLIT_ORDER.indexOf(a)
  const ib = SPLIT_ORDER.indexOf(b)
  if (ia >= 0 || ib >= 0) return (ia < 0 ? SPLIT_ORDER.length : ia) - (ib < 0 ? SPLIT_ORDER.length : ib)
  return compare(a, b)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
