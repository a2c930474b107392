// Chat-template rendering speed: renders/s for 20 corpus templates (evenly spread by size) over 10,000
// conversations cycled from the grid, ours parsed once vs re-parsed every time, and Python Jinja2 under
// transformers' setup (scripts/jinja2_reference.py's environment, compiled once) timing itself on the same
// templates and conversations in the same run.
// Run by hand: `npx tsx bench/templates.ts [renders] [templates]`. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  conversations,
  loadCorpusTemplates,
  type CorpusTemplate,
} from '../__tests__/templates/conversations.js'
import { compileTemplate, renderTemplate, type RenderInput } from '../src/templates/render.js'

const N = Number(process.argv[2] ?? 10_000)
const HOW_MANY = Number(process.argv[3] ?? 20)
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const corpusRoot = path.resolve(repoRoot, '../shared/corpus')
if (!fs.existsSync(corpusRoot)) {
  console.log(`no corpus at ${corpusRoot}`)
  process.exit(0)
}

const all = loadCorpusTemplates(corpusRoot).sort((a, b) => a.source.length - b.source.length)
const picked: CorpusTemplate[] = []
for (let i = 0; i < HOW_MANY && i < all.length; i++)
  picked.push(all[Math.round((i * (all.length - 1)) / Math.max(1, HOW_MANY - 1))]!)

function inputOf(t: CorpusTemplate, i: number): RenderInput {
  const c = conversations[i % conversations.length]!
  return {
    messages: c.messages,
    add_generation_prompt: c.add_generation_prompt,
    tools: c.tools,
    documents: c.documents,
    specialTokens: t.specialTokens,
  }
}

function perSecond(n: number, ms: number): string {
  return `${Math.round((n * 1000) / ms).toLocaleString('en-US')}/s`
}

// Python: one process, each template compiled once, N renders timed with perf_counter
const pyScript = `
import json, sys, time
sys.path.insert(0, ${JSON.stringify(path.join(repoRoot, 'scripts'))})
from jinja2_reference import make_env
job = json.load(sys.stdin)
env = make_env()
out = []
for t in job["templates"]:
    start = time.perf_counter()
    tpl = env.from_string(t["source"])
    parse_ms = (time.perf_counter() - start) * 1000
    contexts = [dict(t["tokens"], **c) for c in job["contexts"]]
    start = time.perf_counter()
    for i in range(job["n"]):
        try:
            tpl.render(**contexts[i % len(contexts)])
        except Exception:
            pass
    out.append({"id": t["id"], "ms": (time.perf_counter() - start) * 1000, "parse_ms": parse_ms})
print(json.dumps(out))
`
const contexts = conversations.map((c) => ({
  messages: c.messages,
  add_generation_prompt: c.add_generation_prompt,
  tools: c.tools ?? null,
  documents: c.documents ?? null,
}))
const py = spawnSync('python3', ['-c', pyScript], {
  input: JSON.stringify({
    n: N,
    contexts,
    templates: picked.map((t) => ({ id: t.id, source: t.source, tokens: t.specialTokens })),
  }),
  encoding: 'utf8',
  maxBuffer: 1 << 26,
})
const pyTimes = new Map<string, { ms: number; parse_ms: number }>()
if (py.status === 0)
  for (const r of JSON.parse(py.stdout) as Array<{ id: string; ms: number; parse_ms: number }>)
    pyTimes.set(r.id, r)
else console.log(`python3 + jinja2 unavailable: ${py.stderr.split('\n').slice(-2).join(' ')}`)

console.log(`${N.toLocaleString('en-US')} renders per template, node ${process.version}`)
console.log(
  ['template', 'size', 'ours parsed once', 'ours re-parsed', 'python jinja2', 'parse ours / py'].join(' | '),
)
let oursTotal = 0
let pyTotal = 0
for (const t of picked) {
  const compiled = compileTemplate(t.source)
  if (!compiled.ok) {
    console.log(`${t.id} | does not compile: ${compiled.message}`)
    continue
  }
  let start = performance.now()
  for (let i = 0; i < N; i++) renderTemplate(compiled.template, inputOf(t, i))
  const once = performance.now() - start
  oursTotal += once

  const reparseN = Math.max(100, Math.round(N / 10))
  start = performance.now()
  for (let i = 0; i < reparseN; i++) {
    const c = compileTemplate(t.source)
    if (c.ok) renderTemplate(c.template, inputOf(t, i))
  }
  const reparse = performance.now() - start

  const parseStart = performance.now()
  compileTemplate(t.source)
  const parseMs = performance.now() - parseStart
  const p = pyTimes.get(t.id)
  if (p) pyTotal += p.ms
  console.log(
    [
      t.id,
      `${(t.source.length / 1024).toFixed(1)} KB`,
      perSecond(N, once),
      perSecond(reparseN, reparse),
      p ? perSecond(N, p.ms) : '-',
      `${parseMs.toFixed(2)} ms / ${p ? p.parse_ms.toFixed(2) : '-'} ms`,
    ].join(' | '),
  )
}
const count = picked.length * N
console.log(
  `all ${picked.length} templates: ours parsed once ${perSecond(count, oursTotal)}` +
    (pyTotal > 0 ? `, python jinja2 ${perSecond(count, pyTotal)}` : ''),
)
