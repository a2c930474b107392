// One streaming pass over a dataset: every rule sees every row as it goes by, nothing keeps the rows,
// and the shared work of a row (rendering it, counting its tokens) is done once, only when a rule asks.
import type { ResourceLimits } from 'node:worker_threads'
import type { BaseModel } from '../artifacts/base-model.js'
import { readRows, type ReadOptions } from '../readers/read-rows.js'
import { DataFileError, eventRows, MAX_ROW_BYTES, type DataFile, type RowEvent } from '../readers/rows.js'
import type { Source } from '../sources/source.js'
import { renderRows, renderTemplate, type RenderJob, type RenderResult } from '../templates/render.js'
import type { DatasetRow, DatasetRule, DatasetVisitor } from '../rules/dataset-rule.js'
import type { Finding, Location } from '../common/finding.js'
import { statsCollector, type DatasetStats } from './dataset-stats.js'
import { startRowPool, WorkerStopped, type RowPool } from './row-pool.js'
import type { WorkerBase, WorkReply, WorkRow } from './row-worker.js'
import { crashedFinding, reporterFor } from './run-model.js'
import { compareOmitted, findingCollector, type OmittedFindings } from './finding-cap.js'
import { type RuleLevel } from '../common/finding.js'
import { heapRelief } from '../common/heap-relief.js'

export interface DatasetRunOptions {
  levels: ReadonlyMap<string, RuleLevel>
  docsBase: string
  base?: BaseModel
  maxRows?: number
  /**
   * Check only share `index` of `count` (1-based; a job matrix's i/n): see shardFiles and shardRows.
   * `rows`: a share of every file's rows even when there are as many files as shards (threads on one
   * machine, where files of unequal sizes would leave some threads idle).
   */
  shard?: { index: number; count: number; rows?: boolean }
  /**
   * Where a finding about the whole dataset goes (rules report it at '.'): the one data file named, when
   * the dataset was named by a file, so the finding names that file and not the folder it sits in.
   */
  datasetPath?: string
  /**
   * Worker threads that render rows and count their tokens while this thread reads and runs the rules
   * (engine/row-pool.ts); 1 or unset: this thread does it all. The findings are the same either way.
   */
  jobs?: number
  /** The worker threads' heap limits (default: engine/row-pool.ts). */
  workerLimits?: ResourceLimits
  /** Called about every two seconds on long runs: rows so far and rows per second. */
  onProgress?: (rows: number, rowsPerSecond: number) => void
  /**
   * Given this run's sampled rows (sampleKey, bytes) and their step, the step to count them at: the
   * step of the whole dataset when this run is one of several threads checking its shares
   * (engine/shard-threads.ts), so each counts only the rows one run samples.
   */
  sampleStep?: (sample: { rows: { key: number; bytes: number }[]; level: number }) => Promise<number>
}

export interface DatasetRunResult {
  findings: Finding[]
  stats: DatasetStats
  omitted: OmittedFindings[]
  /** A shard's run: each rule's shardState, by rule id (rules without one are left out). */
  shardState?: Record<string, unknown>
}

