// Whether a listed entry can be read, and why not: the one check behind every file the model checks
// read (JSON files, tokenizer.json, templates, safetensors headers, LFS pointers). A link that leaves
// the target or leads nowhere is listed but never followed; only regular files are opened; a file is
// read whole only under a size limit; a Git LFS pointer is not the file it stands for.
import pLimit from 'p-limit'
import { isLfsPointer, LFS_POINTER_MAX_SIZE, lfsPointerSize } from './lfs.js'
import type { Listing, RepoEntry, Source } from './source.js'

/** Why a listed entry cannot be read as a file. */
export type NotReadable =
  /** A symbolic link to a place outside the target: listed, never followed. */
  | 'link-outside'
  /** A symbolic link that leads nowhere. */
  | 'link-broken'
  | 'directory'
  /** A device, a socket, a FIFO… */
  | 'not-file'

/** Why `entry` cannot be read, or undefined when it is a regular file inside the target. */
export function whyNotReadable(entry: RepoEntry): NotReadable | undefined {
  if (entry.link === 'outside') return 'link-outside'
  if (entry.link === 'broken') return 'link-broken'
  if (entry.type === 'directory') return 'directory'
  if (entry.type !== 'file') return 'not-file'
  return undefined
}

export function isReadableFile(entry: RepoEntry | undefined): entry is RepoEntry {
  return entry !== undefined && whyNotReadable(entry) === undefined
}

/** A link that leaves the target or leads nowhere: link-outside-model reports it, and no other rule. */
export function isUnfollowedLink(entry: RepoEntry): boolean {
  const why = whyNotReadable(entry)
  return why === 'link-outside' || why === 'link-broken'
}

/** A listed file read whole, or why it was not: the states every file loader shares. */
type ListedFile =
  | { path: string; state: 'missing' }
  | { path: string; state: 'not-file'; entry: RepoEntry; why: NotReadable }
  | { path: string; state: 'too-large'; size: number; limit: number }
  | { path: string; state: 'lfs-pointer' }
  | { path: string; state: 'read'; bytes: Uint8Array }

/**
 * Read one file of the listing whole, refusing what a model repo would not hold: an entry that is
 * not a readable file (whyNotReadable), more than `limit` bytes, a Git LFS pointer.
 */
export async function readListedFile(
  source: Source,
  entries: ReadonlyMap<string, RepoEntry>,
  path: string,
  limit: number,
): Promise<ListedFile> {
  const entry = entries.get(path)
  if (!entry) return { path, state: 'missing' }
  const why = whyNotReadable(entry)
  if (why) return { path, state: 'not-file', entry, why }
  if (entry.size > limit) return { path, state: 'too-large', size: entry.size, limit }
  const bytes = await source.read(path)
  if (isLfsPointer(bytes)) return { path, state: 'lfs-pointer' }
  return { path, state: 'read', bytes }
}

export interface LfsPointer {
  path: string
  /** The size of the real file the pointer stands for. */
  realSize?: number
  /** Why its content could not be read through the remote's Git LFS server, when that was tried (lfs-remote.ts). */
  lfsReason?: string
}

/**
 * Files at the root that are LFS pointers instead of content: what a checkout without `lfs: true`
 * leaves behind. Only files small enough to be a pointer are read, each once.
 */
export async function findLfsPointers(
  source: Source,
  files: Listing,
  readAnyway: ReadonlySet<string> = new Set(),
): Promise<LfsPointer[]> {
  const candidates = files.entries.filter(
    (e) =>
      !e.path.includes('/') &&
      isReadableFile(e) &&
      // Read through the remote's LFS server: the listing gives the real file, not the pointer.
      !e.lfsPointer?.read &&
      e.size > 0 &&
      e.size <= LFS_POINTER_MAX_SIZE &&
      // The Hub serves an LFS file's content, so a pointer there is a plain blob committed as text.
      // Reading every small file for it would cost a request each: on the Hub only weights and the
      // files the check reads anyway (the source caches them) are looked at.
      (source.kind !== 'hub' || (!e.lfs && (e.path.endsWith('.safetensors') || readAnyway.has(e.path)))),
  )
  // Read side by side, not one after another: on the Hub each is a round trip.
  const limit = pLimit(16)
  const contents = await Promise.all(candidates.map((e) => limit(() => source.read(e.path))))
  const found: LfsPointer[] = []
  for (const [i, e] of candidates.entries()) {
    const bytes = contents[i]! // one per candidate
    if (!isLfsPointer(bytes)) continue
    const why = e.lfsPointer && !e.lfsPointer.read ? { lfsReason: e.lfsPointer.reason } : {}
    found.push({ path: e.path, realSize: lfsPointerSize(bytes), ...why })
  }
  return found
}
