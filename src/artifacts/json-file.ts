import type { RepoEntry, Source } from '../sources/source.js'
import { isLfsPointer } from '../sources/lfs.js'
import { parseJsonDocument, type JsonDocument, type JsonProblem } from './json-document.js'

/** A JSON file of the target as rules see it: every way it can be absent or broken is a state. */
export type JsonFile =
  | { path: string; state: 'missing' }
  /** A folder, a device, or a link that is never followed (outside the target, or broken). */
  | { path: string; state: 'not-file'; entry: RepoEntry }
  | { path: string; state: 'too-large'; size: number; limit: number }
  | { path: string; state: 'invalid'; problem: JsonProblem }
  /** A Git LFS pointer in place of the file: reported once, by lfs-pointer-files. */
  | { path: string; state: 'lfs-pointer' }
  | { path: string; state: 'ok'; doc: JsonDocument }

export const MiB = 1024 * 1024

/** A listed file read whole, or why it was not: the states every file loader shares. */
export type ListedFile =
  | { path: string; state: 'missing' }
  | { path: string; state: 'not-file'; entry: RepoEntry }
  | { path: string; state: 'too-large'; size: number; limit: number }
  | { path: string; state: 'lfs-pointer' }
  | { path: string; state: 'read'; bytes: Uint8Array }

/**
 * Read one file of the listing whole, refusing what a model repo would not hold: a link that leaves
 * it or is broken, something other than a file, more than `limit` bytes, a Git LFS pointer.
 */
export async function readListedFile(
  source: Source,
  entries: ReadonlyMap<string, RepoEntry>,
  path: string,
  limit: number,
): Promise<ListedFile> {
  const entry = entries.get(path)
  if (!entry) return { path, state: 'missing' }
  if (entry.type !== 'file' || entry.link === 'outside' || entry.link === 'broken')
    return { path, state: 'not-file', entry }
  if (entry.size > limit) return { path, state: 'too-large', size: entry.size, limit }
  const bytes = await source.read(path)
  if (isLfsPointer(bytes)) return { path, state: 'lfs-pointer' }
  return { path, state: 'read', bytes }
}

/** Read and parse one JSON file of the listing, refusing anything a model repo would not hold. */
export async function loadJsonFile(
  source: Source,
  entries: ReadonlyMap<string, RepoEntry>,
  path: string,
  limit: number,
): Promise<JsonFile> {
  const file = await readListedFile(source, entries, path, limit)
  if (file.state !== 'read') return file
  const parsed = parseJsonDocument(path, file.bytes)
  return parsed.ok
    ? { path, state: 'ok', doc: parsed.doc }
    : { path, state: 'invalid', problem: parsed.problem }
}

/** The document when the file parsed, else undefined: rules that read values use this. */
export function docOf(file: JsonFile): JsonDocument | undefined {
  return file.state === 'ok' ? file.doc : undefined
}
