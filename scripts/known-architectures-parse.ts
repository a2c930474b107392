// The pure half of scripts/generate-known-architectures.ts: it reads the two upstream registries as
// text, without running Python, and merges them into the table of src/data/known-architectures.json.
//
//   transformers: src/transformers/models/auto/modeling_auto.py, every
//     `MODEL_..._MAPPING_NAMES = OrderedDict([("model_type", "ClassName"), ...])` table (and
//     MODEL_FOR_AUDIO_TOKENIZATION_NAMES, named without MAPPING)
//     (https://github.com/huggingface/transformers/blob/main/src/transformers/models/auto/modeling_auto.py);
//     a value may be a tuple or list of class names.
//   vLLM: vllm/model_executor/models/registry.py, every top-level `_..._MODELS = {` dict of
//     `"ArchName": ("module", "ClassName")` entries
//     (https://github.com/vllm-project/vllm/blob/main/vllm/model_executor/models/registry.py).
//     `_PREVIOUSLY_SUPPORTED_MODELS` maps a name to the last release that had it: kept, as real class
//     names. Other entries whose value is not such a tuple (`_OOT_SUPPORTED_MODELS` maps to a plugin's
//     URL) are skipped, as are `**` spreads: a spread of another table repeats entries read from that
//     table, and the one comprehension spread (Llama-style classes as embedding models) repeats classes
//     of _TEXT_GENERATION_MODELS, which the precedence below keeps as generators anyway.

export type Head = 'generation' | 'embedding' | 'classification' | 'speculative' | 'other'
export type Origin = 'transformers' | 'vllm'

/** When sources disagree, the earlier head wins: a class any source serves as a generator is a generator. */
export const HEAD_PRECEDENCE: readonly Head[] = [
  'generation',
  'classification',
  'embedding',
  'speculative',
  'other',
]

export interface TransformersEntry {
  modelType: string
  classNames: string[]
}
export interface TransformersTable {
  name: string
  entries: TransformersEntry[]
}
export interface VllmEntry {
  architecture: string
  module: string
  className: string
}
export interface VllmTable {
  name: string
  entries: VllmEntry[]
}

export interface KnownArchitecture {
  head: Head
  modelTypes?: string[]
  in: Origin[]
}

export interface SourceInfo {
  repository: string
  version: string
  commit: string
  date: string
  file: string
  note?: string
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A class name as config.json carries it: a non-empty ASCII identifier. */
export function isArchitectureName(name: string): boolean {
  return IDENTIFIER.test(name)
}

// ---- a tokenizer and a reader for the Python literals the two tables are written in ----

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'op'; value: string }
  | { kind: 'other'; value: string }

/** A Python literal as far as these tables need it; anything else is `opaque`. */
export type PyValue =
  | { kind: 'string'; value: string }
  | { kind: 'sequence'; items: PyValue[] }
  | { kind: 'dict'; entries: { key: PyValue; value: PyValue }[] }
  | { kind: 'opaque' }

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' }

/**
 * The tokens of the bracketed expression that opens at `src[open]`, through its matching closer.
 * Comments and strings (single, double, triple quoted, with r/b/u/f prefixes) are read as Python reads
 * them, so a bracket or `#` inside a string does not count.
 */
export function bracketTokens(src: string, open: number): Token[] {
  const tokens: Token[] = []
  const stack: string[] = []
  let i = open
  while (i < src.length) {
    const c = src[i]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\\') {
      i++
    } else if (c === '#') {
      const end = src.indexOf('\n', i)
      i = end === -1 ? src.length : end
    } else if (/[A-Za-z_]/.test(c)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200))![0]
      const quote = src[i + name.length]
      if (/^[rRbBuUfF]{1,2}$/.test(name) && (quote === '"' || quote === "'")) {
        const read = readString(src, i + name.length, /[rR]/.test(name))
        tokens.push({ kind: 'string', value: read.value })
        i = read.end
      } else {
        tokens.push({ kind: 'name', value: name })
        i += name.length
      }
    } else if (c === '"' || c === "'") {
      const read = readString(src, i, false)
      tokens.push({ kind: 'string', value: read.value })
      i = read.end
    } else if (c in CLOSERS) {
      stack.push(CLOSERS[c]!)
      tokens.push({ kind: 'op', value: c })
      i++
    } else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) throw new Error(`unbalanced ${c} at offset ${i}`)
      tokens.push({ kind: 'op', value: c })
      i++
      if (stack.length === 0) return tokens
    } else if (src.startsWith('**', i)) {
      tokens.push({ kind: 'op', value: '**' })
      i += 2
    } else if (c === ',' || c === ':') {
      tokens.push({ kind: 'op', value: c })
      i++
    } else {
      tokens.push({ kind: 'other', value: c })
      i++
    }
  }
  throw new Error(`no closing bracket for the one at offset ${open}`)
}

