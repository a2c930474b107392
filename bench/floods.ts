// The floods of a hostile pull request, timed: what each costs now, with what it cost before the
// bounds (measured on a 2-core runner when each was found). The tests assert the bounds by counting
// (__tests__/scale/hostile-floods.test.ts and the fast suite); only time and memory are here.
// Run by hand: `npx tsx bench/floods.ts`. Prints figures; asserts nothing.
import { runDatasetRules } from '../src/engine/run-dataset.js'
import { runModelRules } from '../src/engine/run-model.js'
import { parseSafetensorsHeader } from '../src/artifacts/safetensors.js'
import { readParquet } from '../src/readers/read-parquet.js'
import { findDataFiles } from '../src/readers/splits.js'
import { datasetRules, modelRules } from '../src/rules/registry.js'
import { memorySource } from '../src/sources/memory.js'
import { chatRows, messagesParquet } from '../__tests__/helpers/parquet.js'
import { rewriteFooter } from '../__tests__/helpers/parquet-footer.js'

async function time(name: string, before: string, run: () => Promise<string>) {
  const start = performance.now()
  const what = await run()
  const ms = performance.now() - start
  const rss = process.memoryUsage().rss / 1024 / 1024
  console.log(
    `${name.padEnd(44)} ${(ms / 1000).toFixed(1).padStart(6)} s  rss ${rss.toFixed(0).padStart(5)} MiB  ${what}  (before: ${before})`,
  )
}

await time('6 MB of broken JSON Lines rows', '"Invalid string length" at 3.5 GB', async () => {
  const source = memorySource({ 'train.jsonl': 'x\n'.repeat(3_000_000) })
  const found = findDataFiles(await source.list())
  const r = await runDatasetRules(source, found.files, [], datasetRules, {
    levels: new Map(),
    docsBase: 'x/',
  })
  return `${r.findings.length} findings kept, ${r.omitted.reduce((n, o) => n + o.count, 0)} counted`
})

await time('200,000 one-row Parquet groups', 'minutes (quadratic)', async () => {
  const n = 200_000
  const bytes = rewriteFooter(messagesParquet(chatRows(1, 0, 1)), (f) => {
    f.row_groups = Array.from({ length: n }, () => f.row_groups[0]!)
    f.num_rows = BigInt(n)
  })
  let rows = 0
  const file = { path: 'd.parquet', size: bytes.length, format: 'parquet' as const, split: 'train' }
  for await (const batch of readParquet(memorySource({ 'd.parquet': bytes }), file)) rows += batch.length
  return `${rows} rows`
})

await time('one 95 MB safetensors header (875,000 tensors)', '80 s, 1.9 GB', () => {
  const parts: string[] = []
  let offset = 0
  let length = 0
  for (let i = 0; length < 95_000_000; i++) {
    const p = `"model.layers.${i}.self_attn.q_proj.weight":{"dtype":"BF16","shape":[1,1],"data_offsets":[${offset},${offset + 2}]}`
    offset += 2
    length += p.length + 1
    parts.push(p)
  }
  const header = Buffer.from(`{${parts.join(',')},"__metadata__":{"format":"pt"}}`)
  const file = new Uint8Array(8 + header.length + offset)
  new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true)
  file.set(header, 8)
  const r = parseSafetensorsHeader(file, file.length)
  return Promise.resolve(`${r.ok ? r.header.tensors.length : 0} tensors`)
})

await time('100,000 nested [ in tokenizer_config.json', 'stack overflow, no report', async () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000)
  const findings = await runModelRules(
    memorySource({
      'config.json': '{"architectures": ["LlamaForCausalLM"]}',
      'tokenizer_config.json': `{"x": ${deep}}`,
    }),
    modelRules,
    { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'x/' },
  )
  return `${findings.filter((f) => f.message.includes('levels deep')).length} depth finding`
})
