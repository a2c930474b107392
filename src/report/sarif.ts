// SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif), with the fields GitHub
// requires: each rule with descriptions and help, each result with a repository-relative file and,
// when it is known, its line. Never a made-up line: a finding without one keeps only its file.
import type { Report, TargetResult } from '../check.js'
import type { Finding, Severity } from '../common/finding.js'
import { allRules } from '../rules/registry.js'
import { place, workspacePath } from './paths.js'

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
}

/** The file and line a result points at; without a place in the repository, its own path (hf:// or the folder). */
function physicalLocation(target: TargetResult, f: Finding) {
  const p = place(target, f)
  const uri = p.file ?? workspacePath(target, f.location)
  if (p.startLine === undefined) return { artifactLocation: { uri } }
  return {
    artifactLocation: { uri },
    region: { startLine: p.startLine, ...(p.startColumn ? { startColumn: p.startColumn } : {}) },
  }
}

export function toSarif(report: Report, version: string, docsBase: string) {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'friendli-preflight',
            version,
            informationUri: 'https://github.com/friendli-preflight/friendli-preflight',
            rules: allRules.map((r) => ({
              id: r.meta.id,
              name: r.meta.name,
              shortDescription: { text: r.meta.description },
              fullDescription: { text: `${r.meta.description}.` },
              help: { text: `${r.meta.description}. See ${docsBase}${r.meta.name}.md` },
              helpUri: `${docsBase}${r.meta.name}.md`,
              defaultConfiguration: { level: LEVEL[r.meta.severity] },
            })),
          },
        },
        results: report.targets.flatMap((t) =>
          t.findings.map((f) => ({
            ruleId: f.ruleId,
            level: LEVEL[f.severity],
            message: { text: f.hint ? `${f.message}\n${f.hint}` : f.message },
            locations: [{ physicalLocation: physicalLocation(t, f) }],
          })),
        ),
      },
    ],
  }
}
