import type { Listing, RepoEntry, Source } from '../sources/source.js'
import { isReadableFile, type LfsPointer } from '../sources/readable.js'
import pLimit from 'p-limit'
import {
  completeSafetensorsHeader,
  declaredHeaderLength,
  parseSafetensorsHeader,
  type SafetensorsParse,
} from './safetensors.js'
import type { WeightMap } from './shard-index.js'

/**
 * One root `*.safetensors` file and what its header says; `parse` is absent for LFS pointers and for
 * a header not read (`notRead`: the target's headers were already past HEADER_BUDGET).
 */
interface WeightFile {
  path: string
  size: number
  parse?: SafetensorsParse
  /** The header's declared length, when it was not read for the budget. */
  notRead?: number
}

export interface Weights {
  /** Every readable root `*.safetensors` file, sorted by path. */
  files: WeightFile[]
  /** Header bytes read and parsed, all files together (at most `budget`). */
  headerBytes: number
  budget: number
}

/**
 * Header bytes parsed per target, all files together; each header is also at most the crate's
 * MAX_HEADER_LENGTH (100,000,000 bytes). The largest real models have about 20 MB of headers in all
 * (a 1T-parameter MoE: some 150,000 tensors over 60 shards); 128 MiB is six times that. A header is
 * parsed into its tensor table at roughly ten times its size at the peak (a 95 MB header: about 1 GB),
 * so five 95 MB headers cost one header's parse, not five, and the rest are reported as not read.
 */
export const HEADER_BUDGET = 128 * 1024 * 1024

/**
 * Headers are read with this many files in flight: enough to hide latency, bounded for memory (a
 * header is KBs). A hub read waits a round trip (two with the CDN hop), so more go at once: 96 read
 * a 191-shard model in two waves, the second on the connections the first opened and kept alive
 * (fetch speaks HTTP/1.1: a connection per request in flight), so the Hub and its CDN each see at
 * most 96; one wave would take twice the connections, each a TLS handshake, to save one round trip.
 */
const CONCURRENCY: Record<Source['kind'], number> = { local: 16, memory: 16, hub: 96 }

/**
 * A local read costs the same for 4 KB as for 100 KB, so read a small first block and the rest of
 * the header only when needed: bytes read stay close to the headers' own size.
 */
const FIRST_READ: Record<Source['kind'], number> = { local: 4096, memory: 4096, hub: 100_000 }

/**
 * Each tensor takes its name plus about 100 bytes of header (dtype, a shape, two offsets of up to 12
 * digits, quotes and braces); the margin covers `__metadata__` and longer shapes.
 */
const BYTES_PER_TENSOR = 110
const HINT_MARGIN = 1024

/**
 * How large each shard's header should be, from the index's weight map: the first read of a shard
 * then takes its whole header, so a hub shard costs one request without fetching 100 KB to be sure.
 */
export function headerSizeHints(map: WeightMap | undefined): Map<string, number> {
  const hints = new Map<string, number>()
  for (const { tensor, shard } of map?.entries ?? [])
    hints.set(shard, (hints.get(shard) ?? 8 + HINT_MARGIN) + tensor.length + BYTES_PER_TENSOR)
  return hints
}

/**
 * Read the header of every root safetensors file (never tensor data), skipping LFS pointers, within
 * `budget` header bytes in all. The first block of every file is asked for at once (CONCURRENCY in
 * flight), and the blocks are taken in path order as they arrive: each file's declared header length
 * decides, against what is left of the budget, whether it is parsed (a larger one is skipped and the
 * smaller ones after it are still read), and then it is parsed at once, reading the rest of its header
 * first when the block was short. So the headers read do not depend on which read finished first, and
 * parsing overlaps the reads still in flight. The first failure stops what has not started.
 */
export async function loadWeights(
  source: Source,
  files: Listing,
  pointers: readonly LfsPointer[],
  hints: ReadonlyMap<string, number> = new Map(),
  budget = HEADER_BUDGET,
): Promise<Weights> {
  const isPointer = new Set(pointers.map((p) => p.path))
  const entries: RepoEntry[] = files.entries
    .filter((e) => !e.path.includes('/') && e.path.endsWith('.safetensors'))
    .filter(isReadableFile)
    .sort((a, b) => a.path.localeCompare(b.path))
  const out: WeightFile[] = entries.map((e) => ({ path: e.path, size: e.size }))
  const read = out.filter((f) => !isPointer.has(f.path))
  // Read through the remote's Git LFS server (lfs-remote.ts): 8 bytes first, the rest once declared.
  const viaLfs = new Set(entries.filter((e) => e.lfsPointer?.read).map((e) => e.path))
  const limit = pLimit(CONCURRENCY[source.kind])
  // The first failure of any read ends the load at once, and the reads not started never start.
  let failWith: (error: unknown) => void = () => {}
  const failed = new Promise<never>((_, reject) => (failWith = reject))
  failed.catch(() => {})
  const watched = <T>(p: Promise<T>): Promise<T> => {
    p.catch((error: unknown) => {
      limit.clearQueue()
      failWith(error)
    })
    return p
  }

  const prefixes: (Promise<Uint8Array> | undefined)[] = read.map((file) =>
    watched(
      limit(() => {
        if (file.size < 8) return new Uint8Array(0)
        const first = viaLfs.has(file.path) ? 8 : (hints.get(file.path) ?? FIRST_READ[source.kind])
        return source.readRange(file.path, 0, Math.min(Math.max(8, first), file.size))
      }),
    ),
  )

  let used = 0
  const completing: Promise<void>[] = []
  for (const [i, file] of read.entries()) {
    const prefix = await Promise.race([prefixes[i]!, failed]) // set for every file of `read`
    prefixes[i] = undefined
    const length = declaredHeaderLength(prefix, file.size)
    if (length !== undefined && used + length > budget) {
      file.notRead = length
      continue
    }
    used += length ?? 0
    const parse = parseSafetensorsHeader(prefix, file.size)
    if (parse.ok || parse.needBytes === undefined) file.parse = parse
    else
      completing.push(
        watched(
          limit(() => completeSafetensorsHeader(source, file.path, file.size, prefix)).then((p) => {
            file.parse = p
          }),
        ),
      )
  }
  await Promise.race([Promise.all(completing), failed])
  return { files: out, headerBytes: used, budget }
}
