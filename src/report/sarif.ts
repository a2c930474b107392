// SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif): one run, every result on a
// file of the repository (a relative, percent-encoded URI under %SRCROOT%), row findings grouped as
// every human-facing output groups them (grouping.ts), and within what code scanning accepts. A finding
// that has no place in the repository (a hub model's file that no workflow or config line names) is
// left out and said so: in the run's notifications, and in the notes the caller shows.
//
// Code scanning's limits, and what this file does about each:
//   https://docs.github.com/en/code-security/reference/code-scanning/sarif-files/sarif-support-for-code-scanning
//   https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit
//   https://github.com/github/codeql-action/blob/main/src/upload-lib.ts (schema validation, gzip upload)
//   https://github.com/github/codeql-action/blob/main/src/fingerprints.ts (primaryLocationLineHash)
// - runs per file ≤ 20: one run.
// - results per run ≤ 25,000, and only 5,000 are kept: at most MAX_RESULTS (5,000), grouped first,
//   errors before warnings before notes; a notification says what was left out.
// - locations per result ≤ 1,000 (only the first is used): one.
// - rules per run ≤ 25,000, tags per rule ≤ 20 (10 shown): 60-odd rules, two tags each.
// - rule name ≤ 255 characters, shortDescription and fullDescription ≤ 1,024: clipped.
// - 10 MB per gzip-compressed upload: results stop at MAX_BYTES (8 MiB) of JSON, under 10 MB whatever
//   gzip makes of it; each message is clipped to MAX_MESSAGE characters.
// - an absolute URI must have the checkout's file:// scheme ("SARIF URI scheme … did not match the
//   checkout URI scheme"): only relative URIs, resolved against %SRCROOT%, the repository root.
// - the upload is validated against the SARIF 2.1.0 schema (validateSarifFileSchema): the tests
//   validate this output against the OASIS schema.
import { createHash } from 'node:crypto'
import { existsSync, lstatSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Report, TargetResult } from '../check.js'
import type { Finding, Severity } from '../common/finding.js'
import { plural } from '../common/wording.js'
import ruleHelp from '../data/rule-help.json' with { type: 'json' }
import { allRules, type AnyRule } from '../rules/registry.js'
import { groupFindings, rowsInWords } from './grouping.js'
import { clip } from './markdown.js'
import { encodePath, workspacePath } from './paths.js'

/** Results kept per run: what code scanning stores and shows of one run. */
export const MAX_RESULTS = 5_000
/** Bytes of JSON for the rules and results together: below the 10 MB gzip limit even uncompressed. */
export const MAX_BYTES = 8 * 1024 * 1024
/** Characters of one result's message (the message, the rows, where it is, the hint). */
export const MAX_MESSAGE = 2_000
const MAX_RULE_NAME = 255
const MAX_DESCRIPTION = 1_024
/** The partial fingerprint every result carries; see fingerprints() for primaryLocationLineHash. */
export const FINGERPRINT_KEY = 'friendliPreflight/v1'
const SRCROOT = '%SRCROOT%'

type Level = 'error' | 'warning' | 'note'
const LEVEL: Record<Severity, Level> = { error: 'error', warning: 'warning', info: 'note' }
const RANK: Record<Level, number> = { error: 0, warning: 1, note: 2 }

export interface SarifOptions {
  /** Absolute path of the workspace, the folder the report's paths are relative to. */
  workspace?: string
  /** Absolute path of the repository root (%SRCROOT%); default: the workspace. */
  repoRoot?: string
  /** What a path is, not following links; default: lstat. Undefined when it does not exist. */
  kindOf?: (absolutePath: string) => 'file' | 'folder' | 'other' | undefined
}

/** Where a result goes: a repository path (POSIX, relative to the repository root) and a line. */
interface Place {
  path: string
  line?: number
  column?: number
}

