// The JSON report (and the SARIF file) as a workflow artifact, so the reviewer can download it from the
// run's page: files under RUNNER_TEMP are gone when the job ends. The upload goes through an `Uploader`,
// @actions/artifact's client in the action and a fake in tests: the real one needs the runner's
// ACTIONS_RUNTIME_TOKEN and artifact service, which no test can have.
// https://github.com/actions/toolkit/tree/main/packages/artifact
import { createHash } from 'node:crypto'
import path from 'node:path'
import { UsageError } from '../common/errors.js'
import { clip } from './markdown.js'

/** Days the artifact is kept: long enough for a pull request's review, within the 90 GitHub allows. */
export const RETENTION_DAYS = 30

/**
 * RETENTION_DAYS, or the repository's limit when it is shorter (the runner sets GITHUB_RETENTION_DAYS):
 * asking for more makes @actions/artifact print a warning of its own.
 */
export function retentionDays(env: NodeJS.ProcessEnv): number {
  const limit = Number(env.GITHUB_RETENTION_DAYS)
  return Number.isSafeInteger(limit) && limit >= 1 ? Math.min(RETENTION_DAYS, limit) : RETENTION_DAYS
}

/**
 * GitHub Enterprise Server, where the artifact service @actions/artifact 2 and later use does not
 * exist: the host is neither github.com nor a GHE.com or localhost one, as the library decides
 * (packages/artifact/src/internal/shared/config.ts, isGhes). Asked first, so the library does not
 * print a warning of its own before ours.
 */
function isGhes(serverUrl: string | undefined): boolean {
  let host: string
  try {
    host = new URL(serverUrl || 'https://github.com').hostname.toUpperCase()
  } catch {
    return false
  }
  return host !== 'GITHUB.COM' && !host.endsWith('.GHE.COM') && !host.endsWith('.LOCALHOST')
}

/** Uploads `files` (under `rootDirectory`) as one artifact; @actions/artifact's `uploadArtifact`. */
export type Uploader = (
  name: string,
  files: string[],
  rootDirectory: string,
  options: { retentionDays: number },
) => Promise<{ id?: number; size?: number }>

export interface ReportArtifact {
  name: string
  id: number
  /** The artifact's page (a download link), when the run's server, repository and id are known. */
  url?: string
}

export type UploadOutcome =
  | { uploaded: true; artifact: ReportArtifact }
  /** `warn`: the upload was tried and failed (one warning line); otherwise there was nothing to try. */
  | { uploaded: false; reason: string; warn: boolean }

/** The `upload-report` input: `true` (the default, also when empty) or `false`. */
export function uploadReportInput(value: string): boolean {
  const v = value.trim()
  if (v === '' || /^true$/i.test(v)) return true
  if (/^false$/i.test(v)) return false
  throw new UsageError(`upload-report must be true or false; got "${clip(v, 100)}"`)
}

/**
 * A name no other upload of the run has: GitHub refuses a second artifact of one name in a run
 * (https://github.com/actions/upload-artifact#not-uploading-to-the-same-artifact). The job id is
 * the readable part; the hash tells apart the steps of a job (GITHUB_ACTION), the entries of a matrix
 * (the job's own run id, from the runtime token @actions/artifact reads it from, and the inputs), and
 * the attempts of a re-run.
 */
export function artifactName(env: NodeJS.ProcessEnv, inputs: readonly string[]): string {
  const key = [
    jobRunId(env.ACTIONS_RUNTIME_TOKEN),
    env.GITHUB_JOB,
    env.GITHUB_ACTION,
    env.GITHUB_RUN_ATTEMPT,
    env.RUNNER_OS,
    env.RUNNER_ARCH,
    ...inputs,
  ]
  const hash = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 12)
  // Artifact names may not hold " : < > | * ? \ / CR LF; a job id is [A-Za-z0-9_-] anyway.
  const job = (env.GITHUB_JOB ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60)
  return `friendli-preflight-report-${job ? `${job}-` : ''}${hash}`
}

/**
 * The job's run id from the runtime token's scope claim (`Actions.Results:<run id>:<job run id>`), as
 * @actions/artifact reads it (packages/artifact/src/internal/shared/util.ts); '' when it is not there.
 * Only the id is kept, never the token.
 */
function jobRunId(token: string | undefined): string {
  try {
    const payload = JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString()) as {
      scp?: unknown
    }
    return (
      (typeof payload.scp === 'string' && /\bActions\.Results:[^:\s]+:(\S+)/.exec(payload.scp)?.[1]) || ''
    )
  } catch {
    return ''
  }
}

/**
 * Uploads the report files as one artifact, in the folder they share. Never throws: an upload that
 * fails is a reason to print as one warning, and changes nothing else (result, outputs, exit code).
 */
export async function uploadReportArtifact(
  files: readonly string[],
  env: NodeJS.ProcessEnv,
  inputs: readonly string[],
  upload: Uploader = actionsUploader,
): Promise<UploadOutcome> {
  // Both are set by the runner for every JavaScript action step; without them (a local run, a test)
  // there is no artifact service to upload to, which is not a failure.
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL)
    return {
      uploaded: false,
      warn: false,
      reason: 'no artifact service here (ACTIONS_RUNTIME_TOKEN or ACTIONS_RESULTS_URL is not set)',
    }
  if (isGhes(env.GITHUB_SERVER_URL))
    return {
      uploaded: false,
      warn: false,
      reason: 'GitHub Enterprise Server does not support the artifacts of @actions/artifact 2 and later',
    }
  const name = artifactName(env, inputs)
  try {
    const { id } = await upload(name, [...files], path.dirname(files[0]!), {
      retentionDays: retentionDays(env),
    })
    if (id === undefined)
      return { uploaded: false, warn: true, reason: 'the artifact service returned no id' }
    const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
    const url =
      env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}`
        : undefined
    return { uploaded: true, artifact: { name, id, ...(url ? { url } : {}) } }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { uploaded: false, warn: true, reason: clip(message.replace(/\s+/g, ' ').trim(), 500) }
  }
}

/**
 * @actions/artifact's client, loaded on first use (still inside the bundle: see ARCHITECTURE.md,
 * "Bundling"), so a run that uploads nothing never evaluates it.
 */
const actionsUploader: Uploader = async (name, files, root, options) => {
  const { DefaultArtifactClient } = await import(/* webpackMode: "eager" */ '@actions/artifact')
  return new DefaultArtifactClient().uploadArtifact(name, files, root, options)
}
