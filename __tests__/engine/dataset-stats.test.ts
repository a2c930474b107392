import { describe, expect, it } from '@jest/globals'
import type { BaseModel } from '../../src/artifacts/base-model.js'
import { statsCollector, TOKEN_FIRST, TOKEN_SAMPLE } from '../../src/engine/dataset-stats.js'
import type { DatasetRow } from '../../src/rules/dataset-rule.js'

const row = (split: string, n: number, value: unknown = {}): DatasetRow => ({
  file: { path: `${split}.jsonl`, size: 1, format: 'jsonl', split },
  row: n,
  value,
  bytes: 1,
  location: { path: `${split}.jsonl`, row: n },
  rendered: () => undefined,
  tokens: () => undefined,
})

/** The statistics once the pass is over, with the sampled rows counted as the runner counts them. */
const finish = (
  stats: ReturnType<typeof statsCollector>,
  base?: BaseModel,
  partial?: { checked: number; maxRows: number },
) => stats.result(1, partial, base?.countTokensMany?.(stats.sampleTexts()) ?? [])

describe('dataset statistics', () => {
  it('a split named like an Object property is just a split', () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']
    const stats = statsCollector(undefined)
    names.forEach((name, i) => {
      for (let n = 1; n <= i + 1; n++) stats.row(row(name, n), [])
    })
    const result = finish(stats)
    expect(result.rowsPerSplit).toBeInstanceOf(Map)
    expect([...result.rowsPerSplit]).toEqual(names.map((name, i) => [name, i + 1]))
    expect(result.rows).toBe(21)
    expect(Object.getPrototypeOf(result.rowsPerSplit)).toBe(Map.prototype)
  })

  it('roles are counted in a Map of the four roles and two buckets, whatever the rows hold', () => {
    const stats = statsCollector(undefined)
    stats.row(row('train', 1), [
      { role: 'user' },
      { role: '__proto__' },
      { role: 'constructor' },
      { role: '[x](https://evil.test)' },
      { role: 7 },
      'not a message',
      { role: 'assistant' },
    ])
    expect(finish(stats).roles).toEqual(
      new Map([
        ['user', 1],
        ['(other)', 3],
        ['(none)', 2],
        ['assistant', 1],
      ]),
    )
  })

  it('every row read counts in its split, and rows that are not a JSON object count as unreadable too', () => {
    const stats = statsCollector(undefined)
    stats.row(row('train', 1), [])
    stats.badRow('train') // not JSON
    stats.row(row('train', 3, [1, 2]), undefined) // JSON, not an object
    stats.row(row('test', 1, null), undefined)
    stats.row(row('test', 2), [])
    const result = finish(stats)
    expect([...result.rowsPerSplit]).toEqual([
      ['train', 3],
      ['test', 2],
    ])
    expect([...result.unreadablePerSplit]).toEqual([
      ['train', 2],
      ['test', 1],
    ])
    expect(result).toMatchObject({ rows: 4, badRows: 1, seen: 5, unreadable: 3 })
    expect(result.partial).toBeUndefined()
    expect(finish(stats, undefined, { checked: 5, maxRows: 5 }).partial).toEqual({ checked: 5, maxRows: 5 })
  })
})

describe('token length statistics', () => {
  /** A base whose tokenizer counts one token per character and records which rows it was asked for. */
  const counting = () => {
    const asked: number[] = []
    const countTokens = (text: string) => {
      asked.push(Number(text.split(':')[0]))
      return text.length
    }
    const base = {
      ref: 'org/base',
      specialTokens: {},
      countTokens,
      countTokensMany: (texts: string[]) => texts.map(countTokens),
    } as unknown as BaseModel
    const rendered = (n: number): DatasetRow => {
      const text = `${n}:${'x'.repeat(n % 97)}`
      return { ...row('train', n), rendered: () => ({ ok: true, text }), tokens: () => countTokens(text) }
    }
    return { asked, base, rendered }
  }

  it('counts every row up to the sample size, and says the figures are exact', () => {
    const { asked, base, rendered } = counting()
    const stats = statsCollector(base)
    for (let n = 1; n <= TOKEN_SAMPLE; n++) stats.row(rendered(n), [])
    const tokens = finish(stats, base).tokens!
    expect(asked).toHaveLength(TOKEN_SAMPLE)
    expect(tokens.counted).toBe(TOKEN_SAMPLE)
    expect(tokens.sample).toBeUndefined()
    // The exact longest row: nothing was left out.
    const lengths = Array.from({ length: TOKEN_SAMPLE }, (_, i) => `${i + 1}:`.length + ((i + 1) % 97))
    expect(tokens.max).toBe(Math.max(...lengths))
  })

  it('past it, tokenizes the first rows and an even sample after them, never more than the sample size', () => {
    const { asked, base, rendered } = counting()
    const stats = statsCollector(base)
    for (let n = 1; n <= 123_457; n++) stats.row(rendered(n), [])
    const tokens = finish(stats, base).tokens!
    expect(asked.length).toBeLessThanOrEqual(TOKEN_SAMPLE)
    expect(tokens.counted).toBe(asked.length)
    expect(tokens.sample).toEqual({ first: TOKEN_FIRST, every: 16 })
    // The first rows, then every 16th row after them to the end, each once.
    const after = asked.slice(TOKEN_FIRST)
    expect(asked.slice(0, TOKEN_FIRST)).toEqual(Array.from({ length: TOKEN_FIRST }, (_, i) => i + 1))
    expect(after).toEqual(Array.from({ length: after.length }, (_, i) => TOKEN_FIRST + 16 * (i + 1)))
    expect(after.at(-1)).toBeGreaterThan(123_457 - 16)
  })

  it('a shard of 4 samples a quarter: its first 250 rows and an even sample, at most 2,500 rows', () => {
    const { asked, base, rendered } = counting()
    const stats = statsCollector(base, 4)
    for (let n = 1; n <= 123_457; n++) stats.row(rendered(n), [])
    const tokens = finish(stats, base).tokens!
    expect(asked.length).toBeLessThanOrEqual(Math.ceil(TOKEN_SAMPLE / 4))
    expect(asked.length).toBeGreaterThan(Math.ceil(TOKEN_SAMPLE / 8))
    expect(asked.slice(0, 250)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1))
    expect(tokens.sample?.first).toBe(Math.ceil(TOKEN_FIRST / 4))
  })
})
