import type { Report, TargetResult } from '../check.js'
import type { Finding, Severity } from '../common/finding.js'
import { plural } from '../common/wording.js'
import { groupFindings, ROWS_SHOWN, type FindingGroup } from './grouping.js'
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

/**
 * Where the findings an annotation does not show are: the JSON report keeps them one by one up to the
 * cap per rule and file and counts the rest (the job summary groups and caps them too).
 */
export const WHERE_ALL =
  'the JSON report (the report artifact, or --format json) lists them, up to 1,000 per rule and file, and counts the rest'

/** GitHub shows at most 10 of each level per step and silently drops the rest. */
export const PER_LEVEL = 10

/**
 * Characters of one annotation's message. Annotations are plain text (never Markdown), but a template
 * error or a JSON value can be megabytes long; the job summary and the JSON report keep it whole.
 */
const MESSAGE_MAX = 4_000

const LEVEL: Record<Severity, AnnotationLevel> = { error: 'error', warning: 'warning', info: 'notice' }

/**
 * GitHub shows an annotation on a file without a line at line 1 of the file: the title says the finding
 * is about the file, not that line.
 */
function titled(title: string, where: { file?: string; startLine?: number }): string {
  return where.file !== undefined && where.startLine === undefined ? `${title} (file-level)` : title
}

/** One group of findings (grouping.ts) as one annotation: where, title and plain-text message. */
export interface GroupNote {
  severity: Severity
  rootCause: boolean
  title: string
  message: string
  where: { file?: string; startLine?: number; startColumn?: number }
}

/**
 * The annotation of one group, for the workflow annotations and the check run alike: a finding alone
 * says its message (and its file and line, when the annotation is not on that file); a group of rows
 * says how many rows, names the first few with their messages, and counts the rest, including the
 * findings of its rule and file past the cap (`omitted`, counted only). `max` bounds the message.
 */
export function groupNote(
  target: TargetResult,
  group: FindingGroup,
  { max, omitted = 0 }: { max: number; omitted?: number },
): GroupNote {
  const { first: f, members, rows } = group
  const where = place(target, f)
  // Each part of a message (a row, the hint) gets its share, so the parts of one stay within max.
  const part = Math.floor(max / (ROWS_SHOWN + 2))
  const hint = f.hint ? [clip(f.hint, part)] : []
  const at = (g: Finding) => formatLocation(workspacePath(target, g.location), g.location)
  const base = { severity: f.severity, rootCause: f.rootCause === true, where }
  if (rows.length === 0) {
    // Name the file in the text when the annotation is not on it: a hub file, the line naming the
    // target, or none at all.
    const prefix = where.file === workspacePath(target, f.location) ? '' : `${at(f)}: `
    return {
      ...base,
      title: titled(`${f.ruleId} ${f.rule}`, where),
      message: [clip(prefix + f.message, max - part), ...hint].join('\n'),
    }
  }
  const shown = members.slice(0, ROWS_SHOWN).map((g) => clip(`${at(g)}: ${g.message}`, part))
  const more = members.length - shown.length
  const kind = members.length === rows.length ? 'row' : 'finding'
  const rest = [
    ...(more > 0 ? [plural(more, `more ${kind}`)] : []),
    ...(omitted > 0
      ? [`${plural(omitted, `more ${f.severity}`)} of this rule in this file, counted only`]
      : []),
  ]
  return {
    ...base,
    title: titled(`${f.ruleId} ${f.rule}: ${plural(rows.length, 'row')}`, where),
    message: [
      ...shown,
      ...(rest.length > 0 ? [`…and ${rest.join(', and ')}: ${WHERE_ALL}.`] : []),
      ...hint,
    ].join('\n'),
  }
}

/**
 * Every target's findings as groups (grouping.ts), in report order, each with the count of the
 * findings of its rule and file past the cap (given to the first group of that rule, file and severity).
 */
export function targetGroups(target: TargetResult): { group: FindingGroup; omitted: number }[] {
  const omitted = new Map(
    (target.omitted ?? []).map((o) => [`${o.ruleId}\0${o.path}\0${o.severity}`, o.count]),
  )
  return groupFindings(target.findings).map((group) => {
    const { first: f, rows } = group
    const key = `${f.ruleId}\0${f.location.path}\0${f.severity}`
    const count = rows.length > 0 ? (omitted.get(key) ?? 0) : 0
    if (count > 0) omitted.delete(key)
    return { group, omitted: count }
  })
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
    // One annotation per group (grouping.ts): a file of thousands of bad rows is one annotation with
    // the count and the first rows, so it never floods the per-step limit blindly.
    for (const { group, omitted } of targetGroups(target)) {
      const note = groupNote(target, group, { max: MESSAGE_MAX, omitted })
      const annotation: Annotation = {
        level: LEVEL[note.severity],
        title: note.title,
        message: note.message,
        ...note.where,
      }
      candidates.push(annotation)
      if (note.rootCause) rootCauses.add(annotation)
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
      message: `${plural(total, 'more finding')} (${parts.join(', ')}) ${total === 1 ? 'is' : 'are'} not shown as annotations, because GitHub shows at most ${PER_LEVEL} of each kind per step: ${WHERE_ALL}.`,
    })
  }
  return taken
}
