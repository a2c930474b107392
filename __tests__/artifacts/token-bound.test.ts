import { describe, expect, it } from '@jest/globals'
import { Tokenizer as TokenizerClass } from '@huggingface/tokenizers'
import { tokensPerByte } from '../../src/artifacts/token-bound.js'

const Tokenizer = TokenizerClass as unknown as new (
  json: object,
  config: object,
) => { encode(text: string, o: { add_special_tokens: boolean }): { ids: number[] } }

const added = (id: number, content: string) => ({ id, content, special: true, normalized: false })

/** A tokenizer.json whose model gives as many tokens as it can: no merges, one token per character. */
function worst(over: { normalizer?: unknown; pre_tokenizer?: unknown; model?: 'WordLevel' | 'BPE' }) {
  const model =
    over.model === 'BPE'
      ? // No vocabulary but the byte tokens: every character falls back to its UTF-8 bytes.
        {
          type: 'BPE',
          vocab: Object.fromEntries(
            Array.from({ length: 256 }, (_, b) => [
              `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`,
              b,
            ]),
          ),
          merges: [],
          byte_fallback: true,
          unk_token: null,
        }
      : { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' }
  return {
    version: '1.0',
    added_tokens: [added(1000, '<|im_start|>'), added(1001, '<|im_end|>')],
    normalizer: over.normalizer ?? null,
    // Every character its own piece: the most pieces a pre-tokenizer can give.
    pre_tokenizer: over.pre_tokenizer ?? {
      type: 'Split',
      pattern: { Regex: '.' },
      behavior: 'Isolated',
      invert: false,
    },
    post_processor: null,
    decoder: null,
    model,
  }
}

const each = { type: 'Split', pattern: { Regex: '.' }, behavior: 'Isolated', invert: false }

/** Texts that expand: NFKC's longest (U+FDFA, 18 characters), İ lowercased, spaces, CJK, added tokens. */
const TEXTS = [
  'a',
  ' ',
  '     ',
  'ﷺ'.repeat(5),
  'İ'.repeat(7),
  'Ⱥ'.repeat(3),
  '中文字符',
  'e\u0301'.repeat(4),
  '<|im_start|>user\nhé<|im_end|>\n',
  '😀 a b c',
  'x y',
]

describe('tokensPerByte', () => {
  const shapes: [string, object][] = [
    ['no normalizer, one piece per character', worst({})],
    ['NFKC', worst({ normalizer: { type: 'NFKC' } })],
    ['NFC', worst({ normalizer: { type: 'NFC' } })],
    ['NFD', worst({ normalizer: { type: 'NFD' } })],
    ['Lowercase', worst({ normalizer: { type: 'Lowercase' } })],
    [
      'BertNormalizer',
      worst({
        normalizer: {
          type: 'BertNormalizer',
          clean_text: true,
          handle_chinese_chars: true,
          strip_accents: true,
          lowercase: true,
        },
      }),
    ],
    [
      'Llama 2 (Prepend ▁, spaces to ▁, byte fallback)',
      worst({
        model: 'BPE',
        normalizer: {
          type: 'Sequence',
          normalizers: [
            { type: 'Prepend', prepend: '▁' },
            { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
          ],
        },
        pre_tokenizer: null,
      }),
    ],
    [
      'Metaspace after a split into characters, byte fallback',
      worst({
        model: 'BPE',
        pre_tokenizer: {
          type: 'Sequence',
          pretokenizers: [each, { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always' }],
        },
      }),
    ],
    [
      'ByteLevel with a prefix space',
      worst({ pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, use_regex: true } }),
    ],
    [
      'Unigram, NFKC',
      {
        ...worst({ normalizer: { type: 'NFKC' } }),
        model: {
          type: 'Unigram',
          unk_id: 0,
          vocab: [
            ['<unk>', 0],
            ['a', -1],
            ['▁', -2],
          ],
        },
      },
    ],
    ['byte fallback, NFKC', worst({ model: 'BPE', normalizer: { type: 'NFKC' }, pre_tokenizer: null })],
  ]

  it.each(shapes)('%s: no text gets more tokens than the bound', (_, json) => {
    const perByte = tokensPerByte(json)
    expect(perByte).toBeDefined()
    const tokenizer = new Tokenizer(json, {})
    for (const text of TEXTS) {
      const tokens = tokenizer.encode(text, { add_special_tokens: false }).ids.length
      expect(tokens).toBeLessThanOrEqual(perByte! * Buffer.byteLength(text, 'utf8'))
    }
  })

  it('common shapes: byte-level BPE is one token per byte, NFC three, Llama 2 twelve', () => {
    const byteLevel = {
      ...worst({ pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false } }),
      model: { type: 'BPE' },
    }
    expect(tokensPerByte(byteLevel)).toBe(1)
    expect(tokensPerByte({ ...byteLevel, normalizer: { type: 'NFC' } })).toBe(3)
    const llama2 = shapes.find(([name]) => name.startsWith('Llama 2'))![1]
    expect(tokensPerByte(llama2)).toBe(12)
  })

  it('gives no bound for parts it cannot bound: Precompiled, a regex Replace, an empty added token, an unknown model', () => {
    expect(
      tokensPerByte(worst({ normalizer: { type: 'Precompiled', precompiled_charsmap: 'AA==' } })),
    ).toBeUndefined()
    expect(
      tokensPerByte(worst({ normalizer: { type: 'Replace', pattern: { Regex: 'a*' }, content: 'bbbb' } })),
    ).toBeUndefined()
    expect(
      tokensPerByte(worst({ normalizer: { type: 'Replace', pattern: { String: '' }, content: 'b' } })),
    ).toBeUndefined()
    expect(tokensPerByte({ ...worst({}), added_tokens: [added(5, '')] })).toBeUndefined()
    expect(tokensPerByte({ ...worst({}), model: { type: 'Mystery' } })).toBeUndefined()
    expect(tokensPerByte(worst({ pre_tokenizer: { type: 'Mystery' } }))).toBeUndefined()
    expect(tokensPerByte(null)).toBeUndefined()
    const unigram = (vocab: unknown[]) => ({ ...worst({}), model: { type: 'Unigram', unk_id: 0, vocab } })
    expect(
      tokensPerByte(
        unigram([
          ['<unk>', 0],
          ['a', -1],
        ]),
      ),
    ).toBe(1)
    expect(
      tokensPerByte(
        unigram([
          ['<unk>', 0],
          ['', -1],
        ]),
      ),
    ).toBeUndefined()
  })
})
