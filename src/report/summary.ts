import type { Report, Status, TargetResult } from '../check.js'
import type { Severity } from '../common/finding.js'
import { plural } from '../common/wording.js'
import { formatLocation, hubBlobUrl } from './paths.js'

/** GitHub rejects a step summary over 1 MiB; stay well under it and say what was left out. */
export const SUMMARY_LIMIT = 900_000

const VERDICT: Record<Status, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  error: '⚠️ could not check',
}
const ICON: Record<Severity, string> = { error: '🔴 error', warning: '🟡 warning', info: '🔵 info' }

/** Table cells are raw HTML/Markdown in the summary: escape what the messages carry. */
export function cell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>')
}

/** The job summary as Markdown: verdict, counts, then every finding per target with a link to its rule doc. */
export function formatSummary(report: Report, reportFile?: string): string {
  const { errors, warnings, infos } = report.counts
  const out: string[] = [
    `## friendli-preflight: ${VERDICT[report.result]}`,
    '',
    `${plural(report.targets.length, 'target')} checked · ${plural(errors, 'error')} · ${plural(warnings, 'warning')} · ${plural(infos, 'info')} · fail-on: \`${report.failOn}\``,
    '',
  ]
  let size = Buffer.byteLength(out.join('\n'))
  let omitted = 0
  for (const target of report.targets) {
    const commit = target.hub
      ? ` at [\`${target.hub.sha.slice(0, 12)}\`](${hubBlobUrl(target.hub, { path: '.' })})`
      : ''
    const head = [`### \`${cell(target.ref)}\`${commit} — ${VERDICT[target.status]}`, '']
    if (target.dataset) head.push(...datasetTable(target), '')
    if (target.status === 'error') head.push(`Could not check: ${cell(target.error ?? '')}`, '')
    else if (target.findings.length === 0) head.push('No findings.', '')
    else head.push('| Severity | Rule | Location | Message |', '|---|---|---|---|')
    out.push(...head)
    size += Buffer.byteLength(head.join('\n'))
    for (const f of target.findings) {
      const hint = f.hint ? `<br>*Fix:* ${cell(f.hint)}` : ''
      const where = `\`${cell(formatLocation(f.location.path === '.' ? '(model folder)' : f.location.path, f.location))}\``
      const location = target.hub ? `[${where}](${hubBlobUrl(target.hub, f.location)})` : where
      const row = `| ${ICON[f.severity]} | [${f.ruleId} ${f.rule}](${f.docsUrl}) | ${location} | ${cell(f.message)}${hint} |`
      if (size + Buffer.byteLength(row) > SUMMARY_LIMIT) {
        omitted++
        continue
      }
      out.push(row)
      size += Buffer.byteLength(row) + 1
    }
    out.push('')
  }
  if (omitted > 0)
    out.push(
      `${plural(omitted, 'more finding')} did not fit in the summary; the JSON report lists them all.`,
      '',
    )
  if (reportFile) out.push(`Full report: \`${cell(reportFile)}\` (JSON).`, '')
  return out.join('\n')
}

/** Rows per split, roles, failing rows per rule and token lengths of a dataset target. */
function datasetTable(target: TargetResult): string[] {
  const d = target.dataset!
  const n = (x: number) => x.toLocaleString('en-US')
  const lines = ['| Split | Rows |', '|---|---|']
  for (const [split, rows] of Object.entries(d.rowsPerSplit)) lines.push(`| ${cell(split)} | ${n(rows)} |`)
  lines.push(
    `| **all** | **${n(d.rows)}** (${n(Math.round(d.rows / Math.max(d.seconds, 0.001)))} rows/s) |`,
    '',
  )
  const roles = Object.entries(d.roles).sort((a, b) => b[1] - a[1])
  if (roles.length)
    lines.push(`Messages by role: ${roles.map(([r, c]) => `${cell(r)} ${n(c)}`).join(' · ')}`, '')
  const failing = new Map<string, Set<string>>()
  for (const f of target.findings) {
    if (f.location.row === undefined) continue
    const key = `${f.ruleId} ${f.rule}`
    const rows = failing.get(key) ?? new Set<string>()
    rows.add(`${f.location.path}\0${f.location.row}`)
    failing.set(key, rows)
  }
  if (failing.size) {
    lines.push('| Rule | Rows with findings |', '|---|---|')
    for (const [rule, rows] of failing) lines.push(`| ${rule} | ${n(rows.size)} |`)
    lines.push('')
  }
  if (d.tokens)
    lines.push(
      `Tokens per rendered row (${n(d.tokens.counted)} rows counted${d.tokens.counted < d.rows ? ', an even sample' : ''}): min ${n(d.tokens.min)} · median ${n(d.tokens.median)} · p95 ${n(d.tokens.p95)} · max ${n(d.tokens.max)}`,
    )
  else if (d.noTokens) lines.push(`Token lengths not counted: ${cell(d.noTokens)}.`)
  return lines
}
