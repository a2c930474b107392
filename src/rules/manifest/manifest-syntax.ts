import type { ManifestProblem } from '../../artifacts/manifest.js'
import { MANIFEST_LIMITS } from '../../artifacts/manifest.js'
import type { Location } from '../../common/finding.js'
import { formatBinaryBytes } from '../../common/wording.js'
import { defineManifestRule } from '../manifest-rule.js'
import { keyName, quote } from '../utils/manifest.js'

const BODY =
  "A manifest holds one object: the JSON body of Friendli's create-endpoint call (POST /dedicated/beta/endpoint) or update call (PUT /dedicated/beta/endpoint/{endpoint_id}), in JSON or YAML."

export default defineManifestRule({
  meta: {
    id: 'EP101',
    name: 'manifest-syntax',
    description: 'Require a deployment manifest to be one JSON or YAML object, bounded, with each key once',
    severity: 'error',
    reads: ['file'],
    messages: {
      tooLarge: {
        text: (d: { bytes: number; limit: number }) =>
          `The manifest is ${d.bytes.toLocaleString('en-US')} bytes, more than the ${formatBinaryBytes(d.limit)} a manifest is read up to, so it was not parsed.`,
        hint: () =>
          `A deployment manifest is the body of one API call, well under 2 KB: check that this file is the manifest and not something saved under its name. ${BODY}`,
      },
      empty: {
        text: () => 'The manifest is empty: it holds no body for the endpoint call.',
        hint: () => BODY,
      },
      encoding: {
        text: (d: { line: number; column: number }) =>
          `The manifest is not valid UTF-8 (the first bad byte is at line ${d.line}, column ${d.column}).`,
        hint: () =>
          'Save the file as UTF-8: JSON sent to an API is UTF-8 (RFC 8259), and YAML tools read UTF-8.',
      },
      bom: {
        text: () =>
          "The manifest starts with a UTF-8 byte-order mark, which JSON does not allow (RFC 8259) and Python's json module rejects.",
        hint: () => 'Save the file as UTF-8 without a byte-order mark.',
      },
      syntax: {
        text: (d: { format: string; detail: string }) =>
          `The manifest is not valid ${d.format}: ${d.detail}.`,
        hint: (d: { format: string }) =>
          d.format === 'YAML'
            ? 'Fix the YAML at this line: one document, one mapping of keys to values.'
            : 'Fix the JSON at this line: keys in double quotes, no trailing commas.',
      },
      comments: {
        text: () =>
          "The manifest has a comment, but JSON has no comments: the API, curl --data @file and Python's json module read the file as JSON and refuse it.",
        hint: () =>
          'Remove the comment, or write the manifest as YAML (friendli-endpoint.yaml), which has comments, and convert it to JSON when you send it.',
      },
      notObject: {
        text: (d: { found: string }) =>
          `The manifest must hold one object, the body of the endpoint call, but holds ${d.found}.`,
        hint: () => BODY,
      },
      aliases: {
        text: (d: { limit: number }) =>
          `The manifest expands YAML aliases more than ${d.limit} times: a manifest needs none, and that many is how an alias bomb ("billion laughs") makes a small file expand without bound, so it was not read.`,
        hint: () =>
          'Write each value out instead of repeating it with an anchor (&name) and aliases (*name).',
      },
      tooDeep: {
        text: (d: { depth: number; limit: number }) =>
          `The manifest nests ${d.depth.toLocaleString('en-US')} levels deep; a manifest nests two levels (advanced, autoscalingPolicy) and is read up to ${d.limit}, so it was not parsed.`,
        hint: () => BODY,
      },
      duplicateKey: {
        severity: 'warning',
        text: (d: { key: string; object: string }) =>
          `The key ${d.key} appears twice in ${d.object}: the API reads the last one (as Python's json, PyYAML and JSON.parse do), so the value written first is silently ignored.`,
        hint: () => 'Keep one of the two, the value you mean.',
      },
      moreDuplicates: {
        severity: 'warning',
        text: (d: { count: number }) =>
          `${d.count.toLocaleString('en-US')} more keys are written twice, not listed one by one.`,
        hint: () => 'Keep each key once.',
      },
    },
  },
  check({ file, report }) {
    if (file.ok) {
      const { doc } = file
      for (const d of doc.duplicates.shown)
        report(
          'duplicateKey',
          { key: quote(d.key), object: d.pointer === '' ? 'the manifest' : keyName(d.pointer) },
          { path: doc.path, pointer: d.pointer, line: d.at.line, column: d.at.column },
        )
      const more = doc.duplicates.count - doc.duplicates.shown.length
      if (more > 0) report('moreDuplicates', { count: more }, { path: doc.path })
      return
    }
    const problem: ManifestProblem = file.problem
    const at = (pos?: { line: number; column: number }): Location =>
      pos ? { path: file.path, line: pos.line, column: pos.column } : { path: file.path }
    const format = file.format === 'json' ? 'JSON' : 'YAML'
    switch (problem.kind) {
      case 'too-large':
        return report('tooLarge', { bytes: problem.bytes, limit: problem.limit }, at())
      case 'empty':
        return report('empty', {}, at())
      case 'encoding':
        return report('encoding', problem.at, at(problem.at))
      case 'bom':
        return report('bom', {}, at({ line: 1, column: 1 }))
      case 'syntax':
        return report('syntax', { format, detail: problem.detail }, at(problem.at))
      case 'comments':
        return report('comments', {}, at(problem.at))
      case 'not-object':
        return report('notObject', { found: problem.found }, at(problem.at))
      case 'aliases':
        return report('aliases', { limit: problem.limit }, at(problem.at))
      case 'too-deep':
        return report(
          'tooDeep',
          { depth: problem.depth, limit: problem.limit ?? MANIFEST_LIMITS.depth },
          at(problem.at),
        )
    }
  },
})
