// Scaffolds a rule: its file, its test (which fails until the rule reports what the invalid case
// expects), its doc page and its line in the registry, in id order; the rule index in docs/rules.md
// gains its row. Nothing is written when anything is refused.
//
//   npm run new-rule -- <model|dataset|manifest> <kebab-name> <ID>     e.g. npm run new-rule -- model missing-foo MR210
//
// Exit 0 when written; 2, with one line on stderr, when refused.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  INDEX_FILE,
  REPO_ROOT,
  renderIndexBlock,
  replaceBlock,
  ruleDocFile,
  ruleSkeleton,
  SECTIONS,
} from './generate-docs.js'
import { allRules, type AnyRule } from '../src/rules/registry.js'

export type RuleKind = 'model' | 'dataset' | 'manifest'

/** Where each kind of rule lives, and what its files call. The meta test checks the same layout. */
export const RULE_KINDS = {
  model: {
    prefix: 'MR',
    dir: 'src/rules/model',
    registry: 'src/rules/model/index.ts',
    tests: '__tests__/rules/model',
    define: 'defineModelRule',
    tester: 'ruleTester',
  },
  dataset: {
    prefix: 'DS',
    dir: 'src/rules/dataset',
    registry: 'src/rules/dataset/index.ts',
    tests: '__tests__/rules/dataset',
    define: 'defineDatasetRule',
    tester: 'datasetRuleTester',
  },
  manifest: {
    prefix: 'EP',
    dir: 'src/rules/manifest',
    registry: 'src/rules/manifest/index.ts',
    tests: '__tests__/rules/manifest',
    define: 'defineManifestRule',
    tester: 'manifestRuleTester',
  },
} as const satisfies Record<RuleKind, object>

/** A rule id of the kind: its prefix and three digits (the hundreds digit is the area). */
export const idPattern = (kind: RuleKind) => new RegExp(`^${RULE_KINDS[kind].prefix}\\d{3}$`)

/** Lowercase words of letters and digits, joined by single hyphens. */
export const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/

export interface NewRule {
  kind: RuleKind
  name: string
  id: string
}

export const USAGE =
  'usage: npm run new-rule -- <model|dataset|manifest> <kebab-name> <ID>, e.g. model missing-foo MR210'

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
const read = (root: string, file: string) => {
  const full = path.join(root, file)
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined
}

/** The request in argv, or why it is not one. */
export function parseArgs(argv: readonly string[]): NewRule | string {
  if (argv.length !== 3) return USAGE
  const [kind, name, id] = argv
  if (kind !== 'model' && kind !== 'dataset' && kind !== 'manifest')
    return `"${kind}" is not a kind of rule: model, dataset or manifest; ${USAGE}`
  return { kind, name, id }
}

/** Every rule id used under `root`, by the rule files of both kinds: id → file. */
export function usedIds(root: string): Map<string, string> {
  const ids = new Map<string, string>()
  for (const { dir } of Object.values(RULE_KINDS)) {
    const full = path.join(root, dir)
    if (!existsSync(full)) continue
    for (const file of readdirSync(full).sort()) {
      if (!file.endsWith('.ts') || file === 'index.ts') continue
      for (const m of readFileSync(path.join(full, file), 'utf8').matchAll(/\bid: '([A-Z]{2}\d{3})'/g))
        ids.set(m[1], `${dir}/${file}`)
    }
  }
  return ids
}

