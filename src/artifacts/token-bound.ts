// A cheap upper bound on the tokens tokenizers.js gives a text, read from tokenizer.json alone: at most
// `tokensPerByte(json)` tokens per UTF-8 byte of the text (no special tokens added). DS402 tokenizes a
// row only when this bound could exceed the context, so the bound must never be too low: any part of
// tokenizer.json it does not know gives no bound, and every row is tokenized.
//
// Why it holds (pipeline: https://huggingface.co/docs/tokenizers/pipeline):
// - Added tokens are split out first; each is one token for at least one byte of text (empty contents
//   give no bound). The rest is cut into non-empty sections, each normalized and pre-tokenized.
// - Every model gives at most one token per character of a pre-tokenized piece: BPE, WordPiece and
//   Unigram tokens each cover at least one character (an unknown word or character is one [UNK]),
//   WordLevel one token per piece; with byte_fallback an unknown character becomes its UTF-8 bytes. So
//   a piece has at most as many tokens as UTF-8 bytes, and a byte-level piece (ByteLevel maps each byte
//   to one character) at most as many as the bytes it was mapped from.
// - Normalizers and pre-tokenizers that only remove, split or map text keep that count; the ones that
//   expand it multiply it by their worst expansion in UTF-8 bytes (Unicode normalization: at most x3 for
//   NFC and NFD, x11 for NFKC and NFKD, https://unicode.org/faq/normalization.html#12) or add a prefix
//   to a section of at least one byte (Prepend, Metaspace, ByteLevel's add_prefix_space), which at most
//   multiplies it by 1 + the prefix's bytes.
import { isObject } from '../common/json.js'

const bytes = (s: string) => Buffer.byteLength(s, 'utf8')

/** Shape-only stages: they split, remove or map characters one to one at most. */
const SPLITTING = new Set([
  'BertPreTokenizer',
  'Whitespace',
  'WhitespaceSplit',
  'Split',
  'Punctuation',
  'Digits',
  'FixedLength',
  'UnicodeScripts',
  'CharDelimiterSplit',
])

/** The factor a Replace stage expands text by: a non-empty string becomes `content` (a regex: none). */
function replaceFactor(n: Record<string, unknown>): number | undefined {
  const pattern = isObject(n.pattern) ? n.pattern.String : undefined
  const content = n.content ?? ''
  if (typeof pattern !== 'string' || pattern === '' || typeof content !== 'string') return undefined
  return Math.max(1, bytes(content) / bytes(pattern))
}

function product(list: unknown, one: (x: unknown) => number | undefined): number | undefined {
  if (!Array.isArray(list)) return undefined
  let f = 1
  for (const x of list as unknown[]) {
    const g = one(x)
    if (g === undefined) return undefined
    f *= g
  }
  return f
}

function normalizerFactor(n: unknown): number | undefined {
  if (n === null || n === undefined) return 1
  if (!isObject(n)) return undefined
  switch (n.type) {
    case 'Sequence':
      return product(n.normalizers, normalizerFactor)
    case 'Strip':
    case 'StripAccents':
    case 'Nmt':
      return 1
    case 'Lowercase':
      return 2 // İ (2 bytes) lowercases to i + U+0307 (3 bytes); no mapping more than doubles
    case 'NFC':
    case 'NFD':
      return 3
    case 'NFKC':
    case 'NFKD':
      return 11
    case 'BertNormalizer':
      // Chinese characters (3+ bytes) get a space on each side, NFD for the accents, then lowercase.
      return 2 * 3 * 2
    case 'Prepend':
      return typeof n.prepend === 'string' ? 1 + bytes(n.prepend) : undefined
    case 'Replace':
      return replaceFactor(n)
    default:
      return undefined // Precompiled (a SentencePiece map to any string), ByteLevel, unknown
  }
}

function preTokenizerFactor(p: unknown, byteFallback: boolean): number | undefined {
  if (p === null || p === undefined) return 1
  if (!isObject(p) || typeof p.type !== 'string') return undefined
  if (SPLITTING.has(p.type)) return 1
  switch (p.type) {
    case 'Sequence':
      return product(p.pretokenizers, (q) => preTokenizerFactor(q, byteFallback))
    case 'Replace':
      return replaceFactor(p)
    case 'Metaspace': {
      const r = bytes(typeof p.replacement === 'string' ? p.replacement : '\u2581')
      return Math.max(1, r) + r // each space becomes the replacement, and one is prepended
    }
    case 'ByteLevel':
      // One character per byte; with byte_fallback a mapped character may fall back to its 2 bytes.
      return (p.add_prefix_space === true ? 2 : 1) * (byteFallback ? 2 : 1)
    default:
      return undefined
  }
}

const MODELS = new Set(['BPE', 'WordPiece', 'Unigram', 'WordLevel'])

/**
 * At most this many tokens per UTF-8 byte of any text, or undefined when tokenizer.json has a part no
 * safe bound is known for (then every row must be tokenized).
 */
export function tokensPerByte(json: unknown): number | undefined {
  if (!isObject(json) || !isObject(json.model) || !MODELS.has(json.model.type as string)) return undefined
  const added = json.added_tokens ?? []
  if (!Array.isArray(added) || !added.every((t) => isObject(t) && typeof t.content === 'string' && t.content))
    return undefined
  // A Unigram piece of no characters could sit between any two others: no bound then.
  const vocab = json.model.vocab
  if (
    json.model.type === 'Unigram' &&
    (!Array.isArray(vocab) || vocab.some((v) => !Array.isArray(v) || v[0] === ''))
  )
    return undefined
  const byteFallback = json.model.byte_fallback === true
  const n = normalizerFactor(json.normalizer)
  const p = preTokenizerFactor(json.pre_tokenizer, byteFallback)
  return n === undefined || p === undefined ? undefined : n * p
}

/**
 * Whether `text` has at most `limit` tokens, given at most `perByte` tokens per UTF-8 byte. A UTF-16
 * unit is at most three bytes, so the length alone often settles it without counting the bytes.
 */
export function fitsContext(text: string, perByte: number, limit: number): boolean {
  if (text.length * 3 * perByte <= limit) return true
  return text.length * perByte <= limit && Buffer.byteLength(text, 'utf8') * perByte <= limit
}
