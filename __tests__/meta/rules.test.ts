// The net that keeps "one rule = one file, one test, one doc, same name" true, for model and dataset
// rules alike; that checks each dataset rule's declared inputs against its source; and that tests the
// scaffold writing a rule in that shape (npm run new-rule). Each check collects every problem with what
// to do about it, so one run lists the whole to-do list.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { ESLint } from 'eslint'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ts from 'typescript'
import {
  BEGIN,
  checkDocs,
  END,
  INDEX_FILE,
  renderIndexBlock,
  REPO_ROOT,
  ruleDocFile,
  SECTIONS,
  writeDocs,
} from '../../scripts/generate-docs.js'
import {
  idPattern,
  insertIntoRegistry,
  main,
  RULE_KINDS,
  scaffold,
  type NewRule,
  type RuleKind,
} from '../../scripts/new-rule.js'
import { DATASET_INPUTS, type DatasetInput, type DatasetRule } from '../../src/rules/dataset-rule.js'
import { allRules, datasetRules, manifestRules, modelRules, type AnyRule } from '../../src/rules/registry.js'
import type { ManifestRule } from '../../src/rules/manifest-rule.js'
import { runDatasetCase, type DatasetCase, type InvalidDatasetCase } from '../helpers/dataset-tester.js'
import { runManifestCase, type ManifestCase } from '../helpers/manifest-tester.js'
import { runRule, type Case, type Expected } from '../helpers/rule-tester.js'

// One sentence with no final period. A period is allowed only inside a word, as in config.json: the
// literal [^.]+ would reject every description that names a file.
const DESCRIPTION = /^(Require|Disallow|Enforce|Report) (?:[^.\n]|\.(?=\S))+$/

/** Each kind of rule: where it lives (shared with the scaffold) and its registered rules. */
const KINDS = [
  { kind: 'model' as RuleKind, ...RULE_KINDS.model, rules: modelRules as readonly AnyRule[] },
  { kind: 'dataset' as RuleKind, ...RULE_KINDS.dataset, rules: datasetRules as readonly AnyRule[] },
  { kind: 'manifest' as RuleKind, ...RULE_KINDS.manifest, rules: manifestRules as readonly AnyRule[] },
]

const exists = (file: string) => existsSync(path.join(REPO_ROOT, file))
const source = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8')

/** Every value that occurs more than once. */
function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))]
}

describe('the rule registry', () => {
  it('has no duplicate rule id or name', () => {
    const problems = [
      ...duplicates(allRules.map((r) => r.meta.id)).map(
        (id) =>
          `${id} is used by more than one rule: give the newer rule the next free id (ids are never reused)`,
      ),
      ...duplicates(allRules.map((r) => r.meta.name)).map(
        (name) => `${name} names more than one rule: rename one of them`,
      ),
    ]
    expect(problems).toEqual([])
  })

  it.each(KINDS)('gives every $kind rule an id of $prefix and three digits', ({ kind, rules, prefix }) => {
    const problems = rules
      .filter((r) => !idPattern(kind).test(r.meta.id))
      .map(
        (r) =>
          `${r.meta.name}: id "${r.meta.id}" must be ${prefix} and three digits (the hundreds digit is the area)`,
      )
    expect(problems).toEqual([])
  })

  it.each(KINDS)('lists the $kind rules in $registry sorted by id', ({ rules, registry }) => {
    const ids = rules.map((r) => r.meta.id)
    const problems = ids.flatMap((id, i) =>
      i > 0 && ids[i - 1] > id
        ? [`${registry}: move ${id} before ${ids[i - 1]}; the list is sorted by id`]
        : [],
    )
    expect(problems).toEqual([])
  })

  it.each(KINDS)(
    'writes one "rule, // ID" line per $kind rule in $registry (new-rule inserts by them)',
    ({ rules, registry }) => {
      const commented = [...source(registry).matchAll(/^ {2}\w+, \/\/ ([A-Z]{2}\d{3})$/gm)].map((m) => m[1])
      const ids = rules.map((r) => r.meta.id)
      const problems =
        commented.join() === ids.join()
          ? []
          : [
              `${registry}: the entries' comments say [${commented.join(', ')}] but the rules are [${ids.join(', ')}]; ` +
                'write each entry on its own line as "  name, // ID"',
            ]
      expect(problems).toEqual([])
    },
  )

  it('describes every rule as "Require|Disallow|Enforce|Report …", one line, no final period', () => {
    const problems = allRules
      .filter((r) => !DESCRIPTION.test(r.meta.description))
      .map(
        (r) =>
          `${r.meta.id} ${r.meta.name}: description "${r.meta.description}" must match ${DESCRIPTION} ` +
          '(start with Require, Disallow, Enforce or Report; one line; no period ending a sentence)',
      )
    expect(problems).toEqual([])
  })
})

