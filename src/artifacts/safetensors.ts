// Reads and checks a safetensors header the way the reference Rust crate (huggingface/safetensors,
// `SafeTensors::read_metadata` + `Metadata::validate`) does, but reports every problem instead of the
// first, as plain data a rule can turn into findings. Pure apart from `readSafetensorsHeader`, which
// only issues ranged reads and never reads more than the header.
import { printParseErrorCode, visit } from 'jsonc-parser'
import type { Severity } from '../common/finding.js'
import type { Source } from '../sources/source.js'
import { startsLikeLfsPointer } from '../sources/lfs.js'
import { SourceError } from '../common/errors.js'
import { firstInvalidUtf8 } from '../common/text.js'

/** Bits per element of every dtype the crate knows (`Dtype::bitsize`, enum order). */
export const DTYPE_BITS = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
} as const

export type Dtype = keyof typeof DTYPE_BITS

export function isDtype(name: string): name is Dtype {
  return Object.hasOwn(DTYPE_BITS, name)
}

/** Dtypes narrower than a byte: their element count must fill whole bytes. */
export function isSubByteDtype(dtype: Dtype): boolean {
  return DTYPE_BITS[dtype] < 8
}

/** The crate's `MAX_HEADER_SIZE`: a longer header is `HeaderTooLarge`. */
export const MAX_HEADER_LENGTH = 100_000_000
/** huggingface_hub and huggingface.js refuse headers longer than this (metadata, parameter counts). */
export const HUB_MAX_HEADER_LENGTH = 25_000_000
/** `__metadata__.format` values transformers 4.x accepts when loading. */
const TRANSFORMERS_FORMATS: readonly string[] = ['pt', 'tf', 'flax', 'mlx']
/** serde_json's default recursion limit: deeper JSON is a deserialization error in the crate. */
const MAX_JSON_DEPTH = 128

/**
 * Byte count of `elements` (an integer) elements of `dtype`, as the crate computes it; undefined when the crate
 * would refuse the count (overflow of u64, or a sub-byte dtype that does not end on a byte boundary).
 */
export function dtypeByteSize(dtype: Dtype, elements: number | bigint): bigint | undefined {
  const bits = BigInt(elements) * BigInt(DTYPE_BITS[dtype])
  if (BigInt(elements) > U64_MAX || bits > U64_MAX || bits % 8n !== 0n) return undefined
  return bits / 8n
}

export interface TensorInfo {
  name: string
  dtype: Dtype
  shape: number[]
  /** Byte offsets relative to the start of the data buffer (after the header); end is exclusive. */
  start: number
  end: number
}

interface SafetensorsHeader {
  /**
   * Every entry whose dtype, shape and data_offsets are well-formed and whose end ≥ begin, sorted by
   * (start, end, name) as the crate validates them. Entries left out (invalid-tensor-entry,
   * unknown-dtype, invalid-offsets) still count for contiguity and `dataEnd` when their offsets are
   * well-formed, so one bad entry does not also show up as a gap.
   */
  tensors: TensorInfo[]
  /** `__metadata__` string values; null when absent (or JSON null, which the crate also accepts). */
  metadata: Record<string, string> | null
  /** N, the header's byte length (without the 8-byte length prefix). */
  headerLength: number
  /** Largest `end` offset: where the declared data ends, relative to the data buffer. */
  dataEnd: number
}

type Field = 'entry' | 'dtype' | 'shape' | 'data_offsets'

/**
 * One thing wrong with a file, as plain data. Numbers that come from the file and can exceed 2^53
 * are reported as `Number(...)` (inexact only for values no real file can have), except the header
 * length of `header-too-large`, which is an exact decimal string.
 */
