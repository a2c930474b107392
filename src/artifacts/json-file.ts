import type { RepoEntry, Source } from '../sources/source.js'
import { readListedFile, type NotReadable } from '../sources/readable.js'
import type { JsonProblem } from '../common/json-errors.js'
import { parseJsonDocument, type JsonDocument } from './json-document.js'

/** A JSON file of the target as rules see it: every way it can be absent or broken is a state. */
export type JsonFile =
  | { path: string; state: 'missing' }
  /** A folder, a device, or a link that is never followed (outside the target, or broken). */
  | { path: string; state: 'not-file'; entry: RepoEntry; why: NotReadable }
  | { path: string; state: 'too-large'; size: number; limit: number }
  | { path: string; state: 'invalid'; problem: JsonProblem }
  /** A Git LFS pointer in place of the file: reported once, by lfs-pointer-files. */
  | { path: string; state: 'lfs-pointer' }
  | { path: string; state: 'ok'; doc: JsonDocument }

export const MiB = 1024 * 1024

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