/** The next id of the same area (hundreds) that no rule uses. */
function nextFree(id: string, used: ReadonlyMap<string, string>): string | undefined {
  const prefix = id.slice(0, 2)
  for (let n = Number(id.slice(2, 3)) * 100 + 1; n % 100 !== 0; n++)
    if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`
  return undefined
}

/** Why `rule` cannot be scaffolded under `root`, in one line, or undefined. */
export function refusal(root: string, rule: NewRule): string | undefined {
  const { kind, name, id } = rule
  const { prefix } = RULE_KINDS[kind]
  if (!KEBAB.test(name))
    return `"${name}" is not kebab-case: lowercase words joined by hyphens, naming the requirement (e.g. missing-foo)`
  if (!idPattern(kind).test(id))
    return `"${id}" is not a ${kind} rule id: ${prefix} and three digits, the hundreds digit the area (e.g. ${prefix}210)`
  const used = usedIds(root)
  const owner = used.get(id)
  if (owner) {
    const free = nextFree(id, used)
    return `${id} is already used by ${owner}; ids are never reused${free ? `: the next free one in its area is ${free}` : ''}`
  }
  const taken = [
    ...Object.values(RULE_KINDS).flatMap((k) => [`${k.dir}/${name}.ts`, `${k.tests}/${name}.test.ts`]),
    `docs/rules/${name}.md`,
  ].find((file) => existsSync(path.join(root, file)))
  if (taken) return `a rule named ${name} already exists (${taken}); choose another name`
  const registry = read(root, RULE_KINDS[kind].registry)
  if (registry === undefined) return `${RULE_KINDS[kind].registry} is missing`
  if (new RegExp(`\\b${camel(name)}\\b`).test(registry))
    return `${RULE_KINDS[kind].registry} already declares ${camel(name)}; choose another name`
  return undefined
}

/** The meta the scaffold writes, as an object: the doc page and the index are rendered from it. */
export function stubRule({ kind, name, id }: NewRule): AnyRule {
  const meta = {
    id,
    name,
    description: DESCRIPTION,
    severity: 'error' as const,
    messages: { problem: { text: () => 'TODO.', hint: () => 'TODO.' } },
  }
  if (kind === 'manifest') return { meta: { ...meta, reads: ['body'] }, check: () => undefined }
  return kind === 'model'
    ? { meta: { ...meta, artifacts: ['files'] }, check: () => undefined }
    : { meta: { ...meta, inputs: ['rows'] }, create: () => ({}) }
}

const DESCRIPTION = 'Require TODO: what the rule requires, in one line'

function ruleSource({ kind, name, id }: NewRule): string {
  if (kind === 'manifest') return manifestRuleSource(name, id)
  const model = kind === 'model'
  const define = RULE_KINDS[kind].define
  return [
    `import { ${define} } from '../${kind}-rule.js'`,
    '',
    `export default ${define}({`,
    '  meta: {',
    `    id: '${id}',`,
    `    name: '${name}',`,
    '    // TODO: "Require|Disallow|Enforce|Report …", one line, no final period; the docs show it.',
    `    description: '${DESCRIPTION}',`,
    "    severity: 'error',",
    ...(model
      ? [
          '    // TODO: the artifacts check() reads (src/artifacts/model-artifacts.ts), each loaded once.',
          "    artifacts: ['files'],",
        ]
      : [
          '    // TODO: what the visitor uses (DATASET_INPUTS in src/rules/dataset-rule.ts); the meta test checks it.',
          "    inputs: ['rows'],",
        ]),
    '    messages: {',
    '      // TODO: one message per problem, naming the real values; the hint says what to do.',
    '      problem: {',
    model
      ? '        text: (d: { path: string }) => `TODO: what is wrong with ${d.path}.`,'
      : '        text: (d: { detail: string }) => `TODO: what is wrong with this row: ${d.detail}.`,',
    "        hint: () => 'TODO: what to do about it.',",
    '      },',
    '    },',
    '  },',
    ...(model
      ? [
          '  check() {',
          "    // TODO: take { artifacts, report } and report('problem', { path }, { path }) where the requirement fails.",
          '  },',
        ]
      : [
          '  create() {',
          '    return {',
          '      row() {',
          "        // TODO: take (r) and report('problem', { detail }, r.location) for a row that breaks it.",
          '      },',
          '    }',
          '  },',
        ]),
    '})',
    '',
  ].join('\n')
}

/** A manifest rule's file: it reads the manifest's body and reports on the line of a key. */
function manifestRuleSource(name: string, id: string): string {
  return [
    "import { defineManifestRule } from '../manifest-rule.js'",
    '',
    'export default defineManifestRule({',
    '  meta: {',
    `    id: '${id}',`,
    `    name: '${name}',`,
    '    // TODO: "Require|Disallow|Enforce|Report …", one line, no final period; the docs show it.',
    `    description: '${DESCRIPTION}',`,
    "    severity: 'error',",
    "    // TODO: what check() reads (MANIFEST_INPUTS in src/rules/manifest-rule.ts): 'file', 'body', 'model'.",
    "    reads: ['body'],",
    '    messages: {',
    '      // TODO: one message per problem, naming the real values; the hint says what to do.',
    '      problem: {',
    '        text: (d: { key: string }) => `TODO: what is wrong with ${d.key}.`,',
    "        hint: () => 'TODO: what to do about it.',",
    '      },',
    '    },',
    '  },',
    '  check() {',
    "    // TODO: take { manifest, report } and report('problem', { key }, where(manifest.doc, pointer))",
    '    // (src/rules/utils/manifest.ts) where the requirement fails.',
    '  },',
    '})',
    '',
  ].join('\n')
}

function testSource({ kind, name }: NewRule): string {
  if (kind === 'manifest')
    return [
      `import rule from '../../../src/rules/manifest/${name}.js'`,
      "import { manifestRuleTester } from '../../helpers/manifest-tester.js'",
      '',
      '// TODO: cases of the rule. The invalid case fails until the rule reports what it expects, and every',
      '// message needs an invalid case that reports it.',
      'manifestRuleTester(rule, {',
      "  valid: [{ name: 'TODO: a manifest that meets the requirement', manifest: 'name: my-endpoint\\n' }],",
      '  invalid: [',
      '    {',
      "      name: 'TODO: a manifest that breaks it',",
      "      manifest: 'name: my-endpoint\\n',",
      "      errors: [{ messageId: 'problem', line: 1, message: 'TODO' }],",
      '    },',
      '  ],',
      '})',
      '',
    ].join('\n')
  const model = kind === 'model'
  const given = model
    ? "files: { 'config.json': configJson() }"
    : "rows: [chat(['user', 'hi'], ['assistant', 'hello'])]"
  return [
    `import rule from '../../../src/rules/${kind}/${name}.js'`,
    model
      ? "import { configJson, ruleTester } from '../../helpers/rule-tester.js'"
      : "import { chat, datasetRuleTester } from '../../helpers/dataset-tester.js'",
    '',
    '// TODO: cases of the rule. The invalid case fails until the rule reports what it expects, and every',
    '// message needs an invalid case that reports it.',
    `${RULE_KINDS[kind].tester}(rule, {`,
    '  valid: [',
    '    {',
    `      name: 'TODO: a ${kind} that meets the requirement',`,
    `      ${given},`,
    '    },',
    '  ],',
    '  invalid: [',
    '    {',
    `      name: 'TODO: a ${kind} that breaks it',`,
    `      ${given},`,
    model
      ? "      errors: [{ messageId: 'problem', path: 'config.json', message: 'TODO' }],"
      : "      errors: [{ messageId: 'problem', row: 1, line: 1, message: 'TODO' }],",
    '    },',
    '  ],',
    '})',
    '',
  ].join('\n')
}

/** What each hand-written section of the page should say, until it does. */
const PLACEHOLDERS: Record<Exclude<(typeof SECTIONS)[number], 'Options'>, string> = {
  'What it checks': 'TODO: exactly what the rule looks at, and what passes.',
  'Why it matters':
    'TODO: what goes wrong on Friendli without it, with the public source (a Friendli page, an upstream file).',
  Example: 'TODO: a finding as the CLI prints it, in a `text` block.',
  'How to fix': 'TODO: the fix.',
  'When to disable': 'TODO: when a user may turn it off.',
  References: 'TODO: links to the sources.',
}

function docSource(rule: AnyRule): string {
  const { id, name } = rule.meta
  const options = [
    'This rule has no options. To change its severity or turn it off, set it under `rules` in',
    '`.friendli-preflight.yml`, by id or by name:',
    '',
    '```yaml',
    `rules: { ${id}: off } # or { ${name}: off }`,
    '```',
  ].join('\n')
  return ruleSkeleton(rule, (s) =>
    s === 'Options' ? options : (PLACEHOLDERS[s as keyof typeof PLACEHOLDERS] ?? 'TODO.'),
  )
}

/** The registry with the rule's import and entry inserted in id order. */
export function insertIntoRegistry(text: string, { name, id }: NewRule, file: string): string {
  const lines = text.split('\n')
  const entry = /^ {2}(\w+), \/\/ ([A-Z]{2}\d{3})$/
  const entries = lines.flatMap((l, i) => {
    const m = entry.exec(l)
    return m ? [{ i, variable: m[1], id: m[2] }] : []
  })
  const imports = lines.flatMap((l, i) => (/^import \w+ from '\.\/[a-z0-9-]+\.js'$/.test(l) ? [i] : []))
  if (entries.length === 0 || imports.length === 0)
    throw new Error(
      `${file}: no "import x from './x.js'" lines and "  x, // ${id.slice(0, 2)}123" entries found`,
    )
  const after = entries.find((e) => e.id > id)
  const variable = camel(name)
  const importLine = `import ${variable} from './${name}.js'`
  const entryLine = `  ${variable}, // ${id}`
  const importAt = after
    ? lines.findIndex((l) => l.startsWith(`import ${after.variable} from `))
    : imports[imports.length - 1] + 1
  const entryAt = after ? after.i : entries[entries.length - 1].i + 1
  if (importAt < 0) throw new Error(`${file}: ${after!.variable} is listed but not imported`)
  const out = [...lines]
  out.splice(entryAt, 0, entryLine)
  out.splice(importAt, 0, importLine)
  return out.join('\n')
}

/** `rules` with `rule` in its place: after its kind's rules with smaller ids. */
function withRule(rules: readonly AnyRule[], rule: AnyRule): AnyRule[] {
  const prefix = rule.meta.id.slice(0, 2)
  const sameKind = rules.map((r, i) => [r, i] as const).filter(([r]) => r.meta.id.startsWith(prefix))
  const next = sameKind.find(([r]) => r.meta.id > rule.meta.id)
  const at = next ? next[1] : sameKind.length ? sameKind[sameKind.length - 1][1] + 1 : rules.length
  return [...rules.slice(0, at), rule, ...rules.slice(at)]
}

export interface Written {
  /** POSIX paths relative to root, in the order written. */
  files: string[]
  /** The lines added to the registry. */
  registryLines: string[]
}

/**
 * Writes the rule's file, test and doc page under `root`, inserts it into the registry, and adds its row
 * to the docs index (from `rules`, the rules already registered). Throws nothing for a refusal: returns it.
 */
export function scaffold(
  root: string,
  rule: NewRule,
  rules: readonly AnyRule[],
): Written | { refused: string } {
  const why = refusal(root, rule)
  if (why) return { refused: why }
  const { dir, tests, registry } = RULE_KINDS[rule.kind]
  const stub = stubRule(rule)
  const registryText = read(root, registry)!
  let updated: string
  try {
    updated = insertIntoRegistry(registryText, rule, registry)
  } catch (error) {
    return { refused: (error as Error).message }
  }
  const outputs: [string, string][] = [
    [`${dir}/${rule.name}.ts`, ruleSource(rule)],
    [`${tests}/${rule.name}.test.ts`, testSource(rule)],
    [ruleDocFile(stub), docSource(stub)],
    [registry, updated],
  ]
  const index = read(root, INDEX_FILE)
  if (index !== undefined) {
    const block = renderIndexBlock(withRule(rules, stub))
    outputs.push([INDEX_FILE, replaceBlock(index, block, index)])
  }
  for (const [file, content] of outputs) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), content)
  }
  const before = new Set(registryText.split('\n'))
  return { files: outputs.map(([f]) => f), registryLines: updated.split('\n').filter((l) => !before.has(l)) }
}

export function main(argv: string[], root: string = REPO_ROOT, rules: readonly AnyRule[] = allRules): number {
  const rule = parseArgs(argv)
  if (typeof rule === 'string') {
    process.stderr.write(`new-rule: ${rule}\n`)
    return 2
  }
  const result = scaffold(root, rule, rules)
  if ('refused' in result) {
    process.stderr.write(`new-rule: ${result.refused}\n`)
    return 2
  }
  const { tests } = RULE_KINDS[rule.kind]
  process.stdout.write(
    [
      `wrote ${result.files.join(', ')}`,
      `registered in ${RULE_KINDS[rule.kind].registry}:`,
      ...result.registryLines.map((l) => `  ${l}`),
      `Next: fill in the TODOs, make ${tests}/${rule.name}.test.ts pass, then run \`npm run docs\`.`,
      '',
    ].join('\n'),
  )
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2))
}
