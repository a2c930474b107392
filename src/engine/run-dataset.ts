// One streaming pass over a dataset: every rule sees every row as it goes by, nothing keeps the rows,
// and the shared work of a row (rendering it, counting its tokens) is done once, only when a rule asks.
import type { BaseModel } from '../artifacts/base-model.js'
import { readRows } from '../readers/read-rows.js'
import { DataFileError, MAX_ROW_BYTES, type DataFile } from '../readers/rows.js'
import type { Source } from '../sources/source.js'
import { renderTemplate, type RenderResult } from '../templates/render.js'
import type { DatasetRow, DatasetRule, DatasetVisitor } from '../rules/dataset-rule.js'
import type { Finding, Location } from '../common/finding.js'
import { statsCollector, type DatasetStats } from './dataset-stats.js'
import { crashedFinding, reporterFor } from './run-model.js'
import { compareOmitted, findingCollector, type OmittedFindings } from './finding-cap.js'
import { type RuleLevel } from '../common/finding.js'

export interface DatasetRunOptions {
  levels: ReadonlyMap<string, RuleLevel>
  docsBase: string
  base?: BaseModel
  maxRows?: number
  /** Check only share `index` of `count` (1-based; a job matrix's i/n): see shardFiles and shardRows. */
  shard?: { index: number; count: number }
  /**
   * Where a finding about the whole dataset goes (rules report it at '.'): the one data file named, when
   * the dataset was named by a file, so the finding names that file and not the folder it sits in.
   */
  datasetPath?: string
  /** Called about every two seconds on long runs: rows so far and rows per second. */
  onProgress?: (rows: number, rowsPerSecond: number) => void
}

export async function runDatasetRules(
  source: Source,
  files: readonly DataFile[],
  unsupported: readonly string[],
  rules: readonly DatasetRule[],
  options: DatasetRunOptions,
  /** The listing stopped at its depth or entry limit: files may be missing. */
  truncated = false,
): Promise<{ findings: Finding[]; stats: DatasetStats; omitted: OmittedFindings[] }> {
  // Row findings are kept per rule and file up to a cap and counted past it (finding-cap.ts).
  const collected = findingCollector()
  const { base } = options
  // A finding about the whole dataset ('.') names the data file when the dataset is that one file.
  const placed = (f: Finding): Finding =>
    f.location.path === '.' && options.datasetPath
      ? { ...f, location: { ...f.location, path: options.datasetPath } }
      : f
  const visitors: { rule: DatasetRule; visitor: DatasetVisitor; crashed: boolean }[] = []
  for (const rule of rules) {
    const level = options.levels.get(rule.meta.id)
    if (level === 'off') continue
    const docsUrl = `${options.docsBase}${rule.meta.name}.md`
    const report = reporterFor(rule.meta, level, docsUrl, (f) => collected.push(placed(f)))
    visitors.push({ rule, visitor: rule.create({ base, report }), crashed: false })
  }
  // A rule that throws is reported once and left out of the rest of the pass; the others go on.
  const each = (call: (v: DatasetVisitor) => void) => {
    for (const entry of visitors) {
      if (entry.crashed) continue
      try {
        call(entry.visitor)
      } catch (error) {
        entry.crashed = true
        const docsUrl = `${options.docsBase}${entry.rule.meta.name}.md`
        collected.keep(placed(crashedFinding(entry.rule.meta, error, docsUrl, 'dataset')))
      }
    }
  }

  const stats = statsCollector(base)
  const started = Date.now()
  let lastProgress = started
  each((v) => v.files?.(files, unsupported, truncated))

  // Rows a reader reported and did not read (a Parquet row group past the limits): rows of the files
  // for max-rows and for "the dataset has no rows", not for the statistics.
  let skippedRows = 0
  // Whether max-rows stopped the pass, and the rows the files hold while every file's count is known:
  // a file read to its end, or one whose format states it (Parquet's footer).
  let stopped = false
  let total: number | undefined = 0
  // A shard reads only its files when every shard has one; else every file, checking only its rows.
  // Rows read and left to other shards count for max-rows (rows read, as one run reads them) and for
  // "the dataset has no rows"; a shard by file does not know the other files' rows, so never says "no rows".
  const { shard } = options
  const owned = shard && files.length >= shard.count ? shardFiles(files, shard) : undefined
  let otherShards = 0
  // Rows of files that do not state their count (JSON Lines, JSON), numbered across the dataset.
  let unstated = 0
  for (const file of files) {
    if (owned && !owned.has(file.path)) continue
    const left =
      options.maxRows === undefined ? undefined : options.maxRows - stats.seen() - skippedRows - otherShards
    if (left !== undefined && left <= 0) {
      stopped = true
      total = undefined // files not opened
      break
    }
    let inFile = 0
    let stated: number | undefined
    // One row past the limit is asked for and not checked: it tells "the file ends here" from "rows
    // follow", so a file of exactly max-rows rows is not reported as cut short.
    let more = false
    try {
      const limit = left === undefined ? undefined : left + 1
      for await (const event of readRows(source, file, { maxRows: limit, onRowCount: (n) => (stated = n) })) {
        if (left !== undefined && inFile >= left) {
          more = true
          break
        }
        const count = event.kind === 'bad-row' && event.skipped !== undefined ? event.skipped : 1
        inFile += count
        if (shard && !owned) {
          const range = stated === undefined ? undefined : { ...shardRows(stated, shard), rows: stated }
          if (range && event.row > range.last) {
            // Past this shard's range: the rest of the file is other shards', and is not read.
            otherShards += range.rows - (inFile - count)
            inFile = range.rows
            break
          }
          const mine = range ? event.row >= range.first : unstated++ % shard.count === shard.index - 1
          if (!mine) {
            otherShards += count
            continue
          }
        }
        if (event.kind === 'bad-row' && event.skipped !== undefined) {
          const skipped = { row: event.row, count: event.skipped, problem: event.problem }
          skippedRows += skipped.count
          each((v) => v.skipped?.(file, skipped))
          continue
        }
        if (event.kind === 'bad-row') {
          stats.badRow(file.split)
          each((v) => v.badRow?.(file, event))
          continue
        }
        const messages = (event.value as { messages?: unknown } | null)?.messages
        const row = datasetRow(file, event, messages, base)
        each((v) => v.row?.(row))
        const rows = stats.row(row, messages)
        const now = Date.now()
        if (options.onProgress && now - lastProgress >= 2000) {
          lastProgress = now
          options.onProgress(rows, Math.round(rows / ((now - started) / 1000)))
        }
      }
      const limited = more
      if (limited) stopped = true
      if (total !== undefined)
        total = !limited ? total + inFile : stated === undefined ? undefined : total + stated
    } catch (error) {
      if (!(error instanceof DataFileError)) throw error
      total = undefined
      each((v) => v.fileError?.(file, error.message, error.line))
    }
  }
  const notOwned = owned ? files.length - owned.size : 0
  each((v) => v.end?.(stats.seen() + skippedRows + otherShards + notOwned))
  const checked = stats.seen()
  const partial =
    stopped &&
    options.maxRows !== undefined &&
    (total === undefined || total > checked + skippedRows + otherShards)
      ? { checked, maxRows: options.maxRows, ...(total !== undefined ? { total } : {}) }
      : undefined
  return {
    findings: collected.findings,
    stats: stats.result((Date.now() - started) / 1000, partial),
    omitted: collected.omitted().sort(compareOmitted),
  }
}

