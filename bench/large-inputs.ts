// The wall-clock budgets the tests used to assert, as figures: each case of the scale suite
// (__tests__/scale/) that had a time limit, timed in-process, median of N runs, with the old limit
// next to it. The scale tests keep what they find and how often they read; only time is here. Where
// a limit was there to catch a quadratic step, the case also runs at a tenth of the size: linear work
// takes about 10× as long at 10× the size, quadratic work 100×.
// Run by hand: `npx tsx bench/large-inputs.ts [runs]`. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { HUB_MAX_HEADER_LENGTH, parseSafetensorsHeader } from '../src/artifacts/safetensors.js'
import { runModelRules } from '../src/engine/run-model.js'
import { readRows } from '../src/readers/read-rows.js'
import type { ModelRule } from '../src/rules/model-rule.js'
import chatTemplateLimits from '../src/rules/model/chat-template-limits.js'
import invalidSafetensorsHeader from '../src/rules/model/invalid-safetensors-header.js'
import invalidShardIndex from '../src/rules/model/invalid-shard-index.js'
import invalidTensorLayout from '../src/rules/model/invalid-tensor-layout.js'
import missingShard from '../src/rules/model/missing-shard.js'
import shardIndexMismatch from '../src/rules/model/shard-index-mismatch.js'
import shardNumbering from '../src/rules/model/shard-numbering.js'
import tokenizerJson from '../src/rules/model/tokenizer-json.js'
import { modelRules as allRules } from '../src/rules/registry.js'
import { memorySource, type MemoryEntry } from '../src/sources/memory.js'
import { compileTemplate, renderTemplate } from '../src/templates/render.js'
import { cliBundle } from '../__tests__/helpers/run-bundle.js'
import { assembleSafetensors, makeSafetensors, type TensorSpec } from '../__tests__/helpers/safetensors.js'
import { fileOf, messagesArray } from '../__tests__/readers/sources.js'

const runs = Number(process.argv[2] ?? 3)
const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: '' }
const weightRules = allRules.filter((r) => /^MR3(0\d|10)$/.test(r.meta.id))
const index = (map: Record<string, unknown>, totalSize = 8) =>
  JSON.stringify({ metadata: { total_size: totalSize }, weight_map: map }, null, 2) + '\n'

/** A case: what it runs at size n, the limit the test used to assert, and its full size (100,000). */
interface Case {
  name: string
  limitMs?: number
  at: (n: number) => () => unknown
  n?: number
}

/** The median of `runs` timed calls of `fn`, in ms. */
async function median(fn: () => unknown): Promise<number> {
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    await fn()
    ms.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]
}

/** One case: its median, the limit the test used to assert, and the growth from a tenth of the size. */
async function report({ name, limitMs, at, n = 100_000 }: Case) {
  const full = await median(at(n))
  const tenth = await median(at(n / 10))
  const limit =
    limitMs === undefined ? 'no limit' : `old limit ${limitMs} ms: ${full < limitMs ? 'within' : 'OVER'}`
  console.log(
    `${name.padEnd(64)} ${full.toFixed(0).padStart(6)} ms  (${limit}; ${(full / tenth).toFixed(1)}× the time of a tenth)`,
  )
}

/** A case that runs `rules` (`r` alone by default) on the files made for size n. */
const ruleCase = (
  name: string,
  limitMs: number,
  r: ModelRule,
  filesAt: (n: number) => Record<string, MemoryEntry>,
  rules = [r],
): Case => ({
  name,
  limitMs,
  at: (n) => {
    const files = filesAt(n)
    return () => runModelRules(memorySource(files), rules, options)
  },
})

function tensors(n: number, spec: TensorSpec = { dtype: 'BF16', shape: [2] }): Record<string, TensorSpec> {
  const out: Record<string, TensorSpec> = {}
  for (let i = 0; i < n; i++) out[`model.layers.${i}.weight`] = spec
  return out
}
function shards(n: number, unsafe?: string): Record<string, string> {
  const map: Record<string, string> = {}
  for (let i = 1; i <= n; i++)
    map[`t.${i}`] = unsafe ?? `model-${String(i).padStart(6, '0')}-of-${n}.safetensors`
  return map
}
const header = (n: number) => ({ 'model.safetensors': makeSafetensors(tensors(n)) })
const indexOf = (map: Record<string, unknown>, totalSize?: number) => ({
  'model.safetensors.index.json': index(map, totalSize),
})

