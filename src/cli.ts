import { parseArgs } from 'node:util'
import { checkTargets, exitCode, type Report } from './check.js'
import { findReports, mergeFailOn, mergeReports, readReports } from './merge-reports.js'
import { describeError, UsageError } from './common/errors.js'
import { defuseLibraryOutput, neutralize, neutralizeJson } from './report/command-guard.js'
import { jsonReportChunks } from './report/json.js'
import { buildSarif, gitTopLevel } from './report/sarif.js'
import { formatGithub } from './report/github-format.js'
import { formatText } from './report/text.js'
import { docsBase } from './rules/registry.js'
import { ConfigFileError, resolveSettings } from './settings.js'
import { holdsModel } from './discover.js'
import pkg from '../package.json' with { type: 'json' }

const USAGE = `Usage: friendli-preflight [model] [--dataset REF] [options]
       friendli-preflight merge-reports REPORT... [--format F] [--fail-on S]   (see merge-reports --help)

Checks that a model will be accepted by FriendliAI Dedicated Endpoints. The model is a folder, or a
Hugging Face repo: owner/name, owner/name@revision (branch, tag or commit) or hf://owner/name[@revision].
A folder that exists wins over a repo id of the same name; write ./owner/name to force a folder.
The model "auto" checks every model folder and dataset file found below the current folder (a
monorepo), unless a folder named auto exists (./auto is always the folder).

Options:
  --format text|json|sarif|github
                               output format (default: text); sarif is SARIF 2.1.0 for code scanning;
                               github is workflow annotations, for the CLI in a workflow's run: step
  --fail-on error|warning|never
                               exit 1 when a finding is at or above this severity (default: error)
  --config FILE                config file (default: .friendli-preflight.yml when present)
  --extra-architectures LIST   comma-separated architectures to accept besides the built-in list
  --hub-url URL                Hugging Face Hub to read hub models from (default: $HF_ENDPOINT or
                               https://huggingface.co)
  --dataset REF                also check a chat fine-tuning dataset: a .jsonl/.json/.parquet file, a
                               folder, or a hub dataset owner/name[@revision]; alone (no model), only
                               the dataset is checked
  --manifest PATH              also check a deployment manifest (the body of Friendli's create- or
                               update-endpoint call, JSON or YAML) and the model it names: a file, a
                               folder or a glob; repeat it for more (default, with no model or dataset
                               named: the config file's manifests, else **/friendli-endpoint*.{json,yaml,yml}
                               and .friendli/endpoints/*.{json,yaml,yml})
  --dataset-split LIST         splits to check (default: every split found)
  --base-model REF             the model the rows must fit (chat template, tokenizer; default: the model)
  --max-rows N                 check only the first N rows
  --shard I/N                  check only share I of N of each dataset's rows (1/4 … 4/4 in a job
                               matrix): whole files when they share the bytes evenly, else a
                               share of each file (JSON Lines by bytes, Parquet by rows)
  --lfs-headers                when the model folder holds Git LFS pointers in place of *.safetensors
                               files, read each header from the remote's LFS server (one range request
                               a file; the checkout's remote.origin.url, GitHub or the Hub) instead of
                               reporting MR304; the weights are never downloaded
  --jobs N                     threads checking a dataset's rows: a local dataset of 32 MiB or more
                               is split among them, each reading and checking its share; else this
                               one reads the rows and runs the rules, N - 1 more render and tokenize
                               them (default: the CPUs this process may use, at most 4; 1: this
                               thread alone). The findings are the same
  --verbose                    list every bad row of a dataset (default: one line per rule, message
                               and file, with the count and the first rows)
  -h, --help                   show this help
  -v, --version                show the version

Environment: HF_TOKEN, a Hugging Face token for private or gated repos, and GITHUB_TOKEN, a GitHub
token for --lfs-headers on a private GitHub repository (never flags, so they stay out of process lists
and shell history). GITHUB_SERVER_URL names a GitHub Enterprise server (default https://github.com).

Exit codes: 0 no findings at or above --fail-on; 1 findings at or above it; 2 could not check.
`

