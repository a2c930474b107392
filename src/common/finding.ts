export type Severity = 'error' | 'warning' | 'info'

/** A rule's level as the user sets it: a severity, or off. */
export type RuleLevel = Severity | 'off'

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 }

export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold]
}

/**
 * Where a finding is. `path` is POSIX and relative to the target's root ('.' is the root itself).
 * `line`/`column` are 1-based and present only when truly known: never an invented line 1.
 */
export interface Location {
  path: string
  line?: number
  column?: number
  /** RFC 6901 pointer into a JSON document, e.g. '/architectures/0'. */
  pointer?: string
  /** 1-based record index in a dataset file (the row as every output numbers it). */
  row?: number
}

export interface Finding {
  ruleId: string
  rule: string
  /** Which of the rule's messages: for tests and grouping; not part of the JSON contract. */
  messageId: string
  severity: Severity
  message: string
  hint?: string
  location: Location
  docsUrl: string
  /**
   * A cause other findings follow from (its rule's meta declares `rootCause`), e.g. no weights at
   * the root: listed before the other findings of its severity. Not part of the JSON report.
   */
  rootCause?: true
}

/**
 * Deterministic order for every output: severity, then root causes before the findings they may
 * explain, then path, line, row, rule id.
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    RANK[b.severity] - RANK[a.severity] ||
    Number(b.rootCause ?? false) - Number(a.rootCause ?? false) ||
    a.location.path.localeCompare(b.location.path) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.location.row ?? 0) - (b.location.row ?? 0) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.message.localeCompare(b.message)
  )
}

/**
 * Findings a dataset run keeps per rule and file (engine/finding-cap.ts). A thousand show every pattern
 * a file's rows break in (a fix is a script over the file, not a thousand hand edits), and keep a rule's
 * part of the report near 0.5 MB.
 */
export const MAX_FINDINGS_PER_RULE_AND_FILE = 1_000

export interface Counts {
  errors: number
  warnings: number
  infos: number
}

export function countFindings(findings: readonly Finding[]): Counts {
  const counts: Counts = { errors: 0, warnings: 0, infos: 0 }
  for (const f of findings) {
    if (f.severity === 'error') counts.errors++
    else if (f.severity === 'warning') counts.warnings++
    else counts.infos++
  }
  return counts
}
