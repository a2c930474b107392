// The weight checks on a Llama-3.1-405B-sized model (812 GB) laid out as sparse files: valid headers,
// no data on disk. Variants: 191 shards (as Meta ships it), 10 shards and 1 file of the same tensors,
// and 191 shards of a model with the same layer count and ~10× smaller tensors (time should not
// follow the weight size). Every registered model rule runs, in-process, through the real local
// source; each variant is measured in a fresh child process so its peak RSS is its own.
// Run by hand: `npx tsx bench/weights.ts [runs]`. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process'
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  LLAMA_405B,
  llamaConfig,
  llamaTensors,
  shardTensors,
  type LlamaDims,
} from '../__tests__/helpers/sparse-safetensors.js'
import { docsBase, modelRules as allRules } from '../src/rules/registry.js'
import type { ModelRule } from '../src/rules/model-rule.js'
import { runModelRules } from '../src/engine/run-model.js'
import gpuFit from '../src/rules/model/gpu-fit.js'
import { openLocalSource } from '../src/sources/local.js'
import type { Source } from '../src/sources/source.js'

/** Same depth (126 layers, 1,137 tensors) as 405B, hidden 5120: 41.4B parameters, 9.8× fewer bytes. */
const SMALLER: LlamaDims = { ...LLAMA_405B, hidden: 5120, intermediate: 16640, heads: 40 }

const VARIANTS = [
  { name: '405b-191-shards', dims: LLAMA_405B, shards: 191 },
  { name: '405b-10-shards', dims: LLAMA_405B, shards: 10 },
  { name: '405b-1-file', dims: LLAMA_405B, shards: 1 },
  { name: '41b-191-shards', dims: SMALLER, shards: 191 },
]

/** Every registered rule, and MR701 gpu-fit until it is registered: it is the rule that sizes these models. */
const RULES: readonly ModelRule[] = allRules.some((r) => r.meta.id === gpuFit.meta.id)
  ? allRules
  : [...allRules, gpuFit]

const GOAL_MS = 1000
const GOAL_RATIO = 1e-5

interface Measured {
  ms: number[]
  bytesRead: number
  reads: number
  rssBeforeMb: number
  peakRssMb: number
  findings: string[]
}

// ---------------------------------------------------------------- child: measure one folder

async function measure(dir: string, runs: number): Promise<Measured> {
  const rssBeforeMb = process.resourceUsage().maxRSS / 1024
  const ms: number[] = []
  let bytesRead = 0
  let reads = 0
  let findings: string[] = []
  for (let i = 0; i < runs; i++) {
    const counter = { bytes: 0, reads: 0 }
    const t = process.hrtime.bigint()
    const source = counting(await openLocalSource(dir), counter)
    const result = await runModelRules(source, RULES, {
      levels: new Map(),
      settings: { extraArchitectures: [] },
      docsBase: docsBase({}),
    })
    ms.push(Number(process.hrtime.bigint() - t) / 1e6)
    bytesRead = counter.bytes
    reads = counter.reads
    findings = result.map(
      (f) => `${f.severity.padEnd(7)} ${f.ruleId} ${f.rule} ${f.location.path}: ${f.message}`,
    )
  }
  return { ms, bytesRead, reads, rssBeforeMb, peakRssMb: process.resourceUsage().maxRSS / 1024, findings }
}

/** The source, counting every byte its reads return. */
function counting(source: Source, counter: { bytes: number; reads: number }): Source {
  return {
    ...source,
    async read(p) {
      const b = await source.read(p)
      counter.bytes += b.length
      counter.reads++
      return b
    },
    async readRange(p, start, end) {
      const b = await source.readRange(p, start, end)
      counter.bytes += b.length
      counter.reads++
      return b
    },
  }
}

// ---------------------------------------------------------------- parent: generate, run, print

const TOKENIZER_CONFIG = {
  added_tokens_decoder: Object.fromEntries(
    [
      [128000, '<|begin_of_text|>'],
      [128001, '<|end_of_text|>'],
      [128006, '<|start_header_id|>'],
      [128007, '<|end_header_id|>'],
      [128009, '<|eot_id|>'],
    ].map(([id, content]) => [
      String(id),
      { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
    ]),
  ),
  bos_token: '<|begin_of_text|>',
  chat_template:
    "{{- bos_token }}{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}",
  clean_up_tokenization_spaces: true,
  eos_token: '<|eot_id|>',
  model_max_length: 131072,
  tokenizer_class: 'PreTrainedTokenizerFast',
}

const TOKENIZER = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: Object.entries(TOKENIZER_CONFIG.added_tokens_decoder).map(([id, t]) => ({
    id: Number(id),
    ...t,
  })),
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: null,
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: true,
    vocab: {},
    merges: [],
  },
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n'

/** Write the model; returns the bytes of tensor data its headers declare, and of the headers. */
function generate(dir: string, dims: LlamaDims, count: number): { weightBytes: number; headerBytes: number } {
  mkdirSync(dir, { recursive: true })
  const { shards, index } = shardTensors(llamaTensors(dims), count)
  let weightBytes = 0
  let headerBytes = 0
  for (const [name, file] of shards) {
    const fd = openSync(path.join(dir, name), 'w')
    try {
      writeSync(fd, file.header)
      // Extends the file to its full size without writing: the data is a hole on disk.
      ftruncateSync(fd, file.size)
    } finally {
      closeSync(fd)
    }
    weightBytes += file.dataSize
    headerBytes += file.header.length
  }
  if (index) {
    // save_pretrained writes the index with sorted keys.
    const weightMap = Object.fromEntries(
      Object.entries(index.weight_map).sort(([a], [b]) => a.localeCompare(b)),
    )
    writeFileSync(
      path.join(dir, 'model.safetensors.index.json'),
      json({ metadata: index.metadata, weight_map: weightMap }),
    )
  }
  writeFileSync(path.join(dir, 'config.json'), json(llamaConfig(dims)))
  writeFileSync(path.join(dir, 'tokenizer_config.json'), json(TOKENIZER_CONFIG))
  writeFileSync(path.join(dir, 'tokenizer.json'), json(TOKENIZER))
  return { weightBytes, headerBytes }
}