function readString(src: string, start: number, raw: boolean): { value: string; end: number } {
  const quote = src[start]!
  const triple = src.startsWith(quote.repeat(3), start)
  const delimiter = triple ? quote.repeat(3) : quote
  let i = start + delimiter.length
  let value = ''
  while (i < src.length) {
    if (src.startsWith(delimiter, i)) return { value, end: i + delimiter.length }
    const c = src[i]!
    if (c === '\n' && !triple) break
    if (c === '\\' && i + 1 < src.length) {
      const next = src[i + 1]!
      value += raw ? c + next : (ESCAPES[next] ?? c + next)
      i += 2
    } else {
      value += c
      i++
    }
  }
  throw new Error(`unterminated string at offset ${start}`)
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', '\n': '' }

/** Reads one value from `tokens` at `at`; returns it and the index after it. */
export function readValue(tokens: readonly Token[], at: number): { value: PyValue; next: number } {
  const t = tokens[at]
  if (!t) return { value: { kind: 'opaque' }, next: at }
  if (t.kind === 'string') {
    // Adjacent literals concatenate: ("a" "b") is "ab".
    let value = t.value
    let next = at + 1
    while (tokens[next]?.kind === 'string') value += tokens[next++]!.value
    return { value: { kind: 'string', value }, next }
  }
  if (t.kind === 'op' && (t.value === '(' || t.value === '[')) return readSequence(tokens, at)
  if (t.kind === 'op' && t.value === '{') return readDict(tokens, at)
  // A name, a call, an attribute, a number: opaque, up to the next comma or closer at this depth.
  return { value: { kind: 'opaque' }, next: skipExpression(tokens, at) }
}

function readSequence(tokens: readonly Token[], at: number): { value: PyValue; next: number } {
  const close = CLOSERS[tokens[at]!.value]!
  const items: PyValue[] = []
  let i = at + 1
  while (i < tokens.length && !isOp(tokens[i], close)) {
    const read = readValue(tokens, i)
    items.push(read.value)
    i = read.next
    if (isName(tokens[i], 'for')) return { value: { kind: 'opaque' }, next: skipBracket(tokens, at) }
    if (isOp(tokens[i], ',')) i++
    else if (!isOp(tokens[i], close)) i = skipExpression(tokens, i)
  }
  return { value: { kind: 'sequence', items }, next: i + 1 }
}

function readDict(tokens: readonly Token[], at: number): { value: PyValue; next: number } {
  const entries: { key: PyValue; value: PyValue }[] = []
  let i = at + 1
  while (i < tokens.length && !isOp(tokens[i], '}')) {
    if (isOp(tokens[i], '**')) {
      // A spread: its entries are read where they are written (see the header).
      i = readValue(tokens, i + 1).next
    } else {
      const key = readValue(tokens, i)
      if (!isOp(tokens[key.next], ':')) return { value: { kind: 'opaque' }, next: skipBracket(tokens, at) }
      const value = readValue(tokens, key.next + 1)
      // A comprehension ({k: v for k, v in ...}) is not a table of its own.
      if (isName(tokens[value.next], 'for'))
        return { value: { kind: 'opaque' }, next: skipBracket(tokens, at) }
      entries.push({ key: key.value, value: value.value })
      i = value.next
    }
    if (isOp(tokens[i], ',')) i++
    else if (!isOp(tokens[i], '}')) i = skipExpression(tokens, i)
  }
  return { value: { kind: 'dict', entries }, next: i + 1 }
}

/** The index after the bracket that opens at `at` closes. */
function skipBracket(tokens: readonly Token[], at: number): number {
  let depth = 0
  for (let i = at; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.kind !== 'op') continue
    if (t.value in CLOSERS) depth++
    else if (t.value === ')' || t.value === ']' || t.value === '}') {
      depth--
      if (depth === 0) return i + 1
    }
  }
  return tokens.length
}

/** The index of the next `,`, `:` or closer at the depth of `at`. */
function skipExpression(tokens: readonly Token[], at: number): number {
  let i = at
  while (i < tokens.length) {
    const t = tokens[i]!
    if (t.kind === 'op' && t.value in CLOSERS) i = skipBracket(tokens, i)
    else if (t.kind === 'op' && [',', ':', ')', ']', '}'].includes(t.value)) return i
    else i++
  }
  return i
}

function isOp(t: Token | undefined, value: string): boolean {
  return t?.kind === 'op' && t.value === value
}

