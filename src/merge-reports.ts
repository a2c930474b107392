// merge-reports: the JSON reports of the n jobs of a matrix that each checked one shard of the
// datasets (`--shard i/n`, `dataset-shard`) back into the Report of one run over the whole datasets,
// for every output the check itself has (text, JSON, SARIF, annotations, summary, check run). Each
// report carries its targets' state (shard-state.ts); the dataset rules that look across rows report
// again from it (engine/merge-shards.ts). The reports are files a pull request's code may have written:
// each is bounded in size and nesting before it is parsed, checked against the shape this release
// writes, and refused with a usage error naming what is wrong, never trusted or half used.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import path from 'node:path'
import { glob } from 'tinyglobby'
import { z } from 'zod'
import { fails, reportOf, type Report, type TargetResult } from './check.js'
import { UsageError } from './common/errors.js'
import { compareFindings, type Finding, type Location } from './common/finding.js'
import { plainParseMessage } from './common/json-errors.js'
import { isObject, jsonNesting } from './common/json.js'
import { PackedError, unpackNumbers } from './common/packed.js'
import { listNames, plural } from './common/wording.js'
import { TOKEN_SAMPLE, type DatasetStats, type SampledRow } from './engine/dataset-stats.js'
import type { OmittedFindings } from './engine/finding-cap.js'
import { mergeDatasetShards, type DatasetShard } from './engine/merge-shards.js'
import { datasetRules, findRule } from './rules/registry.js'
import { MAX_SHARDS, type FailOn, type Settings, type TargetSpec } from './settings.js'
import { DEFAULT_HUB_URL } from './sources/hub-ref.js'
import { SHARD_STATE_FORMAT } from './shard-state.js'
import pkg from '../package.json' with { type: 'json' }

/**
 * A report past this is not one a shard of a sensible matrix writes: 250,000 rows make 3.7 MB, so this
 * is about 4 million rows a shard (a larger dataset takes more shards, up to 256).
 */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024
/** All the reports together: what the merge holds in memory at once is bounded by this. */
export const MAX_TOTAL_BYTES = 512 * 1024 * 1024
/** A report nests 7 levels; anything far deeper is not one. */
const MAX_DEPTH = 32

export interface MergeOptions {
  /** Where the targets' folders are (the reports give them relative to the workspace). */
  workspace: string
  failOn: FailOn
  docsBase: string
}

/** One report file's text, and what names it in a message (its path as given). */
export interface ReportInput {
  label: string
  text: string
}

/**
 * The report files that `patterns` name, relative to `cwd`: a file, a folder (every .json file below
 * it), or a glob (tinyglobby: `shards/**\/*.json`). Each file once, in a stable order. Naming nothing
 * that exists, or more files than there can be shards, is a usage error.
 */
export async function findReports(patterns: readonly string[], cwd: string): Promise<string[]> {
  if (patterns.length === 0)
    throw new UsageError('merge-reports needs the JSON reports of the shards: name their files or a glob')
  const found: string[] = []
  for (const pattern of patterns) {
    const file = path.resolve(cwd, pattern)
    const stat = statOrUndefined(file)
    const matches = stat?.isFile()
      ? [file]
      : await glob(stat?.isDirectory() ? '**/*.json' : pattern, {
          cwd: stat?.isDirectory() ? file : cwd,
          absolute: true,
          onlyFiles: true,
          followSymbolicLinks: false,
          expandDirectories: false,
        })
    if (matches.length === 0)
      throw new UsageError(
        `${JSON.stringify(clip(pattern))} names no report file${stat?.isDirectory() ? ' (the folder holds no .json file)' : ''}`,
      )
    found.push(...matches.sort())
    if (new Set(found).size > MAX_SHARDS)
      throw new UsageError(`more than ${MAX_SHARDS} report files: there are at most ${MAX_SHARDS} shards`)
  }
  return [...new Set(found)]
}

