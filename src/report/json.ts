import type { Report } from '../check.js'

/** The CLI's JSON report (its shape is a contract: README, "CLI"): every finding, never grouped or capped; absent values are null. */
export function toJson(report: Report) {
  return {
    version: 1,
    targets: report.targets.map((t) => ({
      kind: t.kind,
      ref: t.ref,
      source: t.source,
      revision: t.revision,
      status: t.status,
      ...(t.error ? { error: t.error } : {}),
      findings: t.findings.map((f) => ({
        ruleId: f.ruleId,
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        hint: f.hint ?? null,
        location: {
          path: f.location.path,
          line: f.location.line ?? null,
          column: f.location.column ?? null,
          pointer: f.location.pointer ?? null,
          row: f.location.row ?? null,
        },
        docsUrl: f.docsUrl,
      })),
    })),
    summary: { ...report.counts, result: report.result },
  }
}
