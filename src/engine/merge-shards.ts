// The shards of one dataset (`--shard i/n`, each a job of a matrix) back into the findings, omitted
// counts and statistics of one run over the whole dataset. A rule's findings about its own row are in
// exactly one shard's report and are taken as they are; a rule whose findings depend on other rows
// (duplicates, a file's first row, counts) reports them again from every shard's state (its
// `mergeShards`). Then the finding caps are applied again, in the order one run reports in, so a cap
// crossed only by the shards together is crossed here too.
import { UsageError } from '../common/errors.js'
import type { Finding, Location, RuleLevel, Severity } from '../common/finding.js'
import type { DatasetRule, ShardMergeContext } from '../rules/dataset-rule.js'
import { mergeStats, type DatasetStats } from './dataset-stats.js'
import { compareOmitted, findingCollector, type OmittedFindings } from './finding-cap.js'
import { shardFiles } from './run-dataset.js'
import { reporterFor } from './run-model.js'

/** One shard of a dataset, as its report gives it back. */
export interface DatasetShard {
  /** What names the shard in a message: its report file. */
  label: string
  findings: readonly Finding[]
  /** Each finding's place in the order the shard's run reported it (0 first). */
  order: readonly number[]
  omitted: readonly OmittedFindings[]
  stats: DatasetStats
  /** Each rule's shardState, by rule id. */
  rules: Readonly<Record<string, unknown>>
}

export interface ShardMergeOptions {
  /** The dataset's data files, their splits and sizes, in the order one run reads them. */
  files: readonly { path: string; split: string; size: number }[]
  levels: ReadonlyMap<string, RuleLevel>
  docsBase: string
  /** As DatasetRunOptions.datasetPath: where a finding about the whole dataset goes. */
  datasetPath?: string
}

/** Where a finding stands in the order one run reports in: [phase, file, row, rule, shard, n]. */
type Place = readonly [number, number, number, number, number, number]

/**
 * One run's findings, omitted counts and statistics, from its shards' (in shard order). A state a rule
 * cannot use, or a shard without the state of a rule that needs one, is a UsageError naming both.
 */
