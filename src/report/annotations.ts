import type { Report } from '../check.js'
import type { Finding, Severity } from '../common/finding.js'
import { plural } from '../common/wording.js'
import { clip } from './markdown.js'
import { formatLocation, place, workspacePath } from './paths.js'

export type AnnotationLevel = 'error' | 'warning' | 'notice'

export interface Annotation {
  level: AnnotationLevel
  message: string
  title?: string
  file?: string
  startLine?: number
  startColumn?: number
}

/** GitHub shows at most 10 of each level per step and silently drops the rest. */
export const PER_LEVEL = 10

/**
 * Characters of one annotation's message. Annotations are plain text (never Markdown), but a template
 * error or a JSON value can be megabytes long; the job summary and the JSON report keep it whole.
 */
const MESSAGE_MAX = 4_000

/** Rows named in a grouped row annotation before "…and N more". */
const ROWS_SHOWN = 5
/** Characters of each part of a message (a row, a hint): the parts of one stay within MESSAGE_MAX. */
const PART_MAX = Math.floor(MESSAGE_MAX / (ROWS_SHOWN + 2))

const LEVEL: Record<Severity, AnnotationLevel> = { error: 'error', warning: 'warning', info: 'notice' }

/**
 * GitHub shows an annotation on a file without a line at line 1 of the file: the title says the finding
 * is about the file, not that line.
 */
function titled(title: string, where: { file?: string; startLine?: number }): string {
  return where.file !== undefined && where.startLine === undefined ? `${title} (file-level)` : title
}

/**
 * The annotations to emit, most important first, within GitHub's per-step limits; when some do not
 * fit, the last notice says how many and where they are. Pure, so the caps are testable.
 */
export function planAnnotations(report: Report): Annotation[] {
  const candidates: Annotation[] = []
  // Annotations of root-cause findings (Finding.rootCause): they go first, before the details.
  const rootCauses = new Set<Annotation>()
  for (const target of report.targets) {
    if (target.status === 'error') {
      candidates.push({
        level: 'error',
        title: 'friendli-preflight could not check',
        message: clip(`Could not check ${target.ref}: ${target.error}`, MESSAGE_MAX),
        ...place(target),
      })
    }
    // Row findings are grouped per rule, file and severity: one annotation with the count and the
    // first rows, so a dataset with thousands of bad rows never floods the per-step limit blindly.
    const groups = new Map<string, Finding[]>()
    for (const f of target.findings) {
      if (f.location.row === undefined) continue
      const key = `${f.ruleId}\0${f.location.path}\0${f.severity}`
      let group = groups.get(key)
      if (!group) groups.set(key, (group = []))
      group.push(f)
    }
    for (const group of groups.values()) {
      const [f] = group
      if (!f) continue
      const where = place(target, f)
      const shown = group
        .slice(0, ROWS_SHOWN)
        .map((g) =>
          clip(`${formatLocation(workspacePath(target, g.location), g.location)}: ${g.message}`, PART_MAX),
        )
      const more = group.length - shown.length
      candidates.push({
        level: LEVEL[f.severity],
        title: titled(
          `${f.ruleId} ${f.rule}: ${plural(new Set(group.map((g) => g.location.row)).size, 'row')}`,
          where,
        ),
        message: [
          ...shown,
          ...(more > 0
            ? [`…and ${plural(more, 'more row')}: the job summary and the JSON report list every one.`]
            : []),
          ...(f.hint ? [clip(f.hint, PART_MAX)] : []),
        ].join('\n'),
        ...where,
      })
    }
    for (const f of target.findings) {
      if (f.location.row !== undefined) continue
      const where = place(target, f)
      // Name the file in the text when the annotation is not on it: a hub file, or none at all.
      const prefix =
        where.file && !target.hub ? '' : `${formatLocation(workspacePath(target, f.location), f.location)}: `
      candidates.push({
        level: LEVEL[f.severity],
        title: titled(`${f.ruleId} ${f.rule}`, where),
        message: `${clip(prefix + f.message, MESSAGE_MAX - PART_MAX)}${f.hint ? `\n${clip(f.hint, PART_MAX)}` : ''}`,
        ...where,
      })
      if (f.rootCause) rootCauses.add(candidates[candidates.length - 1]!)
    }
  }
  // Within each level: root causes first (one cause over the details it explains), then findings
  // that land on a line (and so in the PR diff).
  const ordered = [...candidates].sort(
    (a, b) =>
      Number(rootCauses.has(b)) - Number(rootCauses.has(a)) ||
      Number(b.startLine !== undefined) - Number(a.startLine !== undefined),
  )

  const taken: Annotation[] = []
  const dropped: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 }
  const used: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 }
  const reserved = (level: AnnotationLevel) => (level === 'error' && report.result !== 'pass' ? 1 : 0)
  const overflow = (['error', 'warning', 'notice'] as const).some(
    (level) => ordered.filter((a) => a.level === level).length > PER_LEVEL - reserved(level),
  )
  for (const a of ordered) {
    // One notice slot is kept for the overflow note when anything is dropped, and one error slot for
    // the error that core.setFailed() prints when the check fails.
    const limit = PER_LEVEL - reserved(a.level) - (a.level === 'notice' && overflow ? 1 : 0)
    if (used[a.level] < limit) {
      used[a.level]++
      taken.push(a)
    } else dropped[a.level]++
  }
  const total = dropped.error + dropped.warning + dropped.notice
  if (total > 0) {
    const parts = [
      dropped.error && plural(dropped.error, 'error'),
      dropped.warning && plural(dropped.warning, 'warning'),
      dropped.notice && plural(dropped.notice, 'info'),
    ].filter(Boolean)
    taken.push({
      level: 'notice',
      title: 'friendli-preflight: more findings in the job summary',
      message: `${plural(total, 'more finding')} (${parts.join(', ')}) ${total === 1 ? 'is' : 'are'} not shown as annotations, because GitHub shows at most ${PER_LEVEL} of each kind per step. The job summary and the JSON report list every finding.`,
    })
  }
  return taken
}