describe('one rule, one file, one test, one doc', () => {
  it.each(KINDS)(
    'keeps each $kind rule in $dir/<name>.ts, and registers every file there',
    async ({ rules, dir, registry, define }) => {
      const problems: string[] = []
      for (const rule of rules) {
        const file = `${dir}/${rule.meta.name}.ts`
        if (!exists(file))
          problems.push(`${rule.meta.id}: ${file} does not exist; name the rule's file after meta.name`)
      }
      const files = readdirSync(path.join(REPO_ROOT, dir)).filter(
        (f) => f.endsWith('.ts') && f !== 'index.ts',
      )
      for (const file of files.sort()) {
        const base = file.slice(0, -'.ts'.length)
        const rule = ((await import(`../../${dir}/${base}.js`)) as { default?: AnyRule }).default
        if (!rule?.meta) {
          problems.push(`${dir}/${file}: no default export made with ${define}; one rule per file`)
          continue
        }
        if (rule.meta.name !== base)
          problems.push(
            `${dir}/${file}: holds rule "${rule.meta.name}"; rename the file to ${rule.meta.name}.ts or fix meta.name`,
          )
        if (!rules.includes(rule))
          problems.push(
            `${dir}/${file}: ${rule.meta.id} is not registered; add it to ${registry} in id order`,
          )
      }
      expect(problems).toEqual([])
    },
  )

  it.each(KINDS)('has a test file for every $kind rule', ({ rules, tests, tester }) => {
    const problems = rules
      .map((r) => `${tests}/${r.meta.name}.test.ts`)
      .filter((file) => !exists(file))
      .map((file) => `${file} is missing: add valid and invalid cases with ${tester} (__tests__/helpers)`)
    expect(problems).toEqual([])
  })

  it('has a doc page for every rule, with the hand-written sections in the fixed order', () => {
    const problems: string[] = []
    for (const rule of allRules) {
      const file = ruleDocFile(rule)
      if (!exists(file)) {
        problems.push(`${file} is missing: run \`npm run docs\` to create it, then write its sections`)
        continue
      }
      const text = source(file)
      const end = text.indexOf(END)
      if (!text.startsWith(BEGIN) || end === -1) {
        problems.push(
          `${file}: must start with the generated block (${BEGIN} … ${END}); run \`npm run docs\``,
        )
        continue
      }
      const headings = handWrittenHeadings(text.slice(end + END.length))
      if (headings.join('\n') !== SECTIONS.join('\n'))
        problems.push(
          `${file}: its ## sections are [${headings.join(', ')}]; they must be exactly [${SECTIONS.join(', ')}]`,
        )
    }
    expect(problems).toEqual([])
  })

  it('has generated docs that are up to date', () => {
    const problems = checkDocs().map(
      (p) => `${p.file}: ${p.problem}; run \`npm run docs\` and commit the result`,
    )
    expect(problems).toEqual([])
  })
})

/** `## ` headings outside code fences. */
function handWrittenHeadings(markdown: string): string[] {
  let fenced = false
  const headings: string[] = []
  for (const line of markdown.split(/\r?\n/)) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced
    else if (!fenced && line.startsWith('## ')) headings.push(line.slice(3).trim())
  }
  return headings
}

