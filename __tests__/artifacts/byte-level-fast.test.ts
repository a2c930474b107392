import { describe, expect, it } from '@jest/globals'
import { Tokenizer } from '@huggingface/tokenizers'
import { fastByteLevel } from '../../src/artifacts/byte-level-fast.js'
import { bpeTokenizer, conversation } from '../../bench/one-file.js'

type Encoder = { encode(text: string, options: object): { ids: number[] } }
const build = (json: object): Encoder =>
  new (Tokenizer as unknown as new (j: object, c: object) => Encoder)(json, {})

/** Texts of every kind the ASCII path must tell apart: controls, DEL, non-ASCII, lone surrogates. */
function texts(): string[] {
  let seed = 7
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
  const alphabet = [
    'a',
    'Z',
    ' ',
    '  ',
    '\n',
    '\t',
    '\r',
    '\x00',
    '\x7f',
    "'s",
    "'ll",
    '9',
    '42',
    '.',
    '!?',
    'é',
    '😀',
    '\ud800',
    '中文',
    'Ġ',
    '<|im_end|>',
  ]
  const random = Array.from({ length: 400 }, () =>
    Array.from(
      { length: 1 + Math.floor(rand() * 30) },
      () => alphabet[Math.floor(rand() * alphabet.length)],
    ).join(''),
  )
  const chats = Array.from({ length: 50 }, (_, i) =>
    conversation(i)
      .map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`)
      .join(''),
  )
  return ['', ' ', 'hello', ' world', ...random, ...chats]
}

describe('the ASCII path of the ByteLevel pre-tokenizer', () => {
  const variants: [string, (j: Record<string, unknown>) => void][] = [
    ['as GPT-2 sets it', () => {}],
    ['add_prefix_space', (j) => void ((j.pre_tokenizer as Record<string, unknown>).add_prefix_space = true)],
    ['use_regex false', (j) => void ((j.pre_tokenizer as Record<string, unknown>).use_regex = false)],
    [
      'inside a Sequence, after a Split (as Llama 3 and Qwen 2 set it)',
      (j) =>
        void (j.pre_tokenizer = {
          type: 'Sequence',
          pretokenizers: [
            { type: 'Split', pattern: { Regex: '\\s+|\\S+' }, behavior: 'Isolated', invert: false },
            { ...(j.pre_tokenizer as object), use_regex: false },
          ],
        }),
    ],
  ]
  it.each(variants)('%s: the same ids as tokenizers.js on every text', (_, edit) => {
    const json = JSON.parse(bpeTokenizer()) as Record<string, unknown>
    edit(json)
    const plain = build(json)
    const fast = build(json)
    expect(fastByteLevel(fast)).toBe(1)
    for (const text of texts())
      expect(fast.encode(text, { add_special_tokens: false }).ids).toEqual(
        plain.encode(text, { add_special_tokens: false }).ids,
      )
  })

  it('changes nothing in a tokenizer without a ByteLevel pre-tokenizer', () => {
    const json = JSON.parse(bpeTokenizer()) as Record<string, unknown>
    json.pre_tokenizer = { type: 'Whitespace' }
    expect(fastByteLevel(build(json))).toBe(0)
  })
})
