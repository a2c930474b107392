#!/usr/bin/env node
// The CLI's executable entry (bundled to dist/cli/index.js); the logic is in cli.ts so tests can call it.
// The bundle is also the script of the dataset run's worker threads (engine/row-pool.ts): in one,
// loading row-worker.ts starts serving.
import { isMainThread } from 'node:worker_threads'

if (isMainThread)
  process.exitCode = await (await import(/* webpackMode: "eager" */ './cli.js')).main(process.argv.slice(2))
else await import(/* webpackMode: "eager" */ './engine/row-worker.js')
