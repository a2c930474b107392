// Sources and helpers shared by the reader tests (readers.test.ts, cases.ts), their scale cases
// (__tests__/scale/readers.test.ts) and bench/large-inputs.ts: sources that count what they are asked
// for, files that exist only as a function of position, so a 100 MB row costs no memory in the test
// itself, and JSON arrays of many small rows. No jest import: the bench runs outside jest.
import { readRows } from '../../src/readers/read-rows.js'
import type { DataFile, DatasetFormat, RowEvent } from '../../src/readers/rows.js'
import type { Listing, Source } from '../../src/sources/source.js'
import { memorySource } from '../../src/sources/memory.js'

export const MiB = 1024 * 1024

export function fileOf(p: string, size: number, format?: DatasetFormat): DataFile {
  const ext = p.slice(p.lastIndexOf('.') + 1)
  return {
    path: p,
    size,
    format: format ?? (ext === 'parquet' ? 'parquet' : ext === 'json' ? 'json' : 'jsonl'),
    split: 'train',
  }
}

export async function collect(
  source: Source,
  file: DataFile,
  options?: Parameters<typeof readRows>[2],
): Promise<RowEvent[]> {
  const out: RowEvent[] = []
  for await (const e of readRows(source, file, options)) out.push(e)
  return out
}

/** The content of row `i` of messagesArray: `hi <i>`, then a space and `pad` x's when pad > 0. */
export const messageContent = (i: number, pad = 0) => (pad > 0 ? `hi ${i} ${'x'.repeat(pad)}` : `hi ${i}`)

/** A JSON array of `n` rows of one user message each (messageContent), one row a line after `[`. */
export function messagesArray(n: number, pad = 0): Buffer {
  const parts: string[] = []
  for (let i = 0; i < n; i++)
    parts.push(`{"messages":[{"role":"user","content":"${messageContent(i, pad)}"}]}`)
  return Buffer.from('[\n' + parts.join(',\n') + '\n]\n')
}

/** A Source that records every range asked for. */
export function spy(inner: Source) {
  const calls: { start: number; end: number }[] = []
  const source: Source = {
    ...inner,
    async readRange(p, start, end) {
      calls.push({ start, end })
      return inner.readRange(p, start, end)
    },
  }
  return {
    source,
    calls,
    /** The largest range asked for in one read. */
    maxAsked: () => Math.max(0, ...calls.map((c) => c.end - c.start)),
    /** Bytes asked for in all: the file's size when every byte was read once. */
    totalAsked: () => calls.reduce((a, c) => a + (c.end - c.start), 0),
    /** Reads whose range starts before the previous one ended: a byte read twice. */
    overlaps: () => calls.filter((c, i) => i > 0 && c.start < calls[i - 1].end).length,
  }
}

/** A source that counts its reads and the bytes they return. */
export function counting(files: Record<string, Uint8Array>) {
  const inner = memorySource(files)
  const seen = { reads: 0, bytes: 0 }
  const source: Source = {
    ...inner,
    async readRange(p, start, end) {
      const b = await inner.readRange(p, start, end)
      seen.reads++
      seen.bytes += b.length
      return b
    },
  }
  return { source, seen }
}

/**
 * A file that exists only as a function of position: `parts` laid end to end, where a part is literal
 * text or `{ fill, length }` (that many copies of one byte). Nothing is ever allocated whole.
 */
export function syntheticSource(p: string, parts: (string | { fill: number; length: number })[]) {
  const segments: { start: number; length: number; text?: Buffer; fill?: number }[] = []
  let size = 0
  for (const part of parts) {
    if (typeof part === 'string') {
      const text = Buffer.from(part)
      segments.push({ start: size, length: text.length, text })
      size += text.length
    } else {
      segments.push({ start: size, length: part.length, fill: part.fill })
      size += part.length
    }
  }
  const source: Source = {
    kind: 'memory',
    display: 'synthetic',
    list(): Promise<Listing> {
      return Promise.resolve({ entries: [{ path: p, type: 'file', size }], truncated: false })
    },
    read() {
      return Promise.reject(new Error('a synthetic file is never read whole'))
    },
    readRange(_p, start, end) {
      // The executor runs at once, as an async function's body does; a throw in it rejects.
      return new Promise((resolve) => {
        end = Math.min(end, size)
        const out = Buffer.alloc(Math.max(0, end - start))
        for (const s of segments) {
          const from = Math.max(start, s.start)
          const to = Math.min(end, s.start + s.length)
          if (from >= to) continue
          if (s.text) s.text.copy(out, from - start, from - s.start, to - s.start)
          else out.fill(s.fill!, from - start, to - start)
        }
        resolve(out)
      })
    },
  }
  return { source, size }
}