interface Candidate {
  ruleId: string
  level: Level
  text: string
  place: Place
  /** What makes this result itself: for its fingerprint. */
  identity: unknown[]
}

interface Notification {
  level: Level
  message: { text: string }
}

/** The git top-level above `dir` (the nearest folder holding `.git`), or `dir` when there is none. */
export function gitTopLevel(dir: string): string {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (existsSync(path.join(at, '.git'))) return at
    if (path.dirname(at) === at) return path.resolve(dir)
  }
}

function defaultKindOf(p: string): 'file' | 'folder' | 'other' | undefined {
  try {
    const s = lstatSync(p)
    return s.isFile() ? 'file' : s.isDirectory() ? 'folder' : 'other'
  } catch {
    return undefined
  }
}

/** The SARIF log of a report, with the notes the caller shows (what was left out, and why). */
export function buildSarif(
  report: Report,
  version: string,
  docsBase: string,
  options: SarifOptions = {},
): { log: ReturnType<typeof sarifLog>; notes: string[] } {
  const workspace = options.workspace && path.resolve(options.workspace)
  const repoRoot = options.repoRoot ? path.resolve(options.repoRoot) : workspace
  const prefix = workspace && repoRoot ? path.relative(repoRoot, workspace).split(path.sep).join('/') : ''
  const kindOf = options.kindOf ?? defaultKindOf
  /** A workspace-relative path as a repository path; undefined outside the repository. */
  const inRepo = (rel: string): string | undefined => {
    if (path.posix.isAbsolute(rel) || path.isAbsolute(rel)) return undefined
    const p = path.posix.normalize(path.posix.join(prefix || '.', rel))
    return p === '.' || p === '..' || p.startsWith('../') ? undefined : p
  }

  const candidates: Candidate[] = []
  const notifications: Notification[] = []
  const notes: string[] = []
  for (const target of report.targets) {
    if (target.status === 'error') {
      notifications.push({
        level: 'error',
        message: { text: clip(`Could not check ${target.ref}: ${target.error ?? ''}`, MAX_MESSAGE) },
      })
      // A manifest whose model could not be read still has its own findings; other targets have none.
      if (target.findings.length === 0) continue
    }
    const unplaced = { count: 0, severities: { error: 0, warning: 0, note: 0 } as Record<Level, number> }
    for (const { finding: f, rows, total, extra } of resultGroups(target)) {
      const where = placeFinding(target, f, inRepo, kindOf)
      const level = LEVEL[f.severity]
      if (!where) {
        unplaced.count += total
        unplaced.severities[level] += total
        continue
      }
      const grouped =
        rows.length > 0 && total > 1
          ? ` The first of ${plural(total, 'finding')} like it, in ${rowsInWords(rows)}${extra ? `; ${extra.toLocaleString('en-US')} of them past the cap of findings kept per rule and file, counted only` : ''}.`
          : ''
      const text = [f.message + grouped + (where.about ? ` ${where.about}` : ''), f.hint]
        .filter(Boolean)
        .join('\n')
      candidates.push({
        ruleId: f.ruleId,
        level,
        text: clip(text, MAX_MESSAGE),
        place: where.place,
        identity: [
          target.hub
            ? `hub:${target.hub.dataset ? 'datasets/' : ''}${target.hub.repo}`
            : target.rootInWorkspace,
          f.ruleId,
          f.messageId,
          f.location.path,
          f.location.line ?? null,
          f.location.pointer ?? null,
          f.location.row ?? null,
          f.message,
        ],
      })
    }
    if (unplaced.count > 0) {
      const text = `${plural(unplaced.count, 'finding')} of ${targetName(target)} (${severities(unplaced.severities)}) ${unplaced.count === 1 ? 'is' : 'are'} not in this SARIF file: ${unplacedReason(target)}. Every other output has ${unplaced.count === 1 ? 'it' : 'them'}.`
      notifications.push({ level: 'warning', message: { text } })
      notes.push(text)
    }
  }

  const rules = allRules.map((r) => ruleDescriptor(r, docsBase))
  // Code scanning keeps 5,000 results of a run, prioritized by severity: keep the same ones here, and
  // say what was left out, rather than let an upload be cut silently or rejected.
  const ordered = candidates
    .map((c, i) => ({ c, i }))
    .sort((a, b) => RANK[a.c.level] - RANK[b.c.level] || a.i - b.i)
    .map(({ c }) => c)
  let bytes = Buffer.byteLength(JSON.stringify(rules))
  const kept: ReturnType<typeof toResult>[] = []
  const left: Record<Level, number> = { error: 0, warning: 0, note: 0 }
  const seen = new Map<string, number>()
  for (const c of ordered) {
    const result = kept.length < MAX_RESULTS ? toResult(c, seen) : undefined
    const size = result ? Buffer.byteLength(JSON.stringify(result)) : 0
    if (!result || bytes + size > MAX_BYTES) {
      left[c.level]++
      continue
    }
    bytes += size
    kept.push(result)
  }
  const leftOut = left.error + left.warning + left.note
  if (leftOut > 0) {
    const text = `${plural(leftOut, 'result')} (${severities(left)}) left out of this SARIF file: code scanning keeps at most ${MAX_RESULTS.toLocaleString('en-US')} results of a run (and 10 MB), so the most severe are kept. The JSON report lists each finding, up to 1,000 per rule and file, and counts the rest.`
    notifications.push({ level: 'warning', message: { text } })
    notes.push(text)
  }
  distinctLineHashes(kept)
  const log = sarifLog(version, rules, kept, notifications, report, repoRoot)
  return { log, notes }
}

