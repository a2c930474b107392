// A check run through the Checks API
// (https://docs.github.com/en/rest/checks/runs#create-a-check-run), with the findings as annotations:
// one per group of findings (grouping.ts, as the workflow annotations), most important first, up to
// MAX_ANNOTATIONS, sent 50 per request as the API takes them; the rest are counted in the run's text.
// Nothing here fails the step or changes the result: a token that cannot write checks (a pull request
// from a fork, no `checks: write`), a rate limit or an API that does not answer is one log line.
import type { Report } from '../check.js'
import { UsageError } from '../common/errors.js'
import type { Severity } from '../common/finding.js'
import { plural } from '../common/wording.js'
import { isGitHubTimeout, type GitHubClient } from '../github/client.js'
import { groupNote, targetGroups, WHERE_ALL } from './annotations.js'
import { clip, fitMarkdown } from './markdown.js'

const LEVEL: Record<Severity, 'failure' | 'warning' | 'notice'> = {
  error: 'failure',
  warning: 'warning',
  info: 'notice',
}
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 }

/** Annotations per request: the API refuses more ("No more than 50 items are allowed"). */
export const PER_REQUEST = 50
/**
 * Annotations sent per check run: 20 requests of 50, about 20 s at the second between writes that
 * GitHub asks for. A pull request's reviewer reads the first few hundred at most; the job summary and
 * the JSON report have the rest, and the run's text counts what is not annotated.
 */
export const MAX_ANNOTATIONS = 1_000
/**
 * The API refuses an output `summary` (or `text`) over 65,535 characters. Counted here in UTF-8 bytes,
 * which are never fewer than characters however GitHub counts them (code points, UTF-16 units or the
 * bytes of its database column).
 */
export const CHECK_RUN_OUTPUT_MAX = 65_535
/** The API takes an annotation `message` of at most 64 KB; repository text is cut well before. */
export const ANNOTATION_MESSAGE_MAX = 16_000
/** The API takes an annotation `title` of at most 255 characters. */
const ANNOTATION_TITLE_MAX = 255
/** The longest `check-name` taken: a check's name is a line in the pull request's checks list. */
export const CHECK_NAME_MAX = 100
export const DEFAULT_CHECK_NAME = 'friendli-preflight'

/** The `check-name` input, or why it cannot be a check run's name. */
export function checkRunName(input: string): string {
  const name = input.trim()
  if (!name)
    throw new UsageError(
      `check-name is empty: name the check run (default "${DEFAULT_CHECK_NAME}"), or set github-token to '' for none`,
    )
  if ([...name].length > CHECK_NAME_MAX)
    throw new UsageError(
      `check-name is ${[...name].length} characters long; at most ${CHECK_NAME_MAX} are taken`,
    )
  if (/\p{Cc}/u.test(name))
    throw new UsageError(
      'check-name holds a control character (a line break, a tab, an escape): use plain text',
    )
  return name
}

export interface CheckAnnotation {
  path: string
  start_line: number
  end_line: number
  start_column?: number
  end_column?: number
  annotation_level: 'failure' | 'warning' | 'notice'
  title: string
  message: string
}

export interface CheckAnnotations {
  /** Every group on a line of a repository file, as an annotation: errors first, root causes first. */
  annotations: CheckAnnotation[]
  /** The rule of each annotation ("MR201 unknown-architecture"), for counting what is not shown. */
  rules: string[]
  /** Groups not on a line of a repository file (a hub file, a whole target): the summary has them. */
  unplaced: number
}

/**
 * One annotation per group of findings (grouping.ts) that sits on a line of a repository file, in the
 * order they are sent and cut: by severity, root causes first, then the report's order.
 */
