// Generates the parts of the docs that restate a rule's meta, so `meta` stays the single source:
// the header block of each docs/rules/<name>.md, and the index in docs/rules.md. Everything outside
// the markers is hand-written and kept as is. It also copies two hand-written sections of each page
// into src/data/rule-help.json, the rules' help in SARIF, and writes the deployment manifest's JSON
// Schema (schemas/friendli-endpoint.schema.json) from the zod schemas the manifest rules use.
//
//   npx tsx scripts/generate-docs.ts           rewrite the generated blocks (creates missing pages)
//   npx tsx scripts/generate-docs.ts --check   write nothing; exit 1 and list the files that are stale
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ModelArtifactName } from '../src/artifacts/model-artifacts.js'
import architectures from '../src/data/architectures.json' with { type: 'json' }
import known from '../src/data/known-architectures.json' with { type: 'json' }
import { listNames } from '../src/common/wording.js'
import type { DatasetInput } from '../src/rules/dataset-rule.js'
import type { ManifestInput } from '../src/rules/manifest-rule.js'
import { endpointJsonSchema } from '../src/artifacts/endpoint-body.js'
import { allRules } from '../src/rules/registry.js'
import type { AnyMessages } from '../src/rules/model-rule.js'
import type { AnyRule } from '../src/rules/registry.js'

export const BEGIN = '<!-- generated:begin -->'
export const END = '<!-- generated:end -->'

/** The hand-written sections of a rule page, in this order (Ruff's headings plus ESLint's "when not to"). */
export const SECTIONS = [
  'What it checks',
  'Why it matters',
  'Example',
  'How to fix',
  'Options',
  'When to disable',
  'References',
] as const

export const INDEX_FILE = 'docs/rules.md'

/** The repository root, from this file's place in it. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

/** What each artifact is, as a reader of the docs knows it. A new artifact fails typecheck here. */
const ARTIFACT_LABELS: Record<ModelArtifactName, string> = {
  files: 'the file listing',
  config: '`config.json`',
  tokenizerConfig: '`tokenizer_config.json`',
  chatTemplateJson: '`chat_template.json`',
  kind: 'whether the repository is a model or a LoRA adapter',
  shardIndex: '`model.safetensors.index.json`',
  adapterConfig: '`adapter_config.json`',
  lfsPointers: 'Git LFS pointer files',
  weights: 'the safetensors headers (never tensor data)',
  weightMap: 'the weight map of `model.safetensors.index.json`',
  tensors: 'the tensors the safetensors headers list (never tensor data)',
  textConfig: '`config.json` as the language model reads it (top level, then `text_config`)',
  textModel: "the language model's layers, input embedding and lm_head in the safetensors headers",
  generationConfig: '`generation_config.json`',
  specialTokensMap: '`special_tokens_map.json`',
  tokenizerJson: '`tokenizer.json`',
  chatTemplates: 'the chat templates (`chat_template.jinja`, `tokenizer_config.json`, `chat_template.json`)',
  specialTokens: 'the special tokens (`tokenizer_config.json`, `special_tokens_map.json`)',
  templateRenders: 'the chat template rendered on five common conversations',
}

/** What each dataset input is, in words: the dataset's own, then the base model's. */
const DATASET_LABELS: Record<'files' | 'rows', string> = {
  files: 'the file listing and every data file',
  rows: 'the rows',
}
/** The base model's inputs, after "the base model's". A new input fails typecheck here. */
const BASE_LABELS: Record<Exclude<DatasetInput, 'files' | 'rows'>, string> = {
  template: 'chat template',
  tokenizer: '`tokenizer.json`',
  context: 'context length (`config.json`, `tokenizer_config.json`)',
}

const NOTICE =
  "<!-- Generated from the rule's meta by scripts/generate-docs.ts (npm run docs): edit the rule, not this block. -->"

export function ruleDocFile(rule: AnyRule): string {
  return `docs/rules/${rule.meta.name}.md`
}

/** A table cell: one line, no column breaks. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|')
}

/** Each message's own severity, when at least one message differs from the rule's default. */
function messageSeverities(rule: AnyRule): string | undefined {
  const { severity } = rule.meta
  const entries = Object.entries(rule.meta.messages as AnyMessages).map(
    ([key, spec]) => [key, spec.severity ?? severity] as const,
  )
  if (entries.every(([, s]) => s === severity)) return undefined
  return entries.map(([key, s]) => `\`${key}\`: ${s}`).join(', ')
}

