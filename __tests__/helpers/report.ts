import type { Report, TargetResult } from '../../src/check.js'
import { countFindings, type Finding, type Location, type Severity } from '../../src/common/finding.js'

export function finding(severity: Severity, location: Location, n = 0): Finding {
  return {
    ruleId: `MR${100 + n}`,
    rule: `rule-${n}`,
    messageId: 'm',
    severity,
    message: `Message ${n} | <b>bold</b>.`,
    hint: `Hint ${n}.`,
    location,
    docsUrl: `https://docs.test/rule-${n}.md`,
  }
}

export function target(findings: Finding[], over: Partial<TargetResult> = {}): TargetResult {
  return {
    kind: 'model',
    ref: 'models/m',
    source: 'local',
    revision: null,
    status: findings.some((f) => f.severity === 'error') ? 'fail' : 'pass',
    findings,
    rootInWorkspace: 'models/m',
    spec: { kind: 'model', ref: 'models/m', source: 'local', root: '/w/models/m' },
    ...over,
  }
}

export function report(targets: TargetResult[]): Report {
  const all = targets.flatMap((t) => t.findings)
  const result = targets.some((t) => t.status === 'error')
    ? 'error'
    : targets.some((t) => t.status === 'fail')
      ? 'fail'
      : 'pass'
  return { targets, counts: countFindings(all), result, failOn: 'error' }
}
