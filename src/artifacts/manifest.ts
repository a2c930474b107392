// A deployment manifest (the body of Friendli's create- or update-endpoint call kept in the
// repository, see endpoint-body.ts), parsed with positions, so every finding lands on the line of the
// key or value it is about. JSON is parsed as the API and the tools that post a body read it (no
// comments, no trailing commas: curl sends the file as it is, and Python's json and JSON.parse refuse
// both); YAML with the yaml library, its aliases capped (a "billion laughs" file expands nothing), its
// keys checked for repeats in one pass, and its flow nesting bounded before it is parsed. The bytes are
// bounded by the caller, before they are read (MANIFEST_LIMITS.bytes).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml'
import type { z } from 'zod'
import { isObject, jsonNesting } from '../common/json.js'
import { firstInvalidUtf8, lineIndex, type Position } from '../common/text.js'
import { bodyKind, bodySchema, type BodyKind } from './endpoint-body.js'
import { jsonType, parseJsonDocument, pointerSegments } from './json-document.js'

/**
 * Bounds on a manifest, which the pull request writes. A real one is well under 2 KB and nests two
 * levels; 64 KiB is thirty times that, and keeps the YAML library's parse of a hostile file (20,000 keys
 * in 190 KB take it about 0.7 s) near a tenth of a second. Aliases: a manifest needs none, and a few are
 * allowed for a file that shares a value; past that an alias is an expansion attack. Keys written twice
 * are listed up to `duplicates`, the rest counted.
 */
export const MANIFEST_LIMITS = { bytes: 64 * 1024, aliases: 16, depth: 64, duplicates: 100 }

export type ManifestFormat = 'json' | 'yaml'

/** The format a manifest's name says: .json is JSON, .yaml and .yml are YAML. */
export function manifestFormat(file: string): ManifestFormat {
  return /\.json$/i.test(file) ? 'json' : 'yaml'
}

/** A key written twice in one object: the last one is what Python's json, PyYAML and JSON.parse keep. */
export interface DuplicateKey {
  key: string
  /** The object holding it (RFC 6901). */
  pointer: string
  at: Position
}

export interface ManifestDocument {
  /** The file, relative to the target's root (its folder). */
  path: string
  format: ManifestFormat
  value: unknown
  /**
   * Where the value at a pointer is written: its key for a value in an object (where a reader looks),
   * the value itself for the document and array items. Undefined when it is not in the file.
   */
  locate(pointer: string): Position | undefined
  /** The text of a scalar as written in the file (YAML's unquoted `123e4567`), when known. */
  source(pointer: string): string | undefined
  /** Keys written twice, the first MANIFEST_LIMITS.duplicates of them, and how many there are in all. */
  duplicates: { shown: DuplicateKey[]; count: number }
}

/** Why a manifest could not be read as an object, with its position when it has one. */
export type ManifestProblem =
  | { kind: 'too-large'; bytes: number; limit: number }
  | { kind: 'empty' }
  | { kind: 'encoding'; at: Position }
  | { kind: 'bom' }
  | { kind: 'syntax'; detail: string; at?: Position }
  | { kind: 'comments'; at?: Position }
  | { kind: 'not-object'; found: string; at?: Position }
  | { kind: 'aliases'; limit: number; at?: Position }
  | { kind: 'too-deep'; depth: number; limit: number; at?: Position }

export type ParsedManifest =
  | { ok: true; doc: ManifestDocument }
  | { ok: false; path: string; format: ManifestFormat; problem: ManifestProblem }

/** A manifest that parsed to an object, with the body it is and the schema's issues with it. */
export interface Manifest {
  doc: ManifestDocument
  value: Record<string, unknown>
  body: BodyKind
  issues: readonly z.core.$ZodIssue[]
}

/** Parse a manifest's bytes (already bounded by the caller) as its file name's format. */
export function parseManifest(path: string, bytes: Uint8Array): ParsedManifest {
  if (bytes.length > MANIFEST_LIMITS.bytes) return tooLarge(path, bytes.length)
  return manifestFormat(path) === 'json' ? parseJson(path, bytes) : parseYaml(path, bytes)
}

/** A manifest refused for its size, before it is read (the caller knows the size from the listing). */
export function tooLarge(path: string, bytes: number): ParsedManifest {
  return failed(path, { kind: 'too-large', bytes, limit: MANIFEST_LIMITS.bytes })
}

function failed(path: string, problem: ManifestProblem): ParsedManifest {
  return { ok: false, path, format: manifestFormat(path), problem }
}

