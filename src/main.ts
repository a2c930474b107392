import * as core from '@actions/core'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { checkTargets, type Report } from './check.js'
import { describeError, UsageError } from './common/errors.js'
import { planAnnotations } from './report/annotations.js'
import { defuseLibraryOutput, pauseCommands } from './report/command-guard.js'
import { jsonReportChunks } from './report/json.js'
import { buildSarif, gitTopLevel } from './report/sarif.js'
import { context } from '@actions/github'
import { checkRunLogLine, checkRunName, DEFAULT_CHECK_NAME, publishCheckRun } from './report/check-run.js'
import { docsBase } from './rules/registry.js'
import pkg from '../package.json' with { type: 'json' }
import { formatSummary } from './report/summary.js'
import { formatText, summaryLine } from './report/text.js'
import { mdText } from './report/markdown.js'
import { ConfigFileError, resolveSettings, type Settings } from './settings.js'
import { applyScope } from './scope.js'
import { manifestReads } from './check-manifest.js'
import { retentionDays, uploadReportArtifact, uploadReportInput, type Uploader } from './report/artifact.js'
import { createGitHubClient } from './github/client.js'
import { actionMode, mergeReportsInput, mergeSettings } from './merge-reports.js'

/** The action: inputs -> settings -> check -> annotations, summary, outputs -> fail-on decides. */
export async function run(
  env: NodeJS.ProcessEnv = process.env,
  /** Uploads the report artifact: @actions/artifact's client unless a test passes a fake. */
  { upload }: { upload?: Uploader } = {},
): Promise<void> {
  // Masked before anything can print it, and before commands are paused (add-mask is a command);
  // HF_TOKEN from the environment is masked the same way.
  const hfToken = core.getInput('hf-token')
  const githubToken = core.getInput('github-token')
  for (const secret of [hfToken, env.HF_TOKEN, githubToken]) if (secret?.trim()) core.setSecret(secret.trim())
  // From here on, whatever the checked repository makes us or a library print is plain text: only
  // the action's own annotations and outputs run as commands, inside ownCommands().
  const pause = pauseCommands((s) => process.stdout.write(s))
  // Libraries print too (a tokenizer.json pattern, a YAML key): defused as well, so their lines stay
  // inert on stderr whatever the runner's order of the two streams.
  const restore = defuseLibraryOutput()
  try {
    const workspace = env.GITHUB_WORKSPACE || process.cwd()
    let settings: Settings
    let checkName: string
    let uploadReport: boolean
    let merging: boolean
    try {
      uploadReport = uploadReportInput(core.getInput('upload-report'))
      // Absent only outside the runner, which sets every input's default from action.yml.
      checkName = checkRunName(process.env['INPUT_CHECK-NAME'] ?? DEFAULT_CHECK_NAME)
      // mode: merge-reports checks nothing: it merges the shards' reports (merge-reports.ts).
      merging = actionMode(core.getInput('mode')) === 'merge-reports'
      settings = merging
        ? mergeSettings(workspace, core.getInput('fail-on'))
        : resolveSettings(
            {
              model: core.getInput('model'),
              config: core.getInput('config'),
              failOn: core.getInput('fail-on'),
              extraArchitectures: core.getInput('extra-architectures'),
              hubUrl: core.getInput('hub-url'),
              hfToken,
              dataset: core.getInput('dataset'),
              datasetSplit: core.getInput('dataset-split'),
              baseModel: core.getInput('base-model'),
              maxRows: core.getInput('dataset-max-rows'),
              shard: core.getInput('dataset-shard'),
              jobs: core.getInput('jobs'),
              scope: core.getInput('scope'),
              lfsHeaders: core.getInput('lfs-headers'),
              githubToken,
              manifests: core.getInput('manifests'),
            },
            workspace,
            env,
          )
    } catch (error) {
      if (!(error instanceof UsageError)) throw error
      return await couldNotStart(error, env, pause)
    }
    const scoped = await scopeTargets(settings, env, githubToken.trim())
    // Notes go to the log and the job summary; why each target is in or out, to the log.
    const notes = [...(settings.notes ?? []), ...scoped.notes]
    for (const line of [...scoped.details, ...notes]) core.info(line)
    // A SARIF file of part of the targets would have code scanning take the others' alerts as fixed.
    const partial = scoped.targets.length < settings.targets.length
    if (partial)
      notes.push(
        'no SARIF file: scope: changed left targets out, and code scanning would take their alerts as fixed',
      )
    let report: Report
    try {
      report = merging
        ? await mergeReportsInput(core.getInput('reports'), {
            workspace,
            failOn: settings.failOn,
            docsBase: docsBase(env),
          })
        : await checkTargets({ ...settings, targets: scoped.targets }, env, {
            onProgress: (ref, rows, rps) =>
              core.info(
                `${ref}: ${rows.toLocaleString('en-US')} rows checked (${rps.toLocaleString('en-US')} rows/s)`,
              ),
          })
    } catch (error) {
      // Reports that cannot be merged (missing, of other settings, malformed): said as for bad inputs.
      if (!(merging && error instanceof UsageError)) throw error
      return await couldNotStart(error, env, pause)
    }
    const reportFile = reportPath(env)
    await writeFile(reportFile, jsonReportChunks(report))
    // For github/codeql-action/upload-sarif, left to the workflow: code scanning needs GHAS on private repos.
    const sarifFile = path.join(env.RUNNER_TEMP || os.tmpdir(), 'friendli-preflight.sarif')
    // Paths relative to the repository root; what has no place in the repository (a hub model no
    // workflow line names) is left out, and the log and the job summary say so.
    const sarif = buildSarif(report, pkg.version, docsBase(env), {
      workspace,
      repoRoot: gitTopLevel(workspace),
    })
    if (!partial) {
      writeFileSync(sarifFile, JSON.stringify(sarif.log) + '\n')
      for (const note of sarif.notes) core.info(`SARIF: ${note}`)
      notes.push(...sarif.notes.map((n) => `SARIF: ${n}`))
    }

    core.info(formatText(report).trimEnd())
    pause.ownCommands(() => {
      for (const a of planAnnotations(report)) {
        core[a.level](a.message, {
          title: a.title,
          file: a.file,
          startLine: a.startLine,
          startColumn: a.startColumn,
        })
      }
    })
    // The report as an artifact, for the reviewer: a failed upload is one warning and changes nothing else.
    // Commands run meanwhile: @actions/artifact masks the signed upload URL it logs in debug lines.
    const uploaded = uploadReport
      ? await pause.ownCommandsWhile(() =>
          uploadReportArtifact(
            partial ? [reportFile] : [reportFile, sarifFile],
            env,
            [settings.workspace, ...settings.targets.map((t) => t.ref), settings.configFile ?? ''],
            upload,
          ),
        )
      : undefined
    if (uploaded?.uploaded)
      core.info(
        `Report uploaded as artifact ${uploaded.artifact.name}${uploaded.artifact.url ? `: ${uploaded.artifact.url}` : ''}`,
      )
    else if (uploaded?.warn)
      pause.ownCommands(() =>
        core.warning(
          `friendli-preflight: the report was not uploaded as an artifact (${uploaded.reason}); the check's result stands. Set upload-report: false to skip the upload.`,
        ),
      )
    else if (uploaded) core.info(`Report not uploaded as an artifact: ${uploaded.reason}.`)
    const sha = headSha()
    const links = {
      ...(env.GITHUB_REPOSITORY && sha
        ? {
            repo: {
              server: env.GITHUB_SERVER_URL || 'https://github.com',
              repository: env.GITHUB_REPOSITORY,
              sha,
              prefix: path.relative(gitTopLevel(workspace), workspace).split(path.sep).join('/'),
            },
          }
        : {}),
      ...(uploaded?.uploaded
        ? { artifact: { ...uploaded.artifact, retentionDays: retentionDays(env) } }
        : {}),
    }
    const summary =
      formatSummary(report, reportFile, links) + notes.map((n) => `> **Note:** ${mdText(n)}\n\n`).join('')
    if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summary).write()
    await checkRun(githubToken.trim(), checkName, report, summary)

    pause.ownCommands(() => {
      core.setOutput('result', report.result === 'pass' ? 'pass' : 'fail')
      core.setOutput('errors', report.counts.errors)
      core.setOutput('warnings', report.counts.warnings)
      core.setOutput('report-file', reportFile)
      if (!partial) core.setOutput('sarif-file', sarifFile)
      if (uploaded?.uploaded) {
        core.setOutput('report-artifact-id', uploaded.artifact.id)
        if (uploaded.artifact.url) core.setOutput('report-artifact-url', uploaded.artifact.url)
      }
      if (report.result !== 'pass') core.setFailed(`friendli-preflight: ${summaryLine(report)}`)
    })
  } catch (error) {
    // @actions/core escapes CR, LF and % in the message, so it stays one `::error::` line.
    pause.ownCommands(() => core.setFailed(`friendli-preflight: ${describeError(error)}`))
  } finally {
    restore()
    pause.end()
  }
}