export async function runDatasetRules(
  source: Source,
  files: readonly DataFile[],
  unsupported: readonly string[],
  rules: readonly DatasetRule[],
  options: DatasetRunOptions,
  /** The listing stopped at its depth or entry limit: files may be missing. */
  truncated = false,
): Promise<DatasetRunResult> {
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
  // A full collection now and then keeps the peak memory near what the pass keeps alive.
  const relief = heapRelief()
  const started = Date.now()
  let lastProgress = started
  // Rows are read a batch at a time, rendered together (renderRows: one hard stop for many rows), then
  // given to the rules one by one in the order they were read.
  let pending: Pending[] = []
  let pendingBytes = 0
  const render = base?.template !== undefined && visitors.some((e) => usesTemplate(e.rule))
  const jobs = options.jobs ?? 1
  // The worker threads start with the first full batch: a dataset of fewer rows is done before they
  // would be ready.
  let pool: RowPool | undefined
  const startPool = () => {
    if (pool || !render || jobs <= 1) return
    pool = startRowPool(
      jobs - 1,
      workerBase(base, visitors),
      options.workerLimits ? { resourceLimits: options.workerLimits } : {},
    )
  }
  // Rows given to the worker threads and not yet to the rules: their results come back in any order and
  // are taken in the order the rows were read, so the rules see what one thread would have shown them.
  const inFlight: { batch: Pending[]; sent: RowWithRender[]; reply: Promise<RowsReply | WorkerStopped> }[] =
    []
  const give = (batch: readonly Pending[]) => {
    for (const p of batch) {
      if (p.kind === 'skipped') {
        each((v) => v.skipped?.(p.file, p.skipped))
        continue
      }
      if (p.kind === 'bad') {
        stats.badRow(p.file.split)
        each((v) => v.badRow?.(p.file, p.event))
        continue
      }
      each((v) => v.row?.(p.row))
      const rows = stats.row(p.row, p.messages)
      const now = Date.now()
      if (options.onProgress && now - lastProgress >= 2000) {
        lastProgress = now
        options.onProgress(rows, Math.round(rows / ((now - started) / 1000)))
      }
    }
  }
  const takeOldest = async () => {
    const { batch, sent, reply } = inFlight.shift()!
    takeReply(sent, await reply, base!)
    give(batch)
  }
  /** `full`: the batch reached its rows or bytes (the file goes on), rather than the file's end. */
  const flush = async (full = false) => {
    const batch = pending
    pending = []
    pendingBytes = 0
    relief.relieve()
    if (full) startPool()
    if (!pool) {
      if (render)
        renderBatch(
          batch.flatMap((p) => (p.kind === 'row' ? [p.row] : [])),
          base,
        )
      give(batch)
      return
    }
    const sent: RowWithRender[] = []
    const work: WorkRow[] = []
    for (const p of batch) {
      if (p.kind !== 'row') continue
      const value = p.row.value as { messages?: unknown; tools?: unknown } | null
      if (!Array.isArray(value?.messages)) continue
      sent.push(p.row)
      work.push({ tool: value.tools != null, messages: value.messages, tools: value.tools })
    }
    const reply = work.length
      ? pool.rows(work).catch((e: unknown) => asStopped(e))
      : Promise.resolve(undefined)
    inFlight.push({ batch, sent, reply: reply as Promise<RowsReply | WorkerStopped> })
    // Two requests per thread keep every thread busy while the rules take the oldest results.
    while (inFlight.length > 2 * pool.size) await takeOldest()
  }
  const flushAll = async () => {
    await flush()
    while (inFlight.length > 0) await takeOldest()
  }
  each((v) => v.files?.(files, unsupported, truncated))

  // Rows a reader reported and did not read (a Parquet row group past the limits): rows of the files
  // for max-rows and for "the dataset has no rows", not for the statistics.
  let skippedRows = 0
  // Whether max-rows stopped the pass, and the rows the files hold while every file's count is known:
  // a file read to its end, or one whose format states it (Parquet's footer).
  let stopped = false
  let total: number | undefined = 0
  // A shard reads only its files when whole files share evenly (shardFiles); else every file, checking
  // only its rows.
  // Rows read and left to other shards count for max-rows (rows read, as one run reads them) and for
  // "the dataset has no rows"; a shard by file does not know the other files' rows, so never says "no rows".
  const { shard } = options
  const owned = shard && !shard.rows ? shardFiles(files, shard) : undefined
  let otherShards = 0
  let rowsAfter = false
  // Rows of JSON files (arrays, which give their rows' places only as they are parsed), numbered across
  // the dataset: they go round robin.
  let unstated = 0
  try {
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
        const read = {
          maxRows: limit,
          onRowCount: (n: number) => (stated = n),
          // Another shard's rows are counted, not read: JSON Lines by bytes, Parquet by row groups.
          ...(shard && !owned ? shareOf(file, shard, options.maxRows !== undefined) : {}),
        }
        // Lines after this shard's bytes are not counted: whether the file has rows is not known here.
        if (read.share && !read.share.countAfter && read.share.to < file.size) rowsAfter = true
        for await (const event of readRows(source, file, read)) {
          if (left !== undefined && inFile >= left) {
            more = true
            break
          }
          const count = eventRows(event)
          inFile += count
          if (shard && !owned) {
            const range = stated === undefined ? undefined : { ...shardRows(stated, shard), rows: stated }
            if (range && event.row > range.last) {
              // Past this shard's range: the rest of the file is other shards', and is not read.
              otherShards += range.rows - (inFile - count)
              inFile = range.rows
              break
            }
            // A JSON array's rows (whose places are known only by reading them all) go round robin.
            const mine =
              event.kind === 'left'
                ? false
                : range
                  ? event.row >= range.first
                  : file.format !== 'json' || unstated++ % shard.count === shard.index - 1
            if (!mine) {
              otherShards += count
              continue
            }
          }
          // Only another shard's rows are left unread, and those do not get here.
          if (event.kind === 'left') throw new Error(`row ${event.row} of ${file.path} was not read`)
          if (event.kind === 'bad-row' && event.skipped !== undefined) {
            const skipped = { row: event.row, count: event.skipped, problem: event.problem }
            skippedRows += skipped.count
            pending.push({ kind: 'skipped', file, skipped })
          } else if (event.kind === 'bad-row') pending.push({ kind: 'bad', file, event })
          else {
            const messages = (event.value as { messages?: unknown } | null)?.messages
            pending.push({ kind: 'row', row: datasetRow(file, event, base), messages })
            pendingBytes += event.bytes
          }
          if (pending.length >= BATCH_ROWS || pendingBytes >= BATCH_BYTES) await flush(true)
        }
        await flushAll()
        const limited = more
        if (limited) stopped = true
        if (total !== undefined)
          total = !limited ? total + inFile : stated === undefined ? undefined : total + stated
      } catch (error) {
        if (!(error instanceof DataFileError)) throw error
        await flushAll() // the rows read before the error come first, as they were read
        total = undefined
        each((v) => v.fileError?.(file, error.message, error.line))
      }
    }
    if (options.sampleStep) stats.narrow(await options.sampleStep(stats.sample()))
    // The statistics' sample is counted before the rules end: a tokenizer stopped on it is said (DS402).
    const sampleCounts = await countSample(stats.sampleTexts(), base, pool)
    // Files of other shards and lines after this one's are rows for all it knows: never "no rows".
    const unknown = (owned ? files.length - owned.size : 0) + (rowsAfter ? 1 : 0)
    each((v) => v.end?.(stats.seen() + skippedRows + otherShards + unknown))
    const shardState = shard ? collectShardState(visitors, each) : undefined
    const checked = stats.seen()
    const partial =
      stopped &&
      options.maxRows !== undefined &&
      (total === undefined || total > checked + skippedRows + otherShards)
        ? { checked, maxRows: options.maxRows, ...(total !== undefined ? { total } : {}) }
        : undefined
    return {
      findings: collected.findings,
      stats: stats.result((Date.now() - started) / 1000, partial, sampleCounts),
      omitted: collected.omitted().sort(compareOmitted),
      ...(shardState ? { shardState } : {}),
    }
  } finally {
    await pool?.close()
  }
}

