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

/**
 * Whether the first bytes of a file begin like a pointer ("version "): enough to tell a reader that
 * what it took for a binary header is the start of a pointer's text.
 */
export function startsLikeLfsPointer(prefix: Uint8Array): boolean {
  const start = LFS_POINTER.slice(0, LFS_POINTER.indexOf(' ') + 1)
  return (
    prefix.length >= start.length &&
    Buffer.from(prefix.subarray(0, start.length)).toString('latin1') === start
  )
}

/** The pointer's recorded size of the real file, when it says one. */
export function lfsPointerSize(bytes: Uint8Array): number | undefined {
  const m = /\nsize (\d+)/.exec(Buffer.from(bytes).toString('latin1'))
  return m ? Number(m[1]) : undefined
}
