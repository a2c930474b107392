// Safetensors headers within bounds: a budget of header bytes per target (the headers past it are
// read only for their first block, and reported once), problems of one kind listed up to a cap, and
// the parse of a big header by JSON.parse one entry at a time, which must read every header exactly
// as the exact parser does. Five 95 MB headers are in __tests__/scale/hostile-floods.test.ts.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  MAX_PROBLEMS_PER_CODE,
  parseSafetensorsHeader,
  type SafetensorsParse,
} from '../../src/artifacts/safetensors.js'
import { HEADER_BUDGET, loadWeights } from '../../src/artifacts/weights.js'
import { memorySource } from '../../src/sources/memory.js'
import type { Source } from '../../src/sources/source.js'
import { assembleSafetensors, makeSafetensors } from '../helpers/safetensors.js'

/** A valid file whose header is about `bytes` long (one metadata string makes up the size). */
const headerOf = (bytes: number) =>
  assembleSafetensors(`{"__metadata__":{"format":"pt","pad":"${'p'.repeat(Math.max(0, bytes - 40))}"}}`)

/** A source that counts the bytes each file gave, and answers reads in reverse order of asking. */
function reordering(files: Record<string, Uint8Array>) {
  const inner = memorySource(files)
  const bytes = new Map<string, number>()
  let pending: (() => void)[] = []
  const source: Source = {
    ...inner,
    readRange(p, start, end) {
      return new Promise((resolve, reject) => {
        pending.unshift(() => {
          inner.readRange(p, start, end).then((b) => {
            bytes.set(p, (bytes.get(p) ?? 0) + b.length)
            resolve(b)
          }, reject)
        })
        // Release the queued reads, last asked first, once every worker has asked.
        setTimeout(() => {
          const run = pending
          pending = []
          for (const f of run) f()
        }, 0)
      })
    },
  }
  return { source, bytes }
}

describe('the budget of header bytes per target', () => {
  const files = {
    'a.safetensors': headerOf(40_000),
    'b.safetensors': headerOf(40_000),
    'c.safetensors': headerOf(90_000), // past what is left: not read
    'd.safetensors': headerOf(15_000), // still fits: read
    'e.safetensors': headerOf(40_000),
  }

  it('reads the headers that fit, in path order, and only the first block of the others', async () => {
    const { source, bytes } = reordering(files)
    const weights = await loadWeights(source, await source.list(), [], new Map(), 100_000)
    expect(weights.files.map((f) => [f.path, f.parse?.ok ?? null, f.notRead ?? null])).toEqual([
      ['a.safetensors', true, null],
      ['b.safetensors', true, null],
      ['c.safetensors', null, 90_000 - 40 + 41],
      ['d.safetensors', true, null],
      ['e.safetensors', null, 40_001],
    ])
    expect(weights.headerBytes).toBeLessThanOrEqual(100_000)
    // A header not read cost one first block (4 KB for a local or memory source).
    expect([bytes.get('c.safetensors'), bytes.get('e.safetensors')]).toEqual([4096, 4096])
    expect(bytes.get('a.safetensors')).toBe(files['a.safetensors'].length)
  })

  it('is 128 MiB by default', () => {
    expect(HEADER_BUDGET).toBe(128 * 1024 * 1024)
  })
})

describe('headers are taken as they arrive', () => {
  it('the rest of a header is asked for as soon as its first block is in, before the last first block arrives', async () => {
    const files = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e'].map((n) => [`${n}.safetensors`, headerOf(40_000)]),
    )
    const inner = memorySource(files)
    const events: string[] = []
    const waiting: (() => void)[] = []
    const source: Source = {
      ...inner,
      readRange(p, start, end) {
        events.push(`ask ${p} ${start}`)
        return new Promise((resolve, reject) => {
          waiting.push(() => {
            events.push(`answer ${p} ${start}`)
            inner.readRange(p, start, end).then(resolve, reject)
          })
        })
      },
    }
    let done = false
    const loading = loadWeights(source, await source.list(), []).finally(() => (done = true))
    // One answer per turn of the event loop, in the order asked.
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve))
      waiting.shift()?.()
    }
    expect((await loading).files.every((f) => f.parse?.ok)).toBe(true)
    expect(events.indexOf('ask a.safetensors 4096')).toBeLessThan(events.indexOf('answer e.safetensors 0'))
    expect(events.filter((e) => e.startsWith('ask'))).toHaveLength(10)
  })
})