/** Each rule's shardState, by rule id; a rule whose shardState throws is reported like any crash. */
function collectShardState(
  visitors: readonly { rule: DatasetRule; visitor: DatasetVisitor }[],
  each: (call: (v: DatasetVisitor) => void) => void,
): Record<string, unknown> {
  const state: Record<string, unknown> = {}
  const idOf = new Map(visitors.map((e) => [e.visitor, e.rule.meta.id]))
  each((v) => {
    const value = v.shardState?.()
    if (value !== undefined) state[idOf.get(v)!] = value
  })
  return state
}

/**
 * The files of one shard, when whole files share the bytes evenly enough: at least as many files as
 * shards, dealt largest first (equal sizes in path order, code units) to the shard with the fewest bytes
 * (then the fewest files, then the first), and no shard past 1.25 times an even share. Otherwise
 * undefined: every shard reads its share of every file's rows (shardRows, shardBytes), so one large file
 * beside small ones does not leave the other jobs idle. Files of one size go round robin by path.
 */
export function shardFiles(
  files: readonly Pick<DataFile, 'path' | 'size'>[],
  shard: { index: number; count: number },
): Set<string> | undefined {
  const unique = [...new Map(files.map((f) => [f.path, f])).values()]
  if (unique.length < shard.count) return undefined
  unique.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const bytes = new Array<number>(shard.count).fill(0)
  const held = new Array<number>(shard.count).fill(0)
  const owner = unique.map((f) => {
    let k = 0
    for (let j = 1; j < shard.count; j++)
      if (bytes[j]! < bytes[k]! || (bytes[j] === bytes[k] && held[j]! < held[k]!)) k = j
    bytes[k]! += f.size
    held[k]!++
    return k
  })
  const total = bytes.reduce((a, b) => a + b, 0)
  if (Math.max(...bytes) > (1.25 * total) / shard.count) return undefined
  return new Set(unique.filter((_, i) => owner[i] === shard.index - 1).map((f) => f.path))
}