export function mergeDatasetShards(
  shards: readonly DatasetShard[],
  rules: readonly DatasetRule[],
  options: ShardMergeOptions,
): { findings: Finding[]; omitted: OmittedFindings[]; stats: DatasetStats } {
  const files = options.files.map((f) => f.path)
  const index = new Map<string, number>()
  files.forEach((p, i) => index.has(p) || index.set(p, i))
  const fileIndex = (p: string) => index.get(p) ?? -1
  const enabled = rules.filter((r) => options.levels.get(r.meta.id) !== 'off')
  const ruleIndex = new Map(enabled.map((r, i) => [r.meta.id, i]))
  const crashed = (s: DatasetShard, id: string) =>
    s.findings.some((f) => f.ruleId === id && f.messageId === 'crashed')

  // The rules that report again, with each shard's state checked. A rule that crashed in a shard has
  // no state there: its findings are taken as the shards reported them.
  const merging: { rule: DatasetRule; states: unknown[] }[] = []
  /** A rule's messages, typed for what the merge reads of them. */
  const messages = (rule: DatasetRule) => rule.meta.messages as Record<string, { severity?: Severity }>
  for (const rule of enabled) {
    const merge = rule.mergeShards
    if (!merge) continue
    const id = `${rule.meta.id} (${rule.meta.name})`
    if (shards.some((s) => s.rules[rule.meta.id] === undefined && crashed(s, rule.meta.id))) continue
    const states = shards.map((s) => {
      const state = s.rules[rule.meta.id]
      if (state === undefined) throw new UsageError(`${s.label} has no shard state for ${id}`)
      try {
        return merge.parse(state, { rows: s.stats.seen }) as unknown
      } catch (error) {
        throw new UsageError(`${s.label}: the shard state of ${id} cannot be used: ${reason(error)}`)
      }
    })
    merging.push({ rule, states })
  }
  const replaced = new Set(
    merging.flatMap(({ rule }) => rule.mergeShards!.replaces.map((m) => `${rule.meta.id}\0${m}`)),
  )
  const isReplaced = (ruleId: string, messageId: string) => replaced.has(`${ruleId}\0${messageId}`)

  const placed: { finding: Finding; at: Place }[] = []
  const kept: Finding[] = []
  takeShardFindings(shards, { fileIndex, ruleIndex, isReplaced }, placed, kept)

  // What the merging rules report, placed as one run reports it: row findings among the rows', the
  // rest after the last row, in rule order.
  const omittedByMerge: OmittedFindings[] = []
  let n = 0
  const rows = shards.reduce((sum, s) => sum + s.stats.seen, 0)
  for (const { rule, states } of merging) {
    const level = options.levels.get(rule.meta.id)
    const docsUrl = `${options.docsBase}${rule.meta.name}.md`
    const r = ruleIndex.get(rule.meta.id)!
    let phase = 0
    let row: Location | undefined
    const report = reporterFor(rule.meta, level, docsUrl, (f) => {
      const finding = atDataset(f, options.datasetPath)
      const at: Place =
        phase === 0
          ? [0, fileIndex(row!.path), row!.row!, r, shards.length, n++]
          : [1, 0, 0, r, shards.length, n++]
      placed.push({ finding, at })
    })
    const ctx: ShardMergeContext<any> = {
      files,
      fileIndex,
      rows,
      reportRow(key, data, location) {
        phase = 0
        row = location
        report(key, data, location)
      },
      report(key, data, location) {
        phase = 1
        report(key, data, location)
      },
      omit(key, path, count) {
        const severity =
          (level as Severity | undefined) ?? messages(rule)[key]?.severity ?? rule.meta.severity
        const where = atDataset({ location: { path } } as Finding, options.datasetPath).location.path
        omittedByMerge.push({
          ruleId: rule.meta.id,
          rule: rule.meta.name,
          path: where,
          severity,
          count,
          byMessage: { [key]: count },
        })
      },
    }
    try {
      rule.mergeShards!.merge(states, ctx)
    } catch (error) {
      if (error instanceof UsageError) throw error
      throw new UsageError(
        `the shard states of ${rule.meta.id} (${rule.meta.name}) cannot be merged: ${reason(error)}`,
      )
    }
  }

  // The caps again, over every finding in one run's order; crashed rules' findings pass them.
  placed.sort((a, b) => compareAt(a.at, b.at))
  const collected = findingCollector()
  for (const { finding } of placed) collected.push(finding)
  for (const finding of kept) collected.keep(finding)
  const omitted = addOmitted([
    ...collected.omitted(),
    ...omittedByMerge,
    ...shards.flatMap((s) => s.omitted.flatMap((o) => notReplaced(o, isReplaced))),
  ])
  const splits = [...new Set(options.files.map((f) => f.split))]
  const stats = mergeStats(
    shards.map((s) => s.stats),
    { splits, byFile: shardFiles(options.files, { index: 1, count: shards.length }) !== undefined },
  )
  return { findings: collected.findings, omitted, stats }
}

/**
 * The shards' own findings of messages no rule reports again, each placed: a row's at the row; a finding
 * without a row on a data file (it could not be read) after that file's rows; the others where their
 * shard reported them. The findings every shard reports before any row (about the files, the base
 * model) are identical in each and taken once; so is any finding several shards report alike.
 */
