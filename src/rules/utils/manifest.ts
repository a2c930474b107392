// Small pure helpers the manifest rules share: where a value of the manifest is, what it is, and how a
// message quotes it (the manifest is the pull request's text: quoted, escaped and short).
import type { Manifest, ManifestDocument } from '../../artifacts/manifest.js'
import { pointerSegments } from '../../artifacts/json-document.js'
import type { Location } from '../../common/finding.js'

/** The location of a pointer: its line and column when the document has it (or its nearest parent). */
export function where(doc: ManifestDocument, pointer: string): Location {
  const pos = doc.locate(pointer)
  return pos ? { path: doc.path, pointer, line: pos.line, column: pos.column } : { path: doc.path, pointer }
}

/** The value at a pointer, or undefined when the path is not there. */
export function valueAt(value: unknown, pointer: string): unknown {
  let node = value
  for (const s of pointerSegments(pointer)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, s)) return undefined
    node = (node as Record<string | number, unknown>)[s]
  }
  return node
}

/** Whether the path is written in the manifest (with any value, null included). */
export function has(manifest: Manifest, pointer: string): boolean {
  const segments = pointerSegments(pointer)
  const last = segments.pop()
  if (last === undefined) return true
  const parent = valueAt(manifest.value, segments.length ? `/${segments.join('/')}` : '')
  return typeof parent === 'object' && parent !== null && Object.hasOwn(parent, last)
}

/** A whole number at a pointer (the schema rules report any other value), else undefined. */
export function intAt(manifest: Manifest, pointer: string): number | undefined {
  const v = valueAt(manifest.value, pointer)
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined
}

/** A string at a pointer, else undefined. */
export function stringAt(manifest: Manifest, pointer: string): string | undefined {
  const v = valueAt(manifest.value, pointer)
  return typeof v === 'string' ? v : undefined
}

/** An object at a pointer (not null, not an array), else undefined. */
export function objectAt(manifest: Manifest, pointer: string): Record<string, unknown> | undefined {
  const v = valueAt(manifest.value, pointer)
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

/**
 * Text of the manifest in a message: JSON-quoted, at most 100 characters, and every control, format
 * (bidi, zero-width) and line-separator character written as an escape, so a message is the same
 * harmless line in every output, the JSON report included.
 */
export function quote(s: string): string {
  return JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}…` : s).replace(
    /[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  )
}

/** `autoscalingPolicy.maxReplica`, `advanced.max_context_length`: a pointer as a reader names the key. */
export function keyName(pointer: string): string {
  return pointerSegments(pointer)
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${clip(s)}`))
    .join('')
}

function clip(s: string): string {
  const text = /^[A-Za-z_$][\w$]*$/.test(s) ? s : quote(s)
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

/** "1,048,576" */
export function tokens(n: number): string {
  return n.toLocaleString('en-US')
}
