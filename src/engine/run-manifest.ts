import type { ParsedManifest } from '../artifacts/manifest.js'
import { manifestOf } from '../artifacts/manifest.js'
import type { Finding } from '../common/finding.js'
import type { ManifestContext, ManifestModel, ManifestRule } from '../rules/manifest-rule.js'
import { crashedFinding, reporterFor, type RunOptions } from './run-model.js'

/** What a manifest's check read besides the file and its model: the Hub's refusal, its template, its adapters. */
export type ManifestInputs = Partial<Pick<ManifestContext<never>, 'refused' | 'template' | 'adapters'>>

/**
 * Run the enabled manifest rules on one parsed manifest and the model it names (when that model was
 * checked). A rule that throws becomes one finding and the others still run, as for model rules.
 */
export function runManifestRules(
  file: ParsedManifest,
  model: ManifestModel | undefined,
  rules: readonly ManifestRule[],
  options: Pick<RunOptions, 'levels' | 'docsBase'>,
  inputs: ManifestInputs = {},
): Finding[] {
  const manifest = manifestOf(file)
  const findings: Finding[] = []
  const path = file.ok ? file.doc.path : file.path
  for (const rule of rules) {
    const { meta } = rule
    const level = options.levels.get(meta.id)
    if (level === 'off') continue
    const docsUrl = `${options.docsBase}${meta.name}.md`
    const own: Finding[] = []
    try {
      rule.check({
        file,
        manifest,
        model,
        refused: inputs.refused,
        template: inputs.template,
        adapters: inputs.adapters ?? [],
        report: reporterFor(meta, level, docsUrl, (f) => own.push(f)),
      })
    } catch (error) {
      own.push({ ...crashedFinding(meta, error, docsUrl, 'manifest'), location: { path } })
    }
    // In the order of the file: a schema's issues come in the order of its fields.
    findings.push(...own.sort(byPosition))
  }
  return findings
}

/** Line, then column; findings without a line keep their place after those with one. */
function byPosition(a: Finding, b: Finding): number {
  return (
    (a.location.line ?? Infinity) - (b.location.line ?? Infinity) ||
    (a.location.column ?? 0) - (b.location.column ?? 0)
  )
}
