// Compile times of hostile chat templates: 1 MiB of whitespace (and other shapes) through our linear
// tokenizer (src/templates/lexer.ts), against @huggingface/jinja's own tokenize on smaller inputs (its
// preprocessing is quadratic in a whitespace run: the 1 MiB figure is extrapolated, not run).
// Run by hand: `npx tsx bench/hostile-templates.ts`. Prints figures; asserts nothing.
import { parse, tokenize } from '@huggingface/jinja'
import { compileTemplate } from '../src/templates/render.js'

const MiB = 1024 * 1024
const time = (f: () => unknown): number => {
  const start = process.hrtime.bigint()
  f()
  return Number(process.hrtime.bigint() - start) / 1e6
}

const shapes: Record<string, string> = {
  spaces: ' '.repeat(MiB),
  newlines: '\n'.repeat(MiB),
  'spaces inside an expression': `{{ ${' '.repeat(MiB - 8)} x }}`,
  'every kind of whitespace': ' \t\n\u00a0\u2000\u2001\u2002\u2003'.repeat(MiB / 8),
  'unclosed {{': '{{'.repeat(MiB / 2),
  '{{ x }} tags': '{{ x }}'.repeat(Math.floor(MiB / 7)),
  '{% if %} blocks': '{% if x %}a{% endif %}'.repeat(Math.floor(MiB / 22)),
}
console.log('ours, 1 MiB each:')
for (const [name, source] of Object.entries(shapes))
  console.log(
    `  ${name.padEnd(30)} ${time(() => compileTemplate(source))
      .toFixed(0)
      .padStart(6)} ms`,
  )

console.log("@huggingface/jinja's tokenize + parse, spaces:")
let last = { n: 0, ms: 0 }
for (const n of [25_000, 50_000, 100_000]) {
  const ms = time(() => parse(tokenize(' '.repeat(n), { lstrip_blocks: true, trim_blocks: true })))
  console.log(`  ${n.toLocaleString('en-US').padEnd(30)} ${ms.toFixed(0).padStart(6)} ms`)
  last = { n, ms }
}
const extrapolated = (last.ms * (MiB / last.n) ** 2) / 1000
console.log(`  1 MiB, extrapolated (quadratic) ${extrapolated.toFixed(0).padStart(6)} s`)
