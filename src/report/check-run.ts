// A check run through the Checks API with every located finding as an annotation (50 per request, as
// the API takes them), so nothing is lost to the 10-per-level cap of workflow-command annotations.
// A token that cannot write checks (a pull request from a fork, no `checks: write`) is not an error:
// the caller says so once and the other layers carry the findings.
import type { Report } from '../check.js'
import type { Severity } from '../common/finding.js'
import { clip, fitMarkdown } from './markdown.js'
import { formatLocation, place, workspacePath } from './paths.js'

const LEVEL: Record<Severity, 'failure' | 'warning' | 'notice'> = {
  error: 'failure',
  warning: 'warning',
  info: 'notice',
}
const PER_REQUEST = 50
/**
 * The API refuses an output `summary` (or `text`) over 65,535 characters. Counted here in UTF-8 bytes,
 * which are never fewer than characters however GitHub counts them (code points, UTF-16 units or the
 * bytes of its database column).
 */
export const CHECK_RUN_OUTPUT_MAX = 65_535
/** The API takes an annotation `message` of at most 64 KB; repository text is cut well before. */
export const ANNOTATION_MESSAGE_MAX = 16_000

export interface CheckRunTarget {
  apiUrl: string
  token: string
  /** owner/name */
  repository: string
  sha: string
  fetch?: typeof fetch
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

/** Every finding that sits on a line of a repository file, as a check-run annotation. */
export function checkAnnotations(report: Report): CheckAnnotation[] {
  const out: CheckAnnotation[] = []
  for (const t of report.targets) {
    for (const f of t.findings) {
      const base = { annotation_level: LEVEL[f.severity], title: `${f.ruleId} ${f.rule}` }
      const message = f.hint ? `${f.message}\n${f.hint}` : f.message
      const p = place(t, f)
      if (p.file === undefined || p.startLine === undefined) continue
      // On the line of the file naming the target, the message says which file of it is meant.
      const elsewhere = p.file !== workspacePath(t, f.location)
      const prefix = elsewhere ? `${formatLocation(workspacePath(t, f.location), f.location)}: ` : ''
      out.push({
        ...base,
        path: p.file,
        start_line: p.startLine,
        end_line: p.startLine,
        ...(p.startColumn ? { start_column: p.startColumn, end_column: p.startColumn } : {}),
        // Annotation messages are plain text (not Markdown); only their length needs bounding.
        message: clip(prefix + message, ANNOTATION_MESSAGE_MAX),
      })
    }
  }
  return out
}

/** The check run's `output.summary`: `summary` within CHECK_RUN_OUTPUT_MAX, cut between lines with a note. */
export function checkRunSummary(summary: string): string {
  return fitMarkdown(
    summary,
    { bytes: CHECK_RUN_OUTPUT_MAX, chars: CHECK_RUN_OUTPUT_MAX },
    '(Cut here: the check run takes at most 65,535 characters; the job summary and the JSON report have the rest.)',
  )
}

export type CheckRunResult = { ok: true; url?: string; annotations: number } | { ok: false; reason: string }

export async function publishCheckRun(
  target: CheckRunTarget,
  report: Report,
  summary: string,
): Promise<CheckRunResult> {
  const http = target.fetch ?? globalThis.fetch
  const annotations = checkAnnotations(report)
  const conclusion = report.result === 'pass' ? 'success' : report.result === 'fail' ? 'failure' : 'neutral'
  const { errors, warnings, infos } = report.counts
  // The job summary, escaped already (summary.ts), cut at a line end when it is too long.
  const fitted = checkRunSummary(summary)
  const output = (batch: CheckAnnotation[]) => ({
    title: `${errors} errors, ${warnings} warnings, ${infos} infos`,
    summary: fitted,
    annotations: batch,
  })
  const call = async (method: string, path: string, body: unknown) => {
    const res = await http(`${target.apiUrl}/repos/${target.repository}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${target.token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    })
    const json = (await res.json().catch(() => ({}))) as { id?: number; html_url?: string; message?: string }
    return { status: res.status, json }
  }
  try {
    const created = await call('POST', '/check-runs', {
      name: 'friendli-preflight',
      head_sha: target.sha,
      status: 'completed',
      conclusion,
      output: output(annotations.slice(0, PER_REQUEST)),
    })
    if (created.status === 403 || created.status === 404)
      return {
        ok: false,
        reason: `the token may not create check runs (${created.status}: a pull request from a fork, or no "checks: write" permission); the annotations and the job summary carry the findings`,
      }
    if (created.status >= 300 || !created.json.id)
      return {
        ok: false,
        reason: `the Checks API answered ${created.status}${created.json.message ? `: ${created.json.message}` : ''}`,
      }
    for (let i = PER_REQUEST; i < annotations.length; i += PER_REQUEST) {
      const more = await call('PATCH', `/check-runs/${created.json.id}`, {
        output: output(annotations.slice(i, i + PER_REQUEST)),
      })
      if (more.status >= 300)
        return {
          ok: false,
          reason: `the Checks API refused annotations ${i + 1}–${i + PER_REQUEST} (${more.status})`,
        }
    }
    return { ok: true, url: created.json.html_url, annotations: annotations.length }
  } catch (error) {
    return {
      ok: false,
      reason: `the Checks API could not be reached: ${error instanceof Error ? error.message : String(error)}`,
    }
  }
}
