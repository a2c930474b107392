// tokenizers.js's ByteLevel pre-tokenizer (GPT-2, Llama 3, Qwen and most BPE tokenizers) maps each piece
// of text to one character per UTF-8 byte by encoding it with a TextEncoder and mapping the bytes one by
// one through an array: about a third of the time it takes to count a row's tokens. For a piece that is
// all ASCII the bytes are the characters' own codes, so each character maps straight through the same
// table: the same pieces, faster. Any other text goes the library's way. The table is
// bytes_to_unicode of GPT-2's encoder.py (https://github.com/openai/gpt-2/blob/master/src/encoder.py),
// which the library holds as `byte_encoder`.

/** The fields of tokenizers.js's ByteLevel pre-tokenizer this reads (dist/tokenizers.mjs, ByteLevel). */
interface ByteLevelLike {
  byte_encoder: Record<number, string>
  text_encoder: object
  pattern: RegExp
  add_prefix_space: boolean
  use_regex: boolean
  pre_tokenize_text(text: string, options?: unknown): string[]
}

/** Whether a pre-tokenizer of the tokenizer object is a ByteLevel one, by the fields it has. */
function isByteLevel(node: unknown): node is ByteLevelLike {
  const n = node as Partial<ByteLevelLike> | null
  // tokenizers.js pre-tokenizers are callable objects: functions with fields.
  return (
    (typeof n === 'object' || typeof n === 'function') &&
    n !== null &&
    typeof n.pre_tokenize_text === 'function' &&
    n.pattern instanceof RegExp &&
    n.text_encoder instanceof TextEncoder &&
    typeof n.byte_encoder === 'object'
  )
}

/**
 * Gives every ByteLevel pre-tokenizer of a tokenizers.js Tokenizer (alone or in a Sequence) the ASCII
 * path; returns how many it changed. The tokens are the same: tests compare both ways on many texts.
 */
export function fastByteLevel(tokenizer: object): number {
  let changed = 0
  const stack: unknown[] = [(tokenizer as { pre_tokenizer?: unknown }).pre_tokenizer]
  while (stack.length > 0) {
    const node = stack.pop()
    if (!node || (typeof node !== 'object' && typeof node !== 'function')) continue
    const inner = (node as { tokenizers?: unknown }).tokenizers
    if (Array.isArray(inner)) stack.push(...(inner as unknown[]))
    if (!isByteLevel(node)) continue
    const table = Array.from({ length: 128 }, (_, b) => node.byte_encoder[b])
    if (table.some((c) => typeof c !== 'string')) continue
    const original = node.pre_tokenize_text.bind(node)
    node.pre_tokenize_text = (text: string, options?: unknown): string[] => {
      if (typeof text !== 'string' || !ASCII.test(text)) return original(text, options)
      const prefixed = node.add_prefix_space && !text.startsWith(' ') ? ' ' + text : text
      const pieces = node.use_regex ? (prefixed.match(node.pattern) ?? []) : [prefixed]
      return pieces.map((piece) => piece.replace(MAPPED, (c) => table[c.charCodeAt(0)]!))
    }
    changed++
  }
  return changed
}

// eslint-disable-next-line no-control-regex -- control characters are ASCII, and bytes_to_unicode maps them
const ASCII = /^[\x00-\x7f]*$/
/** The ASCII bytes bytes_to_unicode maps to another character: controls, space and DEL. */
// eslint-disable-next-line no-control-regex -- these are the characters the table maps to others
const MAPPED = /[\x00-\x20\x7f]/g
