import path from 'node:path'
import type { Report, Status, TargetResult } from '../check.js'
import type { Finding, Location, Severity } from '../common/finding.js'
import type { OmittedFindings } from '../engine/finding-cap.js'
import type { TokenStats } from '../engine/dataset-stats.js'
import { plural } from '../common/wording.js'
import { groupFindings, isGrouped, rowsInWords, type FindingGroup } from './grouping.js'
import { fitMarkdown, mdCode, mdLink, mdText, moreLine } from './markdown.js'
import { encodePath, formatLocation, hubBlobUrl, workspacePath } from './paths.js'
import { checkedRows, lfsLine, mergedNote, shardNote } from './text.js'

/**
 * GitHub drops a step summary over 1 MiB (1,048,576 bytes): the summary is never longer than this many
 * bytes, whatever the repository holds. Tables are capped first; a final cut at a line end is the
 * backstop.
 */
export const SUMMARY_LIMIT = 900_000
/**
 * Kept free while rows are added, so the headings and verdicts of the targets after a long one still
 * fit, and their "…and N more" lines.
 */
const ROW_RESERVE = 64_000
/** Kept free while target headings are added, for the last "…and N more" lines and the footer. */
const HEAD_RESERVE = 8_000

/**
 * Rows of findings (one per group, see grouping.ts) shown per target; the JSON report lists every
 * finding kept, and counts the ones past the cap.
 */
const FINDING_ROWS = 1_000
/** Rows of a table, or items of a list, shown open; the rest are folded in a `<details>`. */
export const OPEN_ROWS = 10
/** Rules in a target's "How to fix" list. */
const FIX_ITEMS = 100
/** Distinct fixes shown per rule (a rule's hint can name the values at fault). */
const FIXES_PER_RULE = 3
/** Splits listed per dataset; the rest are one row with their count and rows. */
export const SPLIT_ROWS = 100
/** Roles listed per dataset (the statistics keep at most six buckets; the cap is for safety). */
export const ROLE_ITEMS = 20
/** Rules in the "rows with findings" table. */
export const RULE_ROWS = 100

/** Lengths of repository text in the summary, in characters before escaping. */
const REF_MAX = 300
const PATH_MAX = 500
const SPLIT_MAX = 200

const VERDICT: Record<Status, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  error: '⚠️ could not check',
}
const ICON: Record<Severity, string> = { error: '🔴 error', warning: '🟡 warning', info: '🔵 info' }

/** What the summary links to besides the report itself; each is optional. */
export interface SummaryContext {
  /**
   * The repository the workspace holds, at the commit the reviewer sees (a pull request's head): a
   * local target's files link to their line there. Hub targets link to the hub instead.
   */
  repo?: {
    server: string
    repository: string
    sha: string
    /** The workspace's folder in the repository, POSIX ('' or absent: the repository's root). */
    prefix?: string
  }
  /** The report uploaded as a workflow artifact: linked instead of the runner's path. */
  artifact?: { name: string; url?: string; retentionDays?: number }
}

/** Lines with their UTF-8 size, filled up to a byte budget. */
class Lines {
  readonly lines: string[] = []
  private bytes = 0
  constructor(private readonly budget: number) {}
  /** Whether `lines` fit in the budget, with `spare` bytes left over. */
  room(lines: readonly string[], spare = 0): boolean {
    return this.bytes + lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0) + spare <= this.budget
  }
  push(...lines: string[]): void {
    for (const l of lines) this.bytes += Buffer.byteLength(l) + 1
    this.lines.push(...lines)
  }
  /**
   * Adds `row(i)` for i from `from` up to `to` while they fit (leaving ROW_RESERVE), with `head` (a
   * table's header) before the first; returns the index reached. A row past the stop is never made,
   * so repository text that is not shown is never escaped.
   */
  rows(head: readonly string[], row: (i: number) => string, from: number, to: number): number {
    let i = from
    for (; i < to; i++) {
      const line = row(i)
      if (!this.room(i === from ? [...head, line] : [line], ROW_RESERVE)) break
      if (i === from) this.push(...head)
      this.push(line)
    }
    return i
  }
}

/**
 * `count` rows (a table's or a list's) up to `cap`: the first `open` shown, the rest folded in a
 * `<details>` whose summary `fold(rest)` writes, while they fit. The folded part gets `innerHead` (a
 * table repeats its header). Returns how many rows were added; a `<details>` it opens it closes.
 */
function folded(
  out: Lines,
  part: {
    head: readonly string[]
    innerHead: readonly string[]
    count: number
    row: (i: number) => string
    cap: number
    open: number
    fold: (rest: number) => string
  },
): number {
  const last = Math.min(part.count, part.cap)
  const openTo = Math.min(last, part.open)
  let shown = out.rows(part.head, part.row, 0, openTo)
  if (shown < openTo || shown >= last) return shown
  const open = ['', `<details><summary>${part.fold(part.count - shown)}</summary>`, '']
  const close = ['', '</details>']
  if (!out.room([...open, ...part.innerHead, part.row(shown), ...close], ROW_RESERVE)) return shown
  out.push(...open)
  shown = out.rows(part.innerHead, part.row, shown, last)
  out.push(...close)
  return shown
}