/**
 * The targets this run checks (scope.ts): with `scope: changed` on a pull request, those it changes,
 * from its files as the REST API lists them (the event's number and changed_files).
 */
async function scopeTargets(settings: Settings, env: NodeJS.ProcessEnv, token: string) {
  let pr: { number?: unknown; changed_files?: unknown } | undefined
  try {
    if (env.GITHUB_EVENT_PATH)
      pr = (JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as { pull_request?: typeof pr })
        .pull_request
  } catch {
    // No event file, or not JSON: no pull request.
  }
  const number = typeof pr?.number === 'number' ? pr.number : undefined
  const changedFiles = typeof pr?.changed_files === 'number' ? pr.changed_files : undefined
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const client =
    settings.scope === 'changed' && token && owner && repo && number !== undefined
      ? createGitHubClient(token, {
          ...(env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}),
          log: core.info,
          env,
        })
      : undefined
  // The running workflow's file, when it is this repository's (not a reusable one from elsewhere).
  const ref = /^([^/]+\/[^/]+)\/(\.github\/workflows\/[^@]+)@/.exec(env.GITHUB_WORKFLOW_REF ?? '')
  const workflowFile =
    ref && ref[1]!.toLowerCase() === env.GITHUB_REPOSITORY?.toLowerCase() ? ref[2] : undefined
  return applyScope(
    settings.targets,
    {
      scope: settings.scope,
      eventName: env.GITHUB_EVENT_NAME,
      ...(number !== undefined
        ? { pull: { number, ...(changedFiles !== undefined ? { changedFiles } : {}) } }
        : {}),
      // actions/checkout at its default path: the workspace's paths are the pull request's.
      atRoot: existsSync(path.join(settings.workspace, '.git')),
      // A manifest's chat template file is its own: a change to it selects the manifest.
      readsOf: (t) => manifestReads(t, settings),
      ...(client
        ? {
            fetchPage: async (page: number, perPage: number) =>
              (
                await client.rest.pulls.listFiles({
                  owner: owner!,
                  repo: repo!,
                  pull_number: number!,
                  per_page: perPage,
                  page,
                })
              ).data,
          }
        : {}),
    },
    { workspace: settings.workspace, configFile: settings.configFile, workflowFile },
  )
}