function takeShardFindings(
  shards: readonly DatasetShard[],
  how: {
    fileIndex: (path: string) => number
    ruleIndex: ReadonlyMap<string, number>
    isReplaced: (ruleId: string, messageId: string) => boolean
  },
  placed: { finding: Finding; at: Place }[],
  kept: Finding[],
): void {
  const inOrder = shards.map((s) =>
    s.findings
      .map((finding, i) => ({ finding, n: s.order[i] ?? i }))
      .sort((a, b) => a.n - b.n)
      .map((e) => e.finding),
  )
  // The findings every shard begins with, before any about a row: the files' and the base model's.
  let head = 0
  const first = inOrder[0] ?? []
  while (
    head < first.length &&
    first[head]!.location.row === undefined &&
    inOrder.every((fs) => fs[head] !== undefined && identity(fs[head]!) === identity(first[head]!))
  )
    head++
  // A finding several shards report alike is one run's once (as many times as one shard has it).
  const most = new Map<string, number>()
  inOrder.forEach((findings, shard) => {
    const mine = new Map<string, number>()
    let last: [number, number] = [-1, 0]
    findings.forEach((f, i) => {
      const key = identity(f)
      const k = (mine.get(key) ?? 0) + 1
      mine.set(key, k)
      const fileIndex = how.fileIndex(f.location.path)
      const at: [number, number] =
        i < head
          ? [-1, i]
          : f.location.row !== undefined && fileIndex >= 0
            ? [fileIndex, f.location.row]
            : fileIndex >= 0
              ? [fileIndex, Infinity]
              : last
      last = at
      if (k <= (most.get(key) ?? 0) || how.isReplaced(f.ruleId, f.messageId)) return
      if (f.messageId === 'crashed') kept.push(f)
      else placed.push({ finding: f, at: [0, at[0], at[1], how.ruleIndex.get(f.ruleId) ?? -1, shard, i] })
    })
    for (const [key, k] of mine) most.set(key, Math.max(k, most.get(key) ?? 0))
  })
}

/** What makes two findings the same finding (every field a report shows). */
function identity(f: Finding): string {
  const l = f.location
  return JSON.stringify([
    f.ruleId,
    f.messageId,
    f.severity,
    f.message,
    f.hint,
    l.path,
    l.line,
    l.column,
    l.pointer,
    l.row,
  ])
}

function compareAt(a: Place, b: Place): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
  return 0
}

/** A finding about the whole dataset ('.') names its one data file, as DatasetRunOptions.datasetPath says. */
function atDataset(f: Finding, datasetPath: string | undefined): Finding {
  return f.location.path === '.' && datasetPath ? { ...f, location: { ...f.location, path: datasetPath } } : f
}

/** A shard's omitted count, less the findings of messages the merge reports again (and counts itself). */
function notReplaced(
  o: OmittedFindings,
  isReplaced: (ruleId: string, messageId: string) => boolean,
): OmittedFindings[] {
  const byMessage = Object.entries(o.byMessage ?? {}).filter(([m]) => !isReplaced(o.ruleId, m))
  const count = o.byMessage ? byMessage.reduce((n, [, c]) => n + c, 0) : o.count
  return count > 0
    ? [{ ...o, count, ...(o.byMessage ? { byMessage: Object.fromEntries(byMessage) } : {}) }]
    : []
}

/** Omitted counts of one rule, file and severity added up, in the stable order. */
function addOmitted(entries: readonly OmittedFindings[]): OmittedFindings[] {
  const out = new Map<string, OmittedFindings>()
  for (const o of entries) {
    const key = `${o.ruleId}\0${o.path}\0${o.severity}`
    const entry = out.get(key)
    if (!entry) {
      out.set(key, { ...o, byMessage: { ...o.byMessage } })
      continue
    }
    entry.count += o.count
    for (const [m, c] of Object.entries(o.byMessage ?? {}))
      entry.byMessage![m] = (entry.byMessage![m] ?? 0) + c
  }
  return [...out.values()].sort(compareOmitted)
}

function reason(error: unknown): string {
  if (error && typeof error === 'object' && 'issues' in error && Array.isArray(error.issues)) {
    const issue = error.issues[0] as { path?: unknown[]; message?: string } | undefined
    const where = issue?.path?.length ? ` at ${issue.path.join('.')}` : ''
    return `${issue?.message ?? 'not the expected shape'}${where}`
  }
  return error instanceof Error ? error.message : String(error)
}
