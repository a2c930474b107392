import type { Report, Status, TargetResult } from '../check.js'
import type { Severity } from '../common/finding.js'
import { plural } from '../common/wording.js'
import { fitMarkdown, mdCode, mdLink, mdText, moreLine } from './markdown.js'
import { formatLocation, hubBlobUrl } from './paths.js'
import { checkedRows } from './text.js'

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

/** Rows of findings shown per target; the JSON report lists every one. */
const FINDING_ROWS = 1_000
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
   * Adds `rows` while they fit (leaving ROW_RESERVE) and fewer than `cap` are shown, with `head` (a
   * table's header) before the first; returns how many were added.
   */
  rows(head: readonly string[], rows: Iterable<string>, cap: number): number {
    let shown = 0
    for (const row of rows) {
      if (shown >= cap || !this.room(shown ? [row] : [...head, row], ROW_RESERVE)) break
      if (!shown) this.push(...head)
      this.push(row)
      shown++
    }
    return shown
  }
}

/**
 * The job summary as Markdown: verdict, counts, then the findings of each target with a link to the
 * rule's doc. Every piece of repository text goes through `mdText` or `mdCode` (see markdown.ts), and
 * the whole stays under SUMMARY_LIMIT bytes.
 */
export function formatSummary(report: Report, reportFile?: string): string {
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
    if (target.dataset) datasetTables(out, target)
    if (target.status === 'error') out.push(`Could not check: ${mdText(target.error ?? '')}`, '')
    else if (target.findings.length === 0) out.push('No findings.', '')
    else findingsTable(out, target)
  }
  if (done < report.targets.length) out.push(moreLine(report.targets.length - done, 'target'), '')
  if (reportFile) out.push(`Full report: ${mdCode(reportFile, { max: PATH_MAX })} (JSON).`, '')
  return fitMarkdown(
    out.lines.join('\n'),
    { bytes: SUMMARY_LIMIT },
    '(The summary was cut here to stay within GitHub’s 1 MiB limit; the JSON report has everything.)',
  )
}

/** ` at [`<sha>`](tree at the commit)` for a hub target. */
function commitLink(target: TargetResult): string {
  if (!target.hub) return ''
  return ` at ${mdLink(mdCode(target.hub.sha.slice(0, 12)), hubBlobUrl(target.hub, { path: '.' }))}`
}

function findingsTable(out: Lines, target: TargetResult): void {
  const rows = function* () {
    for (const f of target.findings) {
      const file = f.location.path !== '.' ? f.location.path : `(${target.kind} folder)`
      const where = mdCode(formatLocation(file, f.location), { table: true, max: PATH_MAX })
      const location = target.hub ? mdLink(where, hubBlobUrl(target.hub, f.location)) : where
      const hint = f.hint ? `<br>*Fix:* ${mdText(f.hint)}` : ''
      // The rule's id, name and docs link are the tool's own (the registry), not repository text.
      yield `| ${ICON[f.severity]} | ${mdLink(`${f.ruleId} ${f.rule}`, f.docsUrl)} | ${location} | ${mdText(f.message)}${hint} |`
    }
  }
  const head = ['| Severity | Rule | Location | Message |', '|---|---|---|---|']
  const shown = out.rows(head, rows(), FINDING_ROWS)
  const more = target.findings.length - shown
  if (shown > 0) out.push('')
  if (shown === 0)
    out.push(`${plural(more, 'finding')}, not shown: the summary is full (see the JSON report).`, '')
  else if (more > 0) out.push(moreLine(more, 'finding'), '')
  // Past the cap per rule and file the engine counts findings instead of keeping them.
  for (const o of (target.omitted ?? []).slice(0, FINDING_ROWS)) {
    const file = mdCode(o.path, { max: PATH_MAX })
    // The cap keeps the first findings of each rule, so a kept one carries the rule's docs link.
    const docs = target.findings.find((f) => f.ruleId === o.ruleId)?.docsUrl
    const rule = `${o.ruleId} ${o.rule}`
    out.push(
      `${ICON[o.severity]} ${docs ? mdLink(rule, docs) : rule}: ${plural(o.count, `more ${o.severity}`)} in ${file}, counted but not listed (the JSON report counts them too).`,
      '',
    )
  }
}

/** `items` mapped one at a time, as they are taken: rows past a cap are never escaped. */
function* lazy<T>(items: Iterable<T>, f: (item: T) => string): Generator<string> {
  for (const item of items) yield f(item)
}

/** Rows per split, roles, failing rows per rule and token lengths of a dataset target. */
function datasetTables(out: Lines, target: TargetResult): void {
  const d = target.dataset!
  const n = (x: number) => x.toLocaleString('en-US')

  // Every row read is counted, the unreadable ones (not a JSON object: DS201's rows) too.
  const splits = [...d.rowsPerSplit]
  const bad = (split: string) => d.unreadablePerSplit.get(split) ?? 0
  out.push('| Split | Rows | Unreadable |', '|---|---|---|')
  const shownSplits = out.rows(
    [],
    lazy(splits, ([split, rows]) => `| ${mdText(split, SPLIT_MAX)} | ${n(rows)} | ${n(bad(split))} |`),
    SPLIT_ROWS,
  )
  const rest = splits.slice(shownSplits)
  const sum = (f: (split: string, rows: number) => number) => rest.reduce((t, [s, r]) => t + f(s, r), 0)
  if (rest.length)
    out.push(`| *…and ${plural(rest.length, 'more split')}* | ${n(sum((_, r) => r))} | ${n(sum(bad))} |`)
  out.push(
    `| **all** | **${n(d.seen)}** (${n(Math.round(d.seen / Math.max(d.seconds, 0.001)))} rows/s) | **${n(d.unreadable)}** |`,
    '',
  )
  const checked = d.partial && checkedRows(d.partial)
  if (checked) out.push(`${checked[0]!.toUpperCase()}${checked.slice(1)}.`, '') // checked is never empty

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
    out.push('| Rule | Rows with findings |', '|---|---|')
    const rules = [...failing]
    // Rule ids and names are the tool's own (the registry), not repository text.
    const shown = out.rows(
      [],
      rules.map(([rule, rows]) => `| ${rule} | ${n(rows.size)} |`),
      RULE_ROWS,
    )
    if (shown < rules.length) out.push(`| *…and ${plural(rules.length - shown, 'more rule')}* | |`)
    out.push('')
  }
  if (d.tokens)
    out.push(
      `Tokens per rendered row (${n(d.tokens.counted)} rows counted${d.tokens.counted < d.rows ? ', an even sample' : ''}): min ${n(d.tokens.min)} · median ${n(d.tokens.median)} · p95 ${n(d.tokens.p95)} · max ${n(d.tokens.max)}`,
      '',
    )
  else if (d.noTokens) out.push(`Token lengths not counted: ${mdText(d.noTokens)}.`, '')
}