/** "(error: `invalid`, `notFile`)" for the messages whose severity is not the rule's default. */
function severityOverrides(rule: AnyRule): string[] {
  const bySeverity = new Map<string, string[]>()
  for (const [key, spec] of Object.entries(rule.meta.messages as AnyMessages)) {
    if (spec.severity && spec.severity !== rule.meta.severity)
      bySeverity.set(spec.severity, [...(bySeverity.get(spec.severity) ?? []), `\`${key}\``])
  }
  return [...bySeverity].map(([severity, keys]) => `(${severity}: ${keys.join(', ')})`)
}

/** A dataset rule's declared inputs in words: "the rows and the base model's chat template". */
export function inputsInWords(inputs: readonly DatasetInput[]): string {
  const data = inputs.flatMap((i) => (i === 'files' || i === 'rows' ? [DATASET_LABELS[i]] : []))
  const base = inputs.flatMap((i) => (i === 'files' || i === 'rows' ? [] : [BASE_LABELS[i]]))
  return listNames([...data, ...(base.length ? [`the base model's ${listNames(base)}`] : [])])
}

/** What a manifest rule reads, in words. A new input fails typecheck here. */
const MANIFEST_LABELS: Record<ManifestInput, string> = {
  file: 'the manifest file (JSON or YAML)',
  body: "the manifest as the endpoint call's body",
  model: 'the model `hfModelRepo` names (its safetensors headers, `config.json` and `tokenizer_config.json`)',
  template: 'the chat template file `chatTemplate` names (read inside the repository only)',
  adapters: "the LoRA adapters `adapters` names (each one's `adapter_config.json`)",
}

function artifactsRead(rule: AnyRule): string {
  if ('inputs' in rule.meta) return inputsInWords(rule.meta.inputs)
  if ('reads' in rule.meta) return listNames(rule.meta.reads.map((r) => MANIFEST_LABELS[r]))
  return (rule.meta.artifacts as readonly ModelArtifactName[]).map((a) => ARTIFACT_LABELS[a] ?? a).join(', ')
}

/** The evidence table, from the same data MR203 checks against, grouped by tier. */
function architectureTable(): string[] {
  const tiers = Object.entries(architectures.tiers)
  const rows = tiers.flatMap(([tier]) =>
    architectures.architectures
      .filter((a) => a.tier === tier)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((a) => {
        const evidence = a.evidence.map((e) => `${e.source} (${e.date}): ${e.says}`)
        const note = 'note' in a ? String(a.note ?? '') : ''
        return `| \`${a.name}\` | ${cell(a.family)} | ${tier} | ${evidence.map(cell).join('<br>')} | ${cell(note)} |`
      }),
  )
  return [
    '<details>',
    `<summary>Architectures with evidence (${architectures.architectures.length}), from <code>src/data/architectures.json</code>, refreshed ${architectures.refreshed}</summary>`,
    '',
    cell(architectures.$comment),
    '',
    ...tiers.map(([tier, meaning]) => `- \`${tier}\`: ${cell(meaning)}`),
    '',
    '| Architecture | Family | Tier | Evidence (source, date, what it says) | Note |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '</details>',
    '',
    `The generated list of classes transformers and vLLM implement (${Object.keys(known.architectures).length}) is in <code>src/data/known-architectures.json</code>, read from ${known.sources.map((s) => `${s.repository} ${s.version} (${s.date})`).join(' and ')}; \`npm run generate:architectures\` refreshes it.`,
  ]
}

