// The dataset readers at size: 100 MB rows refused without being held, a 50 MB row read from Parquet,
// a JSON array of a million rows. Smaller versions of each, with the same counts, are in
// __tests__/readers/readers.test.ts; rows/s is in bench/large-inputs.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { readRows } from '../../src/readers/read-rows.js'
import type { RowEvent } from '../../src/readers/rows.js'
import { openLocalSource } from '../../src/sources/local.js'
import { memorySource } from '../../src/sources/memory.js'
import { messagesParquet } from '../helpers/parquet.js'
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

describe('rows too long to hold, at 100 MB', () => {
  const big = 100 * 1000 * 1000

  it('a 100 MB JSONL line is refused with its size, skipped to the next newline, and never buffered', async () => {
    const syn = syntheticSource('big.jsonl', [
      '{"a":1}\n{"content": "',
      { fill: 0x78, length: big },
      '"}\n{"b":2}\n',
    ])
    const s = spy(syn.source)
    let events: RowEvent[] = []
    const growth = await rssGrowth(async () => {
      events = await collect(s.source, fileOf('big.jsonl', syn.size))
    })
    expect(events).toEqual([
      { kind: 'row', row: 1, line: 1, value: { a: 1 }, bytes: 7 },
      {
        kind: 'bad-row',
        row: 2,
        line: 2,
        problem: expect.stringMatching(/^the row is 95\.4 MiB, over the 16\.0 MiB limit/),
      },
      { kind: 'row', row: 3, line: 3, value: { b: 2 }, bytes: 7 },
    ])
    expect(s.maxAsked()).toBeLessThanOrEqual(MiB)
    expect(s.totalAsked()).toBe(syn.size)
    expect(s.overlaps()).toBe(0)
    expect(growth).toBeLessThan(90 * MiB) // under the 100 MB the line would take if buffered
  })

  it('the same line in a sparse local file, and a 100 MB element of a JSON array', async () => {
    const jsonl = path.join(tmp, 'sparse.jsonl')
    const fd = openSync(jsonl, 'w')
    writeSync(fd, '{"a":1}\n')
    writeSync(fd, '\n{"b":2}\n', 8 + big) // the hole between reads back as NUL bytes
    closeSync(fd)
    const local = spy(await openLocalSource(tmp))
    let events: RowEvent[] = []
    const growth = await rssGrowth(async () => {
      events = await collect(local.source, fileOf('sparse.jsonl', 8 + big + 9))
    })
    expect(events.map((e) => [e.kind, e.row, e.line])).toEqual([
      ['row', 1, 1],
      ['bad-row', 2, 2],
      ['row', 3, 3],
    ])
    expect(local.maxAsked()).toBeLessThanOrEqual(MiB)
    expect(local.overlaps()).toBe(0)
    expect(growth).toBeLessThan(90 * MiB)

    const syn = syntheticSource('big.json', [
      '[{"a":1},\n{"content": "',
      { fill: 0x78, length: big },
      '"},\n{"b":2}]',
    ])
    const s = spy(syn.source)
    const arrayGrowth = await rssGrowth(async () => {
      events = await collect(s.source, fileOf('big.json', syn.size))
    })
    expect(events).toEqual([
      { kind: 'row', row: 1, line: 1, value: { a: 1 }, bytes: 7 },
      { kind: 'bad-row', row: 2, line: 2, problem: expect.stringMatching(/^the row is 95\.4 MiB/) },
      { kind: 'row', row: 3, line: 3, value: { b: 2 }, bytes: 7 },
    ])
    expect(s.maxAsked()).toBeLessThanOrEqual(MiB)
    expect(s.totalAsked()).toBe(syn.size)
    expect(arrayGrowth).toBeLessThan(90 * MiB)
  })

  it('a row with 50 MB of content: refused in JSONL without buffering, read in Parquet', async () => {
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
    expect(pq.map((e) => e.kind)).toEqual(['row', 'row'])
    const first = pq[0] as Extract<RowEvent, { kind: 'row' }>
    expect((first.value as { messages: { content: string }[] }).messages[0].content.length).toBe(
      content.length,
    )
    expect(first.bytes).toBeGreaterThan(content.length)
    expect(first.bytes).toBe(Buffer.byteLength(JSON.stringify(first.value)))
  })
})

describe('a JSON array of a million small rows', () => {
  it('streams element by element: every row on its line, 1 MiB reads, each byte read once', async () => {
    const n = 1_000_000
    const parts: string[] = []
    for (let i = 0; i < n; i++) parts.push(`{"messages":[{"role":"user","content":"hi ${i}"}]}`)
    const text = Buffer.from('[\n' + parts.join(',\n') + '\n]\n')
    parts.length = 0
    const s = spy(memorySource({ 'm.json': text }))
    let count = 0
    let last: RowEvent | undefined
    for await (const e of readRows(s.source, fileOf('m.json', text.length))) {
      if (e.kind === 'row') count++
      last = e
    }
    expect(count).toBe(n)
    expect(last).toMatchObject({ row: n, line: n + 1, value: { messages: [{ content: `hi ${n - 1}` }] } })
    expect(s.maxAsked()).toBeLessThanOrEqual(MiB)
    expect(s.calls.length).toBe(Math.ceil(text.length / MiB))
    expect(s.overlaps()).toBe(0)
  })
})