/** Each report file's text, bounded: MAX_REPORT_BYTES each, MAX_TOTAL_BYTES together. */
export function readReports(files: readonly string[], cwd: string): ReportInput[] {
  let total = 0
  return files.map((file) => {
    const label = path.relative(cwd, file).split(path.sep).join('/') || file
    let fd: number
    try {
      fd = openSync(file, 'r')
    } catch (error) {
      throw new UsageError(`${label} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`)
    }
    try {
      const stat = fstatSync(fd)
      if (!stat.isFile()) throw new UsageError(`${label} is not a regular file`)
      const limit = Math.min(MAX_REPORT_BYTES, MAX_TOTAL_BYTES - total)
      if (stat.size > limit)
        throw new UsageError(
          stat.size > MAX_REPORT_BYTES
            ? `${label} is ${plural(stat.size, 'byte')}, more than a shard's report can be (${MAX_REPORT_BYTES / 1024 / 1024} MiB)`
            : `the reports are more than ${MAX_TOTAL_BYTES / 1024 / 1024} MiB together`,
        )
      // One byte more than the size said: a file that grows while it is read is not read past the limit.
      const buffer = Buffer.alloc(stat.size + 1)
      let length = 0
      for (
        let n;
        length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0;
      )
        length += n
      if (length > limit) throw new UsageError(`${label} grew while it was read`)
      total += length
      return { label, text: buffer.toString('utf8', 0, length) }
    } finally {
      closeSync(fd)
    }
  })
}

/** The action's `mode` input: `check` (the default, also when empty) or `merge-reports`. */
export function actionMode(value: string): 'check' | 'merge-reports' {
  const mode = value.trim() || 'check'
  if (mode !== 'check' && mode !== 'merge-reports')
    throw new UsageError(`mode must be check or merge-reports; got ${JSON.stringify(clip(mode))}`)
  return mode
}

/** The settings of a merge: its workspace and fail-on; the targets are the reports'. */
export function mergeSettings(workspace: string, failOn: string): Settings {
  return {
    workspace,
    targets: [],
    failOn: mergeFailOn(failOn),
    extraArchitectures: [],
    levels: new Map(),
    hub: { url: DEFAULT_HUB_URL },
  }
}

/** fail-on for a merge, which has no config file: error (the default, also when empty), warning or never. */
export function mergeFailOn(value: string): FailOn {
  const failOn = value.trim() || 'error'
  if (failOn !== 'error' && failOn !== 'warning' && failOn !== 'never')
    throw new UsageError(`fail-on must be one of error, warning, never; got "${clip(failOn)}"`)
  return failOn
}

/**
 * The merge the action runs with `mode: merge-reports`: the reports the `reports` input names (files,
 * folders or globs, one a line, relative to the workspace; a glob may hold a comma: `{a,b}`), merged.
 */
export async function mergeReportsInput(input: string, options: MergeOptions): Promise<Report> {
  const patterns = input
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean)
  if (patterns.length === 0)
    throw new UsageError(
      "mode: merge-reports needs the reports input: the shards' JSON reports (files, folders or globs)",
    )
  const files = await findReports(patterns, options.workspace)
  return mergeReports(readReports(files, options.workspace), options)
}