function onDisk(dir: string): { logical: number; allocated: number; files: number } {
  let logical = 0
  let allocated = 0
  const names = readdirSync(dir)
  for (const name of names) {
    const st = statSync(path.join(dir, name))
    logical += st.size
    allocated += st.blocks * 512
  }
  return { logical, allocated, files: names.length }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`
const kb = (n: number) => `${(n / 1e3).toFixed(1)} KB`

function main() {
  const runs = Number(process.argv[2] ?? 11)
  const root = mkdtempSync(path.join(os.tmpdir(), 'fp-bench-weights-'))
  try {
    console.log(
      `bench/weights: ${runs} runs per variant, ${RULES.length} model rules (${RULES.map((r) => r.meta.id).join(' ')}${RULES === allRules ? '' : '; MR701 is not registered yet, added here'}), ` +
        `node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`,
    )
    console.log(`temp folder ${root}\n`)
    const rows: string[][] = []
    const results = new Map<string, { m: Measured; weightBytes: number }>()
    for (const v of VARIANTS) {
      const dir = path.join(root, v.name)
      const t = process.hrtime.bigint()
      const { weightBytes, headerBytes } = generate(dir, v.dims, v.shards)
      const genMs = Number(process.hrtime.bigint() - t) / 1e6
      const disk = onDisk(dir)
      // A fresh process per variant: its peak RSS is this variant's alone.
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), '--measure', dir, String(runs)],
        { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
      )
      if (child.status !== 0) throw new Error(`measuring ${v.name} failed:\n${child.stderr}`)
      const m = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Measured
      results.set(v.name, { m, weightBytes })
      const sorted = [...m.ms].sort((a, b) => a - b)
      console.log(
        `${v.name}: ${disk.files} files, ${v.shards} weight file(s), generated in ${genMs.toFixed(0)} ms; ` +
          `weights ${gb(weightBytes)} logical, headers ${kb(headerBytes)}; all files ${gb(disk.logical)} logical, ` +
          `${kb(disk.allocated)} allocated on disk`,
      )
      console.log(
        `  wall: median ${median(m.ms).toFixed(1)} ms, min ${sorted[0].toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}, first ${m.ms[0].toFixed(1)} ms`,
      )
      console.log(
        `  read: ${m.bytesRead} bytes in ${m.reads} reads per run; bytes read / logical weight bytes = ${(m.bytesRead / weightBytes).toExponential(2)}; ` +
          `bytes read / allocated on disk = ${(m.bytesRead / disk.allocated).toFixed(2)}`,
      )
      console.log(
        `  peak RSS ${m.peakRssMb.toFixed(0)} MB (${m.rssBeforeMb.toFixed(0)} MB after loading the code)`,
      )
      console.log(`  findings (${m.findings.length}):`)
      for (const f of m.findings) console.log(`    ${f}`)
      console.log('')
      rows.push([
        v.name,
        gb(weightBytes),
        `${median(m.ms).toFixed(1)} ms`,
        `${sorted[0].toFixed(1)} ms`,
        `${m.bytesRead}`,
        (m.bytesRead / weightBytes).toExponential(2),
        kb(disk.allocated),
        `${m.peakRssMb.toFixed(0)} MB`,
      ])
    }
    const head = ['variant', 'weights', 'median', 'min', 'bytes read', 'read/logical', 'on disk', 'peak RSS']
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
    const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ')
    console.log(line(head))
    for (const r of rows) console.log(line(r))

    const big = results.get('405b-191-shards')!
    const small = results.get('41b-191-shards')!
    // The goal is for the ~800 GB model; the 41B variant only shows that time does not follow size.
    const ratio = Math.max(
      ...[...results]
        .filter(([name]) => name.startsWith('405b'))
        .map(([, r]) => r.m.bytesRead / r.weightBytes),
    )
    console.log('')
    console.log(
      `goal < ${GOAL_MS} ms for 191 shards: median ${median(big.m.ms).toFixed(1)} ms -> ${median(big.m.ms) < GOAL_MS ? 'met' : 'MISSED'}`,
    )
    console.log(
      `goal bytes read / logical weight bytes < ${GOAL_RATIO} (405B variants): worst ${ratio.toExponential(2)} -> ${ratio < GOAL_RATIO ? 'met' : 'MISSED'}`,
    )
    console.log(
      `flat in weight size (191 shards): ${gb(big.weightBytes)} median ${median(big.m.ms).toFixed(1)} ms vs ` +
        `${gb(small.weightBytes)} median ${median(small.m.ms).toFixed(1)} ms ` +
        `(${(big.weightBytes / small.weightBytes).toFixed(1)}× the bytes, ${(median(big.m.ms) / median(small.m.ms)).toFixed(2)}× the median time, ` +
        `${(Math.min(...big.m.ms) / Math.min(...small.m.ms)).toFixed(2)}× the min time; same bytes read: ${big.m.bytesRead} vs ${small.m.bytesRead})`,
    )
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--measure') {
  const result = await measure(process.argv[3], Number(process.argv[4]))
  console.log(JSON.stringify(result))
} else {
  main()
}
