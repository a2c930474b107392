// The e2e helper refuses to run bundles older than src/: staleBundle on a scratch tree with set mtimes.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { staleBundle } from '../helpers/run-bundle.js'

let root: string
const T = 1_700_000_000 // seconds

function touch(rel: string, seconds: number): void {
  const file = path.join(root, rel)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, '')
  utimesSync(file, seconds, seconds)
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'fp-stale-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

it('names a missing bundle', () => {
  touch('src/main.ts', T)
  expect(staleBundle(root)).toBe(
    'dist/index.js and dist/cli/index.js missing: run `npm run bundle` before the end-to-end tests.',
  )
})

it('passes when the bundles are newer than src/, or written a moment before it as a fresh clone does', () => {
  touch('src/main.ts', T)
  touch('src/rules/deep/rule.ts', T - 60)
  touch('dist/index.js', T + 10)
  touch('dist/cli/index.js', T + 11)
  expect(staleBundle(root)).toBeUndefined()
  touch('dist/index.js', T - 2) // git checks out dist/ before src/
  expect(staleBundle(root)).toBeUndefined()
})

it('fails with the file, both times and the command when any file under src/ is newer than either bundle', () => {
  touch('dist/index.js', T)
  touch('dist/cli/index.js', T + 600)
  touch('src/main.ts', T - 60)
  touch('src/rules/deep/rule.ts', T + 60)
  expect(staleBundle(root)).toBe(
    'dist/ is older than src/: src/rules/deep/rule.ts changed at 2023-11-14 22:14:20 UTC, after the bundles were built (2023-11-14 22:13:20 UTC). The end-to-end tests run dist/index.js and dist/cli/index.js, so they would test old code: run `npm run bundle`, then the tests again.',
  )
})