/** What in a dataset rule's source shows that it uses an input (see DATASET_INPUTS). */
const EVIDENCE: { input: DatasetInput; pattern: RegExp; what: string }[] = [
  { input: 'files', pattern: /^\s+files\(\s*\w/m, what: 'the files hook with its arguments' },
  { input: 'files', pattern: /^\s+fileError\(/m, what: 'the fileError hook' },
  { input: 'rows', pattern: /^\s+(?:row|badRow)\(/m, what: 'the row or badRow hook' },
  { input: 'template', pattern: /\.rendered\(/, what: 'row.rendered()' },
  {
    input: 'template',
    pattern: /\bbase\s*[?!]?\.\s*(?:template|toolTemplate|noTemplate)\b/,
    what: 'base.template, base.toolTemplate or base.noTemplate',
  },
  {
    input: 'tokenizer',
    pattern: /\bbase\s*[?!]?\.\s*(?:countTokens|noTokenizer)\b/,
    what: 'base.countTokens or base.noTokenizer',
  },
  { input: 'context', pattern: /\bbase\s*[?!]?\.\s*context\b/, what: 'base.context' },
]

/**
 * How a dataset rule's declared inputs disagree with its source: an input used and not declared, or
 * declared and not used. A regex over the source without comments, so base is read as `base.x`.
 */
function inputProblems(ruleSource: string, declared: readonly DatasetInput[]): string[] {
  const code = ruleSource.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1')
  const problems: string[] = []
  if (/\}\s*=\s*base\b|\bbase\s*:\s*\{/.test(code))
    problems.push('takes fields out of base by destructuring; read them as base.x, so their use shows')
  if (declared.length === 0) problems.push('declares no inputs; every rule uses something')
  const order = DATASET_INPUTS.filter((i) => declared.includes(i))
  if (duplicates([...declared]).length || order.join() !== declared.join())
    problems.push(
      `declares [${declared.join(', ')}]; list each input once, in this order: [${order.join(', ')}]`,
    )
  for (const input of DATASET_INPUTS) {
    const evidence = EVIDENCE.filter((e) => e.input === input)
    const used = evidence.filter((e) => e.pattern.test(code))
    if (used.length && !declared.includes(input))
      problems.push(
        `uses ${used.map((e) => e.what).join(' and ')} but does not declare '${input}' in meta.inputs`,
      )
    if (!used.length && declared.includes(input))
      problems.push(
        `declares '${input}' but uses none of: ${evidence.map((e) => e.what).join('; ')}; drop it from meta.inputs`,
      )
  }
  return problems
}

describe('dataset rule inputs', () => {
  it('declares in meta.inputs exactly what each dataset rule uses', () => {
    const problems = datasetRules.flatMap((rule) => {
      const file = `${RULE_KINDS.dataset.dir}/${rule.meta.name}.ts`
      return inputProblems(source(file), rule.meta.inputs).map((p) => `${rule.meta.id} ${file}: ${p}`)
    })
    expect(problems).toEqual([])
  })

  it('finds planted mistakes', () => {
    const rendersRows = 'create() {\n  return {\n    row(r) {\n      const x = r.rendered()\n    },\n  }\n}'
    expect(inputProblems(rendersRows, ['rows'])).toEqual([
      "uses row.rendered() but does not declare 'template' in meta.inputs",
    ])
    expect(inputProblems(rendersRows, ['rows', 'template', 'context'])).toEqual([
      "declares 'context' but uses none of: base.context; drop it from meta.inputs",
    ])
    expect(inputProblems(rendersRows, ['template', 'rows'])).toEqual([
      'declares [template, rows]; list each input once, in this order: [rows, template]',
    ])
    const counts = 'create({ base }) {\n  const { countTokens } = base\n  return { files() {} }\n}'
    expect(inputProblems(counts, ['tokenizer'])).toEqual([
      'takes fields out of base by destructuring; read them as base.x, so their use shows',
      "declares 'tokenizer' but uses none of: base.countTokens or base.noTokenizer; drop it from meta.inputs",
    ])
    // A comment naming base.context is not a use; a files() hook without arguments reads no files.
    expect(inputProblems('// base.context\ncreate() {\n  return {\n    files() {},\n  }\n}', [])).toEqual([
      'declares no inputs; every rule uses something',
    ])
    expect(inputProblems('  files(files) {}\n  fileError(f) {}', ['files'])).toEqual([])
  })
})

describe('generate-docs --check', () => {
  it('finds a page whose rule changed, and keeps the hand-written text when it rewrites the block', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'preflight-docs-'))
    try {
      const [first, ...rest] = allRules
      expect(writeDocs(root)).toHaveLength(allRules.length + 1)
      expect(checkDocs(root)).toEqual([])

      const page = path.join(root, ruleDocFile(first))
      writeFileSync(
        page,
        readFileSync(page, 'utf8').replace('## What it checks\n', '## What it checks\n\nMine.\n'),
      )
      expect(checkDocs(root)).toEqual([])

      const changed = { ...first, meta: { ...first.meta, description: 'Require something else' } } as AnyRule
      expect(checkDocs(root, [changed, ...rest])).toEqual([
        { file: ruleDocFile(first), problem: 'out of date' },
        { file: 'docs/rules.md', problem: 'out of date' },
      ])
      writeDocs(root, [changed, ...rest])
      const text = readFileSync(page, 'utf8')
      expect(text).toContain('Require something else.')
      expect(text).toContain('Mine.')

      writeFileSync(path.join(root, 'docs/rules/retired-rule.md'), '# gone\n')
      expect(checkDocs(root, [changed, ...rest])).toEqual([
        { file: 'docs/rules/retired-rule.md', problem: 'no rule has this name' },
      ])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('words the inputs of each dataset rule in its header', () => {
    const header = (name: string) => source(`docs/rules/${name}.md`).split(END)[0]
    expect(header('token-length')).toContain(
      "| the rows and the base model's chat template, `tokenizer.json` and context length (`config.json`, `tokenizer_config.json`) |",
    )
    expect(header('dataset-files')).toContain('| the file listing and every data file |')
    expect(header('base-model')).toContain("| the base model's chat template and `tokenizer.json` |")
  })
})

/** The first id of the area (hundreds digit) that no registered rule uses. */
function freeId(prefix: 'MR' | 'DS' | 'EP', area: number, taken: readonly string[] = []): string {
  const used = new Set([...allRules.map((r) => r.meta.id), ...taken])
  for (let n = area * 100 + 1; n < area * 100 + 100; n++)
    if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`
  throw new Error(`no free ${prefix}${area}xx id: pick another area for this test`)
}

// Names no real rule takes, and ids free today: the tests hold however the registries grow. The model
// and dataset rules land between two registered ones (area 2 has rules above it); LAST after them all.
const MODEL: NewRule = { kind: 'model', name: 'scaffolded-model-rule', id: freeId('MR', 2) }
const DATASET: NewRule = { kind: 'dataset', name: 'scaffolded-dataset-rule', id: freeId('DS', 2) }
const MANIFEST: NewRule = { kind: 'manifest', name: 'scaffolded-manifest-rule', id: freeId('EP', 1) }
const LAST: NewRule = { kind: 'dataset', name: 'scaffolded-last-rule', id: freeId('DS', 9) }
const PRINTED: NewRule = { kind: 'model', name: 'scaffolded-printed-rule', id: freeId('MR', 9) }
/** Free ids no test scaffolds, for refusals that come after the id checks. */
const SPARE_MR = freeId('MR', 9, [PRINTED.id])
const SPARE_DS = freeId('DS', 9, [LAST.id])

describe('npm run new-rule', () => {
  // A copy of what the scaffold reads and writes: the rules, their test folders, the docs. The rule
  // API files come along, so a scaffolded rule can be imported from the copy and run. The tests run in
  // order on the one copy: later ones refuse what earlier ones scaffolded.
  let root: string
  const at = (file: string) => path.join(root, file)
  const text = (file: string) => readFileSync(at(file), 'utf8')
  /** Every file under the copy, with its text: nothing may change when the scaffold refuses. */
  const snapshot = () =>
    Object.fromEntries(
      (readdirSync(root, { recursive: true }) as string[])
        .filter((f) => !f.startsWith('node_modules'))
        .sort()
        .map((f) => [f, safeRead(at(f))]),
    )
  const safeRead = (file: string) => {
    try {
      return readFileSync(file, 'utf8')
    } catch {
      return '(folder)'
    }
  }

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'preflight-new-rule-'))
    cpSync(path.join(REPO_ROOT, 'src/rules'), at('src/rules'), { recursive: true })
    cpSync(path.join(REPO_ROOT, 'docs'), at('docs'), { recursive: true })
    for (const { tests } of Object.values(RULE_KINDS)) mkdirSync(at(tests), { recursive: true })
    // ESM, as in the repository; the testers are stand-ins that hand the cases to this test.
    writeFileSync(at('package.json'), '{ "type": "module" }\n')
    const real = (file: string) => path.relative(at('__tests__/helpers'), path.join(REPO_ROOT, file))
    mkdirSync(at('__tests__/helpers'), { recursive: true })
    writeFileSync(
      at('__tests__/helpers/rule-tester.ts'),
      `export { configJson } from '${real('__tests__/helpers/rule-tester.js')}'\n` +
        'export const ruleTester = (rule: unknown, cases: unknown) => {\n' +
        '  ;(globalThis as any).scaffolded = { rule, cases }\n}\n',
    )
    writeFileSync(
      at('__tests__/helpers/dataset-tester.ts'),
      `export { chat } from '${real('__tests__/helpers/dataset-tester.js')}'\n` +
        'export const datasetRuleTester = (rule: unknown, cases: unknown) => {\n' +
        '  ;(globalThis as any).scaffolded = { rule, cases }\n}\n',
    )
    writeFileSync(
      at('__tests__/helpers/manifest-tester.ts'),
      'export const manifestRuleTester = (rule: unknown, cases: unknown) => {\n' +
        '  ;(globalThis as any).scaffolded = { rule, cases }\n}\n',
    )
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  /** The scaffolded test's rule and cases, as its tester call received them. */
  async function scaffoldedTest(kind: RuleKind, name: string) {
    await import(at(`${RULE_KINDS[kind].tests}/${name}.test.ts`))
    return (globalThis as any).scaffolded as {
      rule: AnyRule
      cases: {
        valid: (Case | DatasetCase | ManifestCase)[]
        invalid: ((Case | DatasetCase | ManifestCase) & { errors: unknown[] })[]
      }
    }
  }

  const created = (rule: NewRule) => [
    `${RULE_KINDS[rule.kind].dir}/${rule.name}.ts`,
    `${RULE_KINDS[rule.kind].tests}/${rule.name}.test.ts`,
    `docs/rules/${rule.name}.md`,
    RULE_KINDS[rule.kind].registry,
    INDEX_FILE,
  ]

  it.each([{ rule: MODEL }, { rule: DATASET }, { rule: MANIFEST }])(
    'writes a $rule.kind rule, its failing test, its doc page and its registry lines in id order',
    async ({ rule }) => {
      const { kind, name, id } = rule
      const rules: readonly AnyRule[] =
        kind === 'model' ? modelRules : kind === 'dataset' ? datasetRules : manifestRules
      const before = rules.filter((r) => r.meta.id < id).at(-1)!
      const after = rules.find((r) => r.meta.id > id)!
      const registryBefore = text(RULE_KINDS[kind].registry)
      const result = scaffold(root, rule, allRules)
      expect(result).toEqual({
        files: created(rule),
        registryLines: [`import ${camelOf(name)} from './${name}.js'`, `  ${camelOf(name)}, // ${id}`],
      })

      // The registry: two lines more, the entry between its neighbours by id, the import before the next one's.
      const registry = text(RULE_KINDS[kind].registry).split('\n')
      expect(registry.length).toBe(registryBefore.split('\n').length + 2)
      const entry = registry.indexOf(`  ${camelOf(name)}, // ${id}`)
      expect(registry[entry - 1]).toMatch(new RegExp(`^  \\w+, // ${before.meta.id}$`))
      expect(registry[entry + 1]).toMatch(new RegExp(`^  \\w+, // ${after.meta.id}$`))
      const nextVariable = registry[entry + 1].trim().split(',')[0]
      const nextImport = registry.findIndex((l) => l.startsWith(`import ${nextVariable} from`))
      expect(registry[nextImport - 1]).toBe(`import ${camelOf(name)} from './${name}.js'`)

      // The rule: a valid rule by the meta test's own checks, that reports nothing yet.
      const ruleFile = `${RULE_KINDS[kind].dir}/${name}.ts`
      expect(text(ruleFile)).toMatch(/\/\/ TODO/)
      const generated = ((await import(at(ruleFile))) as { default: AnyRule }).default
      expect(generated.meta).toMatchObject({ id, name, severity: 'error' })
      expect(generated.meta.description).toMatch(DESCRIPTION)
      expect(idPattern(kind).test(generated.meta.id)).toBe(true)
      expect(Object.keys(generated.meta.messages)).toEqual(['problem'])
      if (kind === 'dataset')
        expect(inputProblems(text(ruleFile), (generated as DatasetRule).meta.inputs)).toEqual([])

      // The test: one valid and one invalid case, and the invalid one fails until the rule is written.
      const { rule: tested, cases } = await scaffoldedTest(kind, name)
      expect(tested).toBe(generated)
      expect([cases.valid.length, cases.invalid.length]).toEqual([1, 1])
      const findings = async (c: Case | DatasetCase | ManifestCase) =>
        kind === 'model'
          ? await runRule(tested as never, c as Case)
          : kind === 'manifest'
            ? await runManifestCase(tested as ManifestRule, c as ManifestCase)
            : (await runDatasetCase(tested as DatasetRule, c)).findings
      expect(await findings(cases.valid[0])).toEqual([])
      const expected = (cases.invalid[0].errors as (Expected | InvalidDatasetCase['errors'][number])[]).map(
        (e) => e.messageId,
      )
      expect(expected).toEqual(['problem'])
      expect((await findings(cases.invalid[0])).map((f) => f.messageId)).not.toEqual(expected)

      // The doc page: the generated header, then every hand-written section with a placeholder.
      const page = text(`docs/rules/${name}.md`)
      expect(page.startsWith(`${BEGIN}`)).toBe(true)
      expect(page).toContain(`# ${id} ${name}`)
      const sections = page.slice(page.indexOf(END) + END.length)
      expect(handWrittenHeadings(sections)).toEqual([...SECTIONS])
      expect(
        sections
          .split(/^## .*$/m)
          .slice(1)
          .every((body) => body.trim() !== ''),
      ).toBe(true)
      expect(sections).toContain(`rules: { ${id}: off } # or { ${name}: off }`)

      // The docs are what `npm run docs` would write for the rule as scaffolded.
      const withIt = [...modelRules, ...datasetRules, ...manifestRules, generated].sort(byKindThenId)
      expect(checkDocs(root, withIt).filter((p) => p.file === `docs/rules/${name}.md`)).toEqual([])
      expect(text(INDEX_FILE)).toContain(renderIndexBlock(withIt))
    },
  )

  it('appends after the last rule when the id is the highest', () => {
    const result = scaffold(root, LAST, allRules)
    expect('files' in result).toBe(true)
    const registry = text(RULE_KINDS.dataset.registry)
    expect(registry).toContain(`\n  scaffoldedLastRule, // ${LAST.id}\n]`)
    const imports = registry.split('\n').filter((l) => l.startsWith('import '))
    expect(imports.at(-1)).toBe("import scaffoldedLastRule from './scaffolded-last-rule.js'")
  })

  it('writes sources that pass the type check, the lint and the formatter in the repository', async () => {
    // The scaffolded files, checked as if they stood at their places in the repository (nothing is
    // written there): the compiler and the linter read them over the real tree, prettier on stdin.
    const files: Record<string, string> = {}
    for (const { kind, name } of [MODEL, DATASET, MANIFEST]) {
      for (const file of [`${RULE_KINDS[kind].dir}/${name}.ts`, `${RULE_KINDS[kind].tests}/${name}.test.ts`])
        files[path.join(REPO_ROOT, file)] = text(file)
    }
    expect(typeErrors(files)).toEqual([])
    expect(await lintProblems(files)).toEqual([])
    for (const [file, content] of Object.entries(files)) {
      const relative = path.relative(REPO_ROOT, file)
      const pretty = spawnSync(
        path.join(REPO_ROOT, 'node_modules/.bin/prettier'),
        ['--stdin-filepath', relative],
        { cwd: REPO_ROOT, input: content, encoding: 'utf8' },
      )
      expect(pretty.stdout).toBe(content)
    }
  }, 60_000)

  const [firstModel, firstDataset] = [modelRules[0].meta, datasetRules[0].meta]
  it.each([
    [
      ['model', 'new-thing', firstModel.id],
      `${firstModel.id} is already used by src/rules/model/${firstModel.name}.ts; ids are never reused`,
    ],
    [
      ['dataset', 'new-thing', DATASET.id],
      `${DATASET.id} is already used by src/rules/dataset/${DATASET.name}.ts`,
    ],
    [['model', 'new-thing', 'DS210'], '"DS210" is not a model rule id: MR and three digits'],
    [['dataset', 'new-thing', 'MR210'], '"MR210" is not a dataset rule id: DS and three digits'],
    [['model', 'new-thing', 'MR21'], '"MR21" is not a model rule id'],
    [['model', 'new-thing', 'mr210'], '"mr210" is not a model rule id'],
    [['model', 'Missing_Foo', SPARE_MR], '"Missing_Foo" is not kebab-case'],
    [['model', 'missing--foo', SPARE_MR], '"missing--foo" is not kebab-case'],
    [['model', 'foo-', SPARE_MR], '"foo-" is not kebab-case'],
    [
      ['model', firstDataset.name, SPARE_MR],
      `a rule named ${firstDataset.name} already exists (src/rules/dataset/${firstDataset.name}.ts)`,
    ],
    [
      ['dataset', MODEL.name, SPARE_DS],
      `a rule named ${MODEL.name} already exists (src/rules/model/${MODEL.name}.ts)`,
    ],
    [
      ['model', 'gpu', SPARE_MR, 'extra'],
      'usage: npm run new-rule -- <model|dataset|manifest> <kebab-name> <ID>',
    ],
    [['widget', 'new-thing', SPARE_MR], '"widget" is not a kind of rule: model, dataset or manifest'],
    [['manifest', 'new-thing', 'MR210'], '"MR210" is not a manifest rule id: EP and three digits'],
  ])('refuses %j with exit 2 and one line, writing nothing', (argv, why) => {
    const before = snapshot()
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      expect(main(argv, root, allRules)).toBe(2)
      expect(stderr).toHaveBeenCalledTimes(1)
      const line = String(stderr.mock.calls[0][0])
      expect(line).toMatch(/^new-rule: [^\n]+\n$/)
      expect(line.slice('new-rule: '.length, 'new-rule: '.length + why.length)).toBe(why)
      expect(stdout).not.toHaveBeenCalled()
    } finally {
      stderr.mockRestore()
      stdout.mockRestore()
    }
    expect(snapshot()).toEqual(before)
  })

  it('refuses a name only a doc page holds, and says where the next free id of the area is', () => {
    writeFileSync(at('docs/rules/retired-page.md'), '# old\n')
    expect(scaffold(root, { kind: 'model', name: 'retired-page', id: SPARE_MR }, allRules)).toEqual({
      refused: 'a rule named retired-page already exists (docs/rules/retired-page.md); choose another name',
    })
    const used = scaffold(root, { kind: 'dataset', name: 'other', id: firstDataset.id }, allRules)
    const free = freeId('DS', Number(firstDataset.id[2]))
    expect('refused' in used && used.refused).toMatch(
      new RegExp(`; ids are never reused: the next free one in its area is ${free}$`),
    )
  })

  it('prints what it wrote and the registry lines it added', () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      expect(main([PRINTED.kind, PRINTED.name, PRINTED.id], root, allRules)).toBe(0)
      const out = stdout.mock.calls.map((c) => String(c[0])).join('')
      expect(out).toContain(
        `wrote src/rules/model/${PRINTED.name}.ts, __tests__/rules/model/${PRINTED.name}.test.ts`,
      )
      expect(out).toContain(
        `  import scaffoldedPrintedRule from './${PRINTED.name}.js'\n    scaffoldedPrintedRule, // ${PRINTED.id}\n`,
      )
      expect(out).toContain('npm run docs')
    } finally {
      stdout.mockRestore()
    }
  })

  it('refuses a registry it cannot read as a list of "rule, // ID" lines', () => {
    expect(() =>
      insertIntoRegistry(
        'export const rules = [a, b]\n',
        { kind: 'model', name: 'x', id: 'MR100' },
        'index.ts',
      ),
    ).toThrow(/index\.ts: no "import x from '\.\/x\.js'" lines/)
  })
})

