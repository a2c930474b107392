// Starting a worker thread of this program (row-pool.ts, shard-threads.ts). In the single-file bundle a
// thread runs the bundle itself, which holds every worker module, and each module serves only in a
// thread started with its role; from source (tests, `npm run cli`) a thread runs the module's own .ts
// file, which tsx compiles.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker, type ResourceLimits } from 'node:worker_threads'

/** The script a thread runs: the bundle, or `file` (a module of this folder) compiled by tsx. */
function workerScript(file: string): { script: string; tsx?: string } {
  const here = import.meta.url
  if (!here.endsWith('.ts')) return { script: here }
  // tsx's loader, found from this file: the worker's own imports resolve from the working directory,
  // which need not be this project's. Its ESM entry, as tsx's package.json exports it; the name is built
  // so the bundler does not look for tsx.
  const manifest = createRequire(here).resolve(['tsx', 'package.json'].join('/'))
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>
  }
  const tsx = path.join(path.dirname(manifest), pkg.exports['./esm/api']!.import.default)
  return { script: new URL(`./${file}`, here).href, tsx: pathToFileURL(tsx).href }
}

/** Started with `eval`: registers tsx for a TypeScript script, then imports it (which serves). */
const BOOTSTRAP = `
const { workerData } = await import('node:worker_threads')
if (workerData.tsx) {
  ;(await import(workerData.tsx)).register()
}
await import(workerData.script)
`

/**
 * A thread running `file` with `data` as its workerData (with `role`, which the module checks). Throws
 * when it cannot start: workerData is cloned, and a value nested a few thousand levels deep cannot be.
 */
export function startThread(
  file: string,
  role: string,
  data: Record<string, unknown>,
  resourceLimits: ResourceLimits | undefined,
): Worker {
  const worker = new Worker(`(async () => {${BOOTSTRAP}})()`, {
    eval: true,
    workerData: { role, ...workerScript(file), ...data },
    ...(resourceLimits ? { resourceLimits } : {}),
    // The worker's output is the caller's business: nothing it prints reaches the run's output.
    stdout: true,
    stderr: true,
  })
  worker.stdout.resume()
  worker.stderr.resume()
  return worker
}

/**
 * The young generation a thread may grow, in MB. Node 24's V8 lets it grow to several times Node 20's on
 * a machine with memory to spare, and a dataset pass fills it with short-lived rows: on
 * bench/dataset.ts (200,000 JSON Lines rows, BPE tokenizer, Node 24) a thread checking them peaked at
 * 390 MB of RSS with the default and 262 MB at 48 MB, no slower (4.49 s and 4.16 s). Node 20's default
 * is about this.
 */
export const THREAD_YOUNG_MB = 48

/** A thread's end in words: the error's code and message, never a stack. */
export function describeThreadError(error: Error): string {
  const code = (error as { code?: unknown }).code
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'it ran out of memory'
  return error.message || String(error)
}
