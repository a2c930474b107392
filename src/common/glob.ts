// Glob patterns for files of the workspace (the `manifests` input, the config file's `manifests` key):
// `*` and `?` within one path segment, `**` for any number of folders, `{a,b}` for alternatives. As in
// every common glob (bash, git, picomatch without `dot`), a wildcard never matches a name that starts
// with `.`, and here never `node_modules` either: `.friendli/endpoints/*.yaml` names a dot-folder, and
// `**/x.yaml` walks neither `.git` nor `.venv` nor `node_modules`.
//
// The patterns come from the repository, so matching is linear-time per segment (no regular
// expression that could backtrack) and a pattern's size is bounded before anything is matched.

/** Bounds on one pattern: characters, and the alternatives its braces expand to. */
export const GLOB_LIMITS = { chars: 500, alternatives: 64 }

/** A pattern, parsed: each alternative (braces expanded) as its path segments. */
export interface Glob {
  pattern: string
  alternatives: string[][]
}

/** Whether the text holds glob syntax (else it names one path). */
export function isGlob(text: string): boolean {
  return /[*?{]/.test(text)
}

/** The pattern parsed, or why it cannot be used (too long, too many alternatives, unbalanced braces). */
export function parseGlob(pattern: string): Glob | { problem: string } {
  if (pattern.length > GLOB_LIMITS.chars)
    return { problem: `a pattern has at most ${GLOB_LIMITS.chars} characters` }
  if (pattern.startsWith('/') || /^[A-Za-z]:[\\/]/.test(pattern) || pattern.includes('\\'))
    return { problem: 'a pattern is a POSIX path relative to the workspace' }
  const expanded = expandBraces(pattern.replace(/^\.\//, ''))
  if (typeof expanded === 'string') return { problem: expanded }
  const alternatives = expanded.map((p) =>
    p.split('/').filter((s, i, all) => s !== '' || i === all.length - 1),
  )
  if (alternatives.some((segments) => segments.some((s) => s === '.' || s === '..')))
    return { problem: 'a pattern names files below the workspace: no "." or ".." segments' }
  return { pattern, alternatives }
}

/** `a{b,c}d{e,f}` → abde, abdf, acde, acdf; braces do not nest. A string says why not. */
function expandBraces(pattern: string): string[] | string {
  let out = ['']
  let i = 0
  while (i < pattern.length) {
    const open = pattern.indexOf('{', i)
    if (open < 0) {
      out = out.map((p) => p + pattern.slice(i))
      break
    }
    const close = pattern.indexOf('}', open)
    if (close < 0) return 'a "{" is not closed'
    const inner = pattern.slice(open + 1, close)
    if (inner.includes('{')) return 'braces do not nest'
    const options = inner.split(',')
    const head = pattern.slice(i, open)
    if (out.length * options.length > GLOB_LIMITS.alternatives)
      return `a pattern expands to at most ${GLOB_LIMITS.alternatives} alternatives`
    out = out.flatMap((p) => options.map((o) => p + head + o))
    i = close + 1
  }
  if (out.some((p) => p.includes('}'))) return 'a "}" has no "{"'
  return out
}

/** Names a wildcard does not match: hidden files and folders, and node_modules. */
function hidden(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules'
}

/**
 * Whether one name matches one segment of `*` and `?`: the two-pointer wildcard match, O(n·m) at
 * worst, never exponential.
 */
export function matchSegment(segment: string, name: string): boolean {
  if (segment !== name && hidden(name) && !segment.startsWith('.') && segment !== 'node_modules') return false
  let s = 0
  let n = 0
  let star = -1
  let mark = 0
  while (n < name.length) {
    if (s < segment.length && (segment[s] === '?' || segment[s] === name[n])) {
      s++
      n++
    } else if (s < segment.length && segment[s] === '*') {
      star = s++
      mark = n
    } else if (star >= 0) {
      s = star + 1
      n = ++mark
    } else return false
  }
  while (s < segment.length && segment[s] === '*') s++
  return s === segment.length
}

/** Whether a POSIX path relative to the workspace matches the pattern. */
export function matchGlob(glob: Glob, file: string): boolean {
  const names = file.split('/')
  return glob.alternatives.some((segments) => matchSegments(segments, names, false))
}

/** Whether some file below the folder (a POSIX path, '' for the workspace) could match the pattern. */
export function mayHoldMatches(glob: Glob, folder: string): boolean {
  const names = folder === '' ? [] : folder.split('/')
  return glob.alternatives.some((segments) => matchSegments(segments, names, true))
}

/**
 * Segments against names, `**` matching any run of folders that are not hidden. With `prefix`, the
 * names are a folder and the question is whether the segments can go on to match below it. The table
 * is (segments + 1) × (names + 1): linear in the path for a bounded pattern.
 */
function matchSegments(segments: readonly string[], names: readonly string[], prefix: boolean): boolean {
  // ok[i][j]: segments[i..] can match names[j..]
  const rows = segments.length + 1
  const cols = names.length + 1
  const ok: boolean[][] = Array.from({ length: rows }, () => new Array<boolean>(cols).fill(false))
  ok[segments.length]![names.length] = true
  for (let i = segments.length; i >= 0; i--) {
    for (let j = names.length; j >= 0; j--) {
      if (i === segments.length) {
        ok[i]![j] = j === names.length
        continue
      }
      const seg = segments[i]!
      if (j === names.length) {
        // Names used up: a folder prefix can still go on below; a file needs every segment to be `**`.
        ok[i]![j] = prefix || (seg === '**' && ok[i + 1]![j]!)
        continue
      }
      const name = names[j]!
      ok[i]![j] =
        seg === '**'
          ? ok[i + 1]![j]! || (!hidden(name) && ok[i]![j + 1]!)
          : matchSegment(seg, name) && ok[i + 1]![j + 1]!
    }
  }
  return ok[0]![0]!
}
