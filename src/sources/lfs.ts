import type { Listing, Source } from './source.js'

/** Every Git LFS pointer starts with this line (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). */
const LFS_POINTER = 'version https://git-lfs.github.com/spec/v1\n'

/** A pointer file is "a few lines, less than 1024 bytes" by the spec: larger files are never pointers. */
export const LFS_POINTER_MAX_SIZE = 1024

export function isLfsPointer(bytes: Uint8Array): boolean {
  return (
    bytes.length <= LFS_POINTER_MAX_SIZE &&
    Buffer.from(bytes.subarray(0, LFS_POINTER.length)).toString('latin1') === LFS_POINTER
  )
}

/** The pointer's recorded size of the real file, when it says one. */
export function lfsPointerSize(bytes: Uint8Array): number | undefined {
  const m = /\nsize (\d+)/.exec(Buffer.from(bytes).toString('latin1'))
  return m ? Number(m[1]) : undefined
}

export interface LfsPointer {
  path: string
  /** The size of the real file the pointer stands for. */
  realSize?: number
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
      e.type === 'file' &&
      !e.link?.match(/outside|broken/) &&
      e.size > 0 &&
      e.size <= LFS_POINTER_MAX_SIZE &&
      // The Hub serves an LFS file's content, so a pointer there is a plain blob committed as text.
      // Reading every small file for it would cost a request each: on the Hub only weights and the
      // files the check reads anyway (the source caches them) are looked at.
      (source.kind !== 'hub' || (!e.lfs && (e.path.endsWith('.safetensors') || readAnyway.has(e.path)))),
  )
  const found: LfsPointer[] = []
  for (const e of candidates) {
    const bytes = await source.read(e.path)
    if (isLfsPointer(bytes)) found.push({ path: e.path, realSize: lfsPointerSize(bytes) })
  }
  return found
}
