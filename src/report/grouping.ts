import type { Finding } from '../common/finding.js'
import { plural } from '../common/wording.js'

/**
 * One grouping policy for every human-facing output (text, job summary, annotations, check run,
 * SARIF): the findings about rows of one file, of one rule, message kind and severity, are one group
 * with their count and first rows, so a file of 4,130 Python-repr rows is one line, not 4,130. A finding
 * that is not about a row is a group of its own. Only the JSON report keeps findings one by one.
 */
export interface FindingGroup {
  /** The first finding of the group: its message, hint and location stand for the group. */
  first: Finding
  /** Every finding of the group, in report order; one for a finding that is not about a row. */
  members: readonly Finding[]
  /** Distinct rows, in order of first appearance; empty for a finding that is not about a row. */
  rows: readonly number[]
}

export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups: { first: Finding; members: Finding[]; rows: number[]; seen: Set<number> }[] = []
  const byKey = new Map<string, (typeof groups)[number]>()
  for (const f of findings) {
    const row = f.location.row
    if (row === undefined) {
      groups.push({ first: f, members: [f], rows: [], seen: new Set() })
      continue
    }
    const key = `${f.ruleId}\0${f.messageId}\0${f.location.path}\0${f.severity}`
    let group = byKey.get(key)
    if (!group) {
      group = { first: f, members: [], rows: [], seen: new Set() }
      byKey.set(key, group)
      groups.push(group)
    }
    group.members.push(f)
    if (!group.seen.has(row)) {
      group.seen.add(row)
      group.rows.push(row)
    }
  }
  return groups.map(({ first, members, rows }) => ({ first, members, rows }))
}

/** Rows named before "…and N more". */
export const ROWS_SHOWN = 5

/**
 * The rows of a group in words (rows are 1-based): "row 3", "rows 3, 5 and 9",
 * "rows 3, 5, 9, 12, 14 and 4,125 more (4,130 rows)".
 */
export function rowsInWords(rows: readonly number[], shown = ROWS_SHOWN): string {
  const n = (r: number) => r.toLocaleString('en-US')
  if (rows.length === 1) return `row ${n(rows[0]!)}`
  if (rows.length <= shown)
    return `rows ${rows.slice(0, -1).map(n).join(', ')} and ${n(rows[rows.length - 1]!)}`
  return `rows ${rows.slice(0, shown).map(n).join(', ')} and ${(rows.length - shown).toLocaleString('en-US')} more (${plural(rows.length, 'row')})`
}

/** True when a group stands for more than one finding: outputs say so instead of repeating it. */
export function isGrouped(group: FindingGroup): boolean {
  return group.members.length > 1
}