/** The reports of every shard of one job matrix, merged into one run's Report. */
export function mergeReports(inputs: readonly ReportInput[], options: MergeOptions): Report {
  if (inputs.length === 0) throw new UsageError('merge-reports needs the JSON reports of the shards')
  const reports = inputs.map(parseReport)
  const [first] = reports
  // One job matrix: one shard count, each shard once.
  for (const r of reports)
    if (r.shard.count !== first!.shard.count)
      throw new UsageError(
        `${first!.label} is shard ${first!.shard.index} of ${first!.shard.count} and ${r.label} shard ${r.shard.index} of ${r.shard.count}: merge the reports of one job matrix`,
      )
  const count = first!.shard.count
  const byIndex = new Map<number, ParsedReport>()
  for (const r of reports) {
    const twice = byIndex.get(r.shard.index)
    if (twice)
      throw new UsageError(`shard ${r.shard.index} of ${count} is given twice: ${twice.label} and ${r.label}`)
    byIndex.set(r.shard.index, r)
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i))
  if (missing.length > 0)
    throw new UsageError(
      `${missing.length === 1 ? 'shard' : 'shards'} ${listNames(missing.map(String), 10)} of ${count} ${missing.length === 1 ? 'is' : 'are'} missing: merge-reports needs the report of every shard`,
    )
  const shards = [...byIndex.values()].sort((a, b) => a.shard.index - b.shard.index)
  sameSettings(shards)

  const targets = first!.targets.map((_, i) => {
    const parts = shards.map((r) => ({ label: r.label, target: r.targets[i]! }))
    // A deployment manifest, like a model, is checked alike by every job: taken once.
    return parts[0]!.target.kind !== 'dataset'
      ? modelTarget(parts, options)
      : datasetTarget(parts, count, options)
  })
  return reportOf(targets, options.failOn)
}

// The report as this release writes it (report/json.ts, shard-state.ts). Unknown fields are left out.
const severity = z.enum(['error', 'warning', 'info'])
const count = z.number().int().min(0)
const position = z.number().int().min(1)
/** Text of the repository: any string without NUL, bounded. */
const text = z.string().max(1_000_000)
const pathText = z
  .string()
  .max(4096)
  .refine((p) => !p.includes('\0') && !path.isAbsolute(p), 'an absolute path or one with NUL')
const messageId = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/)
const LocationJson = z.object({
  path: pathText,
  line: position.nullable(),
  column: position.nullable(),
  pointer: text.nullable(),
  row: position.nullable(),
})
const FindingJson = z.object({
  ruleId: z.string().max(10),
  rule: z.string().max(100),
  severity,
  message: text,
  hint: text.nullable(),
  location: LocationJson,
})
const OmittedJson = z.object({
  ruleId: z.string().max(10),
  rule: z.string().max(100),
  path: pathText,
  severity,
  count: position,
})
const StatsJson = z.object({
  rows: count,
  badRows: count,
  splits: z.array(z.tuple([text, count, count])),
  roles: z.array(z.tuple([z.string().max(20), count])),
  tokens: z
    .object({
      keys: z.string(),
      bytes: z.string(),
      counts: z.string(),
      // A power of two: the step of a sample (dataset-stats.ts).
      every: position.refine((n) => Number.isInteger(Math.log2(n)) && n <= 2 ** 32, 'a power of two'),
    })
    .nullable(),
  noTokens: text.nullable(),
  seconds: z.number().min(0),
  partial: z.object({ checked: count, maxRows: position, total: count.nullable() }).nullable(),
})
const ShardStateJson = z.object({
  format: z.literal(SHARD_STATE_FORMAT),
  tool: z.string(),
  levels: z.array(z.tuple([z.string().max(100), z.enum(['off', 'info', 'warning', 'error'])])),
  extraArchitectures: z.array(z.string().max(200)),
  target: z.object({
    rootInWorkspace: z
      .string()
      .max(4096)
      .refine((p) => !p.includes('\0') && !path.isAbsolute(p)),
    hub: z
      .object({
        url: z
          .string()
          .max(2000)
          .regex(/^https?:\/\/[^\s]+$/),
        repo: z.string().max(200),
        sha: z.string().regex(/^[0-9a-f]{40}$/),
        dataset: z.boolean().optional(),
      })
      .nullable(),
    origin: z.object({ file: pathText, line: position, endLine: position.optional() }).nullable(),
    file: pathText.nullable(),
    splits: z.array(text).nullable(),
    maxRows: position.nullable(),
    base: text.nullable(),
  }),
  messageIds: z.array(messageId),
  rootCauses: z.array(count),
  dataset: z
    .object({
      order: z.string(),
      files: z.array(z.tuple([pathText, text, count])),
      stats: StatsJson,
      rules: z.custom<Record<string, unknown>>(isObject, 'an object'),
      omitted: z.array(z.array(z.tuple([messageId, position]))),
    })
    .nullable(),
})
const TargetJson = z.object({
  kind: z.enum(['model', 'dataset', 'manifest']),
  ref: text,
  source: z.enum(['local', 'hub']),
  revision: z.string().max(100).nullable(),
  status: z.enum(['pass', 'fail', 'error']),
  error: text.optional(),
  shard: z.object({ index: position, count: position.max(MAX_SHARDS) }).optional(),
  findings: z.array(FindingJson),
  omitted: z.array(OmittedJson),
  shardState: ShardStateJson,
})
type TargetJson = z.infer<typeof TargetJson>

