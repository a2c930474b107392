export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

/**
 * The deepest nesting Python's json module loads: `json.loads('[' * N + ']' * N)` raises
 * RecursionError from N = 9,999 on CPython 3.13 (its C recursion limit; objects alike). Older
 * versions stop sooner: 3.12 at 1,498, 3.8 to 3.11 at 995 minus the caller's stack frames (the
 * recursion limit of 1,000 counts Python frames too). Measured with the C decoder, the one
 * transformers and `datasets` use. The most permissive is taken, so a file some supported Python
 * loads is never refused; anything deeper cannot be loaded by any of them.
 */
export const PYTHON_JSON_MAX_DEPTH = 9_998

/** The nesting of a JSON text: its deepest level, and where the first level past a limit opens. */
export interface JsonNesting {
  /** The most arrays and objects open at once (0 for a scalar). */
  depth: number
  /** UTF-16 offset of the `[` or `{` that first opened a level past `limit`, or -1 when none did. */
  over: number
}

/**
 * How deeply `text` nests, in one iterative pass that never recurses (so 100,000 nested `[` cost a
 * loop, not a stack). Strings are skipped with their escapes, so brackets inside them do not count;
 * the text need not be valid JSON (the parser that runs next says what else is wrong with it).
 */
export function jsonNesting(text: string, limit = Infinity): JsonNesting {
  let depth = 0
  let max = 0
  let over = -1
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      // The closing quote is the next one not escaped: preceded by an even run of backslashes.
      let j = text.indexOf('"', i + 1)
      while (j !== -1) {
        let slashes = 0
        for (let k = j - 1; text.charCodeAt(k) === 92 /* \ */; k--) slashes++
        if (slashes % 2 === 0) break
        j = text.indexOf('"', j + 1)
      }
      if (j === -1) break // an unclosed string runs to the end: nothing after it nests
      i = j
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++
      if (depth > max) {
        max = depth
        if (depth > limit && over < 0) over = i
      }
    } else if ((c === 93 /* ] */ || c === 125) /* } */ && depth > 0) depth--
  }
  return { depth: max, over }
}

/**
 * Whether `text` may nest deeper than `limit`: false when it holds too few brackets to (each level
 * needs its own `[` or `{`), found with native searches, so the common case never loops in JS.
 */
export function mayNestDeeperThan(text: string, limit: number): boolean {
  if (text.length <= limit) return false
  let count = 0
  for (const bracket of ['[', '{']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1))
      if (++count > limit) return true
  }
  return false
}
