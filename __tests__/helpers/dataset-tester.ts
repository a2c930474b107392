// The dataset rules' RuleTester, like ruleTester for model rules (rule-tester.ts): each case is a table
// entry (rows of one data file, other files, a base model) and each expected finding names its message
// and where it goes. It runs the real pipeline, as checkDataset does: the split finder, the readers, the
// base-model loader and the streaming runner.
import { describe, expect, it } from '@jest/globals'
import { loadBaseModel } from '../../src/artifacts/base-model.js'
import type { Finding, RuleLevel, Severity } from '../../src/common/finding.js'
import { runDatasetRules } from '../../src/engine/run-dataset.js'
import { findDataFiles } from '../../src/readers/splits.js'
import type { DatasetRule } from '../../src/rules/dataset-rule.js'
import { memorySource, type MemoryEntry } from '../../src/sources/memory.js'
import { messagesParquet, type Message } from './parquet.js'

const RAW = Symbol('raw')

/** A row written as is, for rows that do not parse: `raw("{'messages': []}")`. */
export interface RawRow {
  readonly [RAW]: string
}
export const raw = (text: string): RawRow => ({ [RAW]: text })
const isRaw = (row: unknown): row is RawRow => typeof row === 'object' && row !== null && RAW in row
const rowText = (row: unknown) => (isRaw(row) ? row[RAW] : JSON.stringify(row))

/** JSON Lines text: one row a line, raw rows as they are. */
export const jsonl = (rows: readonly unknown[]) => rows.map(rowText).join('\n') + '\n'

export const chat = (...turns: [string, unknown][]) => ({
  messages: turns.map(([role, content]) => ({ role, content })),
})

/** A pattern matching exactly `text`: for a message asserted whole, not by a substring. */
export const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)

/**
 * A data file of `rows` in the format its name says: JSON Lines (one row a line), a JSON array (one row
 * a line, so row n is on line n + 1), or Parquet (rows of `messages` only, with string contents).
 */
export function dataFile(name: string, rows: readonly unknown[]): MemoryEntry {
  if (name.endsWith('.json')) return `[\n${rows.map(rowText).join(',\n')}\n]\n`
  if (name.endsWith('.parquet')) {
    const conversations = rows.map((row) => {
      const value = row as { messages?: Message[] }
      if (isRaw(row) || !Array.isArray(value?.messages) || Object.keys(value).length !== 1)
        throw new Error(`${name}: Parquet rows are {messages: [{role, content}]} only; use files for others`)
      return value.messages
    })
    return messagesParquet(conversations)
  }
  return jsonl(rows)
}

export interface DatasetCase {
  name: string
  /** The rows of one data file; `raw(text)` writes a row as is. */
  rows?: readonly unknown[]
  /** The file `rows` go in, whose extension says the format: train.jsonl unless given. */
  file?: string
  /** Other files of the dataset, as they are: more splits, a README, bytes no writer makes. */
  files?: Record<string, MemoryEntry>
  /** The base model's files (chatmlBase() builds one); the dataset has none without it. */
  base?: Record<string, MemoryEntry>
  maxRows?: number
  /** The rule's level, as the user sets it. */
  level?: RuleLevel
  /** The listing stopped at its depth or entry limit, as a huge Hub listing does. */
  truncated?: boolean
  /** Figures the summary must show, each compared whole (toEqual): `{ tokens: {...} }`. */
  stats?: Record<string, unknown>
}

export interface DatasetExpected {
  messageId: string
  /** The case's data file (`file`, or train.jsonl) unless given; '.' for the dataset as a whole. */
  path?: string
  /** Row, line and column are asserted absent when not given: a finding never invents a place. */
  row?: number
  line?: number
  column?: number
  severity?: Severity
  /** A substring or pattern the message must contain (exactly(text) for the whole message). */
  message?: string | RegExp
  hint?: string | RegExp
}

export type InvalidDatasetCase = DatasetCase & { errors: DatasetExpected[] }

/** The files of a case: its rows' data file, then its other files. */
export function caseFiles(c: Omit<DatasetCase, 'name'>): Record<string, MemoryEntry> {
  return {
    ...(c.rows ? { [c.file ?? 'train.jsonl']: dataFile(c.file ?? 'train.jsonl', c.rows) } : {}),
    ...c.files,
  }
}