interface ParsedReport {
  label: string
  shard: { index: number; count: number }
  targets: TargetJson[]
}

/** One report, checked: its shape, its release, and the shard it checked. */
function parseReport({ label, text }: ReportInput): ParsedReport {
  const body = text.replace(/^\ufeff/, '')
  if (jsonNesting(body, MAX_DEPTH).over >= 0)
    throw new UsageError(
      `${label} is not a friendli-preflight report: it nests deeper than ${MAX_DEPTH} levels`,
    )
  let data: unknown
  try {
    data = JSON.parse(body)
  } catch (error) {
    throw new UsageError(`${label} is not JSON: ${plainParseMessage((error as Error).message, 'file')}`)
  }
  const targets =
    isObject(data) && data.version === 1 && Array.isArray(data.targets) ? data.targets : undefined
  if (!targets)
    throw new UsageError(
      `${label} is not a friendli-preflight JSON report (--format json, or the action's report-file)`,
    )
  // The release first: another release's state may have another shape, and that is what to say.
  const states = targets.map((t: unknown) =>
    isObject(t) && isObject(t.shardState) ? t.shardState : undefined,
  )
  if (targets.length === 0 || states.some((s) => s === undefined))
    throw new UsageError(
      `${label} has no shard state: it was not made with --shard i/n (dataset-shard), or by a release before merge-reports`,
    )
  const tool = states.find((s) => s!.tool !== pkg.version)?.tool
  if (tool !== undefined)
    throw new UsageError(
      `${label} was made by friendli-preflight ${clip(typeof tool === 'string' ? tool : (JSON.stringify(tool) ?? 'no release'), 40)}, and this is ${pkg.version}: run every shard and the merge with one release`,
    )
  const parsed = z.array(TargetJson).safeParse(targets)
  if (!parsed.success)
    throw new UsageError(`${label} is not a report this release wrote: ${issue(parsed.error)}`)
  const sharded = parsed.data.filter((t) => t.shard)
  const [shard] = sharded
  if (!shard || parsed.data.some((t) => t.kind === 'dataset' && !t.shard))
    throw new UsageError(`${label} has no dataset checked as a shard (--shard i/n, dataset-shard)`)
  if (sharded.some((t) => t.shard!.index !== shard.shard!.index || t.shard!.count !== shard.shard!.count))
    throw new UsageError(`${label} has datasets of different shards`)
  if (shard.shard!.index > shard.shard!.count)
    throw new UsageError(`${label} says shard ${shard.shard!.index} of ${shard.shard!.count}`)
  for (const t of parsed.data) {
    if (
      t.shardState.messageIds.length !== t.findings.length ||
      t.shardState.rootCauses.some((i) => i >= t.findings.length)
    )
      throw new UsageError(
        `${label}: the shard state of ${t.kind} ${clip(t.ref)} does not match its findings`,
      )
  }
  return { label, shard: shard.shard!, targets: parsed.data }
}

