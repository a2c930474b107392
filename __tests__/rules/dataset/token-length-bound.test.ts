import { describe, expect, it } from '@jest/globals'
import { loadBaseModel } from '../../../src/artifacts/base-model.js'
import { TOKEN_SAMPLE } from '../../../src/engine/dataset-stats.js'
import { runDatasetRules } from '../../../src/engine/run-dataset.js'
import { findDataFiles } from '../../../src/readers/splits.js'
import rule from '../../../src/rules/dataset/token-length.js'
import { memorySource, type MemoryEntry } from '../../../src/sources/memory.js'
import { chat, chatmlBase, dataFile } from '../../helpers/dataset-tester.js'

/** chatmlBase with its tokenizer.json changed by `edit`. */
function baseWith(context: number, edit: (json: Record<string, unknown>) => void = () => {}) {
  const files = chatmlBase({ context })
  const json = JSON.parse(files['tokenizer.json'] as string) as Record<string, unknown>
  edit(json)
  return { ...files, 'tokenizer.json': JSON.stringify(json) }
}

/** DS402 over `rows`, with or without the byte bound; counts the tokenizer's calls. */
async function run(rows: unknown[], baseFiles: Record<string, MemoryEntry>, bound = true) {
  const base = await loadBaseModel(memorySource(baseFiles), 'org/base')
  if (!bound) delete base.tokensPerByte
  let calls = 0
  const count = base.countTokens!
  base.countTokens = (text) => {
    calls++
    return count(text)
  }
  const source = memorySource({ 'train.jsonl': dataFile('train.jsonl', rows) })
  const found = findDataFiles(await source.list())
  const { findings, stats } = await runDatasetRules(source, found.files, [], [rule], {
    levels: new Map(),
    docsBase: 'https://docs.test/',
    base,
  })
  return { findings, stats, calls, perByte: base.tokensPerByte }
}

// The ChatML frame of chat(['user', x]) is 8 tokens (two special tokens, "user\n", "\n") and 28 bytes.
const CONTEXT = 60
/** Rows of 1 to `most` units of content: on both sides of the context, some near it. */
const around = (unit: string, most: number) =>
  Array.from({ length: most }, (_, i) => chat(['user', unit.repeat(i + 1)]))

describe('DS402 with the byte bound', () => {
  // Each tokenizer with a context its bound skips some rows at, and rows on both sides of that context.
  const tokenizers: [string, (json: Record<string, unknown>) => void, number, unknown[]][] = [
    [
      'one token per character',
      () => {},
      CONTEXT,
      [...around('a', 70), ...around('é', 70), ...around('😀', 70)],
    ],
    // U+FDFA is 3 bytes and 18 characters once NFKC-normalized: short rows that are long in tokens.
    ['NFKC', (j) => void (j.normalizer = { type: 'NFKC' }), 400, [...around('a', 420), ...around('ﷺ', 30)]],
    [
      'Lowercase and Metaspace',
      (j) => {
        j.normalizer = { type: 'Lowercase' }
        j.pre_tokenizer = {
          type: 'Sequence',
          pretokenizers: [j.pre_tokenizer, { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always' }],
        }
      },
      400,
      [...around('İ', 220), ...around(' ', 420), ...around('a b', 150)],
    ],
    [
      'Precompiled (no bound: every row tokenized)',
      (j) => void (j.normalizer = { type: 'Precompiled', precompiled_charsmap: null }),
      CONTEXT,
      around('a', 70),
    ],
  ]

  it.each(tokenizers)(
    '%s: the same findings as tokenizing every row, on rows around the context',
    async (_, edit, context, rows) => {
      const files = baseWith(context, edit)
      // Past the statistics' sample (which tokenizes the first rows and an even share of the rest
      // whatever DS402 does), short rows that DS402 alone would tokenize.
      const padded = [...rows, ...Array.from({ length: TOKEN_SAMPLE + 2000 }, () => chat(['user', 'hi']))]
      const shortcut = await run(padded, files)
      const every = await run(padded, files, false)
      expect(every.calls).toBeGreaterThanOrEqual(padded.length)
      const found = every.findings.filter((f) => f.messageId === 'tooLong')
      expect(found.length).toBeGreaterThan(0) // rows on both sides of the context
      expect(found.length).toBeLessThan(rows.length)
      expect(shortcut.findings).toEqual(every.findings)
      // With a bound, rows that cannot exceed the context are not tokenized; without one, every row is.
      if (shortcut.perByte === undefined) expect(shortcut.calls).toBe(every.calls)
      else expect(shortcut.calls).toBeLessThan(every.calls)
      expect(shortcut.stats.tokens).toEqual(every.stats.tokens)
    },
  )

  it('a short row that NFKC makes longer than the context in tokens is still reported', async () => {
    const { findings, perByte } = await run(
      [chat(['user', 'ﷺ'.repeat(3)])],
      baseWith(CONTEXT, (j) => void (j.normalizer = { type: 'NFKC' })),
    )
    expect(perByte).toBe(11)
    expect(findings.map((f) => [f.messageId, f.location.row])).toEqual([['tooLong', 1]])
  })

  it('tokenizes 50,000 short rows at most the sample cap plus the rows over the bound', async () => {
    // Every 1,000th row is over the bound (and the context); the others are 9 tokens, far under it.
    const rows = Array.from({ length: 50_000 }, (_, i) =>
      chat(['user', (i + 1) % 1000 === 0 ? 'a'.repeat(80) : 'a']),
    )
    const { findings, stats, calls } = await run(rows, baseWith(CONTEXT))
    const over = rows.length / 1000
    expect(findings.filter((f) => f.messageId === 'tooLong')).toHaveLength(over)
    expect(calls).toBeLessThanOrEqual(TOKEN_SAMPLE + over)
    expect(stats.tokens).toMatchObject({ min: 9, median: 9, max: 88, sample: { first: 0, every: 8 } })
    expect(stats.tokens!.counted).toBeLessThanOrEqual(TOKEN_SAMPLE)
    expect(stats.tokens!.counted).toBeGreaterThan(TOKEN_SAMPLE / 2)
  }, 60_000)
})
