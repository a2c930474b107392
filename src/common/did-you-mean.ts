/**
 * "Did you mean …?": the known name nearest to one that is not known, for typos in class names and
 * config keys. Pure and bounded: a hostile 10,000-character name costs one length comparison per
 * candidate, never a distance table.
 */

/** Names longer than this are not typos of anything we know; no suggestion is searched for. */
const LONGEST_TYPO = 200

/** Edits allowed for a name of this length: 1 for short keys, up to 3 for long class names. */
export function allowedEdits(length: number): number {
  return Math.max(1, Math.min(3, Math.floor(length / 4)))
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions, so "Casual" is one
 * edit from "Causal"), or `limit + 1` as soon as the distance is known to exceed `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let before = new Array<number>(b.length + 1).fill(0)
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] ?? 0) + 1)
      current.push(d)
      best = Math.min(best, d)
    }
    if (best > limit) return limit + 1
    before = previous
    previous = current
  }
  return previous[b.length] ?? 0
}

/**
 * The candidate nearest to `name`: an exact match ignoring case first, then the fewest edits within
 * `allowedEdits` (ignoring case; ties go to the earlier candidate). Undefined when none is close.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length === 0 || name.length > LONGEST_TYPO) return undefined
  const lower = name.toLowerCase()
  const limit = allowedEdits(name.length)
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of candidates) {
    if (candidate === name) continue
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance - 1)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
      if (distance === 0) break
    }
  }
  return best
}
