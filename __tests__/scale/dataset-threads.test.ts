// A local dataset of more than SHARD_MIN_BYTES through the CLI bundle: with --jobs 2 and 3 its rows are
// split among threads started from the bundle, each reading and checking its share
// (engine/shard-threads.ts), and the report is --jobs 1's, token sample included.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { SHARD_MIN_BYTES } from '../../src/engine/shard-threads.js'
import { repoRoot, runCli, runtimes } from '../helpers/run-bundle.js'

let ws: string
beforeAll(() => {
  ws = mkdtempSync(path.join(os.tmpdir(), 'fp-threads-'))
  cpSync(path.join(repoRoot, 'examples'), ws, { recursive: true })
  // Rows with findings of several rules (a content that is not text, a wrong role, duplicates across
  // the file), about 1.4 KB each.
  const rows = Array.from({ length: 26_000 }, (_, i) =>
    JSON.stringify({
      messages:
        i % 1001 === 0
          ? [{ role: 'user', content: 7 }]
          : [
              { role: i % 997 === 5 ? 'bot' : 'user', content: `question ${i % 20_000} ${'x'.repeat(1300)}` },
              { role: 'assistant', content: `answer ${i % 20_000}` },
            ],
    }),
  )
  writeFileSync(path.join(ws, 'big-train.jsonl'), rows.join('\n') + '\n')
})
afterAll(() => rmSync(ws, { recursive: true, force: true }))

describe.each(runtimes())('a large local dataset on threads under $name', ({ bin }) => {
  it('--jobs 2 and 3 report what --jobs 1 reports', () => {
    expect(statSync(path.join(ws, 'big-train.jsonl')).size).toBeGreaterThan(SHARD_MIN_BYTES)
    const run = (jobs: string) =>
      runCli(
        bin,
        [
          '--dataset',
          'big-train.jsonl',
          '--base-model',
          'conforming-chat-model',
          '--jobs',
          jobs,
          '--format',
          'json',
        ],
        ws,
      )
    const one = run('1')
    const report = JSON.parse(one.stdout)
    expect(report.targets[0].findings.length).toBeGreaterThan(0)
    expect(report.targets[0].dataset.tokens.sample.every).toBeGreaterThan(1)
    for (const jobs of ['2', '3']) {
      const r = run(jobs)
      expect(r.stderr).toBe('')
      expect(r.status).toBe(one.status)
      expect(JSON.parse(r.stdout)).toEqual(report)
    }
  })
})
