// 200,000 generated ultrachat-like rows (3–6 alternating turns, ~1.5 KB of text each) as JSONL and as
// Parquet (snappy, 10,000-row groups), checked by every dataset rule in one streaming pass: schema only
// (no base model); schema + render with a ChatML template (the base model); and with a tokenizer.json
// too, a byte-level BPE one (as GPT-2, Llama 3 and Qwen have; bench/one-file.ts) and the tests'
// character-level one (one token per character: tokenizers.js's slowest case). Render and tokens run
// with 1, 2 and 4 threads (--jobs). Each run is a fresh child process, so its peak RSS is its own (the
// worker threads' included). Python Jinja2 renders the same rows with the same template in the same
// run, as transformers would.
// Each run is bench/dataset-child.ts, bundled as the action is. Run by hand:
// `npx tsx bench/dataset.ts [rows]` (BENCH_MODES=schema,render,bpe,chars picks runs). Prints figures;
// asserts nothing.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chatmlBase } from '../__tests__/helpers/chatml-base.js'
import { messagesParquet } from '../__tests__/helpers/parquet.js'
import { conversation, writeConversations } from './one-file.js'

const self = fileURLToPath(import.meta.url)

function python(file: string, rows: number): { rows: number; seconds: number } | string {
  const template = JSON.parse(chatmlBase()['tokenizer_config.json'] as string).chat_template
  const script = `
import json, sys, time
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
t = env.from_string(sys.argv[2])
n = 0
start = time.perf_counter()
with open(sys.argv[1]) as f:
    for line in f:
        row = json.loads(line)
        t.render(messages=row['messages'], add_generation_prompt=False, eos_token='<|im_end|>')
        n += 1
        if n >= int(sys.argv[3]): break
print(json.dumps({'rows': n, 'seconds': time.perf_counter() - start}))
`
  const r = spawnSync('python3', ['-c', script, file, template, String(rows)], { encoding: 'utf8' })
  return r.status === 0 ? JSON.parse(r.stdout) : `python3-jinja2 unavailable: ${r.stderr.split('\n').at(-2)}`
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 200_000)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-bench-ds-'))
  mkdirSync(dir, { recursive: true })
  try {
    // The runs use a single-file bundle, as the action does: from source, every worker thread would
    // compile the sources again (tsx), half a second each, which the action never pays.
    const childBundle = path.join(dir, 'child', 'index.js')
    const built = spawnSync(
      'npx',
      [
        'ncc',
        'build',
        path.join(path.dirname(self), 'dataset-child.ts'),
        '-o',
        path.dirname(childBundle),
        '-q',
      ],
      { encoding: 'utf8' },
    )
    if (built.status !== 0) throw new Error(built.stderr)
    const jsonlFile = path.join(dir, 'train.jsonl')
    await writeConversations(jsonlFile, total)
    const parquetFile = path.join(dir, 'train.parquet')
    writeFileSync(
      parquetFile,
      messagesParquet(
        Array.from({ length: total }, (_, i) => conversation(i)),
        { codec: 'SNAPPY', rowGroupSize: 10_000 },
      ),
    )
    const mb = (f: string) => (statSync(f).size / 1e6).toFixed(0)
    console.log(
      `${total.toLocaleString('en-US')} rows: JSONL ${mb(jsonlFile)} MB, Parquet (snappy) ${mb(parquetFile)} MB; node ${process.version}, one thread`,
    )
    console.log(
      `${os.availableParallelism()} CPUs; jobs N: N threads, either "shards" (each reads and checks its own share of the rows, the run's way for a local dataset of 32 MiB or more) or "pool" (this thread reads and runs the rules, N - 1 worker threads render and count tokens)`,
    )
    const only = process.env.BENCH_MODES?.split(',')
    const runs: [string, number[]][] = (
      [
        ['schema', [1, 2]],
        ['render', [1, 2, 4]],
        ['bpe', [1, 2, 4]],
        ['chars', [1]],
      ] as [string, number[]][]
    ).filter(([mode]) => !only || only.includes(mode))
    for (const file of [jsonlFile, parquetFile]) {
      for (const [mode, jobsList] of runs) {
        for (const jobs of jobsList) {
          for (const split of jobs > 1 ? [false, true] : [false]) {
            const r = spawnSync(
              process.execPath,
              [childBundle, file, mode, String(total), String(jobs), String(split)],
              { encoding: 'utf8' },
            )
            if (r.status !== 0) throw new Error(r.stderr)
            const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!)
            const label = {
              schema: 'schema only',
              render: 'schema + render',
              bpe: 'render + tokens (BPE)',
              chars: 'render + tokens (chars)',
            }[mode]
            const how = jobs === 1 ? '' : split ? ' shards' : ' pool'
            console.log(
              `${path.extname(file).slice(1).padEnd(8)} ${label!.padEnd(24)} jobs ${jobs}${how.padEnd(7)}  ${String(m.rows).padStart(7)} rows  ${Math.round(
                m.rows / m.seconds,
              )
                .toLocaleString('en-US')
                .padStart(7)} rows/s  peak RSS ${m.rssMB.toFixed(0)} MB`,
            )
          }
        }
      }
    }
    const py = python(jsonlFile, total)
    console.log(
      typeof py === 'string'
        ? py
        : `python jinja2 render only (same rows, same template): ${Math.round(py.rows / py.seconds).toLocaleString('en-US')} rows/s`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
