// Decompressors for Parquet pages that cannot be made to allocate or work past a budget. A page header
// declares its uncompressed size, and the file chooses it: hyparquet-compressors allocates what it
// says (GZIP), or what the compressed stream says (ZSTD's frame header), and decodes what the stream
// holds, so a 30 KB page can ask for gigabytes. Here every page is charged its declared size against
// the budget of the row groups being decoded before anything is allocated, and a stream that would
// expand past its declared size is stopped and refused, not truncated.
import zlib from 'node:zlib'
import type { Compressors } from 'hyparquet'
import { compressors as library, decompressZstd } from 'hyparquet-compressors'
import { formatBinaryBytes } from '../common/wording.js'

/** A page's declared size does not fit in what is left of the budget: the row groups are skipped. */
export class PageBudgetError extends Error {
  override name = 'PageBudgetError'
}

/** A page whose stream expands past (or disagrees with) its declared size: the file is broken. */
export class PageSizeError extends Error {
  override name = 'PageSizeError'
}

/** What a decode may still use, and what it did use: bytes of decompressed pages. */
export interface PageBudget {
  left: number
  /** Declared sizes charged so far (each page once). */
  decoded: number
  /** Pages refused, over the budget or expanding past their declared size. */
  refused: number
}

export function pageBudget(bytes: number): PageBudget {
  return { left: bytes, decoded: 0, refused: 0 }
}

type Decompress = (input: Uint8Array, declared: number) => Uint8Array

type ZlibWithZstd = typeof zlib & {
  zstdDecompressSync?: (input: Uint8Array, options: { maxOutputLength: number }) => Buffer
}
const nativeZstd = (zlib as ZlibWithZstd).zstdDecompressSync

/** The decompressors hyparquet uses for the pages of one decode, charged to `budget`. */
export function boundedCompressors(budget: PageBudget): Compressors {
  const guard =
    (codec: string, decompress: Decompress) =>
    (input: Uint8Array, declared: number): Uint8Array => {
      if (!Number.isSafeInteger(declared) || declared < 0)
        throw new PageSizeError(`a ${codec} page declares an uncompressed size of ${declared} bytes`)
      if (declared > budget.left) {
        budget.refused++
        throw new PageBudgetError(
          `a ${codec} page declares ${formatBinaryBytes(declared)} uncompressed, past the ${formatBinaryBytes(budget.left + budget.decoded)} the check decodes at once`,
        )
      }
      budget.left -= declared
      budget.decoded += declared
      try {
        return decompress(input, declared)
      } catch (error) {
        if (error instanceof PageSizeError) budget.refused++
        throw error
      }
    }
  return {
    GZIP: guard('GZIP', gunzip),
    ZSTD: guard('ZSTD', zstd),
    SNAPPY: guard('SNAPPY', snappy),
    BROTLI: guard('BROTLI', (input, declared) =>
      native('BROTLI', declared, () => zlib.brotliDecompressSync(input, { maxOutputLength: max(declared) })),
    ),
    // LZ4 expands at most 255:1, into a buffer of the declared size.
    LZ4: guard('LZ4', library.LZ4!),
    LZ4_RAW: guard('LZ4_RAW', library.LZ4_RAW!),
  }
}

/** Node's zlib refuses a zero limit; a page of 0 bytes is allowed 1 and then checked. */
const max = (declared: number) => Math.max(1, declared)

/** A native decode stopped at `maxOutputLength`: past it, the page expands past its declared size. */
function native(codec: string, declared: number, decode: () => Uint8Array): Uint8Array {
  let out: Uint8Array
  try {
    out = decode()
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new PageSizeError(`a ${codec} page expands past its declared ${formatBinaryBytes(declared)}`)
    throw error
  }
  if (out.length > declared)
    throw new PageSizeError(`a ${codec} page expands past its declared ${formatBinaryBytes(declared)}`)
  return out
}

/** GZIP (RFC 1952) or, like hyparquet-compressors, a raw deflate stream when the header is missing. */
function gunzip(input: Uint8Array, declared: number): Uint8Array {
  const gzip = input[0] === 0x1f && input[1] === 0x8b
  return native('GZIP', declared, () =>
    gzip
      ? zlib.gunzipSync(input, { maxOutputLength: max(declared) })
      : zlib.inflateRawSync(input, { maxOutputLength: max(declared) }),
  )
}

/** One WebAssembly instance for every Snappy page (hysnappy's snappyUncompress makes one per call). */
const snappyWasm = library.SNAPPY!