describe('problems of one kind in one header', () => {
  it('lists 1,000 and counts the rest: 100,000 duplicated keys are not 100,000 problems', () => {
    // 1,500 metadata keys, each written about 67 times: 98,501 duplicated keys.
    const keys = Array.from({ length: 100_001 }, (_, i) => `"m${i % 1_500}":"x"`)
    const meta = `"__metadata__":{${keys.join(',')}}`
    const file = assembleSafetensors(
      `{${meta},"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`,
      new Uint8Array(2),
    )
    const r = parseSafetensorsHeader(file, file.length)
    expect(r.problems.filter((p) => p.code === 'duplicate-key')).toHaveLength(MAX_PROBLEMS_PER_CODE)
    expect(r.omitted).toEqual([{ code: 'duplicate-key', count: 100_001 - 1_500 - MAX_PROBLEMS_PER_CODE }])
  })

  it('one tensor named 100,001 times is one problem with its count', () => {
    const keys = Array.from({ length: 100_001 }, () => '"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}')
    const file = assembleSafetensors(`{${keys.join(',')},"__metadata__":{"format":"pt"}}`, new Uint8Array(2))
    const r = parseSafetensorsHeader(file, file.length)
    expect(r.problems.filter((p) => p.code === 'duplicate-tensor')).toEqual([
      { code: 'duplicate-tensor', tensor: 'a', times: 100_001 },
    ])
    expect(r.omitted).toBeUndefined()
  })

  it('3,000 tensors named twice each: 1,000 listed, the rest counted', () => {
    const keys = Array.from(
      { length: 3_000 },
      (_, i) => `"t${i}":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}`,
    )
    const file = assembleSafetensors(
      `{${[...keys, ...keys].join(',')},"__metadata__":{"format":"pt"}}`,
      new Uint8Array(2),
    )
    const r = parseSafetensorsHeader(file, file.length)
    expect(r.problems.filter((p) => p.code === 'duplicate-tensor')).toHaveLength(MAX_PROBLEMS_PER_CODE)
    expect(r.omitted).toEqual(
      expect.arrayContaining([{ code: 'duplicate-tensor', count: 3_000 - MAX_PROBLEMS_PER_CODE }]),
    )
  })
})

describe('the plain parse (JSON.parse, entry by entry) reads headers as the exact parser does', () => {
  /** The file with a newline before its header's end: never plain, so read by the exact parser. */
  const exactly = (file: Buffer): Buffer => {
    const length = Number(file.readBigUInt64LE(0))
    const header = file
      .subarray(8, 8 + length)
      .toString('utf8')
      .trimEnd()
    const text = header.slice(0, -1) + '\n}'
    return assembleSafetensors(text, file.subarray(8 + length))
  }
  const comparable = (r: SafetensorsParse) => ({
    ok: r.ok,
    tensors: r.ok ? r.header.tensors : null,
    metadata: r.ok ? r.header.metadata : null,
    problems: r.problems
      .filter((p) => !['data-past-eof', 'file-size-mismatch', 'invalid-json'].includes(p.code))
      .map((p) => JSON.stringify(p))
      .sort(),
  })

  const value = fc.oneof(
    fc.constantFrom('"F16"', '"BF16"', '"X"', '[1,2]', '[0,4]', '[]', '{}', '7', '"pt"', '[[1]]', 'null'),
    fc.nat({ max: 1_000_000 }).map(String),
  )
  const entry = fc.oneof(
    fc.record({
      dtype: fc.constantFrom('"F16"', '"BF16"', '"Q9"', '3'),
      shape: fc.constantFrom('[2]', '[1,2]', '[]', '"x"', '[-1]', '[1.5]', '[99999999999999999999]'),
      data_offsets: fc.constantFrom('[0,4]', '[4,8]', '[0]', '[8,4]', '[0,4.0]'),
      extra: fc.option(fc.tuple(fc.constantFrom('"x"', '"dtype"', '"a\\u00e9"'), value)),
    }),
    value.map((v) => ({ raw: v })),
  )
  const header = fc.tuple(
    fc.array(fc.tuple(fc.constantFrom('w', 'v', 'a.b', '__metadata__', 'w', 'é', 'a\\"q'), entry), {
      maxLength: 6,
    }),
    fc.constantFrom('', ',"__metadata__":{"format":"pt"}', ',"__metadata__":null'),
  )

  it('for any header built of real and broken entries', () => {
    fc.assert(
      fc.property(header, fc.nat({ max: 16 }), ([entries, meta], dataLength) => {
        const body = entries
          .map(([name, e]) => {
            if ('raw' in e) return `"${name}":${e.raw}`
            const extra = e.extra ? `,${e.extra[0]}:${e.extra[1]}` : ''
            return `"${name}":{"dtype":${e.dtype},"shape":${e.shape},"data_offsets":${e.data_offsets}${extra}}`
          })
          .join(',')
        const text = `{${body}${entries.length === 0 ? meta.slice(1) : meta}}`
        const file = assembleSafetensors(text, new Uint8Array(dataLength))
        const slow = exactly(file)
        expect(comparable(parseSafetensorsHeader(file, file.length))).toEqual(
          comparable(parseSafetensorsHeader(slow, slow.length)),
        )
      }),
      { numRuns: 2000 },
    )
  })

  it('for a header as save_pretrained writes it', () => {
    const file = makeSafetensors({
      'model.embed_tokens.weight': { dtype: 'BF16', shape: [4, 2] },
      'model.norm.weight': { dtype: 'BF16', shape: [2] },
    })
    const slow = exactly(file)
    expect(comparable(parseSafetensorsHeader(file, file.length))).toEqual(
      comparable(parseSafetensorsHeader(slow, slow.length)),
    )
  })
})