/** Settings that change findings are the same in every shard: the targets, the rule levels. */
function sameSettings(shards: readonly ParsedReport[]): void {
  const [first] = shards
  const describe = (t: TargetJson) => `${t.kind} ${JSON.stringify(clip(t.ref))}`
  for (const r of shards.slice(1)) {
    const differ = (what: string) =>
      new UsageError(`${first!.label} and ${r.label} ${what}: merge the reports of one job matrix`)
    if (r.targets.length !== first!.targets.length)
      throw differ(
        `check different targets (${plural(first!.targets.length, 'target')} and ${r.targets.length})`,
      )
    r.targets.forEach((t, i) => {
      const a = first!.targets[i]!
      if (t.kind !== a.kind || t.ref !== a.ref || t.source !== a.source)
        throw differ(
          `check different targets (target ${i + 1} is ${describe(a)} in one, ${describe(t)} in the other)`,
        )
      if (t.revision !== a.revision)
        throw differ(`checked ${describe(a)} at different revisions (${a.revision} and ${t.revision})`)
      const [sa, st] = [a.shardState, t.shardState]
      if (JSON.stringify(sa.levels) !== JSON.stringify(st.levels))
        throw differ(`were made with different rule levels (the config file's rules)`)
      if (JSON.stringify(sa.extraArchitectures) !== JSON.stringify(st.extraArchitectures))
        throw differ('were made with different extra-architectures')
      const [ta, tt] = [sa.target, st.target]
      if (ta.base !== tt.base)
        throw differ(
          `checked ${describe(a)} against different base models (${ta.base ?? 'none'} and ${tt.base ?? 'none'})`,
        )
      if (ta.maxRows !== tt.maxRows)
        throw differ(
          `checked ${describe(a)} with different max-rows (${ta.maxRows ?? 'none'} and ${tt.maxRows ?? 'none'})`,
        )
      if (JSON.stringify(ta.splits) !== JSON.stringify(tt.splits) || ta.file !== tt.file)
        throw differ(`checked different splits or files of ${describe(a)}`)
      if (JSON.stringify(ta) !== JSON.stringify(tt))
        throw differ(`checked ${describe(a)} in different places`)
      const [da, dt] = [sa.dataset?.files, st.dataset?.files]
      if (da && dt && JSON.stringify(da) !== JSON.stringify(dt))
        throw differ(`found different data files in ${describe(a)} (did the data change between the jobs?)`)
    })
  }
}

/** A model: checked alike by every shard's job. One is taken; shards that disagree are refused. */
function modelTarget(
  parts: readonly { label: string; target: TargetJson }[],
  options: MergeOptions,
): TargetResult {
  const [{ label, target }] = parts as [{ label: string; target: TargetJson }]
  const same = (t: TargetJson) =>
    JSON.stringify([
      t.status === 'error',
      t.error,
      t.findings,
      t.omitted,
      t.shardState.messageIds,
      t.shardState.rootCauses,
    ])
  for (const p of parts.slice(1))
    if (same(p.target) !== same(target))
      throw new UsageError(
        `model ${JSON.stringify(clip(target.ref))} has different findings in ${label} and ${p.label} (it changed between the jobs?): merge the reports of one job matrix`,
      )
  const result = rebuild(label, target, options)
  if (target.status === 'error') return { ...result, status: 'error', error: target.error ?? '' }
  return { ...result, status: fails(result.findings, options.failOn, result.omitted) ? 'fail' : 'pass' }
}