/**
 * The rows of one shard in a file of `rows` rows whose format states the count (Parquet's footer):
 * one contiguous range, `first` to `last` (1-based, empty when `last < first`), the ranges of the
 * shards following each other. A JSON Lines file is shared by bytes instead (shardBytes), and the rows
 * of JSON files go round robin: the dataset's r-th such row (files in order, 1-based) to shard
 * ((r - 1) mod count) + 1, which needs no count and no second pass.
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

/**
 * How a shard reads a file it shares with the others: a JSON Lines file by bytes (shardBytes), the
 * lines past its share counted too when max-rows needs the rows the file holds; a Parquet file from the
 * first row of its range (shardRows). A JSON file is read whole by every shard.
 */
function shareOf(file: DataFile, shard: { index: number; count: number }, countAfter: boolean): ReadOptions {
  if (file.format === 'jsonl') return { share: { ...shardBytes(file.size, shard), countAfter } }
  if (file.format === 'parquet') return { range: (rows) => shardRows(rows, shard) }
  return {}
}

/**
 * The bytes of one shard in a JSON Lines file of `size` bytes, `from` to `to` (exclusive), the shards'
 * following each other: a line is the shard's whose bytes it begins in. Its rows' numbers are known by
 * counting the lines before it, which needs no parsing.
 */
export function shardBytes(
  size: number,
  shard: { index: number; count: number },
): { from: number; to: number } {
  return {
    from: Math.floor(((shard.index - 1) * size) / shard.count),
    to: Math.floor((shard.index * size) / shard.count),
  }
}

/** What the pass read and has not yet given to the rules, in the order it was read. */
type Pending =
  | { kind: 'row'; row: RowWithRender; messages: unknown }
  | { kind: 'bad'; file: DataFile; event: Extract<RowEvent, { kind: 'bad-row' }> }
  | { kind: 'skipped'; file: DataFile; skipped: { row: number; count: number; problem: string } }

/** Rows read before they go to the rules: enough to render many under one hard stop, few in memory. */
const BATCH_ROWS = 256
const BATCH_BYTES = 4 * 1024 * 1024