const camelOf = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
const KIND_ORDER = ['MR', 'DS', 'EP']
const byKindThenId = (a: AnyRule, b: AnyRule) =>
  KIND_ORDER.indexOf(a.meta.id.slice(0, 2)) - KIND_ORDER.indexOf(b.meta.id.slice(0, 2)) ||
  a.meta.id.localeCompare(b.meta.id)

/** The repository's program under `tsconfig`, with `files` (absolute path → text) in it as if they were there. */
function programWith(files: Record<string, string>, tsconfig: string): ts.Program {
  const configPath = path.join(REPO_ROOT, tsconfig)
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p)).config
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT, undefined, configPath)
  const host = ts.createCompilerHost(options)
  const fileExists = host.fileExists.bind(host)
  const readFile = host.readFile.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.fileExists = (f) => f in files || fileExists(f)
  host.readFile = (f) => files[f] ?? readFile(f)
  host.getSourceFile = (f, language, ...rest) =>
    f in files ? ts.createSourceFile(f, files[f], language, true) : getSourceFile(f, language, ...rest)
  return ts.createProgram({
    rootNames: Object.keys(files),
    options: { ...options, noEmit: true },
    host,
  })
}

/** Type errors in `files` (absolute path → text), compiled over the repository as if they were in it. */
function typeErrors(files: Record<string, string>): string[] {
  const program = programWith(files, 'tsconfig.json')
  return Object.keys(files).flatMap((f) => {
    const file = program.getSourceFile(f)!
    return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map(
      (d) => `${path.relative(REPO_ROOT, f)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    )
  })
}

/**
 * Lint problems in `files` (absolute path → text), linted at their places as `npx eslint` lints them:
 * the type-aware rules read the program of tsconfig.eslint.json with the files in it, as the files are
 * not on disk for the linter to find in its project.
 */
async function lintProblems(files: Record<string, string>): Promise<string[]> {
  const program = programWith(files, 'tsconfig.eslint.json')
  const eslint = new ESLint({
    cwd: REPO_ROOT,
    overrideConfig: { files: ['**/*.ts'], languageOptions: { parserOptions: { programs: [program] } } },
  })
  const problems: string[] = []
  for (const [file, content] of Object.entries(files)) {
    for (const result of await eslint.lintText(content, { filePath: file }))
      for (const m of result.messages)
        problems.push(
          `${path.relative(REPO_ROOT, file)}:${m.line}:${m.column} ${m.ruleId ?? ''} ${m.message}`,
        )
  }
  return problems
}