/**
 * The job summary as Markdown: verdict and counts, then each target's verdict, its findings one
 * line per group (see grouping.ts) linked to the file and line, and how to fix them, once per rule
 * with a link to the rule's doc. Every piece of repository text goes through `mdText` or `mdCode`
 * (see markdown.ts), and the whole stays under SUMMARY_LIMIT bytes.
 */
export function formatSummary(report: Report, reportFile?: string, context: SummaryContext = {}): string {
  const { errors, warnings, infos } = report.counts
  const out = new Lines(SUMMARY_LIMIT)
  out.push(
    `## friendli-preflight: ${VERDICT[report.result]}`,
    '',
    `${plural(report.targets.length, 'target')} checked · ${plural(errors, 'error')} · ${plural(warnings, 'warning')} · ${plural(infos, 'info')} · fail-on: \`${report.failOn}\``,
    '',
  )
  let done = 0
  for (const target of report.targets) {
    const heading = [
      `### ${mdCode(target.ref, { max: REF_MAX })}${commitLink(target)} — ${VERDICT[target.status]}`,
      '',
    ]
    if (!out.room(heading, HEAD_RESERVE)) break
    out.push(...heading)
    done++
    if (target.kind === 'dataset') out.push(baseModelLine(target), '')
    if (target.dataset) datasetTables(out, target)
    if (target.lfs) out.push(`Git LFS: ${mdText(lfsLine(target.lfs))}.`, '')
    if (target.status === 'error') out.push(`Could not check: ${mdText(target.error ?? '')}`, '')
    else if (target.findings.length === 0 && !target.omitted?.length) out.push('No findings.', '')
    // A manifest whose model could not be read still has its own findings; other targets have none.
    if (target.findings.length > 0 || (target.status !== 'error' && target.omitted?.length))
      findings(out, target, context.repo)
  }
  if (done < report.targets.length) out.push(moreLine(report.targets.length - done, 'target'), '')
  const full = reportLine(reportFile, context.artifact)
  if (full) out.push(full, '')
  return fitMarkdown(
    out.lines.join('\n'),
    { bytes: SUMMARY_LIMIT },
    '(The summary was cut here to stay within GitHub’s 1 MiB limit; the JSON report has the findings it left out.)',
  )
}

/** Where the full report is: the artifact to download, else the file on the runner. */
function reportLine(reportFile: string | undefined, artifact: SummaryContext['artifact']): string {
  if (artifact) {
    // The name is the tool's own (see artifact.ts), the URL made from the runner's variables.
    const name = mdCode(artifact.name, { max: REF_MAX })
    const kept = artifact.retentionDays ? `, kept ${plural(artifact.retentionDays, 'day')}` : ''
    return `Full report: artifact ${artifact.url ? mdLink(name, artifact.url) : name} (the JSON report and the SARIF file${kept}).`
  }
  return reportFile ? `Full report: ${mdCode(reportFile, { max: PATH_MAX })} (JSON, on the runner).` : ''
}

/** ` at [`<sha>`](tree at the commit)` for a hub target. */
function commitLink(target: TargetResult): string {
  if (!target.hub) return ''
  return ` at ${mdLink(mdCode(target.hub.sha.slice(0, 12)), hubBlobUrl(target.hub, { path: '.' }))}`
}

/** The model a dataset's rows were rendered and counted with, as the user named it. */
function baseModelLine(target: TargetResult): string {
  const base = target.spec.base
  if (!base) return "Base model: none given, so rows were checked against Friendli's format only."
  return `Base model: ${mdCode(base.ref, { max: REF_MAX })} (its chat template, tokenizer and context length).`
}

/**
 * The page of a local target's file (its line when known) or folder, by its path in the repository, at
 * the commit the reviewer sees; undefined for a path outside the repository. Each path segment is
 * percent-encoded.
 */
export function repoFileUrl(
  repo: NonNullable<SummaryContext['repo']>,
  file: string,
  location: Location,
): string | undefined {
  if (file === '..' || file.startsWith('../') || file.startsWith('/')) return undefined
  const base = `${repo.server.replace(/\/+$/, '')}/${repo.repository}`
  const encoded = encodePath(file)
  if (location.path === '.') return `${base}/tree/${repo.sha}${file === '.' ? '' : `/${encoded}`}`
  return `${base}/blob/${repo.sha}/${encoded}${location.line ? `#L${location.line}` : ''}`
}