/** The manifest checked against the body it is (endpoint-body.ts), or undefined when it is no object. */
export function manifestOf(parsed: ParsedManifest): Manifest | undefined {
  if (!parsed.ok || !isObject(parsed.doc.value)) return undefined
  const value = parsed.doc.value
  const body = bodyKind(value)
  const result = bodySchema(body).safeParse(value)
  return { doc: parsed.doc, value, body, issues: result.success ? [] : result.error.issues }
}

function parseJson(path: string, bytes: Uint8Array): ParsedManifest {
  const parsed = parseJsonDocument(path, bytes, true)
  if (!parsed.ok) {
    const p = parsed.problem
    switch (p.kind) {
      case 'empty':
        return failed(path, { kind: 'empty' })
      case 'bom':
        return failed(path, { kind: 'bom' })
      case 'encoding':
        return failed(path, { kind: 'encoding', at: p.at })
      case 'syntax':
        return p.detail === 'comments are not allowed in JSON'
          ? failed(path, { kind: 'comments', at: p.at })
          : failed(path, { kind: 'syntax', detail: p.detail, at: p.at })
      case 'not-object':
        return failed(path, { kind: 'not-object', found: p.found, at: p.at })
      case 'too-deep':
        return failed(path, { kind: 'too-deep', depth: p.depth, limit: p.limit, at: p.at })
    }
  }
  const json = parsed.doc
  return {
    ok: true,
    doc: {
      path,
      format: 'json',
      value: json.value,
      locate: (pointer) => json.locate(pointer) ?? nearest(pointer, (p) => json.locate(p)),
      source: () => undefined,
      duplicates: jsonDuplicates(json.text),
    },
  }
}

/**
 * The keys a JSON text repeats within one object, found in one pass over its tokens with a set per open
 * object: JSON.parse keeps the last silently. Strings are read with their escapes; the text is valid
 * JSON (it parsed), so the scan only has to tell keys from values.
 */
function jsonDuplicates(text: string): { shown: DuplicateKey[]; count: number } {
  const out: DuplicateKey[] = []
  let count = 0
  const position = lineIndex(text)
  // Each open container: an object's keys seen, its pointer, and (arrays) the next index.
  const stack: { keys?: Set<string>; pointer: string; index: number; key?: string }[] = []
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      const top = stack.at(-1)
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string
        if (top.keys.has(key) && ++count <= MANIFEST_LIMITS.duplicates)
          out.push({ key, pointer: top.pointer, at: position(i) })
        top.keys.add(key)
        top.key = key
        expectKey = false
      }
      i = j
    } else if (c === '{' || c === '[') {
      const top = stack.at(-1)
      const child = top ? `${top.pointer}/${top.keys ? escape(top.key ?? '') : top.index}` : ''
      stack.push(c === '{' ? { keys: new Set(), pointer: child, index: 0 } : { pointer: child, index: 0 })
      expectKey = c === '{'
    } else if (c === '}' || c === ']') stack.pop()
    else if (c === ',') {
      const top = stack.at(-1)
      if (top?.keys) expectKey = true
      else if (top) top.index++
    }
  }
  return { shown: out, count }
}

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

