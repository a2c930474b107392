import type { Report, TargetResult } from '../check.js'
import type { Severity } from '../common/finding.js'
import { plural } from '../common/wording.js'
import { formatLocation, workspacePath } from './paths.js'

const COLORS: Record<Severity | 'dim' | 'bold', [number, number]> = {
  error: [31, 39],
  warning: [33, 39],
  info: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
}

/**
 * Repository text as it may reach a terminal or a log: on one line (CR, LF and the Unicode line
 * breaks written as `\r`, `\n`, `\u{2028}`), with no escape sequence (ESC and the other controls,
 * but tab, as `\u{1b}`…) and nothing reordered or hidden (bidi and other format characters as
 * `\u{202e}`…). A file name or a template error could otherwise repaint the terminal, fake a line of
 * output or hide a finding.
 */
export function printable(s: string): string {
  return s.replace(/(?!\t)[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u{${c.codePointAt(0)!.toString(16)}}`,
  )
}

/** One line per finding, `path:line:col severity ruleId rule-name message`, then one summary line. */
export function formatText(report: Report, color = false): string {
  const paint = (kind: keyof typeof COLORS, s: string) =>
    color ? `\x1b[${COLORS[kind][0]}m${s}\x1b[${COLORS[kind][1]}m` : s
  const lines: string[] = []
  for (const target of report.targets) {
    if (target.status === 'error') {
      lines.push(
        `${paint('bold', printable(target.ref))}: ${paint('error', 'could not check')}: ${printable(target.error ?? '')}`,
      )
      continue
    }
    for (const f of target.findings) {
      const where = printable(formatLocation(workspacePath(target, f.location), f.location))
      lines.push(
        `${paint('dim', where)} ${paint(f.severity, f.severity)} ${f.ruleId} ${f.rule} ${printable(f.message)}`,
      )
    }
    // Past the cap per rule and file, findings are counted, not kept: say how many, in the same shape.
    for (const o of target.omitted ?? []) {
      const where = printable(workspacePath(target, { path: o.path }))
      lines.push(
        `${paint('dim', where)} ${paint(o.severity, o.severity)} ${o.ruleId} ${o.rule} …and ${plural(o.count, `more ${o.severity}`)} of this rule in this file, counted but not listed.`,
      )
    }
    const rows = datasetRows(target)
    if (rows)
      lines.push(
        `${paint('dim', printable(workspacePath(target, { path: target.spec.file ?? '.' })))} ${rows}`,
      )
  }
  lines.push(summaryLine(report, paint))
  return lines.join('\n') + '\n'
}

/** Splits named in a dataset's line before "…and N more splits". */
const SPLITS_SHOWN = 20

/**
 * A dataset's rows, every row read counted, with the unreadable ones (not a JSON object), by split; and
 * whether max-rows stopped the pass: `rows: 8 read, 1 unreadable; by split: train 8 (1 unreadable)`.
 */
function datasetRows(target: TargetResult): string | undefined {
  const d = target.dataset
  if (!d) return undefined
  const n = (x: number) => x.toLocaleString('en-US')
  const splits = [...d.rowsPerSplit].slice(0, SPLITS_SHOWN).map(([split, rows]) => {
    const bad = d.unreadablePerSplit.get(split)
    return `${printable(split)} ${n(rows)}${bad ? ` (${n(bad)} unreadable)` : ''}`
  })
  const more = d.rowsPerSplit.size - splits.length
  if (more > 0) splits.push(`…and ${plural(more, 'more split')}`)
  const partial = d.partial ? `; ${checkedRows(d.partial)}` : ''
  return `rows: ${n(d.seen)} read, ${n(d.unreadable)} unreadable; by split: ${splits.join(', ') || 'none'}${partial}`
}

/** What max-rows left out: "checked 100 of 2,000 rows (max-rows 100)" when the files say how many. */
export function checkedRows(p: { checked: number; maxRows: number; total?: number }): string {
  const n = (x: number) => x.toLocaleString('en-US')
  return p.total !== undefined
    ? `checked ${n(p.checked)} of ${plural(p.total, 'row')} (max-rows ${n(p.maxRows)})`
    : `first ${plural(p.checked, 'row')} checked (max-rows ${n(p.maxRows)}); the rest not read`
}

export function summaryLine(
  report: Report,
  paint: (kind: 'bold', s: string) => string = (_k, s) => s,
): string {
  const { errors, warnings, infos } = report.counts
  const counts = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')}`
  const unchecked = report.targets.filter((t) => t.status === 'error').length
  const what = `${plural(report.targets.length, 'target')} checked${unchecked ? ` (${unchecked} could not be checked)` : ''}`
  return `${paint('bold', report.result)}: ${what}: ${counts} (fail-on: ${report.failOn})`
}
