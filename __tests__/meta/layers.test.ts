// The layer map holds: no import points up (the `local/layers` lint rule, proved here to fire on a
// planted violation) and no two modules of src/ import each other, directly or around a loop.
import { describe, expect, it } from '@jest/globals'
import { ESLint } from 'eslint'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import tseslint from 'typescript-eslint'
import { REPO_ROOT } from '../../scripts/generate-docs.js'

const SRC = path.join(REPO_ROOT, 'src')

/**
 * A linter for the layer rule alone: the type-aware rules are off (they need a file in the TypeScript
 * program, which a planted file is not, and cost seconds; local/layers reads imports only). `npm run
 * lint` runs everything.
 */
const layerLinter = () => new ESLint({ cwd: REPO_ROOT, overrideConfig: tseslint.configs.disableTypeChecked })

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? tsFiles(path.join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [path.join(dir, e.name)]
        : [],
  )
}

/** Relative imports of a module (static, re-exports and dynamic), as absolute .ts paths inside src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'/g),
    ...text.matchAll(/import\(\s*(?:\/\*[^*]*\*\/\s*)?'(\.[^']+)'\s*\)/g),
  ].map((m) => m[1])
  return specs
    .map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')))
    .filter((p) => p.startsWith(SRC + path.sep) && p.endsWith('.ts'))
}

/** Strongly connected components of more than one module (or a module importing itself): the loops. */
export function importLoops(graph: Map<string, string[]>): string[][] {
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const loops: string[][] = []
  const visit = (v: string) => {
    indices.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!))
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) loops.push(component.sort())
    }
  }
  for (const v of graph.keys()) if (!indices.has(v)) visit(v)
  return loops
}

describe('the layer map', () => {
  it('has no import loop in src/', () => {
    const graph = new Map(tsFiles(SRC).map((f) => [f, importsOf(f)]))
    const loops = importLoops(graph).map((c) => c.map((f) => path.relative(SRC, f)).join(' <-> '))
    expect(loops).toEqual([])
  })

  it('finds a planted loop', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ])
    expect(importLoops(graph)).toEqual([['a', 'b', 'c']])
  })

  it('the lint rule passes src/ as it is', async () => {
    const eslint = layerLinter()
    const results = await eslint.lintFiles(['src/**/*.ts'])
    const layerProblems = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === 'local/layers')
        .map((m) => `${path.relative(REPO_ROOT, r.filePath)}:${m.line} ${m.message}`),
    )
    expect(layerProblems).toEqual([])
  })

  it.each([
    ['src/artifacts/planted.ts', "import { checkTargets } from '../check.js'", 'orchestration'],
    ['src/sources/planted.ts', "import type { Finding } from '../report/json.js'", 'report'],
    ['src/common/planted.ts', "export { plural } from '../rules/registry.js'", 'rules'],
    ['src/readers/planted.ts', "const m = await import('../artifacts/lfs.js')", 'artifacts'],
    ['src/rules/planted.ts', "import { runModelRules } from '../engine/run-model.js'", 'engine'],
  ])('the lint rule fires on a planted violation in %s', async (file, code, target) => {
    const eslint = layerLinter()
    const [result] = await eslint.lintText(`${code}\nexport {}\n`, { filePath: path.join(REPO_ROOT, file) })
    const messages = result.messages.filter((m) => m.ruleId === 'local/layers')
    expect(messages).toHaveLength(1)
    expect(messages[0].message).toContain(target)
  })

  it('the lint rule allows imports down and within a layer', async () => {
    const eslint = layerLinter()
    const [result] = await eslint.lintText(
      "import { plural } from '../common/wording.js'\nimport { isLfsPointer } from './lfs.js'\nexport { plural, isLfsPointer }\n",
      { filePath: path.join(REPO_ROOT, 'src/sources/planted.ts') },
    )
    expect(result.messages.filter((m) => m.ruleId === 'local/layers')).toEqual([])
  })
})