export function checkAnnotations(report: Report): CheckAnnotations {
  const ranked: {
    annotation: CheckAnnotation
    rule: string
    severity: Severity
    rootCause: boolean
    n: number
  }[] = []
  let unplaced = 0
  for (const t of report.targets) {
    for (const { group, omitted } of targetGroups(t)) {
      const note = groupNote(t, group, { max: ANNOTATION_MESSAGE_MAX, omitted })
      const { file, startLine, startColumn } = note.where
      if (file === undefined || startLine === undefined) {
        unplaced++
        continue
      }
      ranked.push({
        severity: note.severity,
        rootCause: note.rootCause,
        rule: `${group.first.ruleId} ${group.first.rule}`,
        n: ranked.length,
        annotation: {
          path: file,
          start_line: startLine,
          end_line: startLine,
          ...(startColumn ? { start_column: startColumn, end_column: startColumn } : {}),
          annotation_level: LEVEL[note.severity],
          title: clip(note.title, ANNOTATION_TITLE_MAX),
          // Annotation messages are plain text (not Markdown); only their length needs bounding.
          message: note.message,
        },
      })
    }
  }
  ranked.sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || Number(b.rootCause) - Number(a.rootCause) || a.n - b.n,
  )
  return { annotations: ranked.map((r) => r.annotation), rules: ranked.map((r) => r.rule), unplaced }
}

/**
 * `failure` when any target fails; `neutral` when none fails but one could not be checked (GitHub
 * counts a neutral check as passing, so "could not check" alone does not block a merge through the
 * check run; the step still fails); `success` otherwise.
 */
export function checkRunConclusion(report: Report): 'failure' | 'neutral' | 'success' {
  if (report.result === 'fail' || report.targets.some((t) => t.status === 'fail')) return 'failure'
  return report.result === 'error' ? 'neutral' : 'success'
}

/** The check run's `output.summary`: `summary` within CHECK_RUN_OUTPUT_MAX, cut between lines with a note. */
export function checkRunSummary(summary: string): string {
  return fitMarkdown(
    summary,
    { bytes: CHECK_RUN_OUTPUT_MAX, chars: CHECK_RUN_OUTPUT_MAX },
    '(Cut here: the check run takes at most 65,535 characters; the job summary and the JSON report have the rest.)',
  )
}

/**
 * The check run's `output.text`: what has no annotation and why, counted by rule and severity (the
 * rule ids and names are the tool's own; no repository text). Undefined when every group is annotated.
 */
export function checkRunText(
  notShown: readonly { rule: string; level: CheckAnnotation['annotation_level'] }[],
  unplaced: number,
): string | undefined {
  const lines: string[] = []
  if (notShown.length > 0) {
    const byRule = new Map<string, number>()
    for (const { rule, level } of notShown) {
      const key = `${rule} (${level})`
      byRule.set(key, (byRule.get(key) ?? 0) + 1)
    }
    lines.push(
      `${plural(notShown.length, 'more annotation')} ${notShown.length === 1 ? 'is' : 'are'} not shown: friendli-preflight annotates at most ${MAX_ANNOTATIONS.toLocaleString('en-US')} per check run, the most important first: ${WHERE_ALL}.`,
      '',
      ...[...byRule].map(([rule, n]) => `- ${rule}: ${n.toLocaleString('en-US')}`),
    )
  }
  if (unplaced > 0)
    lines.push(
      ...(lines.length ? [''] : []),
      `${plural(unplaced, 'finding')} ${unplaced === 1 ? 'is' : 'are'} not on a line of a file in this repository (a Hub file, a whole target) and so ${unplaced === 1 ? 'has' : 'have'} no annotation: the summary lists them.`,
    )
  if (lines.length === 0) return undefined
  return fitMarkdown(
    lines.join('\n') + '\n',
    { bytes: CHECK_RUN_OUTPUT_MAX, chars: CHECK_RUN_OUTPUT_MAX },
    '(Cut here: the check run takes at most 65,535 characters.)',
  )
}

export interface CheckRunTarget {
  /** From github/client.ts. */
  octokit: GitHubClient
  owner: string
  repo: string
  /** The commit the run is on: a pull request's head. */
  sha: string
  name: string
  /** The workflow run's page, which the check run links to. */
  detailsUrl?: string
}

export type CheckRunResult =
  | {
      created: true
      url?: string
      /** Annotations GitHub took. */
      annotations: number
      /** Annotations past MAX_ANNOTATIONS, counted in the text. */
      notShown: number
      /** Requests that carried annotations (the create and the updates), and how many of them failed. */
      batches: number
      failedBatches: number
      /** Why the first failed batch failed. */
      failure?: string
    }
  | { created: false; reason: string }