function reportPath(env: NodeJS.ProcessEnv): string {
  return path.join(env.RUNNER_TEMP || os.tmpdir(), 'friendli-preflight-report.json')
}

/**
 * Inputs or a config file that cannot be used: nothing is checked. The outputs are still set (result
 * `fail`, as when a target could not be checked, no findings, and a JSON report that checked no target;
 * no SARIF file, since an empty one would close the repository's open code-scanning alerts), the job
 * summary says why, and the step fails: on the config file's line, for a mistake in it.
 */
async function couldNotStart(
  error: UsageError,
  env: NodeJS.ProcessEnv,
  pause: ReturnType<typeof pauseCommands>,
): Promise<void> {
  const reportFile = reportPath(env)
  const report: Report = {
    targets: [],
    counts: { errors: 0, warnings: 0, infos: 0 },
    result: 'error',
    failOn: 'error',
  }
  await writeFile(reportFile, jsonReportChunks(report))
  if (env.GITHUB_STEP_SUMMARY)
    await core.summary
      .addRaw(`## friendli-preflight: ⚠️ could not check\n\nNothing was checked: ${mdText(error.message)}\n`)
      .write()
  pause.ownCommands(() => {
    core.setOutput('result', 'fail')
    core.setOutput('errors', 0)
    core.setOutput('warnings', 0)
    core.setOutput('report-file', reportFile)
    if (error instanceof ConfigFileError) {
      // The one error of the step, on the line at fault (core.error escapes CR, LF and %).
      core.error(error.message, {
        title: 'friendli-preflight could not check',
        file: error.file,
        startLine: error.line,
        startColumn: error.column,
      })
      process.exitCode = core.ExitCode.Failure
    } else core.setFailed(`friendli-preflight: ${error.message}`)
  })
}

/**
 * A check run with the findings as annotations, when there is a token and a repository; whatever
 * becomes of it is one log line, and never the step's result.
 */
async function checkRun(token: string, name: string, report: Report, summary: string): Promise<void> {
  const sha = headSha()
  if (!token || !process.env.GITHUB_REPOSITORY || !sha) return
  try {
    const { owner, repo } = context.repo
    const octokit = createGitHubClient(token, { baseUrl: context.apiUrl, log: (line) => core.info(line) })
    const r = await publishCheckRun(
      { octokit, owner, repo, sha, name, detailsUrl: runUrl() },
      report,
      summary,
    )
    core.info(checkRunLogLine(name, r))
  } catch (error) {
    core.info(`No check run: ${describeError(error)}.`)
  }
}

/** The commit to attach the check run to: a pull request's head (GITHUB_SHA is its merge commit). */
function headSha(): string | undefined {
  const sha: unknown = (context.payload.pull_request as { head?: { sha?: unknown } } | undefined)?.head?.sha
  return typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) ? sha : context.sha
}

/** The workflow run's page (its attempt, after a re-run), which the check run's "details" opens. */
function runUrl(): string | undefined {
  if (!Number.isSafeInteger(context.runId) || !process.env.GITHUB_REPOSITORY) return undefined
  const { owner, repo } = context.repo
  const attempt = context.runAttempt > 1 ? `/attempts/${context.runAttempt}` : ''
  return `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}${attempt}`
}