export async function main(
  argv: string[],
  write: (s: string) => void = (s) => process.stdout.write(s),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // In a workflow step the runner reads our output for commands, and the text comes from the checked
  // repository: defuse it (and what libraries print) instead of trusting it. Outside Actions, unchanged.
  const inWorkflow = env.GITHUB_ACTIONS === 'true'
  const out = inWorkflow ? (s: string) => write(neutralize(s)) : write
  const restore = inWorkflow ? defuseLibraryOutput() : undefined
  try {
    // Only --format github writes as is: its annotation commands, escaped, and defused text.
    return await runCli(argv, out, inWorkflow, write)
  } finally {
    restore?.()
  }
}

/** The output formats of --format. */
export const FORMATS = ['text', 'json', 'sarif', 'github'] as const

async function runCli(
  argv: string[],
  write: (s: string) => void,
  inWorkflow: boolean,
  writeCommands: (s: string) => void,
): Promise<number> {
  const writeErr = (s: string) => process.stderr.write(inWorkflow ? neutralize(s) : s)
  try {
    let parsed
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: {
          format: { type: 'string', default: 'text' },
          'fail-on': { type: 'string', default: '' },
          config: { type: 'string', default: '' },
          'extra-architectures': { type: 'string', default: '' },
          'hub-url': { type: 'string', default: '' },
          dataset: { type: 'string', default: '' },
          'dataset-split': { type: 'string', default: '' },
          'base-model': { type: 'string', default: '' },
          'max-rows': { type: 'string', default: '' },
          shard: { type: 'string', default: '' },
          jobs: { type: 'string', default: '' },
          manifest: { type: 'string', multiple: true, default: [] },
          verbose: { type: 'boolean', default: false },
          'lfs-headers': { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h' },
          version: { type: 'boolean', short: 'v' },
        },
      })
    } catch (error) {
      throw new UsageError(`${(error as Error).message.split('\n')[0]}\n\n${USAGE}`)
    }
    const { values, positionals } = parsed
    // `merge-reports a.json b.json …`: the shards' reports merged into one run's (merge-reports.ts).
    const merging = positionals[0] === MERGE_COMMAND
    if (values.help) return (write(merging ? MERGE_USAGE : USAGE), 0)
    if (values.version) return (write(`${pkg.version}\n`), 0)
    if (!merging && positionals.length > 1)
      throw new UsageError(`expected at most one model, got ${positionals.length}`)
    if (!(FORMATS as readonly string[]).includes(values.format))
      throw new UsageError(`--format must be text, json, sarif or github; got "${values.format}"`)
    if (merging) {
      const report = await mergeCommand(positionals.slice(1), values)
      return writeReport(report, process.cwd(), values, { write, writeErr, writeCommands, inWorkflow })
    }

    const settings = resolveSettings(
      {
        model: positionals[0] ?? '',
        config: values.config,
        failOn: values['fail-on'],
        extraArchitectures: values['extra-architectures'],
        hubUrl: values['hub-url'],
        dataset: values.dataset,
        datasetSplit: values['dataset-split'],
        baseModel: values['base-model'],
        maxRows: values['max-rows'],
        shard: values.shard,
        jobs: values.jobs,
        manifests: values.manifest.join('\n'),
        lfsHeaders: values['lfs-headers'] ? 'true' : '',
        githubToken: process.env.GITHUB_TOKEN ?? '',
      },
      process.cwd(),
    )
    if (settings.implicitModel && !holdsModel(settings.workspace))
      throw new UsageError(
        `nothing to check in ${settings.workspace}: it holds no config.json, weights or deployment manifest; name a model folder, a hub repo, --dataset or --manifest\n${USAGE.split('\n')[0]}`,
      )
    // What resolving the targets left out (model auto's caps), on stderr: stdout stays the report.
    for (const note of settings.notes ?? []) writeErr(`friendli-preflight: note: ${note}\n`)
    // Progress goes to a terminal only: piped output and --format json stay exactly the report.
    const progress = process.stderr.isTTY
      ? (ref: string, rows: number, rps: number) =>
          writeErr(`${ref}: ${rows.toLocaleString('en-US')} rows (${rps.toLocaleString('en-US')} rows/s)\n`)
      : undefined
    const report = await checkTargets(settings, process.env, { onProgress: progress })
    return writeReport(report, settings.workspace, values, { write, writeErr, writeCommands, inWorkflow })
  } catch (error) {
    // A mistake in the config file is `file:line:column: reason`, the line editors and terminals link.
    writeErr(
      error instanceof ConfigFileError
        ? `${error.message}\n`
        : `friendli-preflight: ${describeError(error)}\n`,
    )
    return 2
  }
}