const cases: Case[] = [
  {
    name: 'parseSafetensorsHeader, N tensors',
    limitMs: 5000,
    at: (n) => {
      const file = makeSafetensors(tensors(n, { dtype: 'BF16', shape: [1, 2] }))
      return () => parseSafetensorsHeader(file, file.length)
    },
  },
  {
    name: 'parseSafetensorsHeader, a header of N bytes (spaces)',
    at: (n) => {
      const file = assembleSafetensors('{"__metadata__":{"format":"pt"}}'.padEnd(n, ' '))
      return () => parseSafetensorsHeader(file, file.length)
    },
    n: HUB_MAX_HEADER_LENGTH + 8,
  },
  ruleCase('MR301 on a header of N tensors', 10_000, invalidSafetensorsHeader, header),
  ruleCase('MR302 on a header of N tensors', 10_000, invalidTensorLayout, header),
  ruleCase('MR305 on an index of N tensors mapped to one unsafe name', 10_000, invalidShardIndex, (n) =>
    indexOf(shards(n, '../model.safetensors')),
  ),
  ruleCase(
    'MR301-MR310 on an index of N shards, one naming the index',
    20_000,
    invalidShardIndex,
    (n) => indexOf({ ...shards(n), self: 'model.safetensors.index.json' }),
    weightRules,
  ),
  ruleCase('MR306 on an index of N absent shards', 10_000, missingShard, (n) => indexOf(shards(n))),
  ruleCase('MR307 on N one-shard series', 15_000, shardNumbering, (n) => {
    const map: Record<string, string> = {}
    for (let i = 1; i <= n; i++) map[`t${i}`] = `s${i}-00001-of-99999.safetensors`
    return indexOf(map)
  }),
  ruleCase('MR308 on a shard of N tensors the index does not map', 10_000, shardIndexMismatch, (n) => ({
    ...indexOf({ 'model.layers.0.weight': 'model-00001-of-00001.safetensors' }, 12),
    'model-00001-of-00001.safetensors': makeSafetensors(tensors(n, { dtype: 'F16', shape: [1] })),
  })),
  ruleCase('MR308 on N tensors in two shards each', 10_000, shardIndexMismatch, (n) => {
    const many = tensors(n, { dtype: 'F16', shape: [1] })
    const map = Object.fromEntries(Object.keys(many).map((k) => [k, 'model-00001-of-00002.safetensors']))
    map['model.layers.0.weight'] = 'model-00002-of-00002.safetensors'
    const shard = makeSafetensors(many)
    return {
      ...indexOf(map, 12),
      'model-00001-of-00002.safetensors': shard,
      'model-00002-of-00002.safetensors': shard,
    }
  }),
  {
    ...ruleCase(
      'MR404 on a tokenizer.json of N vocabulary entries (50 MB at 1M)',
      15_000,
      tokenizerJson,
      (n) => {
        const vocab: Record<string, number> = {}
        for (let i = 0; i < n; i++) vocab[`tok_${i}_${'x'.repeat(28)}`] = i
        const text = JSON.stringify({ added_tokens: [], model: { type: 'BPE', vocab, merges: [] } })
        return {
          'tokenizer.json': text,
          'tokenizer_config.json': JSON.stringify({ added_tokens_decoder: { 999999: { content: 'other' } } }),
        }
      },
    ),
    n: 1_000_000,
  },
  {
    name: 'a JSON array of N small rows, read row by row',
    limitMs: 10_000,
    at: (n) => {
      const text = messagesArray(n)
      const source = memorySource({ 'm.json': text })
      return async () => {
        for await (const e of readRows(source, fileOf('m.json', text.length))) void e
      }
    },
    n: 1_000_000,
  },
  {
    name: 'a template of N lines (5 MB at 90,000), compiled and rendered',
    at: (n) => {
      const source = 'Hello {{ messages[0].content }} {% if true %}y{% endif %}\n'.repeat(n)
      return () => {
        const c = compileTemplate(source)
        if (c.ok)
          renderTemplate(
            c.template,
            { messages: [{ content: 'hi' }], add_generation_prompt: false },
            { timeMs: 60_000 },
          )
      }
    },
    n: 90_000,
  },
  // The output bound, not the size, ends this one: about 1× the time of a tenth.
  ruleCase(
    'MR506 on N × 100,000 iterations of 10 chars (stops at 1M chars)',
    2500,
    chatTemplateLimits,
    (n) => ({
      'chat_template.jinja': `{% for i in range(${n}) %}{% for j in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}`,
    }),
  ),
]

console.log(`large inputs, median of ${runs} runs, node ${process.version}, ${os.cpus().length} cores`)
for (const c of cases) await report(c)

// The CLI bundle, one process per run: the e2e cases that had a 20 s limit.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-bench-large-'))
try {
  await report({
    name: 'CLI bundle on an index of N shards, one naming the index',
    limitMs: 20_000,
    at: (n) => {
      const dir = path.join(tmp, `index-${n}`)
      mkdirSync(dir, { recursive: true })
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'] }))
      writeFileSync(
        path.join(dir, 'model.safetensors.index.json'),
        index({ ...shards(n), self: 'model.safetensors.index.json' }),
      )
      return () => {
        const r = spawnSync(process.execPath, [cliBundle, dir, '--format', 'json', '--fail-on', 'never'])
        if (r.status !== 0) throw new Error(`the CLI exited ${r.status}: ${r.stderr.toString()}`)
      }
    },
  })
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