/** The generated block of a rule page, markers included. */
export function renderRuleBlock(rule: AnyRule): string {
  const { id, name, description, severity } = rule.meta
  const perMessage = messageSeverities(rule)
  const head = ['Id', 'Name', 'Default severity', ...(perMessage ? ['Message severities'] : []), 'Reads']
  const row = [`\`${id}\``, `\`${name}\``, severity, ...(perMessage ? [perMessage] : []), artifactsRead(rule)]
  const lines = [
    BEGIN,
    NOTICE,
    '',
    `# ${id} ${name}`,
    '',
    `${description}.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    `| ${row.map(cell).join(' | ')} |`,
    '',
    ...(id === 'MR203' ? [...architectureTable(), ''] : []),
    '[All rules](../rules.md)',
    END,
  ]
  return lines.join('\n')
}

/** The generated block of docs/rules.md: one row per rule, in registry order. */
export function renderIndexBlock(rules: readonly AnyRule[]): string {
  const rows = rules.map((rule) => {
    const { id, name, severity, description } = rule.meta
    const level = [severity, ...severityOverrides(rule)].join(' ')
    return `| ${id} | [${name}](rules/${name}.md) | ${cell(level)} | ${cell(description)} |`
  })
  return [
    BEGIN,
    NOTICE.replace("the rule's meta", "each rule's meta"),
    '',
    '| Id | Name | Default severity | Description |',
    '| --- | --- | --- | --- |',
    ...rows,
    END,
  ].join('\n')
}

/**
 * `existing` with its generated block replaced by `block`. A file without markers gets the block on
 * top and keeps its text below; a missing file is created from `skeleton`.
 */
export function replaceBlock(existing: string | undefined, block: string, skeleton: string): string {
  if (existing === undefined) return skeleton
  const text = existing.replace(/\r\n/g, '\n')
  const begin = text.indexOf(BEGIN)
  const end = begin === -1 ? -1 : text.indexOf(END, begin)
  if (begin === -1 || end === -1) return `${block}\n\n${text}`
  return text.slice(0, begin) + block + text.slice(end + END.length)
}

/** A new page: the generated block, then each hand-written section's heading (and `placeholder`). */
export function ruleSkeleton(rule: AnyRule, placeholder?: (section: string) => string): string {
  const section = (s: string) => `## ${s}\n${placeholder ? `\n${placeholder(s)}\n` : ''}`
  return `${renderRuleBlock(rule)}\n\n${SECTIONS.map(section).join('\n')}`
}

function indexSkeleton(rules: readonly AnyRule[]): string {
  return [
    '# Rules',
    '',
    'Every rule friendli-preflight runs. Change a severity, or turn a rule off, under `rules:` in',
    '`.friendli-preflight.yml`, by id or by name: `rules: { MR203: warning }`.',
    '',
    renderIndexBlock(rules),
    '',
  ].join('\n')
}

export interface DocFile {
  /** POSIX path relative to the repository root. */
  file: string
  content: string
}

/** Every generated file as it should be. Pure: `read` returns a file's current text, or undefined. */
export function renderDocs(rules: readonly AnyRule[], read: (file: string) => string | undefined): DocFile[] {
  const pages = rules.map((rule) => {
    const file = ruleDocFile(rule)
    return { file, content: replaceBlock(read(file), renderRuleBlock(rule), ruleSkeleton(rule)) }
  })
  const index = {
    file: INDEX_FILE,
    content: replaceBlock(read(INDEX_FILE), renderIndexBlock(rules), indexSkeleton(rules)),
  }
  return [...pages, index]
}

export interface DocProblem {
  file: string
  problem: 'missing' | 'out of date' | 'no rule has this name'
}

function reader(root: string) {
  return (file: string) => {
    const full = path.join(root, file)
    return existsSync(full) ? readFileSync(full, 'utf8').replace(/\r\n/g, '\n') : undefined
  }
}

/** What `--check` reports: generated files that are missing or differ, and pages of no rule. */
export function checkDocs(root: string = REPO_ROOT, rules: readonly AnyRule[] = allRules): DocProblem[] {
  const read = reader(root)
  const problems: DocProblem[] = []
  for (const doc of renderDocs(rules, read)) {
    const current = read(doc.file)
    if (current === undefined) problems.push({ file: doc.file, problem: 'missing' })
    else if (current !== doc.content) problems.push({ file: doc.file, problem: 'out of date' })
  }
  const known = new Set(rules.map(ruleDocFile))
  const dir = path.join(root, 'docs/rules')
  const pages = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.md')) : []
  for (const page of pages.sort()) {
    const file = `docs/rules/${page}`
    if (!known.has(file)) problems.push({ file, problem: 'no rule has this name' })
  }
  return problems
}

/** Writes the files that differ; returns them. */
export function writeDocs(root: string = REPO_ROOT, rules: readonly AnyRule[] = allRules): string[] {
  const read = reader(root)
  const written: string[] = []
  for (const doc of renderDocs(rules, read)) {
    if (read(doc.file) === doc.content) continue
    mkdirSync(path.dirname(path.join(root, doc.file)), { recursive: true })
    writeFileSync(path.join(root, doc.file), doc.content)
    written.push(doc.file)
  }
  return written
}

/**
 * The help each rule carries in SARIF (`help.markdown`, shown beside a code-scanning alert): its page's
 * "What it checks" and "How to fix", kept in a data file because the bundle cannot read docs/ at run
 * time. Generated from the pages, so `--check` fails when a page changed and this file did not.
 */
export const RULE_HELP_FILE = 'src/data/rule-help.json'

/** The hand-written sections of a page by heading (`## ` lines outside code fences), trimmed. */
export function pageSections(markdown: string): Map<string, string> {
  const sections = new Map<string, string[]>()
  let current: string[] | undefined
  let fenced = false
  const body = markdown.includes(END) ? markdown.slice(markdown.indexOf(END) + END.length) : markdown
  for (const line of body.replace(/\r\n/g, '\n').split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced
    if (!fenced && line.startsWith('## ')) sections.set(line.slice(3).trim(), (current = []))
    else current?.push(line)
  }
  return new Map([...sections].map(([heading, lines]) => [heading, lines.join('\n').trim()]))
}

/** The help data file as it should be, from the pages as `read` returns them (one object per rule id). */
export function renderRuleHelp(
  rules: readonly AnyRule[],
  read: (file: string) => string | undefined,
): DocFile {
  const help: Record<string, { checks: string; fix: string }> = {}
  for (const rule of rules) {
    const sections = pageSections(read(ruleDocFile(rule)) ?? '')
    help[rule.meta.id] = {
      checks: sections.get('What it checks') ?? '',
      fix: sections.get('How to fix') ?? '',
    }
  }
  const data = {
    $comment: `Generated by scripts/generate-docs.ts (npm run docs) from the "What it checks" and "How to fix" sections of docs/rules/<name>.md: edit the page, not this file.`,
    rules: help,
  }
  return { file: RULE_HELP_FILE, content: JSON.stringify(data, null, 2) + '\n' }
}

/** What `--check` reports about the help data: missing, or not what the pages give. */
export function checkRuleHelp(root: string = REPO_ROOT, rules: readonly AnyRule[] = allRules): DocProblem[] {
  const read = reader(root)
  const doc = renderRuleHelp(rules, read)
  const current = read(doc.file)
  if (current === undefined) return [{ file: doc.file, problem: 'missing' }]
  return current === doc.content ? [] : [{ file: doc.file, problem: 'out of date' }]
}

/** Writes the help data when it differs (after the pages, whose text it is); returns it if written. */
export function writeRuleHelp(root: string = REPO_ROOT, rules: readonly AnyRule[] = allRules): string[] {
  const read = reader(root)
  const doc = renderRuleHelp(rules, read)
  if (read(doc.file) === doc.content) return []
  mkdirSync(path.dirname(path.join(root, doc.file)), { recursive: true })
  writeFileSync(path.join(root, doc.file), doc.content)
  return [doc.file]
}

/**
 * The JSON Schema of a deployment manifest, for editors (`# yaml-language-server: $schema=…`, `"$schema"`),
 * generated from the zod schemas the manifest rules check against (src/artifacts/endpoint-body.ts).
 */
export const SCHEMA_FILE = 'schemas/friendli-endpoint.schema.json'
export const SCHEMA_URL =
  'https://raw.githubusercontent.com/friendli-preflight/friendli-preflight/main/schemas/friendli-endpoint.schema.json'

export function renderSchema(): DocFile {
  return { file: SCHEMA_FILE, content: JSON.stringify(endpointJsonSchema(SCHEMA_URL), null, 2) + '\n' }
}

/** What `--check` reports about the schema file: missing, or not what the zod schemas give. */
export function checkSchema(root: string = REPO_ROOT): DocProblem[] {
  const doc = renderSchema()
  const current = reader(root)(doc.file)
  if (current === undefined) return [{ file: doc.file, problem: 'missing' }]
  return current === doc.content ? [] : [{ file: doc.file, problem: 'out of date' }]
}

/** Writes the schema file when it differs; returns it if written. */
export function writeSchema(root: string = REPO_ROOT): string[] {
  const doc = renderSchema()
  if (reader(root)(doc.file) === doc.content) return []
  mkdirSync(path.dirname(path.join(root, doc.file)), { recursive: true })
  writeFileSync(path.join(root, doc.file), doc.content)
  return [doc.file]
}

export function main(argv: string[], root: string = REPO_ROOT): number {
  const check = argv.includes('--check')
  const unknown = argv.filter((a) => a !== '--check')
  if (unknown.length > 0) {
    process.stderr.write(`generate-docs: unknown argument ${unknown[0]}; usage: generate-docs [--check]\n`)
    return 2
  }
  if (check) {
    const problems = [...checkDocs(root), ...checkRuleHelp(root), ...checkSchema(root)]
    if (problems.length === 0) return 0
    const lines = problems.map((p) => `  ${p.file}: ${p.problem}`)
    process.stderr.write(
      `Rule docs are stale:\n${lines.join('\n')}\nRun \`npm run docs\` and commit the result` +
        `${problems.some((p) => p.problem === 'no rule has this name') ? '; delete or rename pages that belong to no rule' : ''}.\n`,
    )
    return 1
  }
  const written = [...writeDocs(root), ...writeRuleHelp(root), ...writeSchema(root)]
  process.stdout.write(written.length ? `wrote ${written.join(', ')}\n` : 'docs are up to date\n')
  for (const p of checkDocs(root).filter((p) => p.problem === 'no rule has this name'))
    process.stderr.write(`warning: ${p.file}: no rule has this name; delete or rename it\n`)
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2))
}
