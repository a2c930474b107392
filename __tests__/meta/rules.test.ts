// The net that keeps "one rule = one file, one test, one doc, same name" true. Each check collects
// every problem with what to do about it, so one run lists the whole to-do list.
import { describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  BEGIN,
  checkDocs,
  END,
  REPO_ROOT,
  ruleDocFile,
  SECTIONS,
  writeDocs,
} from '../../scripts/generate-docs.js'
import { allRules, type AnyRule } from '../../src/rules/registry.js'
import type { ModelRule } from '../../src/rules/model-rule.js'
import { modelRules } from '../../src/rules/model/index.js'

const REGISTRY = 'src/rules/model/index.ts'
const RULE_DIR = 'src/rules/model'
// One sentence with no final period. A period is allowed only inside a word, as in config.json: the
// literal [^.]+ would reject every description that names a file.
const DESCRIPTION = /^(Require|Disallow|Enforce|Report) (?:[^.\n]|\.(?=\S))+$/

const exists = (file: string) => existsSync(path.join(REPO_ROOT, file))

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

  it('gives every model rule an id of MR and three digits', () => {
    const problems = modelRules
      .filter((r) => !/^MR\d{3}$/.test(r.meta.id))
      .map(
        (r) =>
          `${r.meta.name}: id "${r.meta.id}" must be MR and three digits (the hundreds digit is the area)`,
      )
    expect(problems).toEqual([])
  })

  it(`lists the model rules in ${REGISTRY} sorted by id`, () => {
    const ids = modelRules.map((r) => r.meta.id)
    const problems = ids.flatMap((id, i) =>
      i > 0 && ids[i - 1] > id
        ? [`${REGISTRY}: move ${id} before ${ids[i - 1]}; the list is sorted by id`]
        : [],
    )
    expect(problems).toEqual([])
  })

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
  it(`keeps each model rule in ${RULE_DIR}/<name>.ts, and registers every file there`, async () => {
    const problems: string[] = []
    for (const rule of modelRules) {
      const file = `${RULE_DIR}/${rule.meta.name}.ts`
      if (!exists(file))
        problems.push(`${rule.meta.id}: ${file} does not exist; name the rule's file after meta.name`)
    }
    const files = readdirSync(path.join(REPO_ROOT, RULE_DIR)).filter(
      (f) => f.endsWith('.ts') && f !== 'index.ts',
    )
    for (const file of files.sort()) {
      const base = file.slice(0, -'.ts'.length)
      const rule = ((await import(`../../${RULE_DIR}/${base}.js`)) as { default?: ModelRule }).default
      if (!rule?.meta) {
        problems.push(`${RULE_DIR}/${file}: no default export made with defineModelRule; one rule per file`)
        continue
      }
      if (rule.meta.name !== base)
        problems.push(
          `${RULE_DIR}/${file}: holds rule "${rule.meta.name}"; rename the file to ${rule.meta.name}.ts or fix meta.name`,
        )
      if (!modelRules.includes(rule))
        problems.push(
          `${RULE_DIR}/${file}: ${rule.meta.id} is not registered; add it to ${REGISTRY} in id order`,
        )
    }
    expect(problems).toEqual([])
  })

  it('has a test file for every model rule', () => {
    const problems = modelRules
      .map((r) => `__tests__/rules/model/${r.meta.name}.test.ts`)
      .filter((file) => !exists(file))
      .map((file) => `${file} is missing: add valid and invalid cases with ruleTester (__tests__/helpers)`)
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
      const text = readFileSync(path.join(REPO_ROOT, file), 'utf8')
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
})
