// Whole numbers packed small, for the state a shard's JSON report carries (see src/merge-reports.ts):
// unsigned LEB128 varints (https://en.wikipedia.org/wiki/LEB128), as protobuf writes them, in base64.
// A row's digest is 8 bytes this way and a row number's step from the last one is 1 or 2, so 250,000
// rows of duplicate-row digests are about 3 MB of report, where a JSON array of numbers is three times that.

/** Packs whole numbers from 0 to 2^53 - 1 (anything else is a bug of the caller's: it throws). */
export function packNumbers(values: Iterable<number>): string {
  let bytes = new Uint8Array(1024)
  let length = 0
  for (const value of values) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`cannot pack ${value}`)
    if (length + 8 > bytes.length) {
      const grown = new Uint8Array(bytes.length * 2)
      grown.set(bytes)
      bytes = grown
    }
    let v = value
    while (v >= 0x80) {
      bytes[length++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    bytes[length++] = v
  }
  return Buffer.from(bytes.buffer, 0, length).toString('base64')
}

/** Why packed numbers cannot be read: the report they came in was not written by packNumbers. */
export class PackedError extends Error {
  override name = 'PackedError'
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * The numbers packNumbers packed, at most `max` of them (the text comes from a file anyone can write:
 * anything that is not base64 of varints of safe integers, or holds more than `max`, is refused).
 */
export function unpackNumbers(text: string, max: number): number[] {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw new PackedError('not base64')
  const bytes = Buffer.from(text, 'base64')
  const values: number[] = []
  let v = 0
  let scale = 1
  for (const byte of bytes) {
    v += (byte & 0x7f) * scale
    if (byte & 0x80) {
      scale *= 0x80
      // Eight 7-bit groups hold 56 bits: a ninth is never written for a safe integer.
      if (scale > 0x80 ** 7) throw new PackedError('a number longer than 8 bytes')
      continue
    }
    if (!Number.isSafeInteger(v)) throw new PackedError('a number past 2^53')
    if (values.length >= max) throw new PackedError(`more than ${max.toLocaleString('en-US')} numbers`)
    values.push(v)
    v = 0
    scale = 1
  }
  if (scale !== 1) throw new PackedError('the last number is cut off')
  return values
}

/** A signed whole number as an unsigned one for packNumbers: 0, -1, 1, -2, … → 0, 1, 2, 3, … */
export const zigzag = (n: number): number => (n >= 0 ? 2 * n : -2 * n - 1)
export const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2)