export type SafetensorsProblem =
  // HeaderTooSmall
  | { code: 'header-too-small'; fileSize: number }
  // HeaderTooLarge; `lfsPointer` when the file starts like a Git LFS pointer ("version https://git-lfs…")
  | { code: 'header-too-large'; headerLength: string; limit: number; lfsPointer: boolean }
  // InvalidHeaderLength
  | { code: 'header-past-eof'; headerLength: number; fileSize: number }
  // InvalidHeader (UTF-8); `byteOffset` is from the start of the file
  | { code: 'invalid-utf8'; byteOffset: number }
  // InvalidHeaderDeserialization: JSON syntax (incl. serde_json's recursion limit)
  | { code: 'invalid-json'; detail: string; byteOffset: number }
  // InvalidHeaderDeserialization: the root is not an object
  | { code: 'not-an-object'; found: string }
  // InvalidHeaderDeserialization: a key twice where serde refuses it (`__metadata__` twice, a field of
  // a tensor entry twice: serde's "duplicate field"), or twice in `__metadata__`. `pointer` is the object's.
  | { code: 'duplicate-key'; key: string; pointer: string }
  // A tensor named twice. Spec: "Duplicate keys are disallowed"; the crate reads the tensors into a map
  // (HashMetadata's `tensors: HashMap<String, TensorInfo>`, safetensors/src/tensor.rs), so the last
  // entry wins; serde still decodes every entry into a TensorInfo before the map keeps the last, so an
  // earlier entry with a bad field or dtype fails the file too (checked; its offsets are not used).
  | { code: 'duplicate-tensor'; tensor: string; times: number }
  // InvalidHeaderDeserialization: the tensor entry or one of its fields is missing or ill-typed
  | { code: 'invalid-tensor-entry'; tensor: string; field: Field; detail: string }
  // InvalidHeaderDeserialization: a dtype string the crate does not know
  | { code: 'unknown-dtype'; tensor: string; dtype: string }
  // InvalidHeaderDeserialization: `__metadata__` is neither an object nor null
  | { code: 'metadata-not-object'; found: string }
  // InvalidHeaderDeserialization: a `__metadata__` value is not a string
  | { code: 'metadata-not-strings'; key: string; found: string }
  // InvalidOffset: end < begin
  | { code: 'invalid-offsets'; tensor: string; start: number; end: number }
  // InvalidOffset: begin ≠ end of the previous tensor (in offset order; the first must begin at 0)
  | {
      code: 'non-contiguous'
      tensor: string
      kind: 'leading-gap' | 'gap' | 'overlap'
      start: number
      /** Where the tensor should begin: the previous tensor's end, or 0. */
      expected: number
      previous: string | null
    }
  // ValidationOverflow
  | { code: 'size-overflow'; tensor: string; dtype: Dtype; shape: number[] }
  // MisalignedSlice
  | {
      code: 'subbyte-misaligned'
      tensor: string
      dtype: Dtype
      shape: number[]
      elements: number
      bits: number
    }
  // TensorInvalidInfo
  | {
      code: 'tensor-size-mismatch'
      tensor: string
      dtype: Dtype
      shape: number[]
      expectedBytes: number
      actualBytes: number
    }
  // MetadataIncompleteBuffer: the data the header declares runs past the end of the file (truncated)
  | { code: 'data-past-eof'; headerLength: number; dataEnd: number; expectedSize: number; fileSize: number }
  // MetadataIncompleteBuffer: bytes after the last tensor (appended junk, polyglot file)
  | {
      code: 'file-size-mismatch'
      headerLength: number
      dataEnd: number
      expectedSize: number
      fileSize: number
      extraBytes: number
    }
  // transformers 4.x: `__metadata__` present without "format" raises OSError; absent is tolerated
  | { code: 'metadata-format-missing'; metadataPresent: boolean }
  // transformers 4.x: format not one of pt/tf/flax/mlx raises OSError
  | { code: 'metadata-format-unsupported'; format: string }
  // Schema additionalProperties:false; the crate ignores them
  | { code: 'unknown-tensor-key'; tensor: string; key: string }
  // The crate accepts [dtype, shape, data_offsets] (serde's sequence form of a struct); nothing else does
  | { code: 'tensor-entry-array'; tensor: string }
  // Over the 25 MB limit of huggingface_hub / huggingface.js
  | { code: 'header-over-hub-limit'; headerLength: number; limit: number }
  // Spec: the header "MUST begin with {"; the crate accepts leading JSON whitespace
  | { code: 'leading-whitespace' }

export type SafetensorsProblemCode = SafetensorsProblem['code']

/** Severity of each problem: error = the crate (or transformers' loader) refuses the file. */
export const SAFETENSORS_PROBLEM_SEVERITY: Record<SafetensorsProblemCode, Severity> = {
  'header-too-small': 'error',
  'header-too-large': 'error',
  'header-past-eof': 'error',
  'invalid-utf8': 'error',
  'invalid-json': 'error',
  'not-an-object': 'error',
  'duplicate-key': 'error',
  'duplicate-tensor': 'warning',
  'invalid-tensor-entry': 'error',
  'unknown-dtype': 'error',
  'metadata-not-object': 'error',
  'metadata-not-strings': 'error',
  'invalid-offsets': 'error',
  'non-contiguous': 'error',
  'size-overflow': 'error',
  'subbyte-misaligned': 'error',
  'tensor-size-mismatch': 'error',
  'data-past-eof': 'error',
  'file-size-mismatch': 'error',
  'metadata-format-missing': 'warning',
  'metadata-format-unsupported': 'warning',
  'unknown-tensor-key': 'warning',
  'tensor-entry-array': 'warning',
  'header-over-hub-limit': 'warning',
  'leading-whitespace': 'info',
}

/**
 * Problems of one kind listed per header; past it they are counted, and the rule that reports the kind
 * says how many more there were. A 20 MB header of repeated keys is 2,500,000 problems, each a finding;
 * a thousand show the pattern (a writer's bug repeats), as for dataset rows, and keep the report small.
 */
export const MAX_PROBLEMS_PER_CODE = 1_000

