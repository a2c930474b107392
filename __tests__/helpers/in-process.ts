// The CLI and the action run in process, and the files they run on: shared by the tests that run
// src/cli.ts's main() or src/main.ts's run() without a bundle.
import { jest } from '@jest/globals'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Writes `files` (paths relative to `dir`, folders made as needed) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true })
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    writeFileSync(path.join(dir, rel), content)
  }
}

/** The CLI run in `dir` (its working directory) with `env`: exit code, stdout and stderr. */
export async function runCliIn(dir: string, argv: string[], env: NodeJS.ProcessEnv = {}) {
  // Imported here, not at the top: @actions/github reads the runner's environment when it is first
  // imported, and the action's tests set that environment before they import src/main.ts.
  const { main } = await import('../../src/cli.js')
  const cwd = process.cwd()
  let stdout = ''
  let stderr = ''
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s)
    return true
  })
  process.chdir(dir)
  try {
    const status = await main(argv, (s) => (stdout += s), env)
    return { status, stdout, stderr }
  } finally {
    process.chdir(cwd)
    spy.mockRestore()
  }
}

/**
 * The action's run() with `env` plus `inputs` as the runner passes them (INPUT_<NAME>), `env` set as
 * process.env first (@actions/core reads inputs and the output and summary files there): its stdout.
 */
export async function runActionIn(
  run: (env: NodeJS.ProcessEnv) => Promise<void>,
  env: NodeJS.ProcessEnv,
  inputs: Record<string, string>,
): Promise<string> {
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  process.env = env
  let stdout = ''
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s)
    return true
  })
  try {
    await run(env)
  } finally {
    spy.mockRestore()
  }
  return stdout
}
