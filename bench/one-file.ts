// What the dataset benches share: the rows they generate, and one data file of a folder as the
// dataset they check (the folder's local source and that file alone, as checkDataset finds them).
import { createWriteStream } from 'node:fs'
import path from 'node:path'
import { findDataFiles } from '../src/readers/splits.js'
import { openLocalSource } from '../src/sources/local.js'
import { chatmlAddedTokens } from '../__tests__/helpers/chatml-base.js'
import type { Message } from '../__tests__/helpers/parquet.js'

export async function oneFileDataset(file: string) {
  const source = await openLocalSource(path.dirname(file))
  const listing = await source.list()
  const found = findDataFiles({
    ...listing,
    entries: listing.entries.filter((e) => e.path === path.basename(file)),
  })
  return { source, files: found.files }
}

const WORDS =
  'the of and to in is that for it as with was on be by this are at from or have an they which one you were all we can her has there been if more when will would who so no'.split(
    ' ',
  )

/** A deterministic ultrachat-like conversation: alternating user / assistant turns of plain prose. */
export function conversation(i: number): Message[] {
  let seed = (i + 1) * 2654435761
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
  const turns = 3 + Math.floor(rand() * 4)
  return Array.from({ length: turns }, (_, t) => {
    const words = 30 + Math.floor(rand() * (t % 2 ? 120 : 40))
    const text = Array.from({ length: words }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ')
    return { role: t % 2 ? 'assistant' : 'user', content: `${text[0].toUpperCase()}${text.slice(1)}.` }
  })
}

/**
 * A byte-level BPE tokenizer.json in the shape GPT-2, Llama 3 and Qwen use (ByteLevel pre-tokenizer,
 * merges), whose merges make each word of the generator's vocabulary, with its leading space, one
 * token: tokenizers.js then encodes the generated rows the way it encodes real text with a real
 * vocabulary, one cached word at a time, where the tests' character-level tokenizer is its worst case.
 */
export function bpeTokenizer(): string {
  // GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest are shifted past 255.
  const byteChars: string[] = []
  let shifted = 0
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174
    byteChars.push(String.fromCharCode(printable ? b : 256 + shifted++))
  }
  const vocab: Record<string, number> = {}
  for (const c of byteChars) vocab[c] = Object.keys(vocab).length
  const merges: string[] = []
  const add = (token: string) => (vocab[token] ??= Object.keys(vocab).length)
  const space = byteChars[32]!
  const words = [...WORDS, ...WORDS.map((w) => w[0]!.toUpperCase() + w.slice(1))]
  for (const word of words)
    for (const prefix of ['', space]) {
      let token = prefix + word[0]!
      if (prefix) {
        if (!merges.includes(`${prefix} ${word[0]}`)) merges.push(`${prefix} ${word[0]}`)
        add(token)
      }
      for (const c of word.slice(1)) {
        const merge = `${token} ${c}`
        token += c
        if (!merges.includes(merge)) merges.push(merge)
        add(token)
      }
    }
  return JSON.stringify({
    version: '1.0',
    added_tokens: chatmlAddedTokens(100_000),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel' },
    model: {
      type: 'BPE',
      vocab,
      merges,
      dropout: null,
      unk_token: null,
      fuse_unk: false,
      byte_fallback: false,
    },
  })
}

/** `total` generated conversations as JSON Lines in `file`, one `{ messages }` row a line. */
export async function writeConversations(
  file: string,
  total: number,
  row = (i: number) => JSON.stringify({ messages: conversation(i) }),
): Promise<void> {
  const out = createWriteStream(file)
  for (let i = 0; i < total; i++)
    if (!out.write(row(i) + '\n')) await new Promise<void>((r) => out.once('drain', () => r()))
  await new Promise<void>((r) => out.end(() => r()))
}
