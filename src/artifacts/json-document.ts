import { createScanner, parse, parseTree, type Node, type ParseError } from 'jsonc-parser'
import type { Location } from '../common/finding.js'
import { isObject, jsonNesting, PYTHON_JSON_MAX_DEPTH } from '../common/json.js'
import { plainParseMessage, syntaxWords, type JsonProblem } from '../common/json-errors.js'
import { firstInvalidUtf8, lineIndex, type Position } from '../common/text.js'

/** A parsed JSON file that can say on which line and column any value sits. */
export interface JsonDocument {
  path: string
  text: string
  value: unknown
  /** Position of the value at an RFC 6901 pointer ('' is the whole document), or undefined. */
  locate(pointer: string): Position | undefined
}

type JsonParse = { ok: true; doc: JsonDocument } | { ok: false; problem: JsonProblem }

/**
 * jsonc-parser recurses once per level of nesting (Node's stack ends between 5,000 and 8,000 levels).
 * Deeper than this, which no real file nests (a config.json nests under 10), positions are not looked
 * up, so a finding has no line, and a syntax error is worded from JSON.parse, which does not recurse.
 */
const RECURSIVE_PARSER_DEPTH = 1_000

/** The location of a JSON value: pointer always, line and column when the value is really there. */
export function at(doc: JsonDocument, pointer: string): Location {
  const pos = doc.locate(pointer)
  return pos ? { path: doc.path, pointer, line: pos.line, column: pos.column } : { path: doc.path, pointer }
}

/** A short name for the JSON type of a value, as users know it. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return 'a string'
  if (typeof value === 'number') return 'a number'
  return typeof value
}

/**
 * Parse bytes the way transformers reads a JSON file (Python `json.load` on UTF-8 text): a BOM or
 * invalid UTF-8 is an error there, so it is one here. `requireObject` makes a non-object an error.
 */
export function parseJsonDocument(path: string, bytes: Uint8Array, requireObject = true): JsonParse {
  if (bytes.length === 0) return { ok: false, problem: { kind: 'empty' } }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { ok: false, problem: { kind: 'bom' } }
  const bad = firstInvalidUtf8(bytes)
  if (bad !== -1) {
    const text = Buffer.from(bytes.subarray(0, bad)).toString('utf8')
    return { ok: false, problem: { kind: 'encoding', at: lineIndex(text)(text.length) } }
  }
  const text = Buffer.from(bytes).toString('utf8')
  if (text.trim() === '') return { ok: false, problem: { kind: 'empty' } }
  const position = lineIndex(text)
  // Before any parser: nesting past what Python loads is a finding, never a stack overflow.
  const nesting = jsonNesting(text, PYTHON_JSON_MAX_DEPTH)
  if (nesting.over >= 0)
    return {
      ok: false,
      problem: {
        kind: 'too-deep',
        depth: nesting.depth,
        limit: PYTHON_JSON_MAX_DEPTH,
        at: position(nesting.over),
      },
    }
  const shallow = nesting.depth <= RECURSIVE_PARSER_DEPTH

  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    // Python's json (what transformers uses) accepts NaN and ±Infinity; JSON.parse does not.
    const python = pythonConstantsAsNull(text)
    try {
      if (python === undefined) throw error
      value = JSON.parse(python)
    } catch {
      return { ok: false, problem: syntaxProblem(text, position, error, shallow) }
    }
  }

  let tree: Node | undefined
  const doc: JsonDocument = {
    path,
    text,
    value,
    locate(pointer) {
      if (!shallow) return undefined
      tree ??= parseTree(text, [], { disallowComments: true })
      if (!tree) return undefined
      const node = findValue(tree, pointerSegments(pointer))
      if (!node) return undefined
      // A value inside an object is shown at its key, which is where a reader looks.
      const at = node.parent?.type === 'property' ? node.parent.offset : node.offset
      return position(at)
    },
  }
  if (requireObject && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    return {
      ok: false,
      problem: { kind: 'not-object', found: jsonType(value), at: doc.locate('') ?? position(0) },
    }
  }
  return { ok: true, doc }
}

