// One streaming pass over a dataset: every rule sees every row as it goes by, nothing keeps the rows,
// and the shared work of a row (rendering it, counting its tokens) is done once, only when a rule asks.
import type { BaseModel } from '../datasets/base-model.js'
import { readRows } from '../datasets/readers.js'
import { DataFileError, MAX_ROW_BYTES, type DataFile } from '../datasets/rows.js'
import type { Source } from '../sources/source.js'
import { renderTemplate, type RenderResult } from '../templates/render.js'
import type { DatasetRow, DatasetRule, DatasetVisitor } from './dataset-rule.js'
import type { Finding, Location } from './finding.js'
import { crashedFinding, reporterFor, type RuleLevel } from './run-model.js'

export interface DatasetRunOptions {
  levels: ReadonlyMap<string, RuleLevel>
  docsBase: string
  base?: BaseModel
  maxRows?: number
  /** Called about every two seconds on long runs: rows so far and rows per second. */
  onProgress?: (rows: number, rowsPerSecond: number) => void
}

export interface TokenStats {
  min: number
  median: number
  p95: number
  max: number
  /** Rows whose tokens were counted; on large sets an even sample, named in the summary. */
  counted: number
}

export interface DatasetStats {
  rows: number
  /** Rows that could not be parsed: they count towards max-rows, not towards the statistics. */
  badRows: number
  rowsPerSplit: Record<string, number>
  /** Messages per role, over every row. */
  roles: Record<string, number>
  tokens?: TokenStats
  /** Why tokens were not counted, when they were not. */
  noTokens?: string
  seconds: number
}

/** Token counts kept for the statistics: every row until this many, then an evenly strided sample. */
const TOKEN_SAMPLE = 4000

const KNOWN_ROLES = new Set(['system', 'user', 'assistant', 'tool'])

export async function runDatasetRules(
  source: Source,
  files: readonly DataFile[],
  unsupported: readonly string[],
  rules: readonly DatasetRule[],
  options: DatasetRunOptions,
  /** The listing stopped at its depth or entry limit: files may be missing. */
  truncated = false,
): Promise<{ findings: Finding[]; stats: DatasetStats }> {
  const findings: Finding[] = []
  const { base } = options
  const visitors: { rule: DatasetRule; visitor: DatasetVisitor; crashed: boolean }[] = []
  for (const rule of rules) {
    const level = options.levels.get(rule.meta.id)
    if (level === 'off') continue
    const docsUrl = `${options.docsBase}${rule.meta.name}.md`
    const report = reporterFor(rule.meta, level, docsUrl, (f) => findings.push(f))
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
        findings.push(
          crashedFinding(entry.rule.meta, error, `${options.docsBase}${entry.rule.meta.name}.md`, 'dataset'),
        )
      }
    }
  }

  const stats: DatasetStats = { rows: 0, badRows: 0, rowsPerSplit: {}, roles: {}, seconds: 0 }
  // Roles come from the data: Friendli's four and one bucket for anything else, so a dataset with role
  // and content swapped cannot fill memory or the summary with its text.
  const roles = new Map<string, number>()
  const counts: number[] = []
  let stride = 1
  const started = Date.now()
  let lastProgress = started
  each((v) => v.files?.(files, unsupported, truncated))

  for (const file of files) {
    const left = options.maxRows === undefined ? undefined : options.maxRows - stats.rows - stats.badRows
    if (left !== undefined && left <= 0) break
    try {
      for await (const event of readRows(source, file, { maxRows: left })) {
        if (event.kind === 'bad-row') {
          stats.badRows++
          each((v) => v.badRow?.(file, event))
          continue
        }
        stats.rows++
        stats.rowsPerSplit[file.split] = (stats.rowsPerSplit[file.split] ?? 0) + 1
        const messages = (event.value as { messages?: unknown } | null)?.messages
        if (Array.isArray(messages))
          for (const m of messages) {
            const role = typeof m?.role !== 'string' ? '(none)' : KNOWN_ROLES.has(m.role) ? m.role : '(other)'
            roles.set(role, (roles.get(role) ?? 0) + 1)
          }
        const row = datasetRow(file, event, messages, base)
        each((v) => v.row?.(row))
        // Statistics: every row's tokens until the sample is full, then every stride-th row.
        if (base?.countTokens && stats.rows % stride === 0) {
          const r = row.rendered()
          if (r?.ok) counts.push(base.countTokens(r.text))
          if (counts.length >= TOKEN_SAMPLE * 2) {
            stride *= 2
            for (let i = 0; i < counts.length / 2; i++) counts[i] = counts[i * 2]
            counts.length = Math.floor(counts.length / 2)
          }
        }
        const now = Date.now()
        if (options.onProgress && now - lastProgress >= 2000) {
          lastProgress = now
          options.onProgress(stats.rows, Math.round(stats.rows / ((now - started) / 1000)))
        }
      }
    } catch (error) {
      if (!(error instanceof DataFileError)) throw error
      each((v) => v.fileError?.(file, error.message, error.line))
    }
  }
  each((v) => v.end?.(stats.rows + stats.badRows))
  stats.roles = Object.fromEntries(roles)
  stats.seconds = (Date.now() - started) / 1000
  if (counts.length > 0) stats.tokens = tokenStats(counts)
  else if (base && !base.countTokens) stats.noTokens = base.noTokenizer
  return { findings, stats }
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
      rendered = renderTemplate(
        template.compiled,
        {
          messages,
          add_generation_prompt: false,
          tools: value.tools ?? undefined,
          specialTokens: base.specialTokens,
        },
        // A row may be up to MAX_ROW_BYTES; its rendering is allowed a few times that, never unbounded.
        { timeMs: 2000, maxOutputChars: 4 * MAX_ROW_BYTES },
      )
      return rendered
    },
  }
}

export function tokenStats(counts: number[]): TokenStats {
  const sorted = [...counts].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  return {
    min: sorted[0],
    median: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1],
    counted: sorted.length,
  }
}
