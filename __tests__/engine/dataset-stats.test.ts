import { describe, expect, it } from '@jest/globals'
import { statsCollector } from '../../src/engine/dataset-stats.js'
import type { DatasetRow } from '../../src/rules/dataset-rule.js'

const row = (split: string, n: number, value: unknown = {}): DatasetRow => ({
  file: { path: `${split}.jsonl`, size: 1, format: 'jsonl', split },
  row: n,
  value,
  bytes: 1,
  location: { path: `${split}.jsonl`, row: n },
  rendered: () => undefined,
})

describe('dataset statistics', () => {
  it('a split named like an Object property is just a split', () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']
    const stats = statsCollector(undefined)
    names.forEach((name, i) => {
      for (let n = 1; n <= i + 1; n++) stats.row(row(name, n), [])
    })
    const result = stats.result(1)
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
    expect(stats.result(1).roles).toEqual(
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
    const result = stats.result(1)
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
    expect(stats.result(1, { checked: 5, maxRows: 5 }).partial).toEqual({ checked: 5, maxRows: 5 })
  })
})
