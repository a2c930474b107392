/**
 * A dataset run against a hostile base model or hostile rows: the run's budgets (rendering, tokenizing),
 * the template stopped at its first limit, the tokenizer stopped at its deadline. Bounds are asserted as
 * counts (rows rendered, rows not rendered, rows tokenized), with a fake clock where time would
 * otherwise decide, or with limits small enough that the deadline is what ends the work.
 */
import { afterEach, describe, expect, jest, test } from '@jest/globals'
import { loadBaseModel, RUN_LIMITS, type RunLimits } from '../../src/artifacts/base-model.js'
import type { Finding } from '../../src/common/finding.js'
import { runDatasetRules } from '../../src/engine/run-dataset.js'
import { findDataFiles } from '../../src/readers/splits.js'
import templateRender from '../../src/rules/dataset/template-render.js'
import tokenLength from '../../src/rules/dataset/token-length.js'
import { memorySource, type MemoryEntry } from '../../src/sources/memory.js'
import { chat, chatmlBase, jsonl } from '../helpers/dataset-tester.js'

async function run(
  rows: readonly unknown[],
  base: Record<string, MemoryEntry>,
  limits: Partial<RunLimits> = {},
) {
  const source = memorySource({ 'train.jsonl': jsonl(rows) })
  const found = findDataFiles(await source.list())
  const model = await loadBaseModel(memorySource(base), 'org/base', { ...RUN_LIMITS, ...limits })
  const result = await runDatasetRules(source, found.files, [], [templateRender, tokenLength], {
    levels: new Map(),
    docsBase: 'https://docs.test/',
    base: model,
  })
  return { ...result, model }
}
const ids = (findings: Finding[]) =>
  findings.map((f) => `${f.messageId}${f.location.row ? ` ${f.location.row}` : ''}`)

/** The character tokenizer of chatmlBase with another pre-tokenizer in front of its own. */
function withPreTokenizer(preTokenizer: unknown, over: { context?: number } = {}) {
  const files = chatmlBase({ context: over.context ?? 100_000 })
  const tokenizer = JSON.parse(files['tokenizer.json'] as string) as Record<string, unknown>
  tokenizer.pre_tokenizer = { type: 'Sequence', pretokenizers: [preTokenizer, tokenizer.pre_tokenizer] }
  return { ...files, 'tokenizer.json': JSON.stringify(tokenizer) }
}
const split = (regex: string) => ({
  type: 'Split',
  pattern: { Regex: regex },
  behavior: 'Isolated',
  invert: false,
})

let clock: { mockRestore(): void } | undefined
afterEach(() => clock?.mockRestore())

describe('rendering rows', () => {
  const BIG_ON_DEMAND =
    "{% if messages[0]['content'] == 'big' %}{{ 'x' * 100000000 }}{% endif %}{{ messages[0]['content'] }}"

  test('after the first limit, 9,999 rows are not rendered: one render, not 10,000', async () => {
    const rows = [chat(['user', 'big']), ...Array.from({ length: 9_999 }, () => chat(['user', 'a']))]
    const { findings, model } = await run(rows, chatmlBase({ template: BIG_ON_DEMAND }))
    expect(ids(findings)).toEqual(['limit 1', 'notRendered'])
    expect(model.template?.stopped).toMatchObject({ row: 1, skipped: 9_999 })
    expect(findings[1]!.message).toMatch(
      /^9,999 more rows were not rendered with the chat template of org\/base/,
    )
  })

  test('all rows share the run budget: with each render taking 50 ms, 1 s renders twenty rows', async () => {
    // A clock 50 ms later at each reading; a render of a short row reads it at its start and its end,
    // so it takes 50 ms of the budget.
    let now = 1_700_000_000_000
    clock = jest.spyOn(Date, 'now').mockImplementation(() => (now += 50))
    const rows = Array.from({ length: 100 }, () => chat(['user', 'a']))
    const { findings, model } = await run(rows, chatmlBase(), { renderRunMs: 1000 })
    const stopped = model.template!.stopped!
    expect(stopped.message).toBe('rendering used up the 1 s that all rows share')
    // Rows rendered, the row the budget ran out on, and the rows not rendered: every row, once.
    expect(stopped.row - 1 + 1 + stopped.skipped).toBe(100)
    expect(stopped.row).toBeLessThanOrEqual(21)
    expect(ids(findings)).toEqual([`limit ${stopped.row}`, 'notRendered'])
  })
})

