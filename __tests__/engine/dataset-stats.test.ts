import { describe, expect, it } from '@jest/globals'
import type { BaseModel } from '../../src/artifacts/base-model.js'
import {
  mergeStats,
  sampleKey,
  statsCollector,
  TOKEN_SAMPLE,
  type DatasetStats,
} from '../../src/engine/dataset-stats.js'
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

  it('past it, tokenizes about one row in 2^k, picked by file and row, never more than the sample size', () => {
    const { asked, base, rendered } = counting()
    const stats = statsCollector(base)
    for (let n = 1; n <= 123_457; n++) stats.row(rendered(n), [])
    const tokens = finish(stats, base).tokens!
    expect(asked.length).toBeLessThanOrEqual(TOKEN_SAMPLE)
    expect(asked.length).toBeGreaterThan(TOKEN_SAMPLE / 2)
    expect(tokens.counted).toBe(asked.length)
    expect(tokens.sample).toEqual({ first: 0, every: 16 })
    // Exactly the rows whose key is a multiple of 16, each once, spread over the whole file.
    const picked = Array.from({ length: 123_457 }, (_, i) => i + 1).filter(
      (n) => sampleKey('train.jsonl', n) % 16 === 0,
    )
    expect(asked).toEqual(picked)
    expect(asked[0]).toBeLessThan(200)
    expect(asked.at(-1)).toBeGreaterThan(123_457 - 200)
  })

  it('the rows a shard samples are the rows one run samples, at the same step or a finer one; merged, they are that run', () => {
    const { base, rendered } = counting()
    const n = 123_457
    const one = statsCollector(base)
    for (let r = 1; r <= n; r++) one.row(rendered(r), [])
    const whole = finish(one, base)
    for (const count of [2, 3, 16]) {
      // Rows dealt out as a matrix's shards or threads get them: in ranges and round robin.
      for (const deal of [(r: number) => Math.floor(((r - 1) * count) / n), (r: number) => r % count]) {
        const shards = Array.from({ length: count }, () => statsCollector(base))
        for (let r = 1; r <= n; r++) shards[deal(r)]!.row(rendered(r), [])
        const parts = shards.map((s) => finish(s, base))
        for (const p of parts) expect(p.tokens!.sample?.every ?? 1).toBeLessThanOrEqual(16)
        const merged = mergeStats(parts, { splits: ['train'], byFile: false })
        expect(merged.tokens).toEqual(whole.tokens)
        const byKey = (s: DatasetStats) => [...s.tokenSample!].sort((a, b) => a.key - b.key)
        expect(byKey(merged)).toEqual(byKey(whole))
      }
    }
  })

  it('narrowed to a coarser step before counting (threads checking shares), it counts only the rows of that step', () => {
    const { asked, base, rendered } = counting()
    const stats = statsCollector(base)
    for (let n = 1; n <= 30_000; n++) stats.row(rendered(n), [])
    const { rows, level } = stats.sample()
    expect(rows.length).toBeLessThanOrEqual(TOKEN_SAMPLE)
    stats.narrow(level - 1) // finer than its own: no change
    expect(stats.sample().rows).toEqual(rows)
    stats.narrow(level + 2)
    const tokens = finish(stats, base).tokens!
    expect(asked.length).toBe(rows.filter((r) => r.key % 2 ** (level + 2) === 0).length)
    expect(tokens.sample).toEqual({ first: 0, every: 2 ** (level + 2) })
  })

  it('sample keys spread the rows of a file, and of files named alike, evenly', () => {
    for (const path of [
      'train.jsonl',
      'data/train-00000-of-00002.parquet',
      'data/train-00001-of-00002.parquet',
    ]) {
      const low = Array.from({ length: 65_536 }, (_, i) => sampleKey(path, i + 1) % 64)
      const zeros = low.filter((k) => k === 0).length
      expect(zeros).toBeGreaterThan(1024 * 0.85)
      expect(zeros).toBeLessThan(1024 * 1.15)
    }
    expect(sampleKey('a', 1)).not.toBe(sampleKey('b', 1))
    expect(sampleKey('a', 1)).toBe(sampleKey('a', 1))
  })
})
