import { SourceError } from '../common/errors.js'
import type { Listing, RepoEntry, Source } from './source.js'

/** What a test repo holds at a path: file contents, a folder, or a link that is never followed. */
export type MemoryEntry = string | Uint8Array | { directory: true } | { link: 'outside' | 'broken' }

/** An in-memory repository for unit tests; folders are implied by the paths under them. */
export function memorySource(files: Record<string, MemoryEntry>, display = 'memory'): Source {
  const bytes = new Map<string, Uint8Array>()
  const entries = new Map<string, RepoEntry>()
  const addFolders = (p: string) => {
    const parts = p.split('/')
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/')
      if (!entries.has(dir)) entries.set(dir, { path: dir, type: 'directory', size: 0 })
    }
  }
  for (const [p, value] of Object.entries(files)) {
    addFolders(p)
    if (typeof value === 'string' || value instanceof Uint8Array) {
      const data = typeof value === 'string' ? new TextEncoder().encode(value) : value
      bytes.set(p, data)
      entries.set(p, { path: p, type: 'file', size: data.length })
    } else if ('directory' in value) {
      entries.set(p, { path: p, type: 'directory', size: 0 })
    } else {
      entries.set(p, { path: p, type: 'other', size: 0, link: value.link })
    }
  }
  const get = (p: string) => {
    const data = bytes.get(p)
    if (!data) throw new SourceError(`${display}: cannot read ${p}: not a regular file`)
    return data
  }
  return {
    kind: 'memory',
    display,
    list(): Promise<Listing> {
      return settled(() => ({
        entries: [...entries.values()].sort((a, b) => a.path.localeCompare(b.path)),
        truncated: false,
      }))
    },
    read(p) {
      return settled(() => get(p))
    },
    readRange(p, start, end) {
      return settled(() => get(p).subarray(start, end))
    },
  }
}

/** What `f` returns, as a promise that rejects when it throws: an async function with nothing to await. */
function settled<T>(f: () => T): Promise<T> {
  return new Promise((resolve) => resolve(f()))
}