/** The problems of one header, each kind listed up to MAX_PROBLEMS_PER_CODE and counted past it. */
class Problems {
  readonly list: SafetensorsProblem[] = []
  private readonly counts = new Map<SafetensorsProblemCode, number>()
  push(problem: SafetensorsProblem): void {
    const n = this.counts.get(problem.code) ?? 0
    this.counts.set(problem.code, n + 1)
    if (n < MAX_PROBLEMS_PER_CODE) this.list.push(problem)
  }
  /** Count again from the problems listed (after the list was cut back). */
  reset(): void {
    this.counts.clear()
    for (const p of this.list) this.counts.set(p.code, (this.counts.get(p.code) ?? 0) + 1)
  }
  /** `n` more of a kind, counted where they were found (duplicate keys, while parsing). */
  more(code: SafetensorsProblemCode, n: number): void {
    if (n > 0) this.counts.set(code, (this.counts.get(code) ?? 0) + n)
  }
  /** Kinds with problems past the cap, and how many of each were counted and not listed. */
  omitted(): OmittedProblems[] {
    const out: OmittedProblems[] = []
    for (const [code, n] of this.counts)
      if (n > MAX_PROBLEMS_PER_CODE) out.push({ code, count: n - MAX_PROBLEMS_PER_CODE })
    return out
  }
  /** The parse's problems, with `omitted` when some kind went past the cap. */
  result(): { problems: SafetensorsProblem[]; omitted?: OmittedProblems[] } {
    const omitted = this.omitted()
    return omitted.length > 0 ? { problems: this.list, omitted } : { problems: this.list }
  }
}

/** Problems of one kind past MAX_PROBLEMS_PER_CODE in one header: counted, not listed. */
export interface OmittedProblems {
  code: SafetensorsProblemCode
  count: number
}

export function hasErrors(problems: readonly SafetensorsProblem[]): boolean {
  return problems.some((p) => SAFETENSORS_PROBLEM_SEVERITY[p.code] === 'error')
}

export type SafetensorsParse =
  | { ok: true; header: SafetensorsHeader; problems: SafetensorsProblem[]; omitted?: OmittedProblems[] }
  /** `needBytes`: the prefix was too short; read this many bytes from the start and parse again. */
  | { ok: false; problems: SafetensorsProblem[]; omitted?: OmittedProblems[]; needBytes?: number }

const U64_MAX = (1n << 64n) - 1n

/**
 * Parse the header from `prefix`, the first bytes of a file of `fileSize` bytes. Never throws on any
 * bytes; the allocation is bounded by the prefix (never by a length read from the file).
 */
export function parseSafetensorsHeader(prefix: Uint8Array, fileSize: number): SafetensorsParse {
  if (!Number.isSafeInteger(fileSize) || fileSize < 0)
    throw new RangeError(`fileSize must be a non-negative integer, got ${fileSize}`)
  if (fileSize < 8) return fail({ code: 'header-too-small', fileSize })
  if (prefix.length < 8) return { ok: false, problems: [], needBytes: 8 }

  const view = new DataView(prefix.buffer, prefix.byteOffset, 8)
  const length = view.getBigUint64(0, true)
  if (length > BigInt(MAX_HEADER_LENGTH)) {
    return fail({
      code: 'header-too-large',
      headerLength: length.toString(),
      limit: MAX_HEADER_LENGTH,
      lfsPointer: startsLikeLfsPointer(prefix),
    })
  }
  const headerLength = Number(length)
  if (8 + headerLength > fileSize) return fail({ code: 'header-past-eof', headerLength, fileSize })
  if (prefix.length < 8 + headerLength) return { ok: false, problems: [], needBytes: 8 + headerLength }

  const problems = new Problems()
  if (headerLength > HUB_MAX_HEADER_LENGTH)
    problems.push({ code: 'header-over-hub-limit', headerLength, limit: HUB_MAX_HEADER_LENGTH })

  const bytes = prefix.subarray(8, 8 + headerLength)
  let text: string
  try {
    // ignoreBOM keeps a BOM in the text: Rust's from_utf8 keeps it, and serde_json then rejects it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    problems.push({ code: 'invalid-utf8', byteOffset: 8 + Math.max(0, firstInvalidUtf8(bytes)) })
    return { ok: false, ...problems.result() }
  }
  if (isJsonSpace(text.charCodeAt(0))) problems.push({ code: 'leading-whitespace' })

  // JSON.parse, one tensor entry at a time, when that reads the header exactly as serde_json would
  // (plainHeader: most headers); else the parser that keeps integers exact and finds duplicate keys.
  const plain = plainHeader(text)
  if (plain) {
    const listed = problems.list.length
    try {
      const header = interpretHeader(plain, headerLength, fileSize, problems)
      return { ok: true, header, ...problems.result() }
    } catch (error) {
      if (!(error instanceof NotPlain)) throw error
      problems.list.length = listed // an entry JSON.parse would read otherwise: start again, exactly
      problems.reset()
    }
  }
  let json: ReturnType<typeof parseJson>
  try {
    // An entry a later one of the same name replaces: its fields and dtype are checked as serde
    // decodes them (readEntry); the problems go to a list of their own, so offsets are never compared.
    json = parseJson(text, (name, value) => void readEntry(name, value, problems))
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error
    const byteOffset = 8 + Buffer.byteLength(text.slice(0, error.at), 'utf8')
    problems.push({ code: 'invalid-json', detail: error.message, byteOffset })
    return { ok: false, ...problems.result() }
  }
  if (!isObj(json.root)) {
    problems.push({ code: 'not-an-object', found: describe(json.root) })
    return { ok: false, ...problems.result() }
  }
  for (const d of json.duplicates) problems.push(d)
  problems.more('duplicate-key', json.moreDuplicates['duplicate-key'])
  problems.more('duplicate-tensor', json.moreDuplicates['duplicate-tensor'])

  const header = interpretHeader(entriesOf(json.root), headerLength, fileSize, problems)
  return { ok: true, header, ...problems.result() }
}

