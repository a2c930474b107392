import type { Report, TargetResult } from '../check.js'
import type { Finding, Severity } from '../common/finding.js'
import { formatDecimalBytes, plural } from '../common/wording.js'
import { groupFindings, rowsInWords } from './grouping.js'
import { formatLocation, workspacePath } from './paths.js'

const COLORS: Record<Severity | 'dim' | 'bold', [number, number]> = {
  error: [31, 39],
  warning: [33, 39],
  info: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
}

/**
 * Repository text as it may reach a terminal or a log: on one line (CR, LF and the Unicode line
 * breaks written as `\r`, `\n`, `\u{2028}`), with no escape sequence (ESC and the other controls,
 * but tab, as `\u{1b}`…) and nothing reordered or hidden (bidi and other format characters as
 * `\u{202e}`…). A file name or a template error could otherwise repaint the terminal, fake a line of
 * output or hide a finding.
 */
export function printable(s: string): string {
  return s.replace(/(?!\t)[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u{${c.codePointAt(0)!.toString(16)}}`,
  )
}

/**
 * One line per finding, `path:line:col severity ruleId rule-name message`, rows grouped (see
 * grouping.ts) unless `verbose`, then one summary line.
 */
export function formatText(report: Report, color = false, { verbose = false } = {}): string {
  const paint = (kind: keyof typeof COLORS, s: string) =>
    color ? `\x1b[${COLORS[kind][0]}m${s}\x1b[${COLORS[kind][1]}m` : s
  const lines: string[] = []
  const line = (f: Finding, where: string, tail: string) =>
    lines.push(
      `${paint('dim', printable(where))} ${paint(f.severity, f.severity)} ${f.ruleId} ${f.rule} ${printable(f.message)}${tail}`,
    )
  for (const target of report.targets) {
    if (target.status === 'error') {
      lines.push(
        `${paint('bold', printable(target.ref))}: ${paint('error', 'could not check')}: ${printable(target.error ?? '')}`,
      )
      // A manifest whose model could not be read still has its own findings; other targets have none.
      if (target.findings.length === 0) continue
    }
    // Rows of one rule, message kind and file are one line with their count (the grouping every
    // human-facing output uses); a few are listed one by one, and --verbose lists them all.
    const omitted = new Map((target.omitted ?? []).map((o) => [`${o.ruleId}\0${o.path}\0${o.severity}`, o]))
    for (const group of groupFindings(target.findings)) {
      const { first: f, members, rows } = group
      const key = `${f.ruleId}\0${f.location.path}\0${f.severity}`
      // Findings past the cap per rule and file are counted, not kept: a group of that rule and file
      // takes their count, so the flood is still one line.
      const extra = members.length > LISTED_UP_TO ? omitted.get(key) : undefined
      if (extra) omitted.delete(key)
      if (verbose || members.length <= LISTED_UP_TO) {
        for (const m of members) line(m, formatLocation(workspacePath(target, m.location), m.location), '')
        continue
      }
      const total = members.length + (extra?.count ?? 0)
      const where = `${formatLocation(workspacePath(target, f.location), { path: f.location.path })} (${rowsInWords(rows)})`
      line(
        f,
        where,
        ` The first of ${plural(total, 'finding')} like it${extra ? ` (${extra.count.toLocaleString('en-US')} of them past the cap, counted only)` : ''}; --verbose lists each one kept.`,
      )
    }
    for (const o of omitted.values()) {
      const where = printable(workspacePath(target, { path: o.path }))
      lines.push(
        `${paint('dim', where)} ${paint(o.severity, o.severity)} ${o.ruleId} ${o.rule} …and ${plural(o.count, `more ${o.severity}`)} of this rule in this file, counted but not listed.`,
      )
    }
    if (target.lfs)
      lines.push(
        `${paint('dim', printable(workspacePath(target, { path: '.' })))} lfs: ${lfsLine(target.lfs)}`,
      )
    const rows = datasetRows(target)
    if (rows)
      lines.push(
        `${paint('dim', printable(workspacePath(target, { path: target.spec.file ?? '.' })))} ${rows}`,
      )
  }
  lines.push(summaryLine(report, paint))
  return lines.join('\n') + '\n'
}

/**
 * Which weights were read through Git LFS, and what it took: the files are pointers in the checkout,
 * so nothing says their data is there.
 */
export function lfsLine(lfs: NonNullable<TargetResult['lfs']>): string {
  return `the headers of ${plural(lfs.read.length, 'safetensors file')} were read through the repository's Git LFS server (${plural(lfs.requests, 'request')}, ${formatDecimalBytes(lfs.bytes)}); in the checkout they are pointers, and their data was not downloaded`
}

/** Findings of one group listed one by one before they are one line with a count. */
const LISTED_UP_TO = 3

/** Splits named in a dataset's line before "…and N more splits". */
const SPLITS_SHOWN = 20

/**
 * A dataset's rows, every row read counted, with the unreadable ones (not a JSON object), by split; and
 * whether max-rows stopped the pass: `rows: 8 read, 1 unreadable; by split: train 8 (1 unreadable)`.
 */
function datasetRows(target: TargetResult): string | undefined {
  const d = target.dataset
  if (!d) return undefined
  const n = (x: number) => x.toLocaleString('en-US')
  const splits = [...d.rowsPerSplit].slice(0, SPLITS_SHOWN).map(([split, rows]) => {
    const bad = d.unreadablePerSplit.get(split)
    return `${printable(split)} ${n(rows)}${bad ? ` (${n(bad)} unreadable)` : ''}`
  })
  const more = d.rowsPerSplit.size - splits.length
  if (more > 0) splits.push(`…and ${plural(more, 'more split')}`)
  const partial = d.partial ? `; ${checkedRows(d.partial)}` : ''
  const shard = target.spec.shard
    ? `; ${shardNote(target.spec.shard)}`
    : target.merged
      ? `; ${mergedNote(target.merged.shards)}`
      : ''
  return `rows: ${n(d.seen)} read, ${n(d.unreadable)} unreadable; by split: ${splits.join(', ') || 'none'}${partial}${shard}`
}

/** A dataset checked as one shard: what its figures and its duplicate rows cover. */
export function shardNote(shard: { index: number; count: number }): string {
  return `shard ${shard.index} of ${shard.count}: rows and duplicate rows (DS302) are this shard's only; merge-reports merges the shards' reports into the whole dataset's`
}

/** A dataset merged from its shards' reports (merge-reports): what its figures cover. */
export function mergedNote(shards: number): string {
  return `merged from the reports of ${plural(shards, 'shard')}: rows and duplicate rows (DS302) are the whole dataset's`
}

/** What max-rows left out: "checked 100 of 2,000 rows (max-rows 100)" when the files say how many. */
export function checkedRows(p: { checked: number; maxRows: number; total?: number }): string {
  const n = (x: number) => x.toLocaleString('en-US')
  return p.total !== undefined
    ? `checked ${n(p.checked)} of ${plural(p.total, 'row')} (max-rows ${n(p.maxRows)})`
    : `first ${plural(p.checked, 'row')} checked (max-rows ${n(p.maxRows)}); the rest not read`
}

export function summaryLine(
  report: Report,
  paint: (kind: 'bold', s: string) => string = (_k, s) => s,
): string {
  const { errors, warnings, infos } = report.counts
  const counts = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')}`
  const unchecked = report.targets.filter((t) => t.status === 'error').length
  const what = `${plural(report.targets.length, 'target')} checked${unchecked ? ` (${unchecked} could not be checked)` : ''}`
  return `${paint('bold', report.result)}: ${what}: ${counts} (fail-on: ${report.failOn})`
}