function isName(t: Token | undefined, value: string): boolean {
  return t?.kind === 'name' && t.value === value
}

/** The strings of a value: itself, or the string items of a tuple or list. */
function strings(v: PyValue): string[] {
  if (v.kind === 'string') return [v.value]
  if (v.kind === 'sequence') return v.items.flatMap((item) => (item.kind === 'string' ? [item.value] : []))
  return []
}

/** Top-level assignments `NAME = ` (with an optional annotation) whose name matches `pattern`. */
function assignments(src: string, pattern: RegExp): { name: string; valueAt: number }[] {
  const out: { name: string; valueAt: number }[] = []
  const re = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::[^=\n]*)?=[ \t]*(?=\S)/gm
  for (let m = re.exec(src); m; m = re.exec(src)) {
    if (pattern.test(m[1]!)) out.push({ name: m[1]!, valueAt: m.index + m[0].length })
  }
  return out
}

// ---- the two files ----

/** Every `MODEL_..._NAMES = OrderedDict(...)` table of transformers' modeling_auto.py. */
export function parseTransformersMappings(src: string): TransformersTable[] {
  const tables: TransformersTable[] = []
  for (const { name, valueAt } of assignments(src, /^MODEL_[A-Z0-9_]*NAMES$/)) {
    // OrderedDict([...]) or OrderedDict({...}) or a bare list or dict.
    const call = /^(?:OrderedDict|dict)[ \t]*(?=\()/.exec(src.slice(valueAt, valueAt + 40))
    const open = valueAt + (call ? call[0].length : 0)
    if (!'([{'.includes(src[open] ?? '')) continue
    const tokens = bracketTokens(src, open)
    let value = readValue(tokens, 0).value
    if (call && value.kind === 'sequence' && value.items.length === 1) value = value.items[0]!
    const pairs: [PyValue, PyValue][] =
      value.kind === 'dict'
        ? value.entries.map((e) => [e.key, e.value])
        : value.kind === 'sequence'
          ? value.items.flatMap((item) =>
              item.kind === 'sequence' && item.items.length === 2 ? [[item.items[0]!, item.items[1]!]] : [],
            )
          : []
    const entries: TransformersEntry[] = []
    for (const [key, classes] of pairs) {
      if (key.kind !== 'string') continue
      const classNames = strings(classes).filter(isArchitectureName)
      if (classNames.length > 0) entries.push({ modelType: key.value, classNames })
    }
    tables.push({ name, entries })
  }
  return tables
}

const PREVIOUSLY = /PREVIOUSLY/

/** Every top-level `_..._MODELS = {...}` dict of vLLM's registry.py, with its ("module", "Class") entries. */
export function parseVllmRegistry(src: string): VllmTable[] {
  const tables: VllmTable[] = []
  for (const { name, valueAt } of assignments(src, /^_[A-Z0-9_]*MODELS$/)) {
    if (src[valueAt] !== '{') continue
    const value = readValue(bracketTokens(src, valueAt), 0).value
    if (value.kind !== 'dict') continue
    const entries: VllmEntry[] = []
    for (const { key, value: target } of value.entries) {
      if (key.kind !== 'string' || !isArchitectureName(key.value)) continue
      // Classes vLLM dropped are still real classes that configs on the Hub name (RWForCausalLM,
      // QWenLMHeadModel): a typo check must know them. The value is the last release that had them.
      if (PREVIOUSLY.test(name) && target.kind === 'string') {
        entries.push({ architecture: key.value, module: '', className: key.value })
        continue
      }
      if (target.kind !== 'sequence' || target.items.length !== 2) continue
      const [module, className] = target.items
      if (module?.kind !== 'string' || className?.kind !== 'string') continue
      entries.push({ architecture: key.value, module: module.value, className: className.value })
    }
    tables.push({ name, entries })
  }
  return tables
}

// ---- heads ----

/**
 * The head a transformers mapping table implies. Text generators: causal LM, seq2seq LM, speech and
 * vision to text, image-text-to-text, multimodal LM. Text classifiers: sequence and token
 * classification, question answering, multiple choice, next sentence. Embeddings: the bare base models
 * (MODEL_MAPPING_NAMES, what the feature-extraction pipeline loads), text encoding and retrieval.
 * Everything else (masked LM, pretraining heads, vision, audio, time series) is `other`.
 */
export function transformersHead(table: string): Head {
  const task = table.replace(/^MODEL_(FOR_)?/, '').replace(/_?(MAPPING_)?NAMES$/, '')
  if (/CAUSAL_LM|SEQ_TO_SEQ|SEQ_2_SEQ|VISION_2_SEQ|TO_TEXT|MULTIMODAL_LM/.test(task)) return 'generation'
  if (
    /SEQUENCE_CLASSIFICATION|TOKEN_CLASSIFICATION|QUESTION_ANSWERING|MULTIPLE_CHOICE|NEXT_SENTENCE/.test(task)
  )
    return 'classification'
  if (task === '' || task === 'TEXT_ENCODING' || task === 'RETRIEVAL') return 'embedding'
  return 'other'
}

/**
 * The head a vLLM registry dict implies. The tables of models that vLLM runs through its Transformers
 * backend, and any dict this script does not know yet, are read by the class they map to.
 */
export function vllmHead(table: string, className: string): Head {
  if (PREVIOUSLY.test(table))
    return /(ForCausalLM|LMHeadModel|ForConditionalGeneration)$/.test(className) ? 'generation' : 'other'
  if (/SPECULATIVE/.test(table)) return 'speculative'
  if (/CROSS_ENCODER|REWARD|CLASSIFICATION|SCORING/.test(table)) return 'classification'
  if (/EMBEDDING|LATE_INTERACTION|POOLING/.test(table)) return 'embedding'
  if (/TEXT_GENERATION|MULTIMODAL/.test(table)) return 'generation'
  if (/SequenceClassification|TokenClassification|Reward/.test(className)) return 'classification'
  if (/Embedding|Pooling/.test(className)) return 'embedding'
  return 'generation'
}

/** The dicts vllmHead knows by name, for the generator to list the ones it read by class instead. */
export function isKnownVllmTable(table: string): boolean {
  return /PREVIOUSLY|TEXT_GENERATION|MULTIMODAL|SPECULATIVE|CROSS_ENCODER|REWARD|CLASSIFICATION|SCORING|EMBEDDING|LATE_INTERACTION|POOLING|TRANSFORMERS_(SUPPORTED|BACKEND)/.test(
    table,
  )
}

function better(a: Head, b: Head): Head {
  return HEAD_PRECEDENCE.indexOf(a) <= HEAD_PRECEDENCE.indexOf(b) ? a : b
}

/** Both sources merged: one entry per class, keys sorted. */
export function mergeArchitectures(
  transformers: readonly TransformersTable[],
  vllm: readonly VllmTable[],
): Record<string, KnownArchitecture> {
  const merged = new Map<string, { head: Head; modelTypes: Set<string>; in: Set<Origin> }>()
  const add = (name: string, head: Head, origin: Origin, modelType?: string) => {
    const entry = merged.get(name) ?? { head, modelTypes: new Set<string>(), in: new Set<Origin>() }
    entry.head = better(entry.head, head)
    if (modelType !== undefined) entry.modelTypes.add(modelType)
    entry.in.add(origin)
    merged.set(name, entry)
  }
  for (const table of transformers) {
    const head = transformersHead(table.name)
    for (const { modelType, classNames } of table.entries) {
      for (const name of classNames) add(name, head, 'transformers', modelType)
    }
  }
  for (const table of vllm) {
    for (const { architecture, className } of table.entries)
      add(architecture, vllmHead(table.name, className), 'vllm')
  }
  const out: Record<string, KnownArchitecture> = {}
  for (const name of [...merged.keys()].sort(byCodeUnit)) {
    const e = merged.get(name)!
    out[name] = {
      head: e.head,
      ...(e.modelTypes.size > 0 ? { modelTypes: [...e.modelTypes].sort(byCodeUnit) } : {}),
      in: (['transformers', 'vllm'] as const).filter((o) => e.in.has(o)),
    }
  }
  return out
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export const COMMENT =
  'Generated by scripts/generate-known-architectures.ts from the files named in sources; do not edit by hand. ' +
  'Refresh: npm run generate:architectures -- <transformers-git-dir> <vllm-git-dir> (git directories or work trees of ' +
  'https://github.com/huggingface/transformers and https://github.com/vllm-project/vllm).'

/** The file's text before formatting: one source and one architecture per line. */
export function renderKnownArchitectures(
  sources: readonly SourceInfo[],
  architectures: Record<string, KnownArchitecture>,
): string {
  const lines = [
    '{',
    `  "$comment": ${JSON.stringify(COMMENT)},`,
    '  "sources": [',
    sources.map((s) => `    ${JSON.stringify(s)}`).join(',\n') + '\n  ],',
    '  "architectures": {',
    Object.entries(architectures)
      .map(([name, entry]) => `    ${JSON.stringify(name)}: ${JSON.stringify(entry)}`)
      .join(',\n'),
    '  }',
    '}',
  ]
  return lines.join('\n') + '\n'
}