/**
 * Read and parse the header of `path` with at most two ranged reads: a speculative one of
 * `firstRead` bytes, and one for the rest of the header when it is longer. Headers over the crate's
 * limit, or past the end of the file, are refused from their first 8 bytes.
 */
export async function readSafetensorsHeader(
  source: Source,
  path: string,
  fileSize: number,
  firstRead = 100_000,
): Promise<SafetensorsParse> {
  if (fileSize < 8) return parseSafetensorsHeader(new Uint8Array(0), fileSize)
  const prefix = await source.readRange(path, 0, Math.min(Math.max(8, firstRead), fileSize))
  return completeSafetensorsHeader(source, path, fileSize, prefix)
}

/**
 * The header length a file's first 8 bytes declare, when the header is one that would be read: not
 * over the crate's limit, not past the end of the file. Undefined otherwise (the parse says why).
 */
export function declaredHeaderLength(prefix: Uint8Array, fileSize: number): number | undefined {
  if (fileSize < 8 || prefix.length < 8) return undefined
  const length = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true)
  if (length > BigInt(MAX_HEADER_LENGTH) || 8 + Number(length) > fileSize) return undefined
  return Number(length)
}

/**
 * The header from `prefix`, the file's first bytes, reading the rest of it when the prefix is
 * shorter (one ranged read): the second half of readSafetensorsHeader.
 */
export async function completeSafetensorsHeader(
  source: Source,
  path: string,
  fileSize: number,
  prefix: Uint8Array,
): Promise<SafetensorsParse> {
  const first = parseSafetensorsHeader(prefix, fileSize)
  if (first.ok || first.needBytes === undefined) return first
  const need = first.needBytes
  const rest = await source.readRange(path, prefix.length, need)
  const whole = new Uint8Array(prefix.length + rest.length)
  whole.set(prefix)
  whole.set(rest, prefix.length)
  if (whole.length < need)
    throw new SourceError(
      `${source.display}: ${path}: the file is ${fileSize} bytes long but only ${whole.length} of the first ${need} could be read; did it change while being read?`,
    )
  return parseSafetensorsHeader(whole, fileSize)
}

function fail(problem: SafetensorsProblem): SafetensorsParse {
  return { ok: false, problems: [problem] }
}

// ---------------------------------------------------------------------------------------------
// Header interpretation: what serde's HashMetadata/TensorInfo deserialization and
// Metadata::validate check, each check reported separately.

interface Entry {
  name: string
  dtype?: Dtype
  shape?: Int[]
  start?: Int
  end?: Int
}

type Int = number | bigint

function interpretHeader(
  root: Iterable<[string, JValue]>,
  headerLength: number,
  fileSize: number,
  problems: Problems,
): SafetensorsHeader {
  let metadata: Record<string, string> | null = null
  let metadataPresent = false
  let format: JValue | undefined
  const entries: Entry[] = []

  for (const [name, value] of root) {
    if (name === '__metadata__') {
      if (value === null) continue
      if (!isObj(value)) {
        problems.push({ code: 'metadata-not-object', found: describe(value) })
        continue
      }
      metadataPresent = true
      metadata = Object.create(null) as Record<string, string>
      for (const [key, v] of entriesOf(value)) {
        if (typeof v === 'string') metadata[key] = v
        else problems.push({ code: 'metadata-not-strings', key, found: describe(v) })
      }
      format = field(value, 'format')
      continue
    }
    entries.push(readEntry(name, value, problems))
  }

  if (!metadataPresent) problems.push({ code: 'metadata-format-missing', metadataPresent: false })
  else if (format === undefined) problems.push({ code: 'metadata-format-missing', metadataPresent: true })
  else if (typeof format === 'string' && !TRANSFORMERS_FORMATS.includes(format))
    problems.push({ code: 'metadata-format-unsupported', format })

  // Metadata::validate: in (begin, end) order, each tensor must begin where the previous one ended.
  const placed = entries.filter((e) => e.start !== undefined) as (Entry & { start: Int; end: Int })[]
  placed.sort(
    (a, b) => cmp(a.start, b.start) || cmp(a.end, b.end) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  )
  let expected: Int = 0
  let previous: string | null = null
  let dataEnd: Int = 0
  const tensors: TensorInfo[] = []
  for (const e of placed) {
    if (e.end < e.start) {
      problems.push({ code: 'invalid-offsets', tensor: e.name, start: Number(e.start), end: Number(e.end) })
      continue
    }
    if (cmp(e.start, expected) !== 0) {
      const kind = previous === null ? 'leading-gap' : e.start > expected ? 'gap' : 'overlap'
      problems.push({
        code: 'non-contiguous',
        tensor: e.name,
        kind,
        start: Number(e.start),
        expected: Number(expected),
        previous,
      })
    }
    if (e.end > expected) expected = e.end
    if (e.end > dataEnd) dataEnd = e.end
    previous = e.name
    if (e.dtype === undefined || e.shape === undefined) continue
    const shape = e.shape.every((d) => typeof d === 'number') ? e.shape : e.shape.map(Number)
    const size = sizeCheck(e.dtype, e.shape)
    if (size.kind === 'overflow')
      problems.push({ code: 'size-overflow', tensor: e.name, dtype: e.dtype, shape })
    else if (size.kind === 'misaligned')
      problems.push({
        code: 'subbyte-misaligned',
        tensor: e.name,
        dtype: e.dtype,
        shape,
        elements: Number(size.elements),
        bits: DTYPE_BITS[e.dtype],
      })
    else {
      const actual = sub(e.end, e.start)
      if (cmp(size.bytes, actual) !== 0)
        problems.push({
          code: 'tensor-size-mismatch',
          tensor: e.name,
          dtype: e.dtype,
          shape,
          expectedBytes: Number(size.bytes),
          actualBytes: Number(actual),
        })
    }
    tensors.push({ name: e.name, dtype: e.dtype, shape, start: Number(e.start), end: Number(e.end) })
  }

  // read_metadata: `buffer_end + 8 + N != buffer_len` is MetadataIncompleteBuffer.
  const expectedSize = add(dataEnd, 8 + headerLength)
  if (cmp(expectedSize, fileSize) !== 0) {
    const base = { headerLength, dataEnd: Number(dataEnd), expectedSize: Number(expectedSize), fileSize }
    if (expectedSize > fileSize) problems.push({ code: 'data-past-eof', ...base })
    else problems.push({ code: 'file-size-mismatch', ...base, extraBytes: fileSize - Number(expectedSize) })
  }

  return { tensors, metadata, headerLength, dataEnd: Number(dataEnd) }
}