/** A group with the findings past the cap of its rule and file, when they are counted with it. */
interface Shown {
  group: FindingGroup
  extra?: OmittedFindings
}

function findings(out: Lines, target: TargetResult, repo: SummaryContext['repo']): void {
  const groups: Shown[] = groupFindings(target.findings).map((group) => ({ group }))
  // Findings past the cap per rule and file are counted, not kept: the first group of rows of that
  // rule and file takes their count, so the flood stays one line.
  const omitted = [...(target.omitted ?? [])]
  for (const s of groups) {
    const f = s.group.first
    if (!s.group.rows.length) continue
    const i = omitted.findIndex(
      (o) => o.ruleId === f.ruleId && o.path === f.location.path && o.severity === f.severity,
    )
    if (i >= 0) s.extra = omitted.splice(i, 1)[0]
  }

  const link = (f: Finding, label: string) => {
    const where = mdCode(label, { table: true, max: PATH_MAX })
    if (target.hub) return mdLink(where, hubBlobUrl(target.hub, f.location))
    const url =
      repo &&
      repoFileUrl(repo, path.posix.join(repo.prefix ?? '', workspacePath(target, f.location)), f.location)
    return url ? mdLink(where, url) : where
  }
  const row = (i: number) => {
    const { group, extra } = groups[i]!
    const f = group.first
    const file = f.location.path !== '.' ? f.location.path : `(${target.kind} folder)`
    const where = isGrouped(group)
      ? `${link(f, file)}<br>${rowsInWords(group.rows)}`
      : link(f, formatLocation(file, f.location))
    const n = group.members.length
    const like = isGrouped(group) ? `The first of ${plural(n, 'finding')} like it` : ''
    const past = extra
      ? `${plural(extra.count, `more ${extra.severity}`)} of this rule in this file past the cap, counted only`
      : ''
    const note = like || past ? `<br>*${[like, past].filter(Boolean).join('; ')}.*` : ''
    // The rule's id and name are the tool's own (the registry), not repository text.
    return `| ${ICON[f.severity]} | ${f.ruleId} ${f.rule} | ${where} | ${mdText(f.message)}${note} |`
  }
  const head = ['| Severity | Rule | Location | Finding |', '|---|---|---|---|']
  const membersFrom = (from: number) => groups.slice(from).reduce((n, s) => n + s.group.members.length, 0)
  const shown = folded(out, {
    head,
    innerHead: head,
    count: groups.length,
    row,
    cap: FINDING_ROWS,
    open: OPEN_ROWS,
    fold: (rest) => `…and ${plural(membersFrom(groups.length - rest), 'more finding')}`,
  })
  if (shown > 0) out.push('')
  const more = membersFrom(shown)
  if (shown === 0 && more > 0)
    out.push(`${plural(more, 'finding')}, not shown: the summary is full (see the JSON report).`, '')
  else if (more > 0) out.push(moreLine(more, 'finding'), '')
  // Counts past the cap that no shown group took.
  const counted = [...groups.slice(shown).flatMap((s) => (s.extra ? [s.extra] : [])), ...omitted]
  for (const o of counted.slice(0, FINDING_ROWS)) {
    const file = mdCode(o.path, { max: PATH_MAX })
    const line = `${ICON[o.severity]} ${o.ruleId} ${o.rule}: ${plural(o.count, `more ${o.severity}`)} in ${file}, counted but not listed (the JSON report counts them too).`
    if (!out.room([line], ROW_RESERVE)) break
    out.push(line, '')
  }
  fixes(
    out,
    groups.slice(0, shown).map((s) => s.group.first),
    target,
  )
}

/**
 * How to fix, once per rule: its doc and its distinct hints (a hint can name the values at fault), for
 * the rules of the findings shown.
 */
function fixes(out: Lines, shown: readonly Finding[], target: TargetResult): void {
  const rules = new Map<string, { first: Finding; hints: Set<string> }>()
  for (const f of shown) {
    const rule = rules.get(f.ruleId) ?? { first: f, hints: new Set<string>() }
    rules.set(f.ruleId, rule)
  }
  // Every kept finding's hint, not only the shown ones': a rule's hint can differ by message.
  for (const f of target.findings) if (f.hint) rules.get(f.ruleId)?.hints.add(f.hint)
  const list = [...rules.values()]
  const item = (i: number) => {
    const { first, hints } = list[i]!
    // The rule's id, name and docs link are the tool's own (the registry); hints carry repository text.
    const rule = mdLink(`${first.ruleId} ${first.rule}`, first.docsUrl)
    const texts = [...hints].slice(0, FIXES_PER_RULE).map((h) => mdText(h))
    if (hints.size > FIXES_PER_RULE)
      texts.push(
        `…and ${plural(hints.size - FIXES_PER_RULE, 'other fix', 'other fixes')} (see the JSON report)`,
      )
    return `- ${rule}${texts.length ? `: ${texts.join('<br>')}` : ''}`
  }
  const shownItems = folded(out, {
    head: ['**How to fix**', ''],
    innerHead: [],
    count: list.length,
    row: item,
    cap: FIX_ITEMS,
    open: OPEN_ROWS,
    fold: (rest) => `…and ${plural(rest, 'more rule')}`,
  })
  if (shownItems > 0) out.push('')
}