/** A dataset: every shard's findings, omitted counts and statistics merged into one run's. */
function datasetTarget(
  parts: readonly { label: string; target: TargetJson }[],
  count: number,
  options: MergeOptions,
): TargetResult {
  const [{ label, target }] = parts as [{ label: string; target: TargetJson }]
  const { omitted: _, ...base } = rebuild(label, target, options)
  const failed = parts.find((p) => p.target.status === 'error')
  if (failed)
    return {
      ...base,
      findings: [],
      status: 'error',
      error: `${failed.target.error ?? 'could not be checked'} (shard ${parts.indexOf(failed) + 1} of ${count})`,
      merged: { shards: count },
    }
  const shards = parts.map((p) => datasetShard(p.label, p.target, options))
  const state = target.shardState.dataset!
  const levels = new Map(target.shardState.levels)
  const { findings, omitted, stats } = mergeDatasetShards(shards, datasetRules, {
    files: state.files.map(([p, split, size]) => ({ path: p, split, size })),
    levels,
    docsBase: options.docsBase,
    ...(base.spec.file ? { datasetPath: base.spec.file } : {}),
  })
  findings.sort(compareFindings)
  return {
    ...base,
    findings,
    ...(omitted.length > 0 ? { omitted } : {}),
    dataset: stats,
    status: fails(findings, options.failOn, omitted) ? 'fail' : 'pass',
    merged: { shards: count },
  }
}

/** What a target's report gives back, as the check made it: its findings, its place, its spec. */
function rebuild(
  label: string,
  t: TargetJson,
  options: MergeOptions,
): TargetResult & { omitted: OmittedFindings[] } {
  const state = t.shardState
  const where = state.target
  const root = t.source === 'local' ? path.join(options.workspace, where.rootInWorkspace) : options.workspace
  const spec: TargetSpec = {
    kind: t.kind,
    ref: t.ref,
    source: t.source,
    root,
    ...(where.origin ? { origin: where.origin } : {}),
    ...(where.file !== null ? { file: where.file } : {}),
    ...(where.splits ? { splits: where.splits } : {}),
    ...(where.maxRows !== null ? { maxRows: where.maxRows } : {}),
    ...(where.base !== null ? { base: { kind: 'model', ref: where.base, source: 'local', root } } : {}),
  }
  const rootCauses = new Set(state.rootCauses)
  const findings = t.findings.map((f, i) =>
    findingOf(label, f, state.messageIds[i]!, rootCauses.has(i), options.docsBase),
  )
  return {
    kind: t.kind,
    ref: t.ref,
    source: t.source,
    revision: t.revision,
    status: 'pass',
    findings,
    omitted: t.omitted.map((o) => omittedOf(label, o)),
    rootInWorkspace: where.rootInWorkspace,
    ...(where.hub ? { hub: { ...where.hub } } : {}),
    spec,
  }
}

function findingOf(
  label: string,
  f: z.infer<typeof FindingJson>,
  messageId: string,
  rootCause: boolean,
  docsBase: string,
): Finding {
  const rule = findRule(f.ruleId)
  if (!rule || rule.meta.id !== f.ruleId || rule.meta.name !== f.rule)
    throw new UsageError(`${label} has a finding of an unknown rule, ${JSON.stringify(clip(f.ruleId))}`)
  const l = f.location
  const location: Location = {
    path: l.path,
    ...(l.line !== null ? { line: l.line } : {}),
    ...(l.column !== null ? { column: l.column } : {}),
    ...(l.pointer !== null ? { pointer: l.pointer } : {}),
    ...(l.row !== null ? { row: l.row } : {}),
  }
  return {
    ruleId: rule.meta.id,
    rule: rule.meta.name,
    messageId,
    severity: f.severity,
    message: f.message,
    ...(f.hint !== null ? { hint: f.hint } : {}),
    location,
    docsUrl: `${docsBase}${rule.meta.name}.md`,
    ...(rootCause ? { rootCause: true as const } : {}),
  }
}

function omittedOf(label: string, o: z.infer<typeof OmittedJson>): OmittedFindings {
  const rule = findRule(o.ruleId)
  if (!rule || rule.meta.id !== o.ruleId)
    throw new UsageError(`${label} counts findings of an unknown rule, ${JSON.stringify(clip(o.ruleId))}`)
  return { ruleId: rule.meta.id, rule: rule.meta.name, path: o.path, severity: o.severity, count: o.count }
}

