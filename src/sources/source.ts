/** One entry of a target's file listing. Paths are POSIX and relative to the target's root. */
export interface RepoEntry {
  path: string
  type: 'file' | 'directory' | 'other'
  /** Bytes; 0 for directories and for links that are never followed. */
  size: number
  /** Set for symbolic links: 'outside' and 'broken' links are listed but never read. */
  link?: 'inside' | 'outside' | 'broken'
  /** Hub only: the file is stored in LFS or Xet, so the Hub serves its content, never a pointer. */
  lfs?: boolean
  /**
   * Local checkouts read through Git LFS (lfs-remote.ts): the file is a Git LFS pointer on disk. `read`:
   * its header is read from the remote's LFS server, and `size` is the real file's, from the pointer
   * (its data is not on disk and is never downloaded); otherwise `reason` says why it could not be, and
   * the entry is the pointer as it is on disk.
   */
  lfsPointer?: { read: true } | { read: false; reason: string }
}

export interface Listing {
  entries: RepoEntry[]
  /** True when the walk stopped at its entry or depth limit; rules must not treat absence as proof. */
  truncated: boolean
}

/**
 * The only I/O a check does. Sources never know about rules; they throw SourceError when a read
 * fails for a reason that is not the model's fault (permissions, network, access).
 */
export interface Source {
  kind: 'local' | 'hub' | 'memory'
  /** How the target is named to users (a path or a hub reference). */
  display: string
  list(): Promise<Listing>
  /** The whole file. Callers check the entry's size against their own limit first. */
  read(path: string): Promise<Uint8Array>
  /** Bytes [start, end) of a file; fewer when the file is shorter. */
  readRange(path: string, start: number, end: number): Promise<Uint8Array>
  /**
   * Start reading files the check will read whole, before the listing is in: the Hub's source asks for
   * them beside its listing instead of after it. `pick` gets which root files the source already
   * knows of and returns those to start, each with the most that will be read of it; a later `read`
   * takes the bytes when the listing agrees. Absent where it would gain nothing (a local folder).
   */
  prefetch?(pick: (has: (path: string) => boolean) => readonly Prefetch[]): void
}

/** A file to read before the listing is in, and the size past which it will not be read at all. */
export interface Prefetch {
  path: string
  limit: number
}

/** Folders that are never part of a model: walking them is slow and only yields noise. */
export const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules', '.venv', '__pycache__'])

/** How deep and how wide a listing goes: deep enough to find a nested model, bounded on a monorepo. */
export const LISTING_LIMITS = { depth: 4, entries: 20_000 }
