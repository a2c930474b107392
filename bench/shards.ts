// A dataset split over the jobs of a matrix, then merged: 1,000,000 generated ultrachat-like rows (one
// JSON Lines file, so each shard takes the lines that begin in its quarter of the bytes) with a few
// hundred exact duplicates planted across shards, checked against the ChatML test base model as 4 shards
// (`--shard i/4`, one after another here; in a workflow they run side by side), their JSON reports
// merged (merge-reports), and the same dataset checked in one run (split among this machine's threads,
// as a run with the default jobs is). Prints each shard's time and report size, the merge's time, and
// whether the merged report's findings, omitted counts and statistics (token lengths included) are the
// single run's.
// Run by hand: `npx tsx bench/shards.ts [rows] [shards] [duplicates]`. Prints figures; asserts nothing.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { chatmlBase } from '../__tests__/helpers/chatml-base.js'
import { checkTargets, type Report } from '../src/check.js'
import { findReports, mergeReports, readReports } from '../src/merge-reports.js'
import { jsonReportChunks } from '../src/report/json.js'
import { docsBase } from '../src/rules/registry.js'
import { resolveSettings } from '../src/settings.js'
import { conversation, writeConversations } from './one-file.js'

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 1_000_000)
  const count = Number(process.argv[3] ?? 4)
  const planted = Number(process.argv[4] ?? 300)
  const ws = mkdtempSync(path.join(os.tmpdir(), 'fp-bench-shards-'))
  try {
    for (const [name, content] of Object.entries(chatmlBase())) {
      mkdirSync(path.join(ws, 'base'), { recursive: true })
      writeFileSync(path.join(ws, 'base', name), content as string)
    }
    // Row r (0-based) is shard (r mod count) + 1; a planted row repeats the row before it, another
    // shard's. Spread over the whole file.
    const step = Math.floor(total / (planted + 1))
    const copies = new Set(Array.from({ length: planted }, (_, k) => (k + 1) * step))
    const file = path.join(ws, 'train.jsonl')
    await writeConversations(file, total, (r) =>
      JSON.stringify({ messages: conversation(copies.has(r) ? r - 1 : r) }),
    )
    console.log(
      `${total.toLocaleString('en-US')} rows, ${(statSync(file).size / 1e9).toFixed(2)} GB of JSON Lines, ${planted} duplicates planted across shards; ${count} shards`,
    )

    const check = async (shard: string) =>
      checkTargets(
        resolveSettings(
          {
            model: '',
            config: '',
            failOn: '',
            extraArchitectures: '',
            dataset: 'train.jsonl',
            baseModel: 'base',
            shard,
          },
          ws,
          {},
        ),
        {},
      )
    mkdirSync(path.join(ws, 'reports'))
    for (let i = 1; i <= count; i++) {
      const t = performance.now()
      const report = await check(`${i}/${count}`)
      const seconds = (performance.now() - t) / 1000
      const target = path.join(ws, 'reports', `shard-${i}.json`)
      await writeFile(target, jsonReportChunks(report))
      console.log(
        `shard ${i}/${count}: ${seconds.toFixed(1)} s, ${report.targets[0]!.dataset!.seen.toLocaleString('en-US')} rows checked, report ${(statSync(target).size / 1e6).toFixed(2)} MB`,
      )
    }

    let t = performance.now()
    const files = await findReports(['reports'], ws)
    const merged = mergeReports(readReports(files, ws), {
      workspace: ws,
      failOn: 'error',
      docsBase: docsBase({}),
    })
    const mergeSeconds = (performance.now() - t) / 1000
    console.log(`merge: ${mergeSeconds.toFixed(2)} s (reading, checking and merging ${count} reports)`)

    t = performance.now()
    const single = await check('')
    console.log(`single run: ${((performance.now() - t) / 1000).toFixed(1)} s`)

    const m = merged.targets[0]!
    const s = single.targets[0]!
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
    const duplicates = (r: Report) => r.targets[0]!.findings.filter((f) => f.ruleId === 'DS302').length
    const { seconds: _a, tokenSample: _c, ...statsM } = m.dataset!
    const { seconds: _b, tokenSample: _d, ...statsS } = s.dataset!
    console.log(`duplicates found: merged ${duplicates(merged)}, single run ${duplicates(single)}`)
    console.log(
      `findings identical to the single run's: ${same(m.findings, s.findings) && same(m.omitted ?? [], s.omitted ?? [])}`,
    )
    console.log(
      `statistics identical, token lengths included: ${same(
        [...Object.entries(statsM)].map(([k, v]) => [k, v instanceof Map ? [...v].sort() : v]),
        [...Object.entries(statsS)].map(([k, v]) => [k, v instanceof Map ? [...v].sort() : v]),
      )}`,
    )
    console.log(`token lengths: ${JSON.stringify(statsM.tokens)}`)
  } finally {
    rmSync(ws, { recursive: true, force: true })
  }
}

await main()
