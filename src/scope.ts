// `scope: changed`: a pull request checks only the targets it changes, those with a changed file, or
// whose entry in the config file changed; every other run checks them all. The pull request's files
// come in as data through one function that fetches a page (any GitHub client fits), so the choice
// itself is pure. When in doubt (GitHub's file cap, a diff without a patch, the workflow or the
// config file's settings changed, the files cannot be listed) every target is checked: a target
// left out by mistake would pass a pull request that breaks it.
import path from 'node:path'
import type { Scope, TargetSpec } from './settings.js'

/**
 * GitHub lists at most 3,000 files of a pull request, 100 per page:
 * https://docs.github.com/en/rest/pulls/pulls#list-pull-requests-files
 */
export const PULL_FILES_MAX = 3000
export const PULL_FILES_PER_PAGE = 100

/** An entry of GET /repos/{owner}/{repo}/pulls/{number}/files, as far as the scope reads it. */
export interface PullFile {
  filename: string
  /** The file's path before the pull request, when it renamed it. */
  previous_filename?: string
  status?: string
  /** The unified diff of the file; GitHub leaves it out when the diff is large or binary. */
  patch?: string
}

/** Fetches one page (from 1) of the pull request's files. */
export type FetchPullFilesPage = (page: number, perPage: number) => Promise<PullFile[]>

export interface PullFiles {
  files: PullFile[]
  /** GitHub's cap was reached: the list may be incomplete. */
  capped: boolean
  /** Pages fetched. */
  requests: number
}

/**
 * Every file of the pull request, page by page, up to GitHub's cap. `expected` is the event's
 * `pull_request.changed_files`: above the cap nothing is fetched, since the list would be cut anyway.
 */
export async function listPullFiles(fetchPage: FetchPullFilesPage, expected?: number): Promise<PullFiles> {
  if (expected !== undefined && expected > PULL_FILES_MAX) return { files: [], capped: true, requests: 0 }
  const files: PullFile[] = []
  let requests = 0
  for (let page = 1; files.length < PULL_FILES_MAX; page++) {
    const items = await fetchPage(page, PULL_FILES_PER_PAGE)
    requests++
    files.push(...items.slice(0, PULL_FILES_MAX - files.length))
    if (items.length < PULL_FILES_PER_PAGE) return { files, capped: false, requests }
  }
  // Exactly 3,000 may be all of them; only the event's count can say so.
  return { files, capped: expected === undefined || expected > files.length, requests }
}

/**
 * The lines of the new file that a unified diff touches: each added line, and around lines removed
 * without a replacement, the lines on either side (a removed line has no line in the new file).
 */
export function touchedLines(patch: string): Set<number> {
  const touched = new Set<number>()
  let line = 0 // the next line of the new file; 0 before the first hunk
  let removed = false // lines removed, not (yet) replaced by added ones
  const flush = () => {
    if (removed) {
      if (line > 1) touched.add(line - 1)
      touched.add(line)
    }
    removed = false
  }
  for (const l of patch.split('\n')) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(l)
    if (hunk) {
      flush()
      // `+4,0`: nothing of the new file in the hunk; the removal comes after line 4.
      line = Number(hunk[1]) + (hunk[2] === '0' ? 1 : 0)
      continue
    }
    if (line === 0 || l.startsWith('\\')) continue // before any hunk; "\ No newline at end of file"
    if (l.startsWith('+')) {
      touched.add(line++)
      removed = false
    } else if (l.startsWith('-')) removed = true
    else {
      flush()
      line++
    }
  }
  flush()
  return touched
}

export interface ScopeContext {
  workspace: string
  /** The config file (absolute), when one was read: Settings.configFile. */
  configFile?: string
  /** The running workflow's file relative to the repository root, when it is this repository's. */
  workflowFile?: string
  /**
   * Files a target reads besides its own folder or file (absolute): a manifest's chat template file.
   * A change to one selects the target.
   */
  reads?: ReadonlyMap<TargetSpec, readonly string[]>
}

export interface ScopeDecision {
  /** The targets to check, in their order. */
  targets: TargetSpec[]
  /** What the scope did, when it is worth saying: for the log and the job summary. */
  notes: string[]
  /** Why each target is checked or not: for the log. */
  details: string[]
}

const all = (targets: TargetSpec[], notes: string[] = [], details: string[] = []): ScopeDecision => ({
  targets,
  notes,
  details,
})