/** Whether a rule reads rendered rows or their tokens, so rows are rendered ahead for it. */
function usesTemplate(rule: DatasetRule): boolean {
  return rule.meta.inputs.includes('template') || rule.meta.inputs.includes('tokenizer')
}

/** A row and its rendering: null until rendered (or skipped), then the result or undefined. */
interface RowWithRender extends DatasetRow {
  render: RenderResult | undefined | null
  /** Its tokens: null until counted, then the count or undefined (not rendered, not counted). */
  counted: number | undefined | null
}

/** Renders a batch of rows ahead of the rules, as each row's rendered() would, in order. */
function renderBatch(rows: readonly RowWithRender[], base: BaseModel): void {
  renderRows(
    rows.length,
    (i) => {
      const job = renderJob(rows[i]!, base)
      if (!job) rows[i]!.render = undefined
      return job
    },
    renderLimits(base),
    (i, result) => settle(rows[i]!, result, base),
  )
}

/**
 * What rendering a row takes: the template (transformers picks the "tool_use" template when tools are
 * passed and the model has one) and its input; undefined when the row is not rendered: no usable
 * template, no `messages` list, or a template stopped by an earlier row's limit (counted for DS401).
 */
function renderJob(row: RowWithRender, base: BaseModel | undefined): RenderJob | undefined {
  const value = row.value as { messages?: unknown; tools?: unknown } | null
  const messages = value?.messages
  if (!base?.template || !Array.isArray(messages)) return undefined
  const template = value!.tools != null && base.toolTemplate ? base.toolTemplate : base.template
  if (template.stopped) {
    template.stopped.skipped++
    return undefined
  }
  return {
    template: template.compiled,
    input: {
      messages,
      add_generation_prompt: false,
      tools: value!.tools ?? undefined,
      specialTokens: base.specialTokens,
    },
  }
}

/** Keeps a row's result; after its first limit a template renders no more rows in this run. */
function settle(row: RowWithRender, result: RenderResult, base: BaseModel): void {
  row.render = result
  if (result.ok || result.kind !== 'limit') return
  const value = row.value as { tools?: unknown }
  const template = value.tools != null && base.toolTemplate ? base.toolTemplate : base.template!
  template.stopped ??= { row: row.row, path: row.file.path, message: result.message, skipped: 0 }
}

/**
 * A row may be up to MAX_ROW_BYTES; its rendering is allowed a few times that, never unbounded. Each row
 * has its own time, and all rows share the run's budget (artifacts/base-model.ts).
 */
function renderLimits(base: BaseModel) {
  return {
    timeMs: base.renderLimits.rowMs,
    maxOutputChars: 4 * MAX_ROW_BYTES,
    budget: base.renderLimits.budget,
  }
}

function datasetRow(
  file: DataFile,
  event: { row: number; line?: number; value: unknown; bytes: number },
  base: BaseModel | undefined,
): RowWithRender {
  const location: Location = {
    path: file.path,
    row: event.row,
    ...(event.line !== undefined ? { line: event.line } : {}),
  }
  const row: RowWithRender = {
    file,
    row: event.row,
    line: event.line,
    value: event.value,
    bytes: event.bytes,
    location,
    render: null,
    counted: null,
    knownTokens: () => row.counted ?? undefined,
    tokens() {
      if (row.counted === null) {
        const r = row.rendered()
        row.counted = r?.ok ? base?.countTokens?.(r.text) : undefined
      }
      return row.counted
    },
    rendered() {
      if (row.render !== null) return row.render
      const job = renderJob(row, base)
      if (!job) return (row.render = undefined)
      const result = renderTemplate(job.template, job.input, renderLimits(base!))
      settle(row, result, base!)
      return result
    },
  }
  return row
}

type RowsReply = Extract<WorkReply, { kind: 'rows' }>

