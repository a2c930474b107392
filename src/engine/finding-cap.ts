// How many findings a dataset run keeps. A data file of broken rows gives one finding per row per rule:
// 6 MB of bad JSON Lines is 3,000,000 findings, gigabytes of objects and a report no one reads (and a
// JSON string past V8's limit). Findings of one rule about one file are kept up to a cap and the rest
// are counted, by severity, so the verdict and the summary's counts still see every one of them.
import {
  countFindings,
  MAX_FINDINGS_PER_RULE_AND_FILE,
  type Counts,
  type Finding,
  type Severity,
} from '../common/finding.js'

// Defined beside Finding, so a rule that keeps findings for later (missing-messages) can stop at it too.
export { MAX_FINDINGS_PER_RULE_AND_FILE }

/**
 * Findings kept per target, whatever the rule and file: 20,000 data files (the listing's limit) times
 * the cap above would still be millions. 10,000 keeps a JSON report near 5 MB, and two targets within
 * the 25,000 results GitHub code scanning accepts in one SARIF run.
 */
export const MAX_FINDINGS_PER_TARGET = 10_000

/** Findings of one rule about one file that were counted, not kept, for one severity. */
export interface OmittedFindings {
  ruleId: string
  rule: string
  path: string
  severity: Severity
  count: number
  /**
   * `count` by message kind (Finding.messageId): what merging shards' reports needs to drop the counts
   * of the findings it reports again (src/merge-reports.ts). Not in the JSON report's `omitted`.
   */
  byMessage?: Record<string, number>
}

export interface FindingCollector {
  /** Keep the finding, or count it when its rule and file (or the target) are at the cap. */
  push(finding: Finding): void
  /** Findings that bypass the caps (a crashed rule: one per rule). */
  keep(finding: Finding): void
  readonly findings: Finding[]
  /** What was counted and not kept, by rule, file and severity, in the order first met. */
  omitted(): OmittedFindings[]
}

export function findingCollector(
  perRuleAndFile = MAX_FINDINGS_PER_RULE_AND_FILE,
  perTarget = MAX_FINDINGS_PER_TARGET,
): FindingCollector {
  const findings: Finding[] = []
  const kept = new Map<string, number>()
  const dropped = new Map<string, OmittedFindings>()
  return {
    findings,
    push(f) {
      const key = `${f.ruleId}\0${f.location.path}`
      const n = kept.get(key) ?? 0
      if (n < perRuleAndFile && findings.length < perTarget) {
        kept.set(key, n + 1)
        findings.push(f)
        return
      }
      const at = `${key}\0${f.severity}`
      const entry = dropped.get(at)
      if (entry) {
        entry.count++
        entry.byMessage![f.messageId] = (entry.byMessage![f.messageId] ?? 0) + 1
      } else
        dropped.set(at, {
          ruleId: f.ruleId,
          rule: f.rule,
          path: f.location.path,
          severity: f.severity,
          count: 1,
          byMessage: { [f.messageId]: 1 },
        })
    },
    keep(f) {
      findings.push(f)
    },
    omitted: () => [...dropped.values()],
  }
}

/** The counts of findings kept and omitted together: what the summary and the verdict go by. */
export function countWithOmitted(findings: readonly Finding[], omitted: readonly OmittedFindings[]): Counts {
  const counts = countFindings(findings)
  for (const o of omitted) {
    if (o.severity === 'error') counts.errors += o.count
    else if (o.severity === 'warning') counts.warnings += o.count
    else counts.infos += o.count
  }
  return counts
}

/** Omitted findings in a stable order: rule, then path, then severity. */
export function compareOmitted(a: OmittedFindings, b: OmittedFindings): number {
  return (
    a.ruleId.localeCompare(b.ruleId) || a.path.localeCompare(b.path) || a.severity.localeCompare(b.severity)
  )
}