/** The targets a pull request with these files changes, and why. */
export function selectChanged(
  targets: TargetSpec[],
  pull: Pick<PullFiles, 'files' | 'capped'>,
  ctx: ScopeContext,
): ScopeDecision {
  if (pull.capped)
    return all(targets, [
      `this pull request changes more files than GitHub lists (${PULL_FILES_MAX.toLocaleString('en-US')}): every target is checked`,
    ])
  const paths = new Set(
    pull.files.flatMap((f) => [f.filename, ...(f.previous_filename ? [f.previous_filename] : [])]),
  )
  if (ctx.workflowFile && paths.has(ctx.workflowFile))
    return all(targets, ['the workflow file changed in this pull request: every target is checked'])

  // The config file: a changed line in a target's entry selects it; one anywhere else (rules,
  // extra architectures) may change every verdict.
  const byEntry = new Set<TargetSpec>()
  const config = ctx.configFile ? posix(path.relative(ctx.workspace, ctx.configFile)) : undefined
  if (config && paths.has(config)) {
    const file = pull.files.find((f) => f.filename === config)
    if (!file?.patch)
      return all(targets, ['the config file changed in this pull request: every target is checked'])
    const named = targets.filter((t) => t.origin?.file === config)
    for (const line of touchedLines(file.patch)) {
      const hit = named.filter((t) => line >= t.origin!.line && line <= (t.origin!.endLine ?? t.origin!.line))
      if (hit.length === 0)
        return all(targets, [
          'the config file changed outside its targets (rules or settings) in this pull request: every target is checked',
        ])
      for (const t of hit) byEntry.add(t)
    }
  }

  const chosen: TargetSpec[] = []
  const details: string[] = []
  for (const t of targets) {
    const why = byEntry.has(t)
      ? 'its entry in the config file changed'
      : (changedIn(t, paths, ctx.workspace) ?? readChanged(ctx.reads?.get(t), paths, ctx.workspace))
    if (why) chosen.push(t)
    details.push(`${why ? 'checked' : 'not checked'}: ${t.ref}: ${why ?? 'nothing of it changed'}`)
  }
  const notes =
    chosen.length === 0
      ? [`no target changed in this pull request (scope: changed): ${plural(targets.length)} not checked`]
      : chosen.length < targets.length
        ? [
            `scope: changed: ${chosen.length} of ${plural(targets.length)} changed in this pull request and ${chosen.length === 1 ? 'was' : 'were'} checked; the other ${targets.length - chosen.length} ${targets.length - chosen.length === 1 ? 'was' : 'were'} not`,
          ]
        : []
  return { targets: chosen, notes, details }
}

/** Why a target's files changed: its folder, its data file, or its base model's folder; or undefined. */
function changedIn(t: TargetSpec, paths: Set<string>, workspace: string): string | undefined {
  // A hub target has no files in the repository: only its entry names it.
  if (t.source === 'hub') return undefined
  const own = t.file ? path.join(t.root, t.file) : t.root
  const n = countInside(own, paths, workspace)
  if (n === undefined) return 'it is outside the repository, so the pull request cannot say'
  if (n > 0) return `${plural(n, 'changed file')} in it`
  if (t.kind === 'dataset' && t.base?.source === 'local') {
    const b = countInside(t.base.root, paths, workspace)
    if (b === undefined || b > 0) return 'its base model changed'
  }
  return undefined
}

/** Which file a target reads (a manifest's chat template) the pull request changed, if one. */
function readChanged(
  files: readonly string[] | undefined,
  paths: Set<string>,
  workspace: string,
): string | undefined {
  for (const f of files ?? []) {
    const n = countInside(f, paths, workspace)
    if (n !== undefined && n > 0) return `${posix(path.relative(workspace, f))}, which it reads, changed`
  }
  return undefined
}

/** How many of `paths` are `target` or inside it; undefined when it is outside the workspace. */
function countInside(target: string, paths: Set<string>, workspace: string): number | undefined {
  const rel = posix(path.relative(workspace, target))
  if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) return undefined
  if (rel === '') return paths.size
  let n = 0
  for (const p of paths) if (p === rel || p.startsWith(`${rel}/`)) n++
  return n
}

function posix(p: string): string {
  return p.split(path.sep).join('/')
}

function plural(n: number, word = 'target'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : `${word}s`}`
}

/** How a run came to be, as far as the scope needs to know. */
export interface ScopeRun {
  scope?: Scope
  /** GITHUB_EVENT_NAME. */
  eventName?: string
  /** The pull request's number and `changed_files`, from the event. */
  pull?: { number: number; changedFiles?: number }
  /** The repository is checked out at the workspace's root, so its paths are the pull request's. */
  atRoot: boolean
  /** Fetches a page of the pull request's files; undefined without a token. */
  fetchPage?: FetchPullFilesPage
  /** The files a target reads besides its own (a manifest's chat template), asked only when needed. */
  readsOf?: (target: TargetSpec) => Promise<readonly string[]>
}

const PULL_EVENTS = new Set(['pull_request', 'pull_request_target'])

/**
 * The targets this run checks. Only `scope: changed` on a pull request narrows them; anything that
 * keeps it from knowing what changed checks every target, with a note saying why.
 */
export async function applyScope(
  targets: TargetSpec[],
  run: ScopeRun,
  ctx: ScopeContext,
): Promise<ScopeDecision & { requests: number }> {
  const everything = (note: string) => ({
    ...all(targets, [`${note}: every target is checked`]),
    requests: 0,
  })
  if (run.scope !== 'changed') return { ...all(targets), requests: 0 }
  if (!run.eventName || !PULL_EVENTS.has(run.eventName))
    return everything(
      `scope: changed narrows pull_request and pull_request_target runs; this is a ${run.eventName || 'run without an event'}`,
    )
  if (!run.pull) return everything('scope: changed found no pull request in the event')
  if (!run.atRoot)
    return everything(
      "scope: changed needs the repository checked out at the workspace's root, to match the pull request's paths",
    )
  if (!run.fetchPage) return everything("scope: changed needs github-token to list the pull request's files")
  let pull: PullFiles
  try {
    pull = await listPullFiles(run.fetchPage, run.pull.changedFiles)
  } catch (error) {
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200)
    return everything(
      `scope: changed could not list the pull request's files (${why}; the token needs pull-requests: read)`,
    )
  }
  const reads = new Map<TargetSpec, readonly string[]>()
  if (run.readsOf) for (const t of targets) reads.set(t, await run.readsOf(t))
  return { ...selectChanged(targets, pull, { ...ctx, reads }), requests: pull.requests }
}