const TENSOR_KEYS = ['dtype', 'shape', 'data_offsets']

function readEntry(name: string, value: JValue, problems: Problems): Entry {
  const entry: Entry = { name }
  let dtype: JValue | undefined
  let shape: JValue | undefined
  let offsets: JValue | undefined
  if (isObj(value)) {
    dtype = field(value, 'dtype')
    shape = field(value, 'shape')
    offsets = field(value, 'data_offsets')
    for (const [key] of entriesOf(value))
      if (!TENSOR_KEYS.includes(key)) problems.push({ code: 'unknown-tensor-key', tensor: name, key })
  } else if (Array.isArray(value) && value.length === 3) {
    problems.push({ code: 'tensor-entry-array', tensor: name })
    ;[dtype, shape, offsets] = value
  } else {
    const detail = Array.isArray(value)
      ? `is an array of ${value.length} element${value.length === 1 ? '' : 's'}, not an object`
      : `is ${describe(value)}, not an object`
    problems.push({ code: 'invalid-tensor-entry', tensor: name, field: 'entry', detail })
    return entry
  }

  const bad = (field: Field, detail: string) =>
    problems.push({ code: 'invalid-tensor-entry', tensor: name, field, detail })

  if (dtype === undefined) bad('dtype', 'is missing')
  else if (typeof dtype !== 'string') bad('dtype', `is ${describe(dtype)}, not a string`)
  else if (!isDtype(dtype)) problems.push({ code: 'unknown-dtype', tensor: name, dtype })
  else entry.dtype = dtype

  if (shape === undefined) bad('shape', 'is missing')
  else if (!Array.isArray(shape)) bad('shape', `is ${describe(shape)}, not an array`)
  else {
    let i = 0
    for (; i < shape.length; i++) {
      const why = uintProblem(shape[i])
      if (why) {
        bad('shape', `dimension ${i} ${why}`)
        break
      }
    }
    if (i === shape.length) entry.shape = shape as Int[]
  }

  if (offsets === undefined) bad('data_offsets', 'is missing')
  else if (!Array.isArray(offsets)) bad('data_offsets', `is ${describe(offsets)}, not an array`)
  else if (offsets.length !== 2)
    bad(
      'data_offsets',
      `has ${offsets.length} element${offsets.length === 1 ? '' : 's'}, not 2 ([begin, end])`,
    )
  else {
    const why = uintProblem(offsets[0]) ?? uintProblem(offsets[1])
    if (why) bad('data_offsets', `${uintProblem(offsets[0]) ? 'begin' : 'end'} ${why}`)
    else {
      entry.start = offsets[0] as Int
      entry.end = offsets[1] as Int
    }
  }
  return entry
}

/** Why a value is not a usize as serde_json reads one (a non-negative integer literal ≤ 2^64−1). */
function uintProblem(value: JValue): string | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return undefined
  if (!(value instanceof JNum)) return `is ${describe(value)}, not a non-negative integer`
  const t = value.text
  if (t.startsWith('-')) return `is ${t}, not a non-negative integer`
  if (/[.eE]/.test(t)) return `is ${t}, not an integer`
  return `is ${t}, larger than 2^64−1`
}

type Size = { kind: 'ok'; bytes: Int } | { kind: 'overflow' } | { kind: 'misaligned'; elements: Int }

