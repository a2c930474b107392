import {
  filesToPrefetch,
  modelArtifactLoader,
  type ModelArtifactName,
  type ModelArtifacts,
  type TargetKind,
} from '../artifacts/model-artifacts.js'
import type { Source } from '../sources/source.js'
import type { Finding, Location, RuleLevel, Severity } from '../common/finding.js'
import type { AnyMessages, ModelRule, RuleMeta, RuleSettings } from '../rules/model-rule.js'
import { foldRootCauses, type Cause } from './root-causes.js'

export interface RunOptions {
  /** Severity chosen by the user, by rule id; absent means the rule's own default. */
  levels: ReadonlyMap<string, RuleLevel>
  settings: RuleSettings
  docsBase: string
}

type AnyRuleMeta = RuleMeta<AnyMessages>

/**
 * A report function for one rule: its message by key, at the user's level or the message's own.
 * `push` gets the finding and the message's data.
 */
export function reporterFor(
  meta: AnyRuleMeta,
  level: RuleLevel | undefined,
  docsUrl: string,
  push: (f: Finding, data: unknown) => void,
): (key: string, data: unknown, location: Location) => void {
  return (key, data, location) => {
    const spec = meta.messages[key]
    // The types tie keys to messages; a key that slips past them is a bug of the rule's, said plainly.
    if (!spec) throw new Error(`it reported "${key}", which is not one of its messages`)
    push(
      {
        ruleId: meta.id,
        rule: meta.name,
        messageId: key,
        severity: (level as Severity | undefined) ?? spec.severity ?? meta.severity,
        message: spec.text(data),
        hint: spec.hint?.(data),
        location,
        docsUrl,
      },
      data,
    )
  }
}

/** The one finding a rule that throws becomes: a bug of ours, said as such, so the run goes on. */
export function crashedFinding(meta: AnyRuleMeta, error: unknown, docsUrl: string, subject: string): Finding {
  return {
    ruleId: meta.id,
    rule: meta.name,
    messageId: 'crashed',
    severity: 'error',
    message: `Rule ${meta.id} (${meta.name}) crashed: ${error instanceof Error ? error.message : String(error)}.`,
    hint: `This is a bug in friendli-preflight, not in your ${subject}: please report it with the ${subject === 'model' ? 'model files' : subject === 'manifest' ? 'manifest' : 'rows'} that caused it. The other rules still ran.`,
    location: { path: '.' },
    docsUrl,
  }
}

/**
 * Load every artifact the enabled rules declare (each once), then run the rules. A SourceError while
 * loading means "could not check" and propagates; a rule that throws becomes one finding and the run
 * goes on, so one bug never hides every other result. Last, the findings a root cause explains are
 * folded into it (engine/root-causes.ts).
 */
export async function runModelRules(
  source: Source,
  rules: readonly ModelRule[],
  options: RunOptions,
): Promise<Finding[]> {
  return (await runModelCheck(source, rules, options)).findings
}

/**
 * runModelRules, and the artifacts `keep` names, loaded once with the rules' own: what a deployment
 * manifest's rules size its model by (the tensors, config.json), without reading the model twice.
 * `preset` artifacts are used as given instead of read from the source (a manifest's own chat template).
 */
export async function runModelCheck<K extends ModelArtifactName = never>(
  source: Source,
  rules: readonly ModelRule[],
  options: RunOptions,
  keep: readonly K[] = [],
  preset: Partial<ModelArtifacts> = {},
): Promise<{ findings: Finding[]; artifacts: Pick<ModelArtifacts, K> }> {
  const load = modelArtifactLoader(source, preset)
  // Model-only rules (config.json, architectures, tokenizer) do not fire on a LoRA adapter, and back.
  const enabledFor = (kind: TargetKind) =>
    rules.filter(
      (r) => options.levels.get(r.meta.id) !== 'off' && (r.meta.appliesTo ?? ['model']).includes(kind),
    )
  const artifactsFor = (kind: TargetKind) => [
    ...new Set([...enabledFor(kind).flatMap((r) => r.meta.artifacts as ModelArtifactName[]), ...keep]),
  ]
  // The files those artifacts read start now where the source can (the Hub: beside its listing).
  source.prefetch?.(filesToPrefetch(artifactsFor))
  const kind = await load('kind')
  const enabled = enabledFor(kind)
  const names = artifactsFor(kind)
  const loaded = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await load(n)] as const)))

  const findings: Finding[] = []
  const causes = new Map<Finding, Cause>()
  for (const rule of enabled) {
    const { meta } = rule
    const level = options.levels.get(meta.id)
    const docsUrl = `${options.docsBase}${meta.name}.md`
    const artifacts = Object.fromEntries(meta.artifacts.map((n: ModelArtifactName) => [n, loaded[n]]))
    try {
      rule.check({
        artifacts,
        settings: options.settings,
        report: reporterFor(meta, level, docsUrl, (f, data) => {
          const cause = meta.rootCause
          if (!cause) return void findings.push(f)
          const root: Finding = { ...f, rootCause: true }
          findings.push(root)
          causes.set(root, {
            explains: new Set(cause.explains),
            ...(cause.files ? { files: new Set(cause.files(data)) } : {}),
          })
        }),
      })
    } catch (error) {
      findings.push(crashedFinding(meta, error, docsUrl, 'model'))
    }
  }
  const kept = Object.fromEntries(keep.map((n) => [n, loaded[n]])) as Pick<ModelArtifacts, K>
  return { findings: foldRootCauses(findings, causes), artifacts: kept }
}
