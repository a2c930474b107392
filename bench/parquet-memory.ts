// Peak RSS of one streaming pass over a Parquet dataset by every dataset rule (schema only, no base
// model), with 10,000-row and 100,000-row groups, with and without a large column no rule reads (a
// `source` string of ~1.5 KB a row). Each run is a fresh child process, so its peak RSS is its own.
// Run by hand: `npx tsx bench/parquet-memory.ts [rows]`. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { messagesParquet } from '../__tests__/helpers/parquet.js'
import { conversation, oneFileDataset } from './one-file.js'

const self = fileURLToPath(import.meta.url)

async function child(file: string): Promise<void> {
  const { runDatasetRules } = await import('../src/engine/run-dataset.js')
  const { datasetRules } = await import('../src/rules/registry.js')
  const { source, files } = await oneFileDataset(file)
  const t = performance.now()
  const { stats, findings } = await runDatasetRules(source, files, [], datasetRules, {
    levels: new Map(),
    docsBase: '',
  })
  const seconds = (performance.now() - t) / 1000
  console.log(
    JSON.stringify({
      rows: stats.rows,
      findings: findings.map((f) => f.ruleId).join(' ') || 'none',
      seconds,
      rssMB: process.resourceUsage().maxRSS / 1024,
    }),
  )
}

function main(): void {
  const total = Number(process.argv[2] ?? 200_000)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-bench-pq-'))
  try {
    const rows = Array.from({ length: total }, (_, i) => conversation(i))
    const unused = Array.from({ length: total }, (_, i) => JSON.stringify(conversation(i + total)))
    console.log(`${total.toLocaleString('en-US')} rows; node ${process.version}`)
    for (const rowGroupSize of [10_000, 100_000])
      for (const extra of [false, true]) {
        const file = path.join(dir, `g${rowGroupSize}${extra ? 'x' : ''}.parquet`)
        writeFileSync(
          file,
          messagesParquet(rows, {
            codec: 'SNAPPY',
            rowGroupSize,
            extra: extra ? [{ name: 'source', type: 'STRING', data: unused }] : [],
          }),
        )
        const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', file], {
          encoding: 'utf8',
        })
        if (r.status !== 0) throw new Error(r.stderr)
        const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!)
        console.log(
          `${rowGroupSize.toLocaleString('en-US').padStart(7)}-row groups${extra ? ' + unused column' : '                '}  ${(statSync(file).size / 1e6).toFixed(0).padStart(4)} MB  ${m.rows} rows  findings: ${m.findings}  ${m.seconds.toFixed(1)} s  peak RSS ${m.rssMB.toFixed(0)} MB`,
        )
      }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!)
else main()