/** The crate's checked arithmetic: every partial product of the shape, then × bits, must fit in u64. */
function sizeCheck(dtype: Dtype, shape: Int[]): Size {
  const bits = DTYPE_BITS[dtype]
  let n = 1
  let i = 0
  for (; i < shape.length; i++) {
    const d = shape[i]
    if (typeof d !== 'number' || n * d > Number.MAX_SAFE_INTEGER) break
    n *= d
  }
  if (i === shape.length && n * bits <= Number.MAX_SAFE_INTEGER) {
    const nbits = n * bits
    return nbits % 8 === 0 ? { kind: 'ok', bytes: nbits / 8 } : { kind: 'misaligned', elements: n }
  }
  let big = BigInt(n)
  for (; i < shape.length; i++) {
    big *= BigInt(shape[i])
    if (big > U64_MAX) return { kind: 'overflow' }
  }
  const nbits = big * BigInt(bits)
  if (nbits > U64_MAX) return { kind: 'overflow' }
  return nbits % 8n === 0n ? { kind: 'ok', bytes: nbits / 8n } : { kind: 'misaligned', elements: big }
}

// Mixed number/bigint arithmetic: `<`, `>` and `==` compare exactly across the two types.
function cmp(a: Int, b: Int): number {
  return a < b ? -1 : a > b ? 1 : 0
}
function sub(a: Int, b: Int): Int {
  return typeof a === 'number' && typeof b === 'number' ? a - b : BigInt(a) - BigInt(b)
}
function add(a: Int, b: number): Int {
  return typeof a === 'number' && a + b <= Number.MAX_SAFE_INTEGER ? a + b : BigInt(a) + BigInt(b)
}

function describe(value: JValue | undefined): string {
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  if (typeof value === 'boolean') return `a boolean (${value})`
  if (typeof value === 'string') return 'a string'
  if (typeof value === 'number' || typeof value === 'bigint') return `a number (${value})`
  if (value instanceof JNum) return `a number (${value.text})`
  if (Array.isArray(value)) return 'an array'
  return 'an object'
}

// ---------------------------------------------------------------------------------------------
// The header's JSON, read with jsonc-parser's visitor in its strict mode (no comments, no trailing
// commas), which accepts the same documents as JSON.parse; its first error ends the parse (thrown
// out of `visit`), at the offset of the token it is in. On top of it, what serde_json does and
// JSON.parse does not: integer literals kept exact, duplicate keys recorded (serde keeps the last),
// nesting limited, and lone surrogate escapes and numbers that overflow f64 refused.

/** A number literal that is not a usize for serde: negative, fractional, exponent, or over 2^64−1. */
class JNum {
  constructor(readonly text: string) {}
}

/**
 * An object: keys in first-seen order, with the last value of a duplicated key, as serde keeps it
 * (a Map's `set` of a present key keeps its place and replaces its value); or, read by JSON.parse
 * (parsePlainJson: no duplicate keys), a plain object.
 */
type JObj = Map<string, JValue> | { [key: string]: JValue }

function isObj(value: JValue | undefined): value is JObj {
  return (
    value instanceof Map ||
    (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JNum))
  )
}

function entriesOf(object: JObj): Iterable<[string, JValue]> {
  return object instanceof Map ? object : Object.entries(object)
}

/** A key's value: own keys only (JSON.parse makes `__proto__` and `constructor` own keys too). */
function field(object: JObj, key: string): JValue | undefined {
  return object instanceof Map ? object.get(key) : Object.hasOwn(object, key) ? object[key] : undefined
}

/**
 * A parsed JSON value. Number literals that are non-negative integers ≤ 2^64−1 (what serde reads as
 * usize) are a number when ≤ 2^53−1 and a bigint above; every other number literal is a JNum.
 */
type JValue = null | boolean | string | number | bigint | JNum | JValue[] | JObj

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message)
  }
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

const SYNTAX_WORDS: Partial<Record<ReturnType<typeof printParseErrorCode>, string>> = {
  InvalidSymbol: 'unexpected characters',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected `:`',
  CommaExpected: 'expected `,`',
  CloseBraceExpected: 'expected `,` or `}`',
  CloseBracketExpected: 'expected `,` or `]`',
  EndOfFileExpected: 'trailing characters after the JSON value',
  InvalidCommentToken: 'comments are not allowed',
  UnexpectedEndOfString: 'unterminated string (or a line break in it)',
  UnexpectedEndOfNumber: 'invalid number: a digit must follow the decimal point or exponent',
  InvalidUnicode: 'invalid \\u escape in a string',
  InvalidEscapeCharacter: 'invalid escape in a string',
  InvalidCharacter: 'control character (\\u0000-\\u001F) in a string',
}

/** A UTF-16 surrogate outside a pair: in text decoded from valid UTF-8 only a \u escape makes one. */
const LONE_SURROGATE = /\p{Cs}/u