/** The SARIF log of a report (see buildSarif for the notes on what it leaves out). */
export function toSarif(report: Report, version: string, docsBase: string, options: SarifOptions = {}) {
  return buildSarif(report, version, docsBase, options).log
}

function sarifLog(
  version: string,
  rules: ReturnType<typeof ruleDescriptor>[],
  results: ReturnType<typeof toResult>[],
  notifications: Notification[],
  report: Report,
  repoRoot: string | undefined,
) {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: 'friendli-preflight',
            version,
            informationUri: 'https://github.com/friendli-preflight/friendli-preflight',
            rules,
          },
        },
        originalUriBaseIds: {
          [SRCROOT]: {
            ...(repoRoot ? { uri: `${pathToFileURL(repoRoot).href.replace(/\/$/, '')}/` } : {}),
            description: { text: 'The root of the repository checked.' },
          },
        },
        invocations: [
          {
            executionSuccessful: !report.targets.some((t) => t.status === 'error'),
            ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results,
      },
    ],
  }
}

/**
 * A target's findings as results: one per group of row findings (grouping.ts), with the count of the
 * group and of the findings past the cap of its rule and file (engine/finding-cap.ts), which have no
 * finding of their own; past-cap findings of a rule and file with no finding kept are one result too.
 */
function resultGroups(target: TargetResult) {
  const omitted = new Map((target.omitted ?? []).map((o) => [`${o.ruleId}\0${o.path}\0${o.severity}`, o]))
  const out: { finding: Finding; rows: readonly number[]; total: number; extra: number }[] = []
  for (const { first, members, rows } of groupFindings(target.findings)) {
    const key = `${first.ruleId}\0${first.location.path}\0${first.severity}`
    const extra = first.location.row !== undefined ? omitted.get(key) : undefined
    if (extra) omitted.delete(key)
    const past = extra?.count ?? 0
    out.push({ finding: first, rows, total: members.length + past, extra: past })
  }
  for (const o of omitted.values()) {
    out.push({
      finding: {
        ruleId: o.ruleId,
        rule: o.rule,
        messageId: 'omitted',
        severity: o.severity,
        message: `${plural(o.count, `more ${o.severity}`)} of this rule in this file, counted but not listed: a report keeps a rule's first findings about a file and counts the rest.`,
        location: { path: o.path },
        docsUrl: '',
      },
      rows: [],
      total: o.count,
      extra: 0,
    })
  }
  return out
}