function syntaxProblem(
  text: string,
  position: (offset: number) => Position,
  error: unknown,
  /** Shallow enough for jsonc-parser, which recurses; else only V8's words and offset. */
  shallow: boolean,
): JsonProblem {
  const errors: ParseError[] = []
  if (shallow)
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false })
  if (errors.length > 0) {
    const first = errors[0]
    return { kind: 'syntax', detail: syntaxWords(first.error), at: position(first.offset) }
  }
  // jsonc-parser accepted what V8 rejected (not seen in practice: the two accept the same JSON); V8's
  // words then, and its own offset if it gives one.
  const message = error instanceof Error ? error.message : String(error)
  const offset = /position (\d+)/.exec(message)
  return {
    kind: 'syntax',
    detail: plainParseMessage(message, 'file'),
    at: offset ? position(Number(offset[1])) : undefined,
  }
}

/**
 * The text with every bare NaN replaced by null and ±Infinity by ±1e9999 (which JSON.parse reads as
 * ±Infinity), or undefined when there is none. Positions are always taken from the original text.
 */
function pythonConstantsAsNull(text: string): string | undefined {
  // jsonc-parser's SyntaxKind is a const enum, which isolatedModules cannot read: its values here.
  const SyntaxKind = { Unknown: 16, EOF: 17 } as const
  const scanner = createScanner(text, true)
  const spans: [number, number, string][] = []
  let minus = -1
  for (let kind: number = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    const token = scanner.getTokenValue()
    const offset = scanner.getTokenOffset()
    if (kind === SyntaxKind.Unknown && token === '-') minus = offset
    else if (kind === SyntaxKind.Unknown && (token === 'NaN' || token === 'Infinity')) {
      const start = token === 'Infinity' && minus !== -1 && minus + 1 === offset ? minus : offset
      spans.push([
        start,
        offset + token.length,
        token === 'NaN' ? 'null' : start === offset ? '1e9999' : '-1e9999',
      ])
      minus = -1
    } else minus = -1
  }
  if (spans.length === 0) return undefined
  let out = ''
  let last = 0
  for (const [a, b, replacement] of spans) {
    out += text.slice(last, a) + replacement
    last = b
  }
  return out + text.slice(last)
}

/** Each object's keys, indexed on first lookup: a 100,000-entry weight_map is located in O(1) per key. */
const keyIndex = new WeakMap<Node, Map<string, Node>>()

/**
 * The node at a path. With duplicate keys Python's json (and JSON.parse) keep the last one, so the
 * position is the last one's too; jsonc-parser's own lookup would return the first.
 */
function findValue(root: Node, path: (string | number)[]): Node | undefined {
  let node: Node | undefined = root
  for (const segment of path) {
    if (!node?.children) return undefined
    if (node.type === 'object') {
      let keys = keyIndex.get(node)
      if (!keys) {
        keys = new Map()
        for (const p of node.children)
          if (typeof p.children?.[0]?.value === 'string') keys.set(p.children[0].value, p)
        keyIndex.set(node, keys)
      }
      // A value the tree could not parse (NaN) has no node: its property still has a place.
      const prop = keys.get(String(segment))
      node = prop?.children?.[1] ?? prop
    } else if (node.type === 'array' && typeof segment === 'number') {
      node = node.children[segment]
    } else return undefined
  }
  return node
}

export function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s))
}

/** Where a problem sits in its file, when it has a real place. */
export function problemPosition(problem: JsonProblem): Position | undefined {
  switch (problem.kind) {
    case 'bom':
      return { line: 1, column: 1 }
    case 'encoding':
    case 'not-object':
    case 'too-deep':
      return problem.at
    case 'syntax':
      return problem.at
    default:
      return undefined
  }
}

/** A top-level field of an object document. */
export function field(doc: JsonDocument, key: string): unknown {
  return isObject(doc.value) ? doc.value[key] : undefined
}

export function hasField(doc: JsonDocument, key: string): boolean {
  return isObject(doc.value) && Object.prototype.hasOwnProperty.call(doc.value, key)
}
