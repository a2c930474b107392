import * as core from '@actions/core'
import { readFileSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { checkTargets, type Report } from './check.js'
import { describeError, UsageError } from './common/errors.js'
import { planAnnotations } from './report/annotations.js'
import { defuseLibraryOutput, pauseCommands } from './report/command-guard.js'
import { jsonReportChunks } from './report/json.js'
import { toSarif } from './report/sarif.js'
import { publishCheckRun } from './report/check-run.js'
import { docsBase } from './rules/registry.js'
import pkg from '../package.json' with { type: 'json' }
import { formatSummary } from './report/summary.js'
import { formatText, summaryLine } from './report/text.js'
import { mdText } from './report/markdown.js'
import { ConfigFileError, resolveSettings, type Settings } from './settings.js'

/** The action: inputs -> settings -> check -> annotations, summary, outputs -> fail-on decides. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
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
    try {
      settings = resolveSettings(
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
        },
        workspace,
        env,
      )
    } catch (error) {
      if (!(error instanceof UsageError)) throw error
      return await couldNotStart(error, env, pause)
    }
    const report = await checkTargets(settings, env, {
      onProgress: (ref, rows, rps) =>
        core.info(
          `${ref}: ${rows.toLocaleString('en-US')} rows checked (${rps.toLocaleString('en-US')} rows/s)`,
        ),
    })
    const reportFile = reportPath(env)
    await writeFile(reportFile, jsonReportChunks(report))
    // For github/codeql-action/upload-sarif, left to the workflow: code scanning needs GHAS on private repos.
    const sarifFile = path.join(env.RUNNER_TEMP || os.tmpdir(), 'friendli-preflight.sarif')
    writeFileSync(sarifFile, JSON.stringify(toSarif(report, pkg.version, docsBase(env))) + '\n')

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
    const summary = formatSummary(report, reportFile)
    if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summary).write()
    await checkRun(githubToken.trim(), env, report, summary)

    pause.ownCommands(() => {
      core.setOutput('result', report.result === 'pass' ? 'pass' : 'fail')
      core.setOutput('errors', report.counts.errors)
      core.setOutput('warnings', report.counts.warnings)
      core.setOutput('report-file', reportFile)
      core.setOutput('sarif-file', sarifFile)
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

/** A check run with every located finding, when the token may write checks; otherwise one log line. */
async function checkRun(
  token: string,
  env: NodeJS.ProcessEnv,
  report: Report,
  summary: string,
): Promise<void> {
  const sha = headSha(env)
  if (!token || !env.GITHUB_REPOSITORY || !sha) return
  const apiUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '')
  const r = await publishCheckRun({ apiUrl, token, repository: env.GITHUB_REPOSITORY, sha }, report, summary)
  if (r.ok)
    core.info(
      `Check run "friendli-preflight" created with ${r.annotations} annotations${r.url ? `: ${r.url}` : ''}`,
    )
  else core.info(`No check run: ${r.reason}.`)
}

/** The commit to attach the check run to: a pull request's head (GITHUB_SHA is its merge commit). */
function headSha(env: NodeJS.ProcessEnv): string | undefined {
  try {
    if (env.GITHUB_EVENT_PATH) {
      const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
        pull_request?: { head?: { sha?: unknown } }
      }
      const sha = event.pull_request?.head?.sha
      if (typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha)) return sha
    }
  } catch {
    // No event file, or not JSON: fall back to GITHUB_SHA.
  }
  return env.GITHUB_SHA
}
