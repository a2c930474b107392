import evidence from '../../data/architectures.json' with { type: 'json' }
import known from '../../data/known-architectures.json' with { type: 'json' }
import { didYouMean } from '../../common/did-you-mean.js'

/**
 * What the evidence says about an architecture (config.json `architectures[0]`). Two tables feed it:
 * `architectures.json`, the hand-reviewed evidence that Friendli serves a class (tiers below), and
 * `known-architectures.json`, every class transformers and vLLM implement, generated from their
 * registries. Friendli publishes no class list, so only a name neither table knows is an error: a
 * typo or an invented class cannot be loaded by any engine.
 */

export type Tier = 'current' | 'tooling' | 'catalog' | 'legacy'
export type Head = 'generation' | 'embedding' | 'classification' | 'speculative' | 'other'

export interface EvidenceEntry {
  name: string
  tier: Tier
  family: string
  evidence: { source: string; date: string; says: string }[]
  note?: string
}

interface KnownEntry {
  head: Head
  modelTypes?: string[]
  in: string[]
}

export const EVIDENCE: readonly EvidenceEntry[] = evidence.architectures as EvidenceEntry[]
const BY_NAME = new Map(EVIDENCE.map((e) => [e.name, e]))
const KNOWN = new Map(Object.entries(known.architectures as Record<string, KnownEntry>))
/** Every name either table knows, for "did you mean": the evidence first, so served names win ties. */
const ALL_NAMES = [...new Set([...BY_NAME.keys(), ...KNOWN.keys()])]

/** The generated list's sources, for messages: "transformers (read 2026-08-10) and vLLM (read 2026-09-21)". */
export const KNOWN_FROM: string = known.sources
  .map((s) => `${s.repository.endsWith('/vllm') ? 'vLLM' : 'transformers'} (as of ${s.date})`)
  .join(' and ')

/** The transformers release the generated list was read from, as numbers, when it is a release. */
const TRANSFORMERS_VERSION = versionNumbers(
  known.sources.find((s) => s.repository.endsWith('/transformers'))?.version ?? '',
)

/** A tier Friendli's current pages or tools back: served without a finding. */
export function isServed(tier: Tier | undefined): boolean {
  return tier === 'current' || tier === 'tooling'
}

export type Verdict =
  | { kind: 'served'; entry?: EvidenceEntry }
  | { kind: 'catalog' | 'legacy'; entry: EvidenceEntry }
  | { kind: 'notGenerating'; head: Head }
  | { kind: 'unconfirmed'; nearest: EvidenceEntry[] }
  | {
      kind: 'unknown'
      suggestion?: string
      oddCharacter?: string
      /** Why the name may be a class newer than the lists rather than a typo. */
      newer?: 'transformers' | 'digits'
    }

export interface VerdictInput {
  name: string
  /** extra-architectures: classes the user confirmed. */
  extra: readonly string[]
  /** config.json `transformers_version`, when a string. */
  transformersVersion?: string
}

export function architectureVerdict({ name, extra, transformersVersion }: VerdictInput): Verdict {
  if (extra.includes(name)) return { kind: 'served' }
  const entry = BY_NAME.get(name)
  if (entry && isServed(entry.tier)) return { kind: 'served', entry }
  const generated = KNOWN.get(name)
  if (!entry && !generated) return unknownVerdict(name, extra, transformersVersion)
  const head = generated?.head ?? 'generation'
  if (head !== 'generation') return { kind: 'notGenerating', head }
  if (entry?.tier === 'catalog' || entry?.tier === 'legacy') return { kind: entry.tier, entry }
  return { kind: 'unconfirmed', nearest: nearestServed(name) }
}

/** Longer names are not typos of any class: no suggestion, and no Unicode work on them. */
const LONGEST_NAME = 200

