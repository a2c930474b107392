import type { RepoEntry, Source } from '../sources/source.js'
import { readListedFile, type NotReadable } from '../sources/readable.js'
import { isObject, jsonNesting, PYTHON_JSON_MAX_DEPTH } from '../common/json.js'
import type { JsonProblem } from '../common/json-errors.js'
import { parseJsonDocument } from './json-document.js'
import { MiB } from './json-file.js'

/** One entry of tokenizer.json's `added_tokens`. */
export interface AddedToken {
  id: number
  content: string
  special: boolean
}

/** What the checks need from tokenizer.json: the model type, the id space and a way to decode ids. */
export interface TokenizerModel {
  modelType: string | undefined
  addedTokens: AddedToken[]
  /** Highest id in the vocabulary or the added tokens, plus one: the embedding rows the tokenizer needs. */
  idCount: number
  tokenOf(id: number): string | undefined
  idOf(token: string): number | undefined
}

export type TokenizerJson =
  | { path: string; state: 'missing' }
  | { path: string; state: 'not-file'; entry: RepoEntry; why: NotReadable }
  | { path: string; state: 'too-large'; size: number; limit: number }
  | { path: string; state: 'lfs-pointer' }
  | { path: string; state: 'invalid'; problem: JsonProblem }
  | { path: string; state: 'ok'; tokenizer: TokenizerModel; json?: Record<string, unknown> }

export const TOKENIZER_JSON = 'tokenizer.json'

/**
 * Large tokenizers are tens of MB (Gemma's is 33 MB); past this the file is something else, and
 * parsing it would only cost memory.
 */
export const TOKENIZER_LIMIT = 128 * MiB

/**
 * tokenizer.json is parsed with JSON.parse, not the position-keeping parser: it can be tens of MB and
 * no finding points inside it, except a syntax error, which is located by parsing again.
 */
export async function loadTokenizerJson(
  source: Source,
  entries: ReadonlyMap<string, RepoEntry>,
  /** Keep the parsed file (a tokenizer is built from it): read and parsed once, not twice. */
  keepJson = false,
): Promise<TokenizerJson> {
  const path = TOKENIZER_JSON
  const file = await readListedFile(source, entries, path, TOKENIZER_LIMIT)
  if (file.state !== 'read') return file
  const { bytes } = file
  let value: unknown
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    // JSON.parse does not recurse, but what reads the value may: nesting past what Python's json
    // loads is refused before parsing, by the position-keeping parser below, which says where.
    if (jsonNesting(text, PYTHON_JSON_MAX_DEPTH).over >= 0) throw new RangeError('too deep')
    value = JSON.parse(text)
  } catch {
    const parsed = parseJsonDocument(path, bytes)
    if (!parsed.ok) return { path, state: 'invalid', problem: parsed.problem }
    value = parsed.doc.value // NaN or Infinity, which JSON.parse refuses and Python reads
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // Parsed again only to say where and what it holds instead of an object.
    const parsed = parseJsonDocument(path, bytes)
    if (!parsed.ok) return { path, state: 'invalid', problem: parsed.problem }
  }
  const json = value as Record<string, unknown>
  return { path, state: 'ok', tokenizer: tokenizerModel(json), ...(keepJson ? { json } : {}) }
}

function tokenizerModel(json: Record<string, unknown>): TokenizerModel {
  const model = (typeof json.model === 'object' && json.model !== null ? json.model : {}) as Record<
    string,
    unknown
  >
  const addedTokens: AddedToken[] = Array.isArray(json.added_tokens)
    ? json.added_tokens.flatMap((t: unknown) =>
        isObject(t) && Number.isInteger(t.id) && typeof t.content === 'string'
          ? [{ id: t.id as number, content: t.content, special: t.special === true }]
          : [],
      )
    : []
  // BPE and WordPiece keep {token: id}; Unigram keeps [[piece, score], ...] where the id is the index.
  // Vocabularies reach a million entries: plain objects and arrays, no Map copies, reverse index on demand.
  const vocab = model.vocab
  const pieces = Array.isArray(vocab) ? vocab : undefined
  const table =
    !pieces && typeof vocab === 'object' && vocab !== null ? (vocab as Record<string, unknown>) : {}
  const added = new Map(addedTokens.map((t) => [t.content, t.id]))
  let idCount = pieces ? pieces.length : 0
  for (const token in table) {
    const id = table[token]
    if (typeof id === 'number' && id >= idCount) idCount = id + 1
  }
  for (const t of addedTokens) idCount = Math.max(idCount, t.id + 1)
  // A Map, not an array: a file may claim absurd ids (5,000,000,000), which MR405 then reports.
  let byId: Map<number, string> | undefined
  const reverse = () => {
    if (byId) return byId
    byId = new Map()
    if (pieces) pieces.forEach((p, id) => Array.isArray(p) && typeof p[0] === 'string' && byId!.set(id, p[0]))
    for (const token in table) {
      const id = table[token]
      if (typeof id === 'number' && Number.isInteger(id) && id >= 0) byId.set(id, token)
    }
    for (const t of addedTokens) byId.set(t.id, t.content)
    return byId
  }
  return {
    modelType: typeof model.type === 'string' ? model.type : inferType(model),
    addedTokens,
    idCount,
    tokenOf: (id) => reverse().get(id),
    idOf(token) {
      const a = added.get(token)
      if (a !== undefined) return a
      if (pieces) {
        const at = pieces.findIndex((p) => Array.isArray(p) && p[0] === token)
        return at >= 0 ? at : undefined
      }
      const id = Object.prototype.hasOwnProperty.call(table, token) ? table[token] : undefined
      return typeof id === 'number' ? id : undefined
    },
  }
}

/** Old tokenizers omit `model.type`; the tokenizers library tells the model apart by its fields. */
function inferType(model: Record<string, unknown>): string | undefined {
  if ('merges' in model) return 'BPE'
  if (Array.isArray(model.vocab)) return 'Unigram'
  if ('continuing_subword_prefix' in model || 'max_input_chars_per_word' in model) return 'WordPiece'
  if ('vocab' in model) return 'WordLevel'
  return undefined
}