describe('tokenizing rows under a deadline', () => {
  test('a pattern that backtracks on one row stops the tokenizer there; no row after it is tokenized', async () => {
    const rows = [
      chat(['user', 'a short row']),
      chat(['user', 'another']),
      chat(['user', 'a'.repeat(80) + '!']),
      ...Array.from({ length: 50 }, () => chat(['user', 'after'])),
    ]
    const { findings, stats, model } = await run(rows, withPreTokenizer(split('(a|aa)+$')), {
      tokenizeRowMs: 100,
    })
    expect(model.tokensStopped).toEqual({ why: 'one row took longer than 0.1 s', counted: 2 })
    expect(stats.tokens?.counted).toBe(2)
    expect(ids(findings)).toEqual(['notCounted'])
  })

  test('the rows share the run budget for tokenizing', async () => {
    let now = 1_700_000_000_000
    clock = jest.spyOn(Date, 'now').mockImplementation(() => (now += 50))
    const rows = Array.from({ length: 100 }, (_, i) => chat(['user', `row ${i}`]))
    const { stats, model } = await run(rows, chatmlBase({ context: 100_000 }), { tokenizeRunMs: 1000 })
    expect(model.tokensStopped?.why).toBe('the rows used up the 1 s they share')
    expect(stats.tokens!.counted).toBeLessThanOrEqual(20)
    expect(stats.tokens!.counted).toBe(model.tokensStopped!.counted)
  })

  test('a tokenizer that throws on a row is stopped, not a crash of the run', async () => {
    const files = chatmlBase()
    const tokenizer = JSON.parse(files['tokenizer.json'] as string) as Record<string, unknown>
    tokenizer.post_processor = { type: 'TemplateProcessing', single: [5], pair: [] }
    const { findings, model } = await run([chat(['user', 'a'])], {
      ...files,
      'tokenizer.json': JSON.stringify(tokenizer),
    })
    expect(model.tokensStopped?.why).toMatch(/^it failed on a row: /)
    expect(ids(findings)).toEqual(['notCounted'])
  })

  test('a FixedLength pre-tokenizer that never advances is refused before any row', async () => {
    const { model, findings } = await run(
      [chat(['user', 'a'])],
      withPreTokenizer({ type: 'FixedLength', length: 0 }),
    )
    expect(model.countTokens).toBeUndefined()
    expect(model.noTokenizer).toBe(
      'its FixedLength pre-tokenizer has length 0, which never moves through the text',
    )
    expect(findings).toEqual([])
  })

  // The pre-tokenizer patterns of real tokenizers (tokenizer.json of each model on the Hugging Face Hub):
  // lookaheads, \p classes, (?i:...) groups and {1,3} repeats, none of which may be refused or stopped.
  const LLAMA3 =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
  const QWEN2 =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
  const DEEPSEEK_V3 = [
    '\\p{N}{1,3}',
    '[一-龥぀-ゟ゠-ヿ]+',
    '[!"#$%&\'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+',
  ]
  const O200K =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }
  test.each([
    ['GPT-2 (ByteLevel with its own pattern)', { ...byteLevel, use_regex: true }],
    ['Llama 3', { type: 'Sequence', pretokenizers: [split(LLAMA3), byteLevel] }],
    ['Qwen2 / Qwen2.5 / Qwen3', { type: 'Sequence', pretokenizers: [split(QWEN2), byteLevel] }],
    ['DeepSeek-V3 / R1', { type: 'Sequence', pretokenizers: [...DEEPSEEK_V3.map(split), byteLevel] }],
    ['gpt-oss (o200k)', { type: 'Sequence', pretokenizers: [split(O200K), byteLevel] }],
    ['Gemma', { type: 'Split', pattern: { String: ' ' }, behavior: 'MergedWithPrevious', invert: false }],
  ])('%s: every row counted, long runs of every class included', async (_, pre) => {
    const contents = [
      "Hello, world! It's 2024.",
      ' '.repeat(50_000) + 'x',
      '1'.repeat(50_000),
      'a'.repeat(50_000) + '!',
      '\n'.repeat(20_000) + 'x',
      '日本語のテキスト'.repeat(2_000),
      '!?'.repeat(20_000),
      ' \n'.repeat(20_000),
    ]
    const { stats, model } = await run(
      contents.map((c) => chat(['user', c])),
      withPreTokenizer(pre),
    )
    expect(model.tokensStopped).toBeUndefined()
    expect(stats.tokens?.counted).toBe(contents.length)
  })
})

test('a base model whose template is past 1 MiB checks no row against it, and says why', async () => {
  const { model, findings } = await run(
    [chat(['user', 'a'])],
    chatmlBase({ template: `{{ messages }}${' '.repeat(1024 * 1024)}` }),
  )
  expect(model.template).toBeUndefined()
  expect(model.noTemplate).toBe(
    'its chat template is 1.0 MiB, more than the 1 MiB a chat template is checked up to',
  )
  expect(findings).toEqual([])
})