function parseYaml(path: string, bytes: Uint8Array): ParsedManifest {
  const bad = firstInvalidUtf8(bytes)
  if (bad !== -1) {
    const before = Buffer.from(bytes.subarray(0, bad)).toString('utf8')
    return failed(path, { kind: 'encoding', at: lineIndex(before)(before.length) })
  }
  // A byte-order mark is allowed in YAML and is not part of the first line's text.
  const text = Buffer.from(bytes)
    .toString('utf8')
    .replace(/^\ufeff/, '')
  const position = lineIndex(text)
  // Flow collections nest by brackets; the library builds them recursively, so the depth is bounded
  // before it parses (block collections nest by indentation, which the byte cap bounds).
  const nesting = jsonNesting(text, MANIFEST_LIMITS.depth)
  if (nesting.over >= 0)
    return failed(path, {
      kind: 'too-deep',
      depth: nesting.depth,
      limit: MANIFEST_LIMITS.depth,
      at: position(nesting.over),
    })
  const lineCounter = new LineCounter()
  // uniqueKeys is off: the library's check compares every key with every other (quadratic in the keys
  // of one mapping); duplicates() below finds repeats in one pass. Warnings (an unknown tag) are not
  // printed: the library would write them to stderr with the file's text.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, logLevel: 'error', lineCounter })
  const at = (offset: number | undefined): Position | undefined => {
    if (offset === undefined) return undefined
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  const [error] = doc.errors
  if (error) return failed(path, { kind: 'syntax', detail: yamlWords(error.message), at: at(error.pos[0]) })
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: MANIFEST_LIMITS.aliases })
  } catch (e) {
    if (e instanceof ReferenceError)
      return failed(path, { kind: 'aliases', limit: MANIFEST_LIMITS.aliases, at: at(firstAlias(text)) })
    throw e
  }
  if (value === null || value === undefined) return failed(path, { kind: 'empty' })
  if (!isObject(value) || ![Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null))
    return failed(path, { kind: 'not-object', found: yamlType(value), at: at(rangeStart(doc.contents)) })
  const nodeAt = (pointer: string): { node?: unknown; key?: unknown } | undefined => {
    let node: unknown = doc.contents
    let key: unknown
    for (const s of pointerSegments(pointer)) {
      if (isMap(node)) {
        const pair: Pair | undefined = pairs(node).get(String(s))
        if (!pair) return undefined
        key = pair.key
        node = pair.value
      } else if (isSeq(node) && typeof s === 'number') {
        key = undefined
        node = node.items[s]
        if (node === undefined) return undefined
      } else return undefined
    }
    return { node, key }
  }
  const locateExact = (pointer: string) => {
    const found = nodeAt(pointer)
    if (!found) return undefined
    return at(rangeStart(found.key) ?? rangeStart(found.node))
  }
  return {
    ok: true,
    doc: {
      path,
      format: 'yaml',
      value,
      locate: (pointer) => locateExact(pointer) ?? nearest(pointer, locateExact),
      source(pointer) {
        const node = nodeAt(pointer)?.node
        return isScalar(node) && typeof node.source === 'string' ? node.source : undefined
      },
      duplicates: yamlDuplicates(doc.contents, at),
    },
  }
}

/** The position of the nearest ancestor of a pointer that the document has (a missing key's object). */
function nearest(pointer: string, locate: (p: string) => Position | undefined): Position | undefined {
  let p = pointer
  while (p !== '') {
    p = p.slice(0, p.lastIndexOf('/'))
    const found = locate(p)
    if (found) return found
  }
  return undefined
}

/** A mapping's pairs by their plain key, built once per mapping; the last pair of a key wins, as in toJS. */
const PAIRS = new WeakMap<object, Map<string, Pair>>()
function pairs(node: { items: Pair[] }): Map<string, Pair> {
  let byKey = PAIRS.get(node)
  if (!byKey) {
    byKey = new Map()
    for (const p of node.items) if (isScalar(p.key)) byKey.set(String(p.key.value), p)
    PAIRS.set(node, byKey)
  }
  return byKey
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0]
}

/** Keys a YAML document repeats in one mapping, found in one iterative pass over its nodes. */
function yamlDuplicates(
  root: unknown,
  at: (offset: number | undefined) => Position | undefined,
): { shown: DuplicateKey[]; count: number } {
  const out: DuplicateKey[] = []
  let count = 0
  const stack: { node: unknown; pointer: string }[] = [{ node: root, pointer: '' }]
  while (stack.length > 0) {
    const { node, pointer } = stack.pop()!
    if (isMap(node)) {
      const seen = new Set<string>()
      for (const item of node.items) {
        const key = isScalar(item.key) ? String(item.key.value) : undefined
        if (key === undefined) continue
        if (seen.has(key) && ++count <= MANIFEST_LIMITS.duplicates) {
          const where = at(rangeStart(item.key))
          if (where) out.push({ key, pointer, at: where })
        }
        seen.add(key)
        stack.push({ node: item.value, pointer: `${pointer}/${escape(key)}` })
      }
    } else if (isSeq(node))
      node.items.forEach((item, i) => stack.push({ node: item, pointer: `${pointer}/${i}` }))
  }
  return { shown: out.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column), count }
}

/** Where the first alias (`*name`) of the text is, roughly: the finding's line when it can be told. */
function firstAlias(text: string): number | undefined {
  const m = /(^|[\s[{,:-])\*[^\s,\]}]/m.exec(text)
  return m ? m.index + m[1]!.length : undefined
}

/** The library's message without its code frame (which quotes the file) and its position (given apart). */
function yamlWords(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/[.:]$/, '')
}

/** What a YAML document that is not a mapping holds, as the message names it. */
function yamlType(value: unknown): string {
  if (value instanceof Uint8Array) return 'binary data (!!binary)'
  if (value instanceof Set) return 'a set (!!set)'
  if (value instanceof Map) return 'a mapping with keys that are not text'
  return jsonType(value)
}