/** One shard of a dataset target, from its report. */
function datasetShard(label: string, t: TargetJson, options: MergeOptions): DatasetShard {
  const state = t.shardState.dataset
  if (!state) throw new UsageError(`${label} has no shard state for dataset ${JSON.stringify(clip(t.ref))}`)
  const broken = (what: string) =>
    new UsageError(`${label}: the shard state of dataset ${JSON.stringify(clip(t.ref))} ${what}`)
  const { findings, omitted } = rebuild(label, t, options)
  let order: number[]
  let tokenSample: SampledRow[]
  try {
    order = unpackNumbers(state.order, findings.length)
    const t = state.stats.tokens
    const [keys, bytes, counts] = t
      ? [t.keys, t.bytes, t.counts].map((p) => unpackNumbers(p, TOKEN_SAMPLE))
      : []
    if (keys && (keys.length !== bytes!.length || keys.length !== counts!.length))
      throw broken('has token samples of different lengths')
    tokenSample = (keys ?? []).map((key, i) => ({ key, bytes: bytes![i]!, count: counts![i]! }))
  } catch (error) {
    if (error instanceof PackedError) throw broken(`cannot be read: ${error.message}`)
    throw error
  }
  if (order.length !== findings.length) throw broken('does not match its findings')
  if (state.omitted.length !== omitted.length) throw broken('does not match its omitted counts')
  omitted.forEach((o, i) => {
    const byMessage = state.omitted[i]!
    if (byMessage.reduce((n, [, c]) => n + c, 0) !== o.count)
      throw broken('does not match its omitted counts')
    o.byMessage = Object.fromEntries(byMessage)
  })
  const s = state.stats
  const stats: DatasetStats = {
    rows: s.rows,
    badRows: s.badRows,
    rowsPerSplit: new Map(s.splits.map(([split, rows]) => [split, rows])),
    unreadablePerSplit: new Map(
      s.splits.filter(([, , bad]) => bad > 0).map(([split, , bad]) => [split, bad]),
    ),
    seen: s.rows + s.badRows,
    unreadable: s.splits.reduce((n, [, , bad]) => n + bad, 0),
    roles: new Map(s.roles),
    seconds: s.seconds,
    ...(s.partial
      ? {
          partial: {
            checked: s.partial.checked,
            maxRows: s.partial.maxRows,
            ...(s.partial.total !== null ? { total: s.partial.total } : {}),
          },
        }
      : {}),
    ...(s.tokens
      ? {
          tokens: {
            min: 0,
            median: 0,
            p95: 0,
            max: 0,
            counted: 0,
            ...(s.tokens.every > 1 ? { sample: { first: 0 as const, every: s.tokens.every } } : {}),
          },
        }
      : {}),
    ...(tokenSample.length ? { tokenSample } : {}),
    ...(s.noTokens !== null ? { noTokens: s.noTokens } : {}),
  }
  // Only the dataset rules' states: a key of any other name is not read.
  const rules = Object.fromEntries(
    datasetRules.flatMap((r) =>
      Object.hasOwn(state.rules, r.meta.id) ? [[r.meta.id, state.rules[r.meta.id]]] : [],
    ),
  )
  return { label, findings, order, omitted, stats, rules }
}

/** The first problem zod found, in words, with where it is. */
function issue(error: z.ZodError): string {
  const [first] = error.issues
  const where = first?.path.length ? ` (at ${first.path.map(String).join('.')})` : ''
  return `${first?.message ?? 'not the expected shape'}${where}`
}

function statOrUndefined(file: string) {
  try {
    return statSync(file)
  } catch {
    return undefined
  }
}

function clip(s: string, max = 100): string {
  return s.length > max ? `${s.slice(0, max)}…` : s
}