/** Parse JSON text as serde_json would; throws a JsonSyntaxError at the first error. */
function parseJson(text: string, shadowed: (name: string, value: JValue) => void = () => {}): ParsedJson {
  // The objects and arrays being read, innermost last: the object (null for an array), the key
  // whose value is being read, and the height of the shared item stack when it began. Array items go
  // on that stack and are copied out at the end: an array grown by push() keeps spare capacity,
  // which for 200,000 two-element arrays is most of the memory.
  const objects: (Map<string, JValue> | null)[] = []
  const keys: string[] = []
  const bases: number[] = []
  const items: JValue[] = []
  const duplicates: Duplicate[] = []
  const listed = { 'duplicate-key': 0, 'duplicate-tensor': 0 }
  const moreDuplicates = { 'duplicate-key': 0, 'duplicate-tensor': 0 }
  // Times each duplicated tensor name appears: one finding per name, with its count.
  const tensorTimes = new Map<string, number>()
  let root: JValue = null

  const fail = (message: string, at: number): never => {
    throw new JsonSyntaxError(message, at)
  }
  /** The JSON pointer of the innermost open object. */
  const pointer = () => {
    let out = ''
    for (let i = 0; i < objects.length - 1; i++) {
      // In an array, the open child's index is the number of items before it.
      const segment = objects[i] === null ? String(bases[i + 1] - bases[i]) : keys[i]
      out += '/' + segment.replace(/~/g, '~0').replace(/\//g, '~1')
    }
    return out
  }
  const put = (value: JValue) => {
    const object = objects[objects.length - 1]
    if (object === undefined) root = value
    else if (object === null) items.push(value)
    else {
      const key = keys[keys.length - 1]
      const earlier = object.get(key)
      const size = object.size
      if (object.set(key, value).size === size) {
        // A key of the root other than __metadata__ names a tensor: serde keeps the last of a name.
        if (objects.length === 1 && key !== '__metadata__') {
          shadowed(key, earlier ?? null)
          tensorTimes.set(key, (tensorTimes.get(key) ?? 1) + 1)
          return
        }
        const d: Duplicate = { code: 'duplicate-key', key, pointer: pointer() }
        if (listed[d.code] < MAX_PROBLEMS_PER_CODE) {
          listed[d.code]++
          duplicates.push(d)
        } else moreDuplicates[d.code]++
      }
    }
  }
  const begin = (object: Map<string, JValue> | null, at: number) => {
    // serde_json counts the levels it enters and fails on the 128th. jsonc-parser recurses, so this
    // is also what keeps a deeply nested header from exhausting the stack.
    if (objects.length + 1 >= MAX_JSON_DEPTH)
      fail(`recursion limit exceeded (more than ${MAX_JSON_DEPTH - 1} levels)`, at)
    objects.push(object)
    keys.push('')
    bases.push(items.length)
  }
  const end = () => {
    keys.pop()
    bases.pop()
    return objects.pop()!
  }
  const escapes = text.includes('\\u') // no \u escape, no lone surrogate: skip the check
  const string = (value: string, at: number): string =>
    escapes && LONE_SURROGATE.test(value) ? fail('lone surrogate in hex escape', at) : value

  visit(
    text,
    {
      onObjectBegin: (offset) => begin(new Map(), offset),
      onObjectProperty: (key, offset) => void (keys[keys.length - 1] = string(key, offset)),
      onObjectEnd: () => put(end()),
      onArrayBegin: (offset) => begin(null, offset),
      onArrayEnd: () => {
        const base = bases[bases.length - 1]
        end()
        const array = items.slice(base)
        items.length = base
        put(array)
      },
      onLiteralValue: (value: unknown, offset, length) =>
        put(
          typeof value === 'number'
            ? numberLiteral(text, value, offset, offset + length)
            : typeof value === 'string'
              ? string(value, offset)
              : (value as boolean | null),
        ),
      onError: (code, offset) => fail(SYNTAX_WORDS[printParseErrorCode(code)] ?? 'syntax error', offset),
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  )
  for (const [tensor, times] of tensorTimes) {
    if (listed['duplicate-tensor'] < MAX_PROBLEMS_PER_CODE) {
      listed['duplicate-tensor']++
      duplicates.push({ code: 'duplicate-tensor', tensor, times })
    } else moreDuplicates['duplicate-tensor']++
  }
  return { root, duplicates, moreDuplicates }
}

/** A key written twice in one object: a tensor's name, or another key. */
type Duplicate = Extract<SafetensorsProblem, { code: 'duplicate-key' | 'duplicate-tensor' }>

interface ParsedJson {
  root: JValue
  /** Up to MAX_PROBLEMS_PER_CODE duplicated keys of each kind, and how many more there were. */
  duplicates: Duplicate[]
  moreDuplicates: Record<Duplicate['code'], number>
}

/** Thrown by plainHeader's entries when one holds what JSON.parse reads otherwise than serde_json. */
class NotPlain extends Error {}

/**
 * The header's top-level entries, each value read by JSON.parse, when that reads the header exactly as
 * serde_json does; else undefined (or NotPlain, thrown by the entries). One pass over the text first
 * finds the entries and decides: an object of "key": value members, every number a plain integer of
 * at most 15 digits (exact in a double; parseJson keeps others exact or refuses them), no control
 * character (serde refuses one in a string; whitespace other than spaces only makes the slow path),
 * no \u escape of a surrogate (serde refuses a lone one), nesting under serde's limit, no top-level key
 * twice. Each entry's value is then parsed on its own (no object of a million keys, no visitor calls)
 * and its keys counted against the text's, since JSON.parse hides a duplicated key. For a 95 MB header
 * this is a fraction of parseJson's time and memory.
 */
function plainHeader(text: string): Iterable<[string, JValue]> | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]|\\u[dD][89a-fA-F]/.test(text)) return undefined
  const n = text.length
  const names: string[] = []
  const starts: number[] = []
  const ends: number[] = []
  /** Keys inside each entry's value, as the text has them. */
  const innerKeys: number[] = []
  let i = 0
  while (isJsonSpace(text.charCodeAt(i))) i++
  if (text.charCodeAt(i) !== 0x7b) return undefined
  let depth = 1
  // At the top level: 'key' (a key or the end is next), 'colon', 'value' (inside a member's value).
  let expect: 'key' | 'colon' | 'value' = 'key'
  let sawComma = false
  let closed = -1
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x20) continue
    if (c === 0x22) {
      let j = text.indexOf('"', i + 1)
      while (j !== -1) {
        let slashes = 0
        for (let k = j - 1; text.charCodeAt(k) === 0x5c; k--) slashes++
        if (slashes % 2 === 0) break
        j = text.indexOf('"', j + 1)
      }
      if (j === -1) return undefined
      if (depth === 1 && expect === 'key') {
        const raw = text.slice(i + 1, j)
        let name: string
        try {
          name = raw.includes('\\') ? (JSON.parse(text.slice(i, j + 1)) as string) : raw
        } catch {
          return undefined
        }
        names.push(name)
        innerKeys.push(0)
        expect = 'colon'
      } else if (depth === 1 && expect !== 'value') return undefined
      else if (depth > 1) {
        let k = j + 1
        while (text.charCodeAt(k) === 0x20) k++
        if (text.charCodeAt(k) === 0x3a) innerKeys[innerKeys.length - 1]!++ // a member's key: names has it
      }
      i = j
      continue
    }
    if (depth === 1 && expect === 'colon') {
      if (c !== 0x3a) return undefined
      expect = 'value'
      starts.push(i + 1)
      continue
    }
    if (depth === 1 && expect === 'key') {
      // After '{' or ',': a key, or the end of an empty object (not after a comma).
      if (c === 0x7d && !sawComma && names.length === 0) {
        closed = i
        break
      }
      return undefined
    }
    if (c === 0x5b || c === 0x7b) {
      if (++depth >= MAX_JSON_DEPTH) return undefined
    } else if (c === 0x5d || c === 0x7d) {
      if (--depth === 0) {
        if (c !== 0x7d) return undefined
        ends.push(i)
        closed = i
        break
      }
    } else if (c === 0x2c && depth === 1) {
      ends.push(i)
      expect = 'key'
      sawComma = true
    } else if (isDigit(c)) {
      let j = i + 1
      while (j < n && isDigit(text.charCodeAt(j))) j++
      if (j - i > 15) return undefined
      i = j - 1
    } else if (c === 0x2d || c === 0x2e || c === 0x2b || c === 0x65 || c === 0x45) return undefined // - . + e E
  }
  if (closed < 0) return undefined
  for (let k = closed + 1; k < n; k++) if (text.charCodeAt(k) !== 0x20) return undefined
  if (new Set(names).size !== names.length) return undefined
  return (function* (): Generator<[string, JValue]> {
    for (let k = 0; k < names.length; k++) {
      let value: unknown
      try {
        value = JSON.parse(text.slice(starts[k], ends[k]))
      } catch {
        throw new NotPlain()
      }
      if (countKeys(value) !== innerKeys[k]) throw new NotPlain()
      yield [names[k]!, value as JValue] // k < names.length
    }
  })()
}

/** The keys of every object in a parsed value, without recursion. */
function countKeys(root: unknown): number {
  let keys = 0
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v !== 'object' || v === null) continue
    if (Array.isArray(v)) for (const item of v) stack.push(item)
    else
      for (const key of Object.keys(v)) {
        keys++
        stack.push((v as Record<string, unknown>)[key])
      }
  }
  return keys
}

/** The literal text[start, end), which jsonc-parser read as `value`, as serde_json reads it. */
function numberLiteral(text: string, value: number, start: number, end: number): number | bigint | JNum {
  let digits = true
  for (let p = start; p < end && digits; p++) digits = isDigit(text.charCodeAt(p))
  if (digits) {
    // Number() rounds to the nearest double, so a literal above 2^53−1 never comes out ≤ it.
    if (value <= Number.MAX_SAFE_INTEGER) return value
    const big = BigInt(text.slice(start, end))
    if (big <= U64_MAX) return big
  }
  // serde_json reads any other literal as an f64 and refuses one that overflows it (1e400); it does
  // so everywhere in this header, since the flattened root buffers every tensor entry whole.
  if (!Number.isFinite(value)) throw new JsonSyntaxError('number out of range', start)
  return new JNum(text.slice(start, end))
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}
