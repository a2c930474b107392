import type { Report } from '../check.js'
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

/** One line per finding, `path:line:col severity ruleId rule-name message`, then one summary line. */
export function formatText(report: Report, color = false): string {
  const paint = (kind: keyof typeof COLORS, s: string) =>
    color ? `\x1b[${COLORS[kind][0]}m${s}\x1b[${COLORS[kind][1]}m` : s
  const lines: string[] = []
  for (const target of report.targets) {
    if (target.status === 'error') {
      lines.push(`${paint('bold', target.ref)}: ${paint('error', 'could not check')}: ${target.error}`)
      continue
    }
    for (const f of target.findings) {
      const where = formatLocation(workspacePath(target, f.location), f.location)
      lines.push(`${paint('dim', where)} ${paint(f.severity, f.severity)} ${f.ruleId} ${f.rule} ${f.message}`)
    }
  }
  lines.push(summaryLine(report, paint))
  return lines.join('\n') + '\n'
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
