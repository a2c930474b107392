// Rows of one data file, one at a time, whatever its format. JSON Lines is read line by line, a JSON array
// element by element (read-json.ts), Parquet one row group at a time (read-parquet.ts); none of them
// holds a whole file. `bytes` is the row's stored JSON text for JSONL and JSON, and for Parquet the size
// of the decoded row as compact UTF-8 JSON (escapes not counted), added up while it is made JSON-safe.
import type { Source } from '../sources/source.js'
import { readJson } from './read-json.js'
import { readJsonl, type JsonlShare } from './read-jsonl.js'
import { readParquet } from './read-parquet.js'
import { eventRows, type DataFile, type RowEvent } from './rows.js'

export interface ReadOptions {
  /** Stop after this many rows (bad and skipped rows count: they are rows of the file). */
  maxRows?: number
  /**
   * Only these top-level columns: Parquet reads no others; for JSON rows, an object value keeps only
   * these keys (its `bytes` stays the size of the whole stored row). 'all': every column. Without it,
   * JSON rows are whole and Parquet reads the columns the dataset rules read (RULE_COLUMNS in
   * read-parquet.ts), its `bytes` the size of those.
   */
  columns?: string[] | 'all'
  /** Called with the rows the file holds when its format states it (Parquet's footer), before any row. */
  onRowCount?: (rows: number) => void
  /** JSON Lines: a shard's share of the file's rows (read-jsonl.ts). */
  share?: JsonlShare
  /**
   * Parquet: the rows to read (1-based, both included), given the rows the file holds; the others are
   * other shards': the row groups that hold only such rows are not read, and their rows come as `left`
   * events.
   */
  range?: (rows: number) => { first: number; last: number }
}

/**
 * Throws DataFileError for a file that cannot be read as rows at all (and SourceError when reading fails
 * for a reason that is not the file's fault); yields a `bad-row` for a single row that cannot be parsed,
 * and goes on.
 */
export async function* readRows(
  source: Source,
  file: DataFile,
  options: ReadOptions = {},
): AsyncGenerator<RowEvent> {
  const maxRows = options.maxRows ?? Infinity
  if (!(maxRows > 0)) return
  const batches =
    file.format === 'parquet'
      ? readParquet(source, file, {
          maxRows,
          columns: options.columns === 'all' ? undefined : (options.columns ?? 'rules'),
          onRowCount: options.onRowCount,
          ...(options.range ? { range: options.range } : {}),
        })
      : file.format === 'json'
        ? readJson(source, file)
        : readJsonl(source, file, options.share)
  // Parquet reads only the wanted columns; JSON rows are cut down here.
  const columns = file.format === 'parquet' || options.columns === 'all' ? undefined : options.columns
  let n = 0
  for await (const batch of batches) {
    for (const event of batch) {
      yield columns && event.kind === 'row' ? { ...event, value: project(event.value, columns) } : event
      n += eventRows(event)
      if (n >= maxRows) return // closes the inner reader: nothing more is read
    }
  }
}

function project(value: unknown, columns: string[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const record = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const c of columns) if (Object.hasOwn(record, c)) out[c] = record[c]
  return out
}
