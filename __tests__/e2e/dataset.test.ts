// Datasets through the bundles, as a workflow and a shell run them: the CLI's --dataset and the
// action's dataset input, row findings grouped into annotations, the summary's dataset table.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { messagesParquet } from '../helpers/parquet.js'
import { repoRoot, runAction, runCli, runtimes } from '../helpers/run-bundle.js'

let ws: string

beforeAll(() => {
  ws = mkdtempSync(path.join(os.tmpdir(), 'fp-ds-e2e-'))
  cpSync(path.join(repoRoot, 'examples'), ws, { recursive: true })
  const rows = Array.from({ length: 30 }, (_, i) => [
    { role: i % 3 === 0 ? 'bot' : 'user', content: `question ${i}` },
    { role: 'assistant', content: `answer ${i}` },
  ])
  writeFileSync(path.join(ws, 'train.parquet'), messagesParquet(rows, { codec: 'GZIP', rowGroupSize: 7 }))
})
afterAll(() => rmSync(ws, { recursive: true, force: true }))

describe.each(runtimes())('datasets under $name', ({ name, bin }) => {
  it("CLI: --shard i/3 --format json in three runs, then merge-reports: the single run's report", () => {
    const dir = path.join(ws, `shards-${name}`)
    mkdirSync(dir)
    for (let i = 1; i <= 3; i++) {
      const r = runCli(
        bin,
        ['--dataset', 'chat-dataset/train.jsonl', '--shard', `${i}/3`, '--format', 'json'],
        ws,
      )
      writeFileSync(path.join(dir, `shard-${i}.json`), r.stdout)
    }
    const merged = runCli(bin, ['merge-reports', `shards-${name}`, '--format', 'json'], ws)
    const single = runCli(bin, ['--dataset', 'chat-dataset/train.jsonl', '--format', 'json'], ws)
    expect(merged.stderr).toBe('')
    expect(merged.status).toBe(single.status)
    const report = JSON.parse(merged.stdout)
    expect(report.targets[0].merged).toEqual({ shards: 3 })
    delete report.targets[0].merged
    expect(report).toEqual(JSON.parse(single.stdout))
  })

  it('CLI: --jobs 3 (worker threads started from the bundle) reports what --jobs 1 reports', () => {
    const rows = Array.from({ length: 1500 }, (_, i) =>
      JSON.stringify({
        messages:
          i % 101 === 0
            ? [{ role: 'user', content: 7 }]
            : [
                { role: 'user', content: `question ${i % 700}` },
                { role: 'assistant', content: `answer ${i % 700}` },
              ],
      }),
    )
    writeFileSync(path.join(ws, `jobs-${name}.jsonl`), rows.join('\n') + '\n')
    const run = (jobs: string) =>
      runCli(
        bin,
        [
          '--dataset',
          `jobs-${name}.jsonl`,
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
    const three = run('3')
    expect(three.stderr).toBe('')
    expect(three.status).toBe(one.status)
    const report = JSON.parse(three.stdout)
    expect(report.targets[0].findings.length).toBeGreaterThan(0) // duplicates and a content that is not text
    expect(report).toEqual(JSON.parse(one.stdout))
  })

  it('CLI: --dataset alone checks only the dataset, rows located by line', () => {
    const r = runCli(
      bin,
      ['--dataset', 'chat-dataset/train.jsonl', '--base-model', 'conforming-chat-model', '--format', 'json'],
      ws,
    )
    expect(r.stderr).toBe('')
    expect(r.status).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report.targets.map((t: { kind: string }) => t.kind)).toEqual(['dataset'])
    expect(report.targets[0].findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'DS201',
        location: expect.objectContaining({ path: 'train.jsonl', line: 6, row: 6 }),
      }),
    )
  })

  it('CLI: Parquet (gzip, several row groups) rows are named by row, grouped unless --verbose', () => {
    const r = runCli(bin, ['--dataset', 'train.parquet'], ws)
    expect(r.status).toBe(1)
    const lines = r.stdout.split('\n').filter((l) => l.includes('DS202'))
    expect(lines).toEqual([
      'train.parquet (rows 1, 4, 7, 10, 13 and 5 more (10 rows)) error DS202 message-schema Unknown role: message 1 has role "bot"; roles are system, user, assistant, tool. The first of 10 findings like it; --verbose lists each one kept.',
    ])
    const verbose = runCli(bin, ['--dataset', 'train.parquet', '--verbose'], ws)
    const each = verbose.stdout.split('\n').filter((l) => l.includes('DS202'))
    expect(each).toHaveLength(10)
    expect(each[0]).toBe(
      'train.parquet (row 1) error DS202 message-schema Unknown role: message 1 has role "bot"; roles are system, user, assistant, tool.',
    )
  })

  it('action: dataset input with model "", one annotation per rule and file, the dataset table in the summary', () => {
    const run = runAction(bin, { model: '', dataset: 'train.parquet', 'dataset-max-rows': '25' }, ws)
    expect(run.status).toBe(1)
    const ds202 = run.commands.filter((c) => c.props.title?.startsWith('DS202'))
    expect(ds202).toHaveLength(1)
    // Parquet rows have no line: GitHub shows the annotation at line 1, so the title says so.
    expect(ds202[0].props).toMatchObject({
      title: 'DS202 message-schema: 9 rows (file-level)',
      file: 'train.parquet',
    })
    expect(ds202[0].message).toContain('…and 4 more rows')
    expect(run.summary).toContain('| train | 25 | 0 |')
    expect(run.summary).toContain('\nChecked 25 of 30 rows (max-rows 25).\n')
    expect(run.summary).toContain('| DS202 message-schema | 9 |')
  })

  it("CLI --format sarif, and the action's sarif-file output: SARIF 2.1.0 with the rows on their lines", () => {
    const r = runCli(bin, ['--dataset', 'chat-dataset/train.jsonl', '--format', 'sarif'], ws)
    expect(r.status).toBe(1)
    const sarif = JSON.parse(r.stdout)
    expect(sarif.version).toBe('2.1.0')
    expect(sarif.runs[0].results).toContainEqual(
      expect.objectContaining({
        ruleId: 'DS201',
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'chat-dataset/train.jsonl', uriBaseId: '%SRCROOT%' },
              region: { startLine: 6, startColumn: 2 },
            },
          },
        ],
      }),
    )
    const run = runAction(bin, { model: 'broken-model' }, ws)
    const file = JSON.parse(readFileSync(run.outputs['sarif-file'], 'utf8'))
    expect(file.runs[0].results.length).toBeGreaterThan(3)
  })
})