/** Snappy starts with its uncompressed length; it expands at most 32:1, into the declared size. */
function snappy(input: Uint8Array, declared: number): Uint8Array {
  let length = 0
  for (let i = 0, shift = 0; i < 5 && i < input.length; i++, shift += 7) {
    const b = input[i]!
    length += (b & 0x7f) * 2 ** shift
    if (b < 0x80) break
  }
  if (length > declared)
    throw new PageSizeError(
      `a SNAPPY page says it holds ${formatBinaryBytes(length)}, past its declared ${formatBinaryBytes(declared)}`,
    )
  return snappyWasm(input, declared)
}

/**
 * ZSTD: natively with a limit where Node has it (22.15 and later, the action's Node 24); elsewhere
 * fzstd, into a buffer of the declared size (so no size read from the stream is allocated), after a
 * walk over the frame and block headers that refuses a stream which says it is larger: a frame
 * content size other than the declared one, raw and RLE blocks past it, or so many compressed blocks
 * that decoding them could produce more than the declared size and one block.
 */
function zstd(input: Uint8Array, declared: number): Uint8Array {
  if (nativeZstd) return native('ZSTD', declared, () => nativeZstd(input, { maxOutputLength: max(declared) }))
  const bound = zstdBound(input)
  const past = `a ZSTD page expands past its declared ${formatBinaryBytes(declared)}`
  if (bound.contentSize !== undefined && bound.contentSize !== declared)
    throw new PageSizeError(
      `a ZSTD page says it holds ${formatBinaryBytes(bound.contentSize)}, not its declared ${formatBinaryBytes(declared)}`,
    )
  if (bound.exact > declared || bound.most > declared + ZSTD_BLOCK_MAX * bound.frames)
    throw new PageSizeError(past)
  return decompressZstd(input, new Uint8Array(declared))
}

const ZSTD_BLOCK_MAX = 128 * 1024

/**
 * What a ZSTD stream's headers say of its size, without decoding: the frame content sizes when every
 * frame states one, the bytes of raw and RLE blocks (exact), and at most what all blocks make
 * (compressed blocks at most 128 KiB, or the window when smaller). RFC 8878, sections 3.1.1.1 to 3.1.1.2.
 */
export function zstdBound(input: Uint8Array): {
  contentSize: number | undefined
  exact: number
  most: number
  frames: number
} {
  let at = 0
  let exact = 0
  let most = 0
  let frames = 0
  let contentSize: number | undefined = 0
  const bad = (why: string) => new PageSizeError(`a ZSTD page is not a ZSTD stream: ${why}`)
  const byte = (i: number) => {
    const b = input[i]
    if (b === undefined) throw bad('it ends inside a header')
    return b
  }
  const le = (i: number, n: number) => {
    let v = 0
    for (let k = 0; k < n; k++) v += byte(i + k) * 2 ** (8 * k)
    return v
  }
  while (at < input.length) {
    const magic = le(at, 4)
    if (magic >>> 4 === 0x184d2a5) {
      at += 8 + le(at + 4, 4) // a skippable frame
      continue
    }
    if (magic !== 0xfd2fb528) throw bad('a frame does not start with the ZSTD magic number')
    frames++
    const fhd = byte(at + 4)
    const single = (fhd >> 5) & 1
    const checksum = (fhd >> 2) & 1
    const dictBytes = [0, 1, 2, 4][fhd & 3]!
    const fcsFlag = fhd >> 6
    const fcsBytes = fcsFlag === 0 ? single : [1, 2, 4, 8][fcsFlag]!
    let p = at + 5
    let window = Infinity
    if (!single) {
      const wd = byte(p++)
      const base = 2 ** (10 + (wd >> 3))
      window = base + (base / 8) * (wd & 7)
    }
    p += dictBytes
    if (fcsBytes > 0) {
      const size = le(p, fcsBytes) + (fcsBytes === 2 ? 256 : 0)
      if (single) window = size
      if (contentSize !== undefined) contentSize += size
    } else contentSize = undefined
    p += fcsBytes
    const blockMost = Math.min(ZSTD_BLOCK_MAX, window)
    for (;;) {
      const header = le(p, 3)
      p += 3
      const last = header & 1
      const type = (header >> 1) & 3
      const size = header >>> 3
      if (type === 0) {
        exact += size
        most += size
        p += size
      } else if (type === 1) {
        exact += size
        most += size
        p += 1
      } else if (type === 2) {
        most += blockMost
        p += size
      } else throw bad('a block of the reserved type')
      if (p > input.length) throw bad('a block runs past the end of the page')
      if (last) break
    }
    at = p + (checksum ? 4 : 0)
  }
  return { contentSize: frames > 0 ? contentSize : undefined, exact, most, frames }
}
