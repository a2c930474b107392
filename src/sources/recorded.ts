// A source that remembers what was read through it, and one that gives the same answers again from
// that record: a base model is read once (from a folder or the Hub) and loaded again in each thread of
// a dataset run from the bytes already read, without reading or downloading anything twice.
import { SourceError } from '../common/errors.js'
import type { Listing, Source } from './source.js'

/** What was read through a recording source: plain data, which a worker thread can be given. */
export interface SourceRecord {
  display: string
  listing?: Listing
  /** Whole files, and ranges as `path\0start\0end`. */
  reads: Map<string, Uint8Array>
}

export function recordingSource(source: Source): { source: Source; record: SourceRecord } {
  const record: SourceRecord = { display: source.display, reads: new Map() }
  const keep = async (key: string, read: Promise<Uint8Array>) => {
    const bytes = await read
    record.reads.set(key, bytes)
    return bytes
  }
  return {
    record,
    source: {
      kind: source.kind,
      display: source.display,
      async list() {
        return (record.listing = await source.list())
      },
      read: (p) => keep(p, source.read(p)),
      readRange: (p, start, end) => keep(rangeKey(p, start, end), source.readRange(p, start, end)),
      ...(source.prefetch ? { prefetch: source.prefetch.bind(source) } : {}),
    },
  }
}

/** The answers of a record, in the same order of calls or any other; what was not read is an error. */
export function replaySource(record: SourceRecord): Source {
  const get = (key: string, what: string) => {
    const bytes = record.reads.get(key)
    if (!bytes) return Promise.reject(new SourceError(`${record.display}: ${what} was not read before`))
    return Promise.resolve(bytes)
  }
  return {
    kind: 'memory',
    display: record.display,
    list: () =>
      record.listing
        ? Promise.resolve(record.listing)
        : Promise.reject(new SourceError(`${record.display}: it was not listed before`)),
    read: (p) => get(p, p),
    readRange: (p, start, end) => get(rangeKey(p, start, end), `bytes ${start}–${end} of ${p}`),
  }
}

function rangeKey(path: string, start: number, end: number): string {
  return `${path}\0${start}\0${end}`
}