/**
 * Where a finding goes in the repository, and a sentence saying what it concerns when that is not the
 * line shown; undefined when there is no such place. A file with a known line: there. A file without:
 * the file. A folder (or '.', or a path that is not a regular file): the folder's config.json or
 * adapter_config.json, the target's, or the line of a workflow or config file naming the target, line
 * 1 of a file only ever with a sentence saying it concerns the folder. A hub target's finding: the
 * line naming it, never an hf:// URI (code scanning rejects a URI whose scheme is not the checkout's).
 */
function placeFinding(
  target: TargetResult,
  f: Finding,
  inRepo: (rel: string) => string | undefined,
  kindOf: (absolutePath: string) => 'file' | 'folder' | 'other' | undefined,
): { place: Place; about?: string } | undefined {
  const originPath = target.spec.origin && inRepo(target.spec.origin.file)
  const origin = originPath ? { path: originPath, line: target.spec.origin!.line } : undefined
  const { path: p, line } = f.location
  if (target.hub) {
    if (!origin) return undefined
    const file = p === '.' ? '' : `${p}${line !== undefined ? ` line ${line}` : ''} of `
    return {
      place: origin,
      about: `(This concerns ${file}${targetName(target)} at commit ${target.hub.sha.slice(0, 12)}, named on this line.)`,
    }
  }
  const rel = workspacePath(target, f.location)
  const own = inRepo(rel)
  if (own && line !== undefined) return { place: { path: own, line, column: f.location.column } }
  const kind = p === '.' ? 'folder' : kindOf(path.join(target.spec.root, p))
  if (own && kind === 'file') return { place: { path: own } }
  const what = kind === 'folder' ? `the folder "${rel}"` : `"${rel}"`
  const folders = kind === 'folder' && p !== '.' ? [p, '.'] : ['.']
  for (const folder of folders) {
    for (const name of ['config.json', 'adapter_config.json']) {
      const file = path.posix.join(folder, name)
      const anchor = inRepo(workspacePath(target, { path: file }))
      if (anchor && kindOf(path.join(target.spec.root, file)) === 'file')
        return {
          place: { path: anchor, line: 1 },
          about: `(This concerns ${what}, not this line of ${path.posix.basename(anchor)}.)`,
        }
    }
  }
  if (origin) return { place: origin, about: `(This concerns ${what}, named on this line.)` }
  return undefined
}

function targetName(target: TargetResult): string {
  if (target.hub) return `the Hub ${target.hub.dataset ? 'dataset' : 'model'} ${target.hub.repo}`
  return `${target.kind} ${target.ref}`
}

function unplacedReason(target: TargetResult): string {
  if (target.hub)
    return 'its files are on the Hugging Face Hub, not in this repository, and no line of a workflow or config file in the repository names it (name it in .friendli-preflight.yml to get its findings as alerts on that line)'
  return 'they concern a folder or a file that is not in the repository (a folder without config.json, or outside the repository), and no line of a workflow or config file names the target'
}

function severities(counts: Record<Level, number>): string {
  const parts = [
    counts.error && plural(counts.error, 'error'),
    counts.warning && plural(counts.warning, 'warning'),
    counts.note && plural(counts.note, 'note'),
  ]
  return parts.filter(Boolean).join(', ')
}

/**
 * A result with its fingerprint: a hash of what makes the finding itself (target, rule, message kind,
 * its own path, line, pointer and row, and its message) and of where it is shown, plus an occurrence
 * number for findings that are the same in every one of those. Stable across runs of the same content,
 * and distinct for two findings of one rule on one line.
 */
