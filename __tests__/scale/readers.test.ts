// The dataset readers at size: 100 MB rows refused without being held, a 50 MB row read from Parquet,
// a JSON array of a million rows. The cases shared with the fast suite are in __tests__/readers/cases.ts,
// run small there by __tests__/readers/readers.test.ts; rows/s is in bench/large-inputs.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { RowEvent } from '../../src/readers/rows.js'
import { openLocalSource } from '../../src/sources/local.js'
import { memorySource } from '../../src/sources/memory.js'
import { messagesParquet } from '../helpers/parquet.js'
import { arrayOfRows, overLongRow, type Around } from '../readers/cases.js'
import { MiB, collect, fileOf, spy, syntheticSource } from '../readers/sources.js'

let tmp: string
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-readers-scale-'))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/**
 * RSS growth around `fn`, after a GC when one is exposed. The one memory bound of the suites: no count
 * shows that a reader did not keep what it read (each read is at most 1 MiB and each byte is read
 * once either way), so the 100 MB rows below also bound the process's growth, under what holding the
 * row would take.
 */
async function rssGrowth(fn: () => Promise<void>): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
  try {
    await fn()
  } finally {
    clearInterval(timer)
  }
  return Math.max(peak, process.memoryUsage().rss) - before
}

/** Around a read of a 100 MB row: the process grows by less than holding the row would take. */
const underTheRow: Around = async (read) => {
  expect(await rssGrowth(read)).toBeLessThan(90 * MiB) // under the 100 MB the line would take if buffered
}

describe('rows too long to hold, at 100 MB', () => {
  const big = 100 * 1000 * 1000

  it('a 100 MB JSONL line is refused with its size, skipped to the next newline, and never buffered', async () => {
    await overLongRow('jsonl', big, '95.4 MiB', underTheRow)
  })

  it('the same line in a sparse local file, and a 100 MB element of a JSON array', async () => {
    const jsonl = path.join(tmp, 'sparse.jsonl')
    const fd = openSync(jsonl, 'w')
    writeSync(fd, '{"a":1}\n')
    writeSync(fd, '\n{"b":2}\n', 8 + big) // the hole between reads back as NUL bytes
    closeSync(fd)
    const local = spy(await openLocalSource(tmp))
    let events: RowEvent[] = []
    await underTheRow(async () => {
      events = await collect(local.source, fileOf('sparse.jsonl', 8 + big + 9))
    })
    expect(events.map((e) => [e.kind, e.row, e.line])).toEqual([
      ['row', 1, 1],
      ['bad-row', 2, 2],
      ['row', 3, 3],
    ])
    expect(local.maxAsked()).toBeLessThanOrEqual(MiB)
    expect(local.overlaps()).toBe(0)

    await overLongRow('json', big, '95.4 MiB', underTheRow)
  })

  it('a row with 50 MB of content: refused in JSONL without buffering, and in Parquet once decoded', async () => {
    const content = 'y'.repeat(50 * 1000 * 1000)
    const syn = syntheticSource('c.jsonl', [
      '{"messages": [{"role": "user", "content": "',
      { fill: 0x79, length: content.length },
      '"}]}\n',
    ])
    const s = spy(syn.source)
    const events = await collect(s.source, fileOf('c.jsonl', syn.size))
    expect(events).toEqual([
      { kind: 'bad-row', row: 1, line: 1, problem: expect.stringMatching(/^the row is 47\.7 MiB/) },
    ])
    expect(s.maxAsked()).toBeLessThanOrEqual(MiB)
    expect(s.totalAsked()).toBe(syn.size)

    const bytes = messagesParquet([[{ role: 'user', content }], [{ role: 'assistant', content: 'short' }]], {
      codec: 'SNAPPY',
    })
    const pq = await collect(memorySource({ 'c.parquet': bytes }), fileOf('c.parquet', bytes.length))
    // The same 16 MiB row bound as the text formats, on the decoded row; the next row is read.
    expect(pq.map((e) => e.kind)).toEqual(['bad-row', 'row'])
    expect(pq[0]).toMatchObject({
      problem: expect.stringMatching(/^the row is 47\.7 MiB decoded, over the 16\.0 MiB limit/),
    })
  })
})

describe('a JSON array of a million small rows', () => {
  it('streams element by element: every row on its line, 1 MiB reads, each byte read once', async () => {
    await arrayOfRows(1_000_000)
  })
})