/** Runs dataset rules over in-memory files (and base model), the way checkDataset does. */
export async function runDataset(
  rules: readonly DatasetRule[],
  files: Record<string, MemoryEntry>,
  options: {
    base?: Record<string, MemoryEntry>
    maxRows?: number
    levels?: ReadonlyMap<string, RuleLevel>
    truncated?: boolean
  } = {},
) {
  const source = memorySource(files)
  const listing = await source.list()
  const found = findDataFiles(listing)
  const base = options.base ? await loadBaseModel(memorySource(options.base), 'org/base') : undefined
  return runDatasetRules(
    source,
    found.files,
    found.unsupported.map((e) => e.path),
    rules,
    { levels: options.levels ?? new Map(), docsBase: 'https://docs.test/', base, maxRows: options.maxRows },
    listing.truncated || options.truncated === true,
  )
}

/** One case through the pipeline, with only `rule` enabled. */
export async function runDatasetCase(rule: DatasetRule, c: Omit<DatasetCase, 'name'>) {
  return runDataset([rule], caseFiles(c), {
    base: c.base,
    maxRows: c.maxRows,
    levels: new Map(c.level ? [[rule.meta.id, c.level]] : []),
    truncated: c.truncated,
  })
}

function expectStats(actual: object, expected: Record<string, unknown> | undefined) {
  for (const [key, value] of Object.entries(expected ?? {}))
    expect((actual as Record<string, unknown>)[key]).toEqual(value)
}

function expectText(actual: string | undefined, expected: string | RegExp | undefined) {
  if (typeof expected === 'string') expect(actual).toContain(expected)
  else if (expected) expect(actual).toMatch(expected)
}

const shown = (f: Finding) =>
  `${f.messageId} ${f.location.path}${f.location.row ? ` row ${f.location.row}` : ''}: ${f.message}`

export function datasetRuleTester(
  rule: DatasetRule,
  cases: { valid: DatasetCase[]; invalid: InvalidDatasetCase[] },
): void {
  describe(`${rule.meta.id} ${rule.meta.name}`, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, async () => {
        const { findings, stats } = await runDatasetCase(rule, c)
        expect(findings.map(shown)).toEqual([])
        expectStats(stats, c.stats)
      })
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, async () => {
        const { findings, stats } = await runDatasetCase(rule, c)
        expect(findings.map((f) => f.messageId)).toEqual(c.errors.map((e) => e.messageId))
        c.errors.forEach((e, i) => {
          const f = findings[i]
          expect(f.location.path).toBe(e.path ?? c.file ?? 'train.jsonl')
          expect(f.location.row).toBe(e.row)
          expect(f.location.line).toBe(e.line)
          expect(f.location.column).toBe(e.column)
          expect(f.severity).toBe(
            e.severity ?? rule.meta.messages[e.messageId].severity ?? rule.meta.severity,
          )
          expectText(f.message, e.message)
          expectText(f.hint, e.hint)
          // Every message is one sentence; every hint says what to do.
          expect(f.message).toMatch(/^[A-Z"a-z0-9(`].*\.$/s)
          expect(f.hint ?? '').not.toBe('')
        })
        expectStats(stats, c.stats)
      })
    }
    it('has at least one valid and one invalid case, and exercises every message', () => {
      expect(cases.valid.length).toBeGreaterThan(0)
      expect(cases.invalid.length).toBeGreaterThan(0)
      const used = new Set(cases.invalid.flatMap((c) => c.errors.map((e) => e.messageId)))
      expect(Object.keys(rule.meta.messages).filter((k) => !used.has(k))).toEqual([])
    })
  })
}

export { chatmlBase } from './chatml-base.js'

/**
 * A rule that reports nothing and records every row it is shown, parsed or not, as `path#row`; with
 * `files`, also the rows a reader skipped (`path#row+count`) and the files it could not read (`path!`).
 */
export function rowRecorder(seen: string[], files = false): DatasetRule {
  return {
    meta: {
      id: 'DS999',
      name: 'recorder',
      description: 'Record rows',
      severity: 'info',
      messages: {},
      inputs: [],
    },
    create: () => ({
      row: (r) => void seen.push(`${r.file.path}#${r.row}`),
      badRow: (file, e) => void seen.push(`${file.path}#${e.row}`),
      ...(files
        ? {
            skipped: (file, s) => void seen.push(`${file.path}#${s.row}+${s.count}`),
            fileError: (file) => void seen.push(`${file.path}!`),
          }
        : {}),
    }),
  }
}
