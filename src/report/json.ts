import type { Report, TargetResult } from '../check.js'
import type { Finding } from '../common/finding.js'
import type { DatasetStats } from '../engine/dataset-stats.js'

/**
 * The CLI's JSON report (its shape is a contract: README, "CLI"): every finding kept, one by one;
 * absent values are null. `omitted` (additive) says, per rule, file and severity, how many findings a
 * dataset rule had past the cap of findings kept per rule and file; the summary counts them too.
 * `dataset` (additive, dataset targets that were checked) counts the rows read, unreadable ones
 * included, by split, and says how many rows max-rows left unchecked. `shard` (additive) is set on a
 * dataset target checked as one shard: `{ index, count }`; `merged` (additive) on a dataset merged from
 * its shards' reports: `{ shards }`. `shardState` (additive, last) is on every target of a run that
 * checks shards: what merge-reports reads back (src/shard-state.ts), not meant to be read otherwise.
 * `lfs` (additive) is on a local model whose Git LFS pointers were read through the remote's LFS
 * server: `{ read, requests, bytes }`, the safetensors files read that way (their headers only: in the
 * checkout they are pointers, and their data was not downloaded), and the requests and bytes it took.
 * `model` (additive) is on a deployment manifest (kind `manifest`) that names a model:
 * `{ ref, source, revision }`, the model its findings on the hfModelRepo line come from.
 */
export function toJson(report: Report) {
  return {
    version: 1,
    targets: report.targets.map((t) => ({
      ...targetHead(t),
      findings: t.findings.map(findingJson),
      omitted: omittedJson(t),
      ...(t.shardState ? { shardState: t.shardState } : {}),
    })),
    summary: summaryJson(report),
  }
}

/**
 * The JSON report as text, in pieces: exactly `JSON.stringify(toJson(report), null, 2) + '\n'`, made
 * one finding at a time, so a report of any size is written without one string of all of it (V8 caps a
 * string near 512 MB). Each piece ends between two JSON values, never inside a string, so a piece can
 * be escaped on its own (neutralizeJson) and written as it comes.
 */
export function* jsonReportChunks(report: Report, chunkChars = 64 * 1024): Generator<string> {
  let buffer = ''
  // Each call adds a piece; a full buffer is handed out (a generator cannot yield from a callback).
  const pieces = (function* (): Generator<string> {
    yield '{\n  "version": 1,\n  "targets": '
    if (report.targets.length === 0) yield '[]'
    else {
      yield '[\n'
      for (const [i, t] of report.targets.entries()) {
        yield i === 0 ? '    {\n' : ',\n    {\n'
        for (const [key, value] of Object.entries(targetHead(t)))
          yield `      ${JSON.stringify(key)}: ${nested(value, '      ')},\n`
        if (t.findings.length === 0) yield '      "findings": [],\n'
        else {
          yield '      "findings": [\n'
          for (const [k, f] of t.findings.entries())
            yield `${k === 0 ? '' : ',\n'}        ${nested(findingJson(f), '        ')}`
          yield '\n      ],\n'
        }
        yield `      "omitted": ${nested(omittedJson(t), '      ')}`
        if (t.shardState) yield `,\n      "shardState": ${nested(t.shardState, '      ')}`
        yield '\n    }'
      }
      yield '\n  ]'
    }
    yield `,\n  "summary": ${nested(summaryJson(report), '  ')}\n}\n`
  })()
  for (const piece of pieces) {
    buffer += piece
    if (buffer.length >= chunkChars) {
      yield buffer
      buffer = ''
    }
  }
  if (buffer.length > 0) yield buffer
}

/** `value` as JSON.stringify(value, null, 2) writes it `prefix` deep (strings hold no raw newline). */
function nested(value: unknown, prefix: string): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${prefix}`)
}

function targetHead(t: TargetResult) {
  return {
    kind: t.kind,
    ref: t.ref,
    source: t.source,
    revision: t.revision,
    status: t.status,
    ...(t.error ? { error: t.error } : {}),
    // Set on a dataset checked as one shard (`--shard i/n`): the share of its rows this report covers.
    ...(t.spec.shard ? { shard: { index: t.spec.shard.index, count: t.spec.shard.count } } : {}),
    // Set on a dataset merged from its shards' reports (merge-reports): how many there were.
    ...(t.merged ? { merged: { shards: t.merged.shards } } : {}),
    ...(t.dataset ? { dataset: datasetJson(t.dataset) } : {}),
    ...(t.lfs ? { lfs: { read: t.lfs.read, requests: t.lfs.requests, bytes: t.lfs.bytes } } : {}),
    // Set on a deployment manifest that names a model: the model as it was checked.
    ...(t.model ? { model: { ref: t.model.ref, source: t.model.source, revision: t.model.revision } } : {}),
  }
}

function datasetJson(d: DatasetStats) {
  return {
    rows: d.seen,
    unreadable: d.unreadable,
    splits: [...d.rowsPerSplit].map(([split, rows]) => ({
      split,
      rows,
      unreadable: d.unreadablePerSplit.get(split) ?? 0,
    })),
    // Set when max-rows stopped the pass; `total` is null when the files do not say how many rows they hold.
    maxRows: d.partial
      ? { limit: d.partial.maxRows, checked: d.partial.checked, total: d.partial.total ?? null }
      : null,
    // Token lengths of the rendered rows; `sample` is set when they come from a sample (the first rows
    // and every `every`-th row after), and `max` is then the sample's longest, not the dataset's.
    tokens: d.tokens
      ? {
          min: d.tokens.min,
          median: d.tokens.median,
          p95: d.tokens.p95,
          max: d.tokens.max,
          counted: d.tokens.counted,
          sample: d.tokens.sample ?? null,
        }
      : null,
  }
}

function findingJson(f: Finding) {
  return {
    ruleId: f.ruleId,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    hint: f.hint ?? null,
    location: {
      path: f.location.path,
      line: f.location.line ?? null,
      column: f.location.column ?? null,
      pointer: f.location.pointer ?? null,
      row: f.location.row ?? null,
    },
    docsUrl: f.docsUrl,
  }
}

function omittedJson(t: TargetResult) {
  return (t.omitted ?? []).map((o) => ({
    ruleId: o.ruleId,
    rule: o.rule,
    path: o.path,
    severity: o.severity,
    count: o.count,
  }))
}

function summaryJson(report: Report) {
  return { ...report.counts, result: report.result }
}