/**
 * The token lengths, named as a sample when they are one: its max is then the sample's, not the
 * dataset's (DS402 still checks every row against the context).
 */
export function tokenLine(t: TokenStats): string {
  const num = (x: number) => x.toLocaleString('en-US')
  const figures = `min ${num(t.min)} · median ${num(t.median)} · p95 ${num(t.p95)} · max ${num(t.max)}`
  if (!t.sample) return `Tokens per rendered row (${num(t.counted)} rows counted): ${figures}`
  return `Tokens per rendered row, in a sample of ${num(t.counted)} rows (about one in ${num(t.sample.every)}, picked by file and row): ${figures} in the sample`
}

/** Rows per split, roles, failing rows per rule and token lengths of a dataset target. */
function datasetTables(out: Lines, target: TargetResult): void {
  const d = target.dataset!
  const n = (x: number) => x.toLocaleString('en-US')

  // Every row read is counted, the unreadable ones (not a JSON object: DS201's rows) too.
  const splits = [...d.rowsPerSplit]
  const bad = (split: string) => d.unreadablePerSplit.get(split) ?? 0
  // A long table of splits is folded, whole (its totals row with it), under a line with the totals.
  const fold = splits.length > OPEN_ROWS
  if (fold)
    out.push(
      `<details><summary>${plural(splits.length, 'split')}: ${plural(d.seen, 'row')}, ${n(d.unreadable)} unreadable</summary>`,
      '',
    )
  out.push('| Split | Rows | Unreadable |', '|---|---|---|')
  const shownSplits = out.rows(
    [],
    (i) => {
      const [split, rows] = splits[i]!
      return `| ${mdText(split, SPLIT_MAX)} | ${n(rows)} | ${n(bad(split))} |`
    },
    0,
    Math.min(splits.length, SPLIT_ROWS),
  )
  const rest = splits.slice(shownSplits)
  const sum = (f: (split: string, rows: number) => number) => rest.reduce((t, [s, r]) => t + f(s, r), 0)
  if (rest.length)
    out.push(`| *…and ${plural(rest.length, 'more split')}* | ${n(sum((_, r) => r))} | ${n(sum(bad))} |`)
  out.push(
    `| **all** | **${n(d.seen)}** (${n(Math.round(d.seen / Math.max(d.seconds, 0.001)))} rows/s) | **${n(d.unreadable)}** |`,
    '',
  )
  if (fold) out.push('</details>', '')
  const checked = d.partial && checkedRows(d.partial)
  if (checked) out.push(`${checked[0]!.toUpperCase()}${checked.slice(1)}.`, '') // checked is never empty
  if (target.spec.shard) out.push(`S${shardNote(target.spec.shard).slice(1)}.`, '')
  if (target.merged) out.push(`M${mergedNote(target.merged.shards).slice(1)}.`, '')

  const roles = [...d.roles].sort((a, b) => b[1] - a[1])
  if (roles.length) {
    const shown = roles.slice(0, ROLE_ITEMS).map(([r, c]) => `${mdText(r, SPLIT_MAX)} ${n(c)}`)
    const more = roles.length > ROLE_ITEMS ? ` · …and ${plural(roles.length - ROLE_ITEMS, 'more role')}` : ''
    out.push(`Messages by role: ${shown.join(' · ')}${more}`, '')
  }

  const failing = new Map<string, Set<string>>()
  for (const f of target.findings) {
    if (f.location.row === undefined) continue
    const key = `${f.ruleId} ${f.rule}`
    const rows = failing.get(key) ?? new Set<string>()
    rows.add(`${f.location.path}\0${f.location.row}`)
    failing.set(key, rows)
  }
  if (failing.size) {
    const rules = [...failing]
    // Rule ids and names are the tool's own (the registry), not repository text.
    const shown = out.rows(
      ['| Rule | Rows with findings |', '|---|---|'],
      (i) => `| ${rules[i]![0]} | ${n(rules[i]![1].size)} |`,
      0,
      Math.min(rules.length, RULE_ROWS),
    )
    if (shown > 0 && shown < rules.length)
      out.push(`| *…and ${plural(rules.length - shown, 'more rule')}* | |`)
    if (shown > 0) out.push('')
  }
  if (d.tokens) out.push(tokenLine(d.tokens), '')
  else if (d.noTokens) out.push(`Token lengths not counted: ${mdText(d.noTokens)}.`, '')
}
