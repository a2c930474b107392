// Rows per second of the dataset pass with a base model's tokenizer, and how many rows it tokenizes:
// generated ultrachat-like rows (3–6 alternating turns, ~1.5 KB each, as bench/dataset.ts) in one JSONL
// file, every dataset rule but DS302, a ChatML template and a character-level tokenizer (one token per
// character, as the tests' chatmlBase) with a 32,768-token context. Standalone (bench/dataset.ts imports
// the jest test helpers, which need jest). Run by hand: `npx tsx bench/dataset-tokens.ts [rows]`.
// Prints figures; asserts nothing.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadBaseModel } from '../src/artifacts/base-model.js'
import { runDatasetRules } from '../src/engine/run-dataset.js'
import { datasetRules } from '../src/rules/registry.js'
import { memorySource } from '../src/sources/memory.js'
import { oneFileDataset } from './one-file.js'

const WORDS =
  'the of and to in is that for it as with was on be by this are at from or have an they which one you were all we can her has there been if more when will would who so no'.split(
    ' ',
  )

function conversation(i: number): { role: string; content: string }[] {
  let seed = (i + 1) * 2654435761
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
  const turns = 3 + Math.floor(rand() * 4)
  return Array.from({ length: turns }, (_, t) => {
    const words = 30 + Math.floor(rand() * (t % 2 ? 120 : 40))
    const text = Array.from({ length: words }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ')
    return { role: t % 2 ? 'assistant' : 'user', content: `${text[0]!.toUpperCase()}${text.slice(1)}.` }
  })
}

function baseFiles(tokenizer: boolean): Record<string, string> {
  const template =
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}"
  const files: Record<string, string> = {
    'config.json': JSON.stringify({ architectures: ['Qwen2ForCausalLM'], max_position_embeddings: 32768 }),
    'tokenizer_config.json': JSON.stringify({ eos_token: '<|im_end|>', chat_template: template }),
  }
  if (!tokenizer) return files
  const vocab: Record<string, number> = { '[UNK]': 0 }
  for (const c of ' abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?\n<|>_')
    vocab[c] = Object.keys(vocab).length
  const added = (id: number, content: string) => ({ id, content, special: true, normalized: false })
  files['tokenizer.json'] = JSON.stringify({
    version: '1.0',
    added_tokens: [added(1000, '<|im_start|>'), added(1001, '<|im_end|>')],
    normalizer: null,
    pre_tokenizer: { type: 'Split', pattern: { Regex: '.' }, behavior: 'Isolated', invert: false },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  })
  return files
}

async function run(file: string, tokenizer: boolean) {
  const base = await loadBaseModel(memorySource(baseFiles(tokenizer)), 'chatml')
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
  const out = createWriteStream(file)
  for (let i = 0; i < total; i++)
    if (!out.write(JSON.stringify({ messages: conversation(i) }) + '\n'))
      await new Promise<void>((r) => out.once('drain', () => r()))
  await new Promise<void>((r) => out.end(() => r()))
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
