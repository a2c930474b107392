// Rows per second of the dataset pass with a base model's tokenizer, and how many rows it tokenizes:
// generated ultrachat-like rows (3–6 alternating turns, ~1.5 KB each, as bench/dataset.ts) in one JSONL
// file, every dataset rule but DS302, a ChatML template and a character-level tokenizer (one token per
// character, as the tests' chatmlBase) with a 32,768-token context. Standalone (bench/dataset.ts imports
// the jest test helpers, which need jest). Run by hand: `npx tsx bench/dataset-tokens.ts [rows]`.
// Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadBaseModel } from '../src/artifacts/base-model.js'
import { runDatasetRules } from '../src/engine/run-dataset.js'
import { datasetRules } from '../src/rules/registry.js'
import { memorySource } from '../src/sources/memory.js'
import { chatmlBase } from '../__tests__/helpers/chatml-base.js'
import { oneFileDataset, writeConversations } from './one-file.js'

async function run(file: string, tokenizer: boolean) {
  const base = await loadBaseModel(memorySource(chatmlBase({ tokenizer })), 'chatml')
  let calls = 0
  const count = base.countTokens
  if (count)
    base.countTokens = (text) => {
      calls++
      return count(text)
    }
  const { source, files } = await oneFileDataset(file)
  const t = performance.now()
  const { stats } = await runDatasetRules(source, files, [], datasetRules, {
    levels: new Map([['DS302', 'off']]),
    docsBase: '',
    base,
  })
  const seconds = (performance.now() - t) / 1000
  return { rows: stats.rows, rowsPerSecond: Math.round(stats.rows / seconds), calls, tokens: stats.tokens }
}

const total = Number(process.argv[2] ?? 200_000)
const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-bench-tokens-'))
try {
  const file = path.join(dir, 'train.jsonl')
  await writeConversations(file, total)
  console.log(`${total.toLocaleString('en-US')} rows, node ${process.version}, one thread`)
  for (const tokenizer of [false, true]) {
    const r = await run(file, tokenizer)
    console.log(
      `${tokenizer ? 'schema + render + tokens' : 'schema + render'}: ${r.rowsPerSecond.toLocaleString('en-US')} rows/s, ${r.calls.toLocaleString('en-US')} rows tokenized${r.tokens ? `, ${JSON.stringify(r.tokens)}` : ''}`,
    )
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
