import { memorySource } from './src/sources/memory.js'
import { readRows } from './src/datasets/readers.js'
const n = 1_000_000
let t0 = performance.now()
const parts: string[] = []
for (let i = 0; i < n; i++) parts.push(`{"messages":[{"role":"user","content":"hi ${i}"}]}`)
const text = Buffer.from('[\n' + parts.join(',\n') + '\n]\n')
const jl = Buffer.from(parts.join('\n') + '\n')
console.log('build', performance.now() - t0)
const src = memorySource({ 'm.json': text, 'm.jsonl': jl })
for (const [p, fmt, buf] of [
  ['m.json', 'json', text],
  ['m.jsonl', 'jsonl', jl],
] as const) {
  t0 = performance.now()
  let c = 0
  for await (const e of readRows(src, { path: p, size: buf.length, format: fmt, split: 'train' })) c++
  console.log(p, c, performance.now() - t0)
}