/**
 * The files of one shard when there are at least as many files as shards: sorted by path (code units),
 * file k (0-based) goes to shard (k mod count) + 1, so every shard has a file, and the shards' file
 * counts differ by one at most.
 */
export function shardFiles(files: readonly DataFile[], shard: { index: number; count: number }): Set<string> {
  const paths = [...new Set(files.map((f) => f.path))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return new Set(paths.filter((_, k) => k % shard.count === shard.index - 1))
}

/**
 * The rows of one shard in a file of `rows` rows whose format states the count (Parquet's footer):
 * one contiguous range, `first` to `last` (1-based, empty when `last < first`), the ranges of the
 * shards following each other. Rows of files that do not state their count (JSON Lines, JSON) go round
 * robin instead: the dataset's r-th such row (files in order, 1-based) to shard ((r - 1) mod count) + 1,
 * which needs no count and no second pass.
 */
export function shardRows(
  rows: number,
  shard: { index: number; count: number },
): { first: number; last: number } {
  return {
    first: Math.floor(((shard.index - 1) * rows) / shard.count) + 1,
    last: Math.floor((shard.index * rows) / shard.count),
  }
}

function datasetRow(
  file: DataFile,
  event: { row: number; line?: number; value: unknown; bytes: number },
  messages: unknown,
  base: BaseModel | undefined,
): DatasetRow {
  let rendered: RenderResult | undefined | null = null
  const location: Location = {
    path: file.path,
    row: event.row,
    ...(event.line !== undefined ? { line: event.line } : {}),
  }
  return {
    file,
    row: event.row,
    line: event.line,
    value: event.value,
    bytes: event.bytes,
    location,
    rendered() {
      if (rendered !== null) return rendered
      if (!base?.template || !Array.isArray(messages)) return (rendered = undefined)
      const value = event.value as { tools?: unknown }
      // transformers picks the "tool_use" template when tools are passed and the model has one.
      const template = value.tools != null && base.toolTemplate ? base.toolTemplate : base.template
      // After its first limit a template renders no more rows in this run; DS401 counts the rows skipped.
      if (template.stopped) {
        template.stopped.skipped++
        return (rendered = undefined)
      }
      rendered = renderTemplate(
        template.compiled,
        {
          messages,
          add_generation_prompt: false,
          tools: value.tools ?? undefined,
          specialTokens: base.specialTokens,
        },
        // A row may be up to MAX_ROW_BYTES; its rendering is allowed a few times that, never unbounded.
        // Each row has its own time, and all rows share the run's budget (artifacts/base-model.ts).
        {
          timeMs: base.renderLimits.rowMs,
          maxOutputChars: 4 * MAX_ROW_BYTES,
          budget: base.renderLimits.budget,
        },
      )
      if (!rendered.ok && rendered.kind === 'limit')
        template.stopped = { row: event.row, path: file.path, message: rendered.message, skipped: 0 }
      return rendered
    },
  }
}
