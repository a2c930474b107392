// The dataset side of a Source: which files hold rows, in which split, and the rows themselves, one at
// a time. Readers never hold a whole file: JSONL is read line by line, a JSON array element by element,
// Parquet one row group at a time.

export type DatasetFormat = 'jsonl' | 'json' | 'parquet'

/** A data file of the dataset, as the Hub's split conventions name it. */
export interface DataFile {
  path: string
  size: number
  format: DatasetFormat
  split: string
}

/** What a reader yields: a parsed row, or a row that could not be parsed (with why, in plain words). */
export type RowEvent =
  | {
      kind: 'row'
      /** 1-based index of the row in its file. */
      row: number
      /** 1-based line where the row starts (JSONL and JSON arrays); absent for Parquet. */
      line?: number
      /** The row as JSON.parse would give it; Parquet INT64 become numbers (or strings past 2^53). */
      value: unknown
      /** The row's size in bytes as stored (JSON text, or Parquet's decoded size when cheap to know). */
      bytes: number
    }
  | {
      kind: 'bad-row'
      row: number
      line?: number
      column?: number
      problem: string
      /**
       * Set when the event stands for `skipped` rows from `row` on that were not read at all (a Parquet
       * row group past what is decoded at once): a matter of the file, reported once, and the file
       * goes on. Absent for one row that was read and could not be used.
       */
      skipped?: number
    }
  | {
      /**
       * Rows of another shard (ReadOptions.share, .range), counted and not read: `count` rows (one when
       * absent) from `row` on.
       */
      kind: 'left'
      row: number
      line?: number
      count?: number
    }

/** The rows an event stands for: one, or the rows of a skipped stretch or of other shards. */
export function eventRows(event: RowEvent): number {
  if (event.kind === 'bad-row') return event.skipped ?? 1
  return event.kind === 'left' ? (event.count ?? 1) : 1
}

/** A file that cannot be read as rows at all: a truncated Parquet, an LFS pointer, not UTF-8, … */
export class DataFileError extends Error {
  override name = 'DataFileError'
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message)
  }
}

/** A single row (one JSONL line, one array element) larger than this is refused, never buffered. */
export const MAX_ROW_BYTES = 16 * 1024 * 1024
