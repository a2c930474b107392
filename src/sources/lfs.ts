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

/** What a pointer names: the object's sha256 (its LFS oid) and the real file's size. */
export interface LfsObject {
  oid: string
  size: number
}

/**
 * The object a pointer names, when it is a pointer with a sha256 oid and a size, as git-lfs writes
 * them (`oid sha256:<64 lowercase hex>`, `size <bytes>`: the spec's only hash and its two required keys).
 */
export function parseLfsPointer(bytes: Uint8Array): LfsObject | undefined {
  if (!isLfsPointer(bytes)) return undefined
  const text = Buffer.from(bytes).toString('latin1')
  const oid = /\noid sha256:([0-9a-f]{64})\n/.exec(text)?.[1]
  const size = /\nsize (0|[1-9]\d{0,15})\n/.exec(text)?.[1]
  if (!oid || !size || !Number.isSafeInteger(Number(size))) return undefined
  return { oid, size: Number(size) }
}