function unknownVerdict(name: string, extra: readonly string[], transformersVersion?: string): Verdict {
  // One native scan, whatever the length: control, non-ASCII, invisible.
  const odd = /[^\x20-\x7e]/u.exec(name)?.[0]
  const oddCharacter = odd === undefined ? undefined : describeCharacter(odd)
  let suggestion: string | undefined
  if (name.length <= LONGEST_NAME) {
    const candidates = [...extra, ...ALL_NAMES]
    const plain = skeleton(name)
    suggestion = plain !== name && candidates.includes(plain) ? plain : didYouMean(plain, candidates)
  }
  // A class newer than the lists cannot be told from a typo by its name alone, so only a sure typo is
  // an error: a character no class name has, or a close known name (a case slip, a swapped or missing
  // letter) in a config not written by a newer transformers. A name that differs from a known one only
  // in its digits (Qwen4 beside Qwen3) may be the next version; a name close to nothing is an error
  // only when config.json says it was written by a transformers no newer than the lists (or says nothing).
  if (oddCharacter) return { kind: 'unknown', suggestion, oddCharacter }
  if (suggestion !== undefined && stripDigits(suggestion) === stripDigits(name))
    return { kind: 'unknown', suggestion, newer: 'digits' }
  const version = transformersVersion === undefined ? undefined : versionNumbers(transformersVersion)
  if (isNewer(transformersVersion) || (suggestion === undefined && version && !TRANSFORMERS_VERSION))
    return { kind: 'unknown', suggestion, newer: 'transformers' }
  return { kind: 'unknown', suggestion }
}

/**
 * Characters that look like Latin letters in class names, mapped to them: NFKC folds fullwidth and
 * styled letters; the table covers the Cyrillic and Greek capitals and small letters that render like
 * Latin ones (a subset of Unicode's confusables, https://www.unicode.org/Public/security/latest/confusables.txt);
 * invisible format characters are dropped.
 */
const LOOK_ALIKES: Record<string, string> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  У: 'Y',
  Ѕ: 'S',
  І: 'I',
  Ј: 'J',
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  ο: 'o',
  ν: 'v',
  ι: 'i',
  κ: 'k',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
}

export function skeleton(name: string): string {
  return [...name.normalize('NFKC')]
    .filter((c) => !/\p{Cf}/u.test(c))
    .map((c) => LOOK_ALIKES[c] ?? c)
    .join('')
}

/** "U+041C, a look-alike of the Latin M" or "U+202E, an invisible or control character". */
function describeCharacter(c: string): string {
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
  const latin = LOOK_ALIKES[c] ?? (/^[A-Za-z]$/.test(c.normalize('NFKC')) ? c.normalize('NFKC') : undefined)
  if (latin) return `${code}, which looks like the Latin ${latin} but is not one`
  return /[\p{Cc}\p{Cf}\p{Z}]/u.test(c)
    ? `${code}, an invisible or control character`
    : `${code}, a non-ASCII character`
}

/** The name without digits and underscores: Ernie4_5 and Ernie5 are versions of one family. */
function stripDigits(name: string): string {
  return name.replace(/[\d_]+/g, '')
}

function versionNumbers(version: string): number[] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version)
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined
}

/**
 * True when config.json was written by a transformers newer than the lists: a later release than the
 * one they were read from (when that is a release), or a development build, which is what a model
 * written before its class is released carries.
 */
function isNewer(version: string | undefined): boolean {
  if (version !== undefined && /\.dev\d*$/.test(version)) return true
  const theirs = version === undefined ? undefined : versionNumbers(version)
  if (!theirs || !TRANSFORMERS_VERSION) return false
  for (let i = 0; i < 3; i++) {
    const a = theirs[i] ?? 0
    const b = TRANSFORMERS_VERSION[i] ?? 0
    if (a !== b) return a > b
  }
  return false
}

/** A class's family stem: the part before "For…", cut at its first digit ("Gemma2" → "gemma"). */
function stem(name: string): string {
  const head = name.split(/For[A-Z]|LMHeadModel$|Model$/)[0] ?? name
  return head.replace(/\d.*$/, '').replace(/_$/, '').toLowerCase()
}

/**
 * Served classes of the same family as `name`: those whose stem starts `name`'s own ("Gemma3…" →
 * Gemma 2, Gemma 4; "Phimoe…" → Phi-3), longest stem first, at most three.
 */
export function nearestServed(name: string): EvidenceEntry[] {
  const own = (name.split(/For[A-Z]|LMHeadModel$|Model$/)[0] ?? name).toLowerCase()
  const matches = EVIDENCE.filter(
    (e) => isServed(e.tier) && stem(e.name).length >= 3 && own.startsWith(stem(e.name)),
  )
  const longest = Math.max(0, ...matches.map((e) => stem(e.name).length))
  return matches.filter((e) => stem(e.name).length === longest).slice(0, 3)
}
