// Root cause first: when one cause explains other findings, the cause is reported and the findings
// that follow from it are folded into it. A model without weights at the root gets one "no safetensors
// weights" finding, not one more per shard its index names; a Git LFS pointer gets the pointer
// finding, not a parse error too. Which rule explains which is declared in the root-cause rule's meta
// (`rootCause` in rules/model-rule.ts); this step applies it once every rule ran.
import { severityAtLeast, type Finding } from '../common/finding.js'
import { listNames, plural } from '../common/wording.js'

/** A root-cause finding and what it explains: rule names, and the files it is about when it says. */
export interface Cause {
  explains: ReadonlySet<string>
  files?: ReadonlySet<string>
}

/**
 * The findings with those a cause explains folded into it, in their order. A folded finding is
 * dropped and counted in its cause's message ("It explains 2 more findings, folded into this one:
 * …"), so what the cause stands for is still said. Folds chain (a nested model explains "no weights at
 * the root", which explains the missing shards) and count at the outermost cause. A finding is never
 * folded into a cause less severe than itself: the verdict is the same with and without the fold.
 */
export function foldRootCauses(findings: readonly Finding[], causes: ReadonlyMap<Finding, Cause>): Finding[] {
  // The cause each finding follows from, when one explains it.
  const parent = new Map<Finding, Finding>()
  for (const f of findings) {
    // A rule that crashed is a bug of ours, never a consequence of the repository: always shown.
    if (f.messageId === 'crashed') continue
    for (const [cause, c] of causes) {
      if (
        cause !== f &&
        c.explains.has(f.rule) &&
        (!c.files || c.files.has(f.location.path)) &&
        severityAtLeast(cause.severity, f.severity)
      ) {
        parent.set(f, cause)
        break
      }
    }
  }
  if (parent.size === 0) return [...findings]

  // Each folded finding counts at its outermost cause. Rules that explain each other would leave no
  // cause to count at: then nothing of that loop is folded (the registry's tests forbid such loops).
  const outermost = (f: Finding): Finding | undefined => {
    const seen = new Set<Finding>()
    let top = f
    while (parent.has(top)) {
      if (seen.has(top)) return undefined
      seen.add(top)
      top = parent.get(top)!
    }
    return top
  }
  const folded = new Map<Finding, Finding[]>()
  for (const f of parent.keys()) {
    const top = outermost(f)
    if (!top) continue
    const list = folded.get(top)
    if (list) list.push(f)
    else folded.set(top, [f])
  }
  const dropped = new Set([...folded.values()].flat())
  return findings
    .filter((f) => !dropped.has(f))
    .map((f) => {
      const explained = folded.get(f)
      return explained ? { ...f, message: `${f.message} ${explainsSentence(explained)}` } : f
    })
}

/** "It explains 2 more findings, folded into this one: MR101 missing-config and MR306 missing-shard (3)." */
function explainsSentence(explained: readonly Finding[]): string {
  const byRule = new Map<string, number>()
  for (const f of explained) {
    const rule = `${f.ruleId} ${f.rule}`
    byRule.set(rule, (byRule.get(rule) ?? 0) + 1)
  }
  const rules = [...byRule].map(([rule, n]) => (n === 1 ? rule : `${rule} (${n})`))
  return `It explains ${plural(explained.length, 'more finding')}, folded into this one: ${listNames(rules)}.`
}
