// Compile times of hostile chat templates, 1 MiB and 5 MB of each shape, through our lexer and parser
// (src/templates/jinja-lexer.ts, jinja-parser.ts): the shapes that made regular-expression lexers
// quadratic (whitespace runs, unclosed openers, lstrip_blocks looking back, a raw block never closed),
// beside the characters the lexer looked at per character of template (the count the tests bound).
// Run by hand: `npx tsx bench/hostile-templates.ts`. Prints figures; asserts nothing.
import { templateText } from '../src/templates/jinja-lexer.js'
import { parseTemplate, type ParseStats } from '../src/templates/jinja-parser.js'
import { compileTemplate } from '../src/templates/render.js'

const MiB = 1024 * 1024
const time = (f: () => unknown): number => {
  const start = process.hrtime.bigint()
  f()
  return Number(process.hrtime.bigint() - start) / 1e6
}
const fill = (unit: string, n: number): string => unit.repeat(Math.ceil(n / unit.length))

const shapes: Record<string, (n: number) => string> = {
  spaces: (n) => ' '.repeat(n),
  newlines: (n) => '\n'.repeat(n),
  'spaces inside an expression': (n) => `{{ ${' '.repeat(n - 8)} x }}`,
  'every kind of whitespace': (n) => fill(' \t\n\u00a0\u2000\u2001\u2002\u2003\x1c\x85', n),
  'unclosed {{': (n) => fill('{{', n),
  '{{ x }} tags': (n) => fill('{{ x }}', n),
  '{% if %} blocks': (n) => fill('{% if x %}a{% endif %}', n),
  'indented tags (lstrip_blocks)': (n) => fill('    {%- if x %}\n  {{ y -}}\n{% endif %}\n', n),
  'tags on one line': (n) => fill('  {% if x %}{{ y }}{% endif %}  ', n),
  'a raw block never closed': (n) => `{% raw %}${fill('{% x %}', n)}`,
  'a comment never closed': (n) => `{# ${'x'.repeat(n)}`,
}
for (const [label, size] of [
  ['1 MiB', MiB],
  ['5 MB', 5_000_000],
] as const) {
  console.log(`ours, ${label} each: compile time, characters looked at per character`)
  for (const [name, make] of Object.entries(shapes)) {
    const source = make(size)
    const stats: ParseStats = { scanned: 0, tokens: 0 }
    try {
      parseTemplate(templateText(source), stats)
    } catch {
      // a syntax error is a result here too
    }
    const ms = time(() => compileTemplate(source))
    console.log(
      `  ${name.padEnd(32)} ${ms.toFixed(0).padStart(6)} ms  ${(stats.scanned / source.length).toFixed(2)} per char`,
    )
  }
}