export async function publishCheckRun(
  target: CheckRunTarget,
  report: Report,
  summary: string,
): Promise<CheckRunResult> {
  const { octokit, owner, repo } = target
  const { annotations: all, rules, unplaced } = checkAnnotations(report)
  const annotations = all.slice(0, MAX_ANNOTATIONS)
  const notShown = all.slice(MAX_ANNOTATIONS).map((a, i) => ({
    rule: rules[MAX_ANNOTATIONS + i]!,
    level: a.annotation_level,
  }))
  const text = checkRunText(notShown, unplaced)
  const { errors, warnings, infos } = report.counts
  const unchecked = report.targets.filter((t) => t.status === 'error').length
  const title = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')}${unchecked ? `; ${plural(unchecked, 'target')} not checked` : ''}`
  // The job summary, escaped already (summary.ts), cut at a line end when it is too long.
  const fitted = checkRunSummary(summary)
  // Every request carries the output whole: an update replaces the title, summary and text, and
  // appends its annotations to those already there.
  const output = (batch: CheckAnnotation[]) => ({
    title,
    summary: fitted,
    ...(text ? { text } : {}),
    annotations: batch,
  })
  const batches: CheckAnnotation[][] = []
  for (let i = PER_REQUEST; i < annotations.length; i += PER_REQUEST)
    batches.push(annotations.slice(i, i + PER_REQUEST))
  let created: { id: number; html_url: string | null }
  try {
    const { data } = await octokit.rest.checks.create({
      owner,
      repo,
      name: target.name,
      head_sha: target.sha,
      ...(target.detailsUrl ? { details_url: target.detailsUrl } : {}),
      status: 'completed',
      conclusion: checkRunConclusion(report),
      output: output(annotations.slice(0, PER_REQUEST)),
    })
    created = data
  } catch (error) {
    return { created: false, reason: failureReason(error) }
  }
  let failedBatches = 0
  let failedAnnotations = 0
  let failure: string | undefined
  for (const [i, batch] of batches.entries()) {
    try {
      await octokit.rest.checks.update({ owner, repo, check_run_id: created.id, output: output(batch) })
    } catch (error) {
      failedBatches++
      failedAnnotations += batch.length
      failure ??= failureReason(error)
      // No answer, or no connection: the batches after this one are not sent, but counted as failed.
      if (unanswered(error)) {
        const rest = batches.slice(i + 1)
        failedBatches += rest.length
        failedAnnotations += rest.reduce((n, b) => n + b.length, 0)
        break
      }
    }
  }
  return {
    created: true,
    ...(created.html_url ? { url: created.html_url } : {}),
    annotations: annotations.length - failedAnnotations,
    notShown: all.length - annotations.length,
    batches: batches.length + 1,
    failedBatches,
    ...(failure ? { failure } : {}),
  }
}

/** The log line that says what became of the check run. */
export function checkRunLogLine(name: string, r: CheckRunResult): string {
  if (!r.created) return `No check run: ${r.reason}.`
  const url = r.url ? `: ${r.url}` : ''
  const notShown = r.notShown ? ` (${plural(r.notShown, 'more', 'more')} counted in its text)` : ''
  if (r.failedBatches === 0)
    return `Check run "${name}" created with ${plural(r.annotations, 'annotation')}${notShown}${url}`
  return `Check run "${name}" created, but ${r.failedBatches} of ${r.batches} annotation batches failed (${plural(r.annotations, 'annotation')} added): ${r.failure}${url}`
}

/** No answer to the request: a timeout, or a connection that failed (Octokit's 500 without a response). */
function unanswered(error: unknown): boolean {
  return isGitHubTimeout(error) || (error as { response?: unknown }).response === undefined
}

/** Why a Checks API request failed, in a sentence (GitHub's own message quoted, cut short). */
function failureReason(error: unknown): string {
  if (isGitHubTimeout(error)) return (error as Error).message
  const e = error as { status?: unknown; message?: unknown; response?: unknown }
  const message = clip(String(e.message ?? error), 300)
  const status = typeof e.status === 'number' ? e.status : undefined
  if (e.response === undefined || status === undefined)
    return `the Checks API could not be reached: ${message}`
  if (/rate limit/i.test(message)) return `GitHub's rate limit (${status}): ${message}`
  if (status === 403 || status === 404)
    return `the token may not create check runs (${status}: a pull request from a fork, or no "checks: write" permission); the annotations and the job summary carry the findings`
  return `the Checks API answered ${status}: ${message}`
}
