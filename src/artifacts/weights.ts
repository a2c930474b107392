import type { Listing, RepoEntry, Source } from '../sources/source.js'
import { isReadableFile, type LfsPointer } from '../sources/readable.js'
import { readSafetensorsHeader, type SafetensorsParse } from './safetensors.js'
import type { WeightMap } from './shard-index.js'

/** One root `*.safetensors` file and what its header says; `parse` is absent for LFS pointers. */
interface WeightFile {
  path: string
  size: number
  parse?: SafetensorsParse
}

export interface Weights {
  /** Every readable root `*.safetensors` file, sorted by path. */
  files: WeightFile[]
}

/**
 * Headers are read with this many files in flight: enough to hide latency, bounded for memory (a
 * header is KBs). A hub read waits a round trip (two with the CDN hop), so more go at once: 48 reads
 * a 191-shard model in four waves (800 ms at 50 ms per request with the CDN hop, 1 s with 32), still
 * fewer connections than a browser opens to a CDN.
 */
const CONCURRENCY: Record<Source['kind'], number> = { local: 16, memory: 16, hub: 48 }

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

/** Read the header of every root safetensors file (never tensor data), skipping LFS pointers. */
export async function loadWeights(
  source: Source,
  files: Listing,
  pointers: readonly LfsPointer[],
  hints: ReadonlyMap<string, number> = new Map(),
): Promise<Weights> {
  const isPointer = new Set(pointers.map((p) => p.path))
  const entries: RepoEntry[] = files.entries
    .filter((e) => !e.path.includes('/') && e.path.endsWith('.safetensors'))
    .filter(isReadableFile)
    .sort((a, b) => a.path.localeCompare(b.path))
  const out: WeightFile[] = entries.map((e) => ({ path: e.path, size: e.size }))
  let next = 0
  const worker = async () => {
    while (next < out.length) {
      const file = out[next++]
      if (!isPointer.has(file.path))
        file.parse = await readSafetensorsHeader(
          source,
          file.path,
          file.size,
          hints.get(file.path) ?? FIRST_READ[source.kind],
        )
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY[source.kind], out.length) }, worker))
  return { files: out }
}
