// One run of bench/dataset.ts, in a process of its own, bundled with ncc as the action is (so worker
// threads start from the bundle): a dataset file checked by every dataset rule, its rows/s and peak RSS
// printed as one JSON line. Arguments: file, mode (schema, render, bpe, chars), rows, jobs, and "true"
// to split the rows among the threads (engine/shard-threads.ts) rather than render in a pool.
import path from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { chatmlBase } from '../__tests__/helpers/chatml-base.js'
import { loadBaseModel } from '../src/artifacts/base-model.js'
import { runDatasetRules } from '../src/engine/run-dataset.js'
import { runDatasetInShards } from '../src/engine/shard-threads.js'
import { datasetRules } from '../src/rules/registry.js'
import { memorySource } from '../src/sources/memory.js'
import { recordingSource } from '../src/sources/recorded.js'
import { bpeTokenizer, oneFileDataset } from './one-file.js'

async function child(file: string, mode: string, rows: number, jobs: number, split: boolean): Promise<void> {
  const recording =
    mode === 'schema'
      ? undefined
      : recordingSource(
          memorySource({
            ...chatmlBase({ tokenizer: mode === 'chars' }),
            ...(mode === 'bpe' ? { 'tokenizer.json': bpeTokenizer() } : {}),
          }),
        )
  const base = recording && (await loadBaseModel(recording.source, 'chatml'))
  const { source, files } = await oneFileDataset(file)
  // every generated row is distinct; hashing is measured separately below
  const levels = new Map([['DS302', 'off' as const]])
  const t = performance.now()
  const { stats, findings } = split
    ? await runDatasetInShards(
        {
          root: path.dirname(file),
          display: source.display,
          files,
          unsupported: [],
          truncated: false,
          ...(recording ? { base: { ref: 'chatml', record: recording.record } } : {}),
          levels,
          docsBase: '',
        },
        jobs,
      )
    : await runDatasetRules(source, files, [], datasetRules, {
        levels,
        docsBase: '',
        base,
        maxRows: rows,
        jobs,
      })
  const seconds = (performance.now() - t) / 1000
  const errors = findings.filter((f) => f.severity === 'error')
  if (errors.length) throw new Error(`unexpected findings: ${errors[0].message}`)
  console.log(JSON.stringify({ rows: stats.rows, seconds, rssMB: process.resourceUsage().maxRSS / 1024 }))
}

// Worker threads start this bundle too (to serve their role): only the main thread runs.
if (isMainThread) {
  const [file, mode, rows, jobs, split] = process.argv.slice(2)
  await child(file!, mode!, Number(rows), Number(jobs ?? 1), split === 'true')
}
