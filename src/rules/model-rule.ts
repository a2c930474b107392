import type { ModelArtifactName, ModelArtifacts, TargetKind } from '../artifacts/model-artifacts.js'
import type { Location, Severity } from '../common/finding.js'

/** One message a rule can report: text and hint are built from the real values in `data`. */
export interface MessageSpec<D> {
  text: (data: D) => string
  hint?: (data: D) => string
  /**
   * A message may default to another severity than its rule's (MR402: a missing file is a warning,
   * a broken one an error). A severity set by the user applies to every message of the rule.
   */
  severity?: Severity
}

export type AnyMessages = Record<string, MessageSpec<any>>
type DataOf<S> = S extends MessageSpec<infer D> ? D : never

export interface RuleMeta<M extends AnyMessages> {
  /** `MR` (model) or `DS` (dataset) and three digits; never reused. */
  id: string
  /** kebab-case; names the requirement; equals the file name. */
  name: string
  /** "Require …" / "Disallow …" / "Enforce …", one line, no final period. */
  description: string
  severity: Severity
  messages: M
}

/** What a root-cause rule explains: see `rootCause` in ModelRule's meta. */
export interface RootCause {
  /**
   * Names of the rules whose findings follow from this rule's: they are dropped, and the root cause's
   * message says how many it explains. A finding more severe than the root cause is never folded.
   */
  explains: readonly string[]
  /**
   * The files one finding is about, from its message's data: then only findings about those files are
   * folded. Absent: the rule's finding explains those rules' findings wherever they are.
   */
  files?: (data: any) => readonly string[]
}

/** What every rule may read besides artifacts: user settings that change what is accepted. */
export interface RuleSettings {
  extraArchitectures: readonly string[]
}

export interface ModelContext<A extends ModelArtifactName, M extends AnyMessages> {
  artifacts: Pick<ModelArtifacts, A>
  settings: RuleSettings
  /** A function, not a method: rules destructure it (`check({ artifacts, report })`). */
  report: <K extends keyof M & string>(key: K, data: DataOf<M[K]>, location: Location) => void
}

export interface ModelRule<A extends ModelArtifactName = any, M extends AnyMessages = any> {
  meta: RuleMeta<M> & {
    artifacts: readonly A[]
    /** Which targets the rule checks: models (the default), LoRA adapters, or both. */
    appliesTo?: readonly TargetKind[]
    /**
     * Root cause first: the rule reports a cause that other findings follow from. Its findings come
     * first among those of their severity (compareFindings, the annotations), and the findings of the
     * rules in `explains` are folded into them once every rule ran (engine/root-causes.ts).
     */
    rootCause?: RootCause
  }
  /** Pure: no I/O, no @actions/core. Everything comes from ctx. */
  check(ctx: ModelContext<A, M>): void
}

/** Identity at run time; at compile time it ties `report` keys and data to `messages`. */
export function defineModelRule<A extends ModelArtifactName, M extends AnyMessages>(
  rule: ModelRule<A, M>,
): ModelRule<A, M> {
  return rule
}