/** The report in the format asked for, on stdout (notes on stderr); the exit code it gives. */
function writeReport(
  report: Report,
  workspace: string,
  values: { format: string; verbose: boolean },
  io: {
    write: (s: string) => void
    writeErr: (s: string) => void
    writeCommands: (s: string) => void
    inWorkflow: boolean
  },
): number {
  const { write, writeErr } = io
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR
  // JSON keeps its exact value: `##[` is written with a JSON escape rather than a zero-width space.
  const json = (text: string) => (io.inWorkflow ? neutralizeJson(text) : text)
  if (values.format === 'json') {
    // In pieces (each ends between JSON values): many findings never become one giant string.
    for (const piece of jsonReportChunks(report)) write(json(piece))
  } else if (values.format === 'sarif') {
    // Paths relative to the repository root (the git top-level, else the workspace), as code
    // scanning reads them; what could not be placed there is said on stderr, stdout stays the log.
    const { log, notes } = buildSarif(report, pkg.version, docsBase(), {
      workspace,
      repoRoot: gitTopLevel(workspace),
    })
    write(json(JSON.stringify(log, null, 2)) + '\n')
    for (const note of notes) writeErr(`friendli-preflight: ${note}\n`)
  } else if (values.format === 'github') {
    // Paths relative to the repository root (the git top-level, as for SARIF), as GitHub reads them.
    const repositoryRoot = gitTopLevel(workspace)
    io.writeCommands(formatGithub(report, { workspace, repositoryRoot }))
  } else write(formatText(report, color, { verbose: values.verbose }))
  return exitCode(report)
}

/** The first word that makes the CLI merge shard reports instead of checking a model. */
const MERGE_COMMAND = 'merge-reports'

const MERGE_USAGE = `Usage: friendli-preflight merge-reports REPORT... [--format text|json|sarif|github]
                                   [--fail-on error|warning|never] [--verbose]

Merges the JSON reports of the jobs of a matrix that each checked one shard (--shard I/N, --format json;
or the action's report-file) into the report of one run over every row: the same findings, duplicate
rows across shards included, the same counts and statistics. REPORT is a file, a folder (every .json file
in it) or a glob ('shards/**/*.json'). The reports must be of every shard, once, of one release, with the
same targets, revisions, base models, rule levels and max-rows. (A model folder named merge-reports is
checked as ./merge-reports.)

Exit codes: 0 no findings at or above --fail-on; 1 findings at or above it; 2 the reports cannot be
merged (the message says why).
`

/** Flags of a check that have no meaning for merge-reports: the reports say what was checked. */
const CHECK_ONLY = [
  'config',
  'extra-architectures',
  'hub-url',
  'dataset',
  'dataset-split',
  'base-model',
  'max-rows',
  'shard',
  'lfs-headers',
  'manifest',
] as const

/** `merge-reports REPORT...`: the reports found, read and merged. */
async function mergeCommand(
  patterns: string[],
  values: Partial<Record<(typeof CHECK_ONLY)[number], unknown>> & { 'fail-on': string },
): Promise<Report> {
  const flag = CHECK_ONLY.find((k) => (Array.isArray(values[k]) ? values[k].length > 0 : values[k]))
  if (flag)
    throw new UsageError(`--${flag} does not apply to merge-reports: the reports say what was checked`)
  const failOn = mergeFailOn(values['fail-on'])
  const cwd = process.cwd()
  const files = await findReports(patterns, cwd)
  return mergeReports(readReports(files, cwd), { workspace: cwd, failOn, docsBase: docsBase() })
}