/** What the worker threads are started with: the base model's parts, as plain data. */
function workerBase(base: BaseModel, visitors: readonly { rule: DatasetRule }[]): WorkerBase {
  // Rows that may exceed the context are counted for the rules that read tokens (DS402).
  const tokens = visitors.some((e) => e.rule.meta.inputs.includes('tokenizer'))
  return {
    templates: { default: base.template?.compiled.source, tool: base.toolTemplate?.compiled.source },
    specialTokens: base.specialTokens,
    // The render budget is what is left of it; each thread spends its own (wall time, not CPU time).
    limits: { ...base.runLimits, renderRunMs: base.renderLimits.budget.leftMs },
    ...(base.tokenizerInput && !base.tokensStopped ? { tokenizer: base.tokenizerInput } : {}),
    ...(tokens && base.context
      ? {
          longer: {
            context: base.context.tokens,
            ...(base.tokensPerByte !== undefined ? { perByte: base.tokensPerByte } : {}),
          },
        }
      : {}),
  }
}

/**
 * Takes a worker's results for the rows it was sent, in their order, as renderBatch would have settled
 * them here: a template stopped by an earlier row renders nothing more (the row is counted as skipped),
 * and a stopped tokenizer counts nothing more. A worker that stopped leaves its rows unrendered: the
 * first is reported as not finishing (DS401), which stops the template for the rest of the run.
 */
function takeReply(
  sent: readonly RowWithRender[],
  reply: RowsReply | WorkerStopped | undefined,
  base: BaseModel,
): void {
  sent.forEach((row, k) => {
    const job = renderJob(row, base)
    if (!job) {
      row.render = undefined
      return
    }
    if (reply === undefined) return
    // No thread worked on the rows (none could start, or they could not be sent): this thread renders
    // them, as with one job.
    if (reply instanceof WorkerStopped && reply.unserved) {
      settle(row, renderTemplate(job.template, job.input, renderLimits(base)), base)
      return
    }
    if (reply instanceof WorkerStopped) {
      const rows = `rows ${sent[0]!.row}–${sent.at(-1)!.row}`
      settle(
        row,
        {
          ok: false,
          kind: 'limit',
          message: `the worker thread rendering ${rows} stopped: ${reply.message}`,
        },
        base,
      )
      return
    }
    const result = reply.results[k]!
    // null: the worker's template stopped after an earlier row of its own; this thread decides again.
    settle(row, result.render ?? renderTemplate(job.template, job.input, renderLimits(base)), base)
    const stopped = reply.tokensStopped
    if (stopped && k >= stopped.from) base.tokensStopped ??= { why: stopped.why, counted: base.tokensCounted }
    if (base.tokensStopped) row.counted = undefined
    else if (result.tokens !== undefined) {
      row.counted = result.tokens
      base.tokensCounted++
    }
  })
}

/** The statistics' sampled rows counted: by the worker threads, shared out, or here. */
async function countSample(texts: string[], base: BaseModel | undefined, pool: RowPool | undefined) {
  if (!base?.countTokensMany || texts.length === 0) return []
  if (!pool) return base.countTokensMany(texts)
  const size = Math.ceil(texts.length / pool.size)
  const parts = await Promise.all(
    Array.from({ length: pool.size }, (_, k) =>
      pool.count(texts.slice(k * size, (k + 1) * size)).then(
        (reply) => {
          // A worker's tokenizer stopped: this run's is, as if it had stopped here (DS402 says so).
          const counted = base.tokensCounted + reply.counts.filter((n) => n !== undefined).length
          if (reply.tokensStopped) base.tokensStopped ??= { why: reply.tokensStopped.why, counted }
          return reply.counts
        },
        // A stopped worker's share is counted here.
        () => base.countTokensMany!(texts.slice(k * size, (k + 1) * size)),
      ),
    ),
  )
  return parts.flat()
}

function asStopped(error: unknown): WorkerStopped {
  return error instanceof WorkerStopped
    ? error
    : new WorkerStopped(error instanceof Error ? error.message : String(error))
}