function toResult(c: Candidate, seen: Map<string, number>) {
  const hash = createHash('sha256')
    .update(JSON.stringify([...c.identity, c.place.path, c.place.line ?? null]))
    .digest('hex')
    .slice(0, 32)
  const n = (seen.get(hash) ?? 0) + 1
  seen.set(hash, n)
  const region =
    c.place.line !== undefined
      ? { region: { startLine: c.place.line, ...(c.place.column ? { startColumn: c.place.column } : {}) } }
      : {}
  return {
    ruleId: c.ruleId,
    level: c.level,
    message: { text: c.text },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodePath(c.place.path), uriBaseId: SRCROOT },
          ...region,
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: `${hash}:${n}` } as Record<string, string>,
  }
}

/**
 * Code scanning matches alerts by `primaryLocationLineHash` alone among the partial fingerprints, and
 * upload-sarif computes it from the text of the line when a result has none: two results of one rule
 * on one line would get the same one and be one alert. Those results carry their own fingerprint as
 * primaryLocationLineHash; the others keep upload-sarif's, which follows the line when lines move (and
 * a value of ours there would make upload-sarif warn that it differs from the one it computes).
 */
function distinctLineHashes(results: ReturnType<typeof toResult>[]): void {
  const at = (r: ReturnType<typeof toResult>) => {
    const loc = r.locations[0]!.physicalLocation
    return JSON.stringify([r.ruleId, loc.artifactLocation.uri, loc.region?.startLine ?? 0])
  }
  const counts = new Map<string, number>()
  for (const r of results) counts.set(at(r), (counts.get(at(r)) ?? 0) + 1)
  for (const r of results)
    if (counts.get(at(r))! > 1)
      r.partialFingerprints.primaryLocationLineHash = r.partialFingerprints[FINGERPRINT_KEY]!
}

const HELP = ruleHelp.rules as Record<string, { checks: string; fix: string } | undefined>

/** A rule for code scanning: descriptions, its doc page's "What it checks" and "How to fix" as help. */
function ruleDescriptor(rule: AnyRule, docsBase: string) {
  const { id, name, description, severity } = rule.meta
  const url = absoluteUrl(`${name}.md`, docsBase)
  const help = HELP[id] ?? { checks: '', fix: '' }
  const markdown = [
    `**${id} ${name}**: ${description}.`,
    ...(help.checks ? ['', '### What it checks', '', linksFrom(help.checks, docsBase)] : []),
    ...(help.fix ? ['', '### How to fix', '', linksFrom(help.fix, docsBase)] : []),
    ...(url ? ['', `[${id} ${name}: the rule's page](${url})`] : []),
  ].join('\n')
  const text = markdown
    .replace(/^#+ (.*)$/gm, '$1:')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, '$1 ($2)')
  return {
    id,
    name: clip(name, MAX_RULE_NAME),
    shortDescription: { text: clip(description, MAX_DESCRIPTION) },
    fullDescription: { text: clip(`${description}.`, MAX_DESCRIPTION) },
    help: { text, markdown },
    ...(url ? { helpUri: url } : {}),
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      tags: [
        'friendli-preflight',
        'inputs' in rule.meta ? 'dataset' : 'reads' in rule.meta ? 'manifest' : 'model',
      ],
      'problem.severity': severity === 'info' ? 'recommendation' : severity,
    },
  }
}

/** `href` resolved against the docs base; undefined when the base is not an absolute URL. */
function absoluteUrl(href: string, base: string): string | undefined {
  try {
    return new URL(href, base).href
  } catch {
    return undefined
  }
}

/** Relative links of a doc page (`[nested-model](nested-model.md)`) made absolute, as help is shown elsewhere. */
function linksFrom(markdown: string, docsBase: string): string {
  return markdown.replace(/\]\((?![a-z][a-z0-9+.-]*:|#)([^)\s]+)\)/gi, (whole, href: string) => {
    const url = absoluteUrl(href, docsBase)
    return url ? `](${url})` : whole
  })
}
