// Cold start of the bundled action and CLI: wall time of a whole process run on the conforming
// example, median of N runs, under this Node and under Node 24 (the action's runtime) when installed.
// Run by hand: `npx tsx bench/cold-start.ts [runs]`. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { actionBundle, cliBundle, node24, repoRoot } from '../__tests__/helpers/run-bundle.js'

const runs = Number(process.argv[2] ?? 21)
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-bench-'))
writeFileSync(path.join(tmp, 'out'), '')
writeFileSync(path.join(tmp, 'sum'), '')
const env = {
  PATH: process.env.PATH ?? '',
  GITHUB_WORKSPACE: repoRoot,
  GITHUB_OUTPUT: path.join(tmp, 'out'),
  GITHUB_STEP_SUMMARY: path.join(tmp, 'sum'),
  RUNNER_TEMP: tmp,
  INPUT_MODEL: 'examples/conforming-chat-model',
}

function time(bin: string, args: string[]): number[] {
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    const r = spawnSync(bin, args, { env, cwd: repoRoot, stdio: 'ignore' })
    ms.push(Number(process.hrtime.bigint() - t) / 1e6)
    if (r.status !== 0 && args.length > 0 && !args.includes('-e'))
      throw new Error(`${args.join(' ')} exited ${r.status}`)
  }
  return ms.sort((a, b) => a - b)
}

const fmt = (ms: number[]) =>
  `median ${ms[Math.floor(ms.length / 2)].toFixed(0)} ms (min ${ms[0].toFixed(0)}, max ${ms[ms.length - 1].toFixed(0)})`

const bins = [{ name: `node ${process.version}`, bin: process.execPath }]
const n24 = node24()
if (n24)
  bins.push({ name: `node ${spawnSync(n24, ['--version'], { encoding: 'utf8' }).stdout.trim()}`, bin: n24 })
console.log(`cold start, ${runs} runs each, on examples/conforming-chat-model (${os.cpus().length} cores)`)
for (const { name, bin } of bins) {
  time(bin, [actionBundle]) // warm the page cache once
  console.log(`${name.padEnd(16)} bare node            ${fmt(time(bin, ['-e', '0']))}`)
  console.log(`${name.padEnd(16)} action dist/index.js ${fmt(time(bin, [actionBundle]))}`)
  console.log(
    `${name.padEnd(16)} CLI dist/cli         ${fmt(time(bin, [cliBundle, 'examples/conforming-chat-model']))}`,
  )
}
