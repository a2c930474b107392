// Positions in a text and the validity of its bytes, for every reader of JSON: model files
// (artifacts/) and dataset rows (readers/) point at the same line, column and byte the same way.

/** 1-based line and column of a character offset, from a lazily built index of line starts. */
export interface Position {
  line: number
  column: number
}

export function lineIndex(text: string): (offset: number) => Position {
  let starts: number[] | undefined
  return (offset) => {
    if (!starts) {
      starts = [0]
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
    }
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= offset)
        lo = mid // 0 <= lo <= mid <= hi < starts.length
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 }
  }
}

/**
 * Offset of the first byte that is not valid UTF-8, or -1. TextDecoder can tell that a buffer is
 * invalid but not where; a finding must point at the real place. Overlong forms, surrogates and
 * code points past U+10FFFF are invalid, as they are to Python and to TextDecoder.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]! // i < bytes.length
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80]
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800]
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000]
    else return i
    let cp = b & (0x3f >> need)
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined || (c & 0xc0) !== 0x80) return i
      cp = (cp << 6) | (c & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i
    i += need + 1
  }
  return -1
}
