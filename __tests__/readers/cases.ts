// Reader cases that run at two sizes: small in readers.test.ts (the fast suite) and at size in
// __tests__/scale/readers.test.ts, which also bounds the process's RSS growth around each read. Each
// case asserts the events and the reads; the caller picks the size and, at size, wraps the read.
import { expect } from '@jest/globals'
import { readRows } from '../../src/readers/read-rows.js'
import type { RowEvent } from '../../src/readers/rows.js'
import { memorySource } from '../../src/sources/memory.js'
import { MiB, collect, fileOf, messageContent, messagesArray, spy, syntheticSource } from './sources.js'

/** Runs the read of a case; the scale suite passes one that measures RSS growth around it. */
export type Around = (read: () => Promise<void>) => Promise<void>
const asIs: Around = (read) => read()

/** The rows around the long one: `{"a":1}` before it, `{"b":2}` after it, each on its own line. */
const frames = {
  jsonl: { path: 'big.jsonl', before: '{"a":1}\n{"content": "', after: '"}\n{"b":2}\n' },
  json: { path: 'big.json', before: '[{"a":1},\n{"content": "', after: '"},\n{"b":2}]' },
}

/**
 * A row with `length` bytes of content between two small rows, in a JSON Lines file or as an element
 * of a JSON array, where the file exists only as a function of position: the row is refused with its
 * size (`shown`, as the message writes it, e.g. '19.0 MiB'), reading goes on at the next row, and the
 * file is read in reads of at most 1 MiB, each byte once.
 */
export async function overLongRow(
  format: keyof typeof frames,
  length: number,
  shown: string,
  around: Around = asIs,
): Promise<void> {
  const { path, before, after } = frames[format]
  const syn = syntheticSource(path, [before, { fill: 0x78, length }, after])
  const s = spy(syn.source)
  let events: RowEvent[] = []
  await around(async () => {
    events = await collect(s.source, fileOf(path, syn.size))
  })
  const size = shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  expect(events).toEqual([
    { kind: 'row', row: 1, line: 1, value: { a: 1 }, bytes: 7 },
    {
      kind: 'bad-row',
      row: 2,
      line: 2,
      problem: expect.stringMatching(new RegExp(`^the row is ${size}, over the 16\\.0 MiB limit`)),
    },
    { kind: 'row', row: 3, line: 3, value: { b: 2 }, bytes: 7 },
  ])
  expect(s.maxAsked()).toBeLessThanOrEqual(MiB)
  expect(s.totalAsked()).toBe(syn.size)
  expect(s.overlaps()).toBe(0)
}

/**
 * A JSON array of `n` rows (messagesArray), streamed element by element: every row counted, the last
 * one whole on line n + 1, in reads of at most 1 MiB, each byte once. Returns the file's size.
 */
export async function arrayOfRows(n: number, pad = 0): Promise<number> {
  const text = messagesArray(n, pad)
  const s = spy(memorySource({ 'm.json': text }))
  let count = 0
  let last: RowEvent | undefined
  for await (const e of readRows(s.source, fileOf('m.json', text.length))) {
    if (e.kind === 'row') count++
    last = e
  }
  expect(count).toBe(n)
  expect(last).toMatchObject({
    row: n,
    line: n + 1,
    value: { messages: [{ content: messageContent(n - 1, pad) }] },
  })
  expect(s.maxAsked()).toBeLessThanOrEqual(MiB)
  expect(s.calls.length).toBe(Math.ceil(text.length / MiB))
  expect(s.overlaps()).toBe(0)
  return text.length
}
