#!/usr/bin/env node
// The CLI's executable entry (bundled to dist/cli/index.js); the logic is in cli.ts so tests can call it.
import { main } from './cli.js'

process.exitCode = await main(process.argv.slice(2))
