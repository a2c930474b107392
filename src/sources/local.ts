import { constants } from 'node:fs'
import { lstat, open, opendir, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { SourceError } from '../common/errors.js'
import { LISTING_LIMITS, SKIPPED_DIRECTORIES, type Listing, type RepoEntry, type Source } from './source.js'

/** A model folder on disk. Never follows a link out of the folder, never opens anything but regular files. */
export async function openLocalSource(root: string, display = root): Promise<Source> {
  let realRoot: string
  try {
    realRoot = await realpath(root)
    if (!(await stat(realRoot)).isDirectory()) throw new SourceError('it is not a folder')
  } catch (error) {
    if (error instanceof SourceError) throw error
    throw new SourceError(ioReason(error, 'the folder does not exist'))
  }

  const inside = (p: string) => p === realRoot || p.startsWith(realRoot + path.sep)

  async function describe(abs: string, rel: string): Promise<RepoEntry> {
    const own = await lstat(abs)
    if (!own.isSymbolicLink()) return { path: rel, type: kindOf(own), size: own.isFile() ? own.size : 0 }
    let target: string
    try {
      target = await realpath(abs)
    } catch {
      return { path: rel, type: 'other', size: 0, link: 'broken' }
    }
    if (!inside(target)) return { path: rel, type: 'other', size: 0, link: 'outside' }
    const st = await stat(target)
    return { path: rel, type: kindOf(st), size: st.isFile() ? st.size : 0, link: 'inside' }
  }

  async function list(): Promise<Listing> {
    const entries: RepoEntry[] = []
    let truncated = false
    const queue: { abs: string; rel: string; depth: number }[] = [{ abs: realRoot, rel: '', depth: 0 }]
    while (queue.length > 0) {
      const dir = queue.shift()!
      let handle
      try {
        handle = await opendir(dir.abs)
      } catch (error) {
        if (dir.rel === '') throw new SourceError(`cannot list the folder: ${ioReason(error, 'not found')}`)
        continue // an unreadable subfolder: its own entry is still listed
      }
      const names: string[] = []
      for await (const d of handle) names.push(d.name)
      names.sort()
      for (const name of names) {
        if (entries.length >= LISTING_LIMITS.entries) {
          truncated = true
          break
        }
        const rel = dir.rel ? `${dir.rel}/${name}` : name
        const abs = path.join(dir.abs, name)
        let entry: RepoEntry
        try {
          entry = await describe(abs, rel)
        } catch {
          entry = { path: rel, type: 'other', size: 0 }
        }
        entries.push(entry)
        // Linked folders are not walked: a link loop must not hang the check.
        if (entry.type === 'directory' && !entry.link && !SKIPPED_DIRECTORIES.has(name)) {
          if (dir.depth + 1 < LISTING_LIMITS.depth) queue.push({ abs, rel, depth: dir.depth + 1 })
          else truncated = true
        }
      }
    }
    return { entries, truncated }
  }

  /** Resolve a listed path to a regular file inside the root, or throw. */
  async function resolveFile(rel: string): Promise<string> {
    const abs = path.resolve(realRoot, rel)
    if (!inside(abs) || path.isAbsolute(rel))
      throw new SourceError(`refusing to read ${rel}: outside the folder`)
    let real: string
    try {
      real = await realpath(abs)
    } catch (error) {
      throw new SourceError(`cannot read ${rel}: ${ioReason(error, 'not found')}`)
    }
    if (!inside(real)) throw new SourceError(`refusing to read ${rel}: it links outside the folder`)
    const st = await stat(real)
    if (!st.isFile()) throw new SourceError(`cannot read ${rel}: not a regular file`)
    return real
  }

  async function readRange(rel: string, start: number, end: number): Promise<Uint8Array> {
    const file = await resolveFile(rel)
    let handle
    try {
      // O_NONBLOCK: a FIFO swapped in after the check must not block the read forever.
      handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
      const length = Math.max(0, end - start)
      const buffer = Buffer.alloc(length)
      let got = 0
      while (got < length) {
        const { bytesRead } = await handle.read(buffer, got, length - got, start + got)
        if (bytesRead === 0) break
        got += bytesRead
      }
      return buffer.subarray(0, got)
    } catch (error) {
      throw new SourceError(`cannot read ${rel}: ${ioReason(error, 'read failed')}`)
    } finally {
      await handle?.close()
    }
  }

  return {
    kind: 'local',
    display,
    list,
    readRange,
    async read(rel) {
      const file = await resolveFile(rel)
      const { size } = await stat(file)
      return readRange(rel, 0, size)
    },
  }
}

function kindOf(st: { isFile(): boolean; isDirectory(): boolean }): RepoEntry['type'] {
  if (st.isFile()) return 'file'
  if (st.isDirectory()) return 'directory'
  return 'other'
}

/** errno codes in plain words; anything else keeps its own message, never a stack. */
function ioReason(error: unknown, fallback: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      return fallback
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'ENOTDIR':
      return 'not a folder'
    case 'EISDIR':
      return 'is a folder'
    case 'ELOOP':
      return 'too many levels of symbolic links'
    default:
      return error instanceof Error ? error.message : fallback
  }
}

/**
 * One file read whole when it holds at most `limit` bytes, else only its size: a manifest of the
 * workspace. With `within`, its real path (links resolved) must be inside that folder, or it is not
 * read and where it leads is not said. The size is checked before a byte is read, and the read stops
 * at `limit + 1` bytes, so a file that grows meanwhile is still refused.
 */
export async function readFileWithin(
  file: string,
  shown: string,
  within: string | undefined,
  limit: number,
): Promise<{ bytes: Uint8Array } | { tooLarge: number }> {
  let real: string
  try {
    real = await realpath(file)
  } catch (error) {
    throw new SourceError(`cannot read ${shown}: ${ioReason(error, 'it does not exist')}`)
  }
  if (within && real !== within && !real.startsWith(within.endsWith(path.sep) ? within : within + path.sep))
    throw new SourceError(
      `${shown} leads outside the workspace (a link out of the repository): only files of the checked-out repository are read`,
    )
  const st = await stat(real)
  if (!st.isFile()) throw new SourceError(`cannot read ${shown}: not a regular file`)
  if (st.size > limit) return { tooLarge: st.size }
  const handle = await open(real, constants.O_RDONLY)
  try {
    const buffer = Buffer.alloc(limit + 1)
    let n = 0
    for (let got = -1; got !== 0 && n < buffer.length; n += got)
      ({ bytesRead: got } = await handle.read(buffer, n, buffer.length - n, n))
    return n > limit ? { tooLarge: n } : { bytes: buffer.subarray(0, n) }
  } finally {
    await handle.close()
  }
}
