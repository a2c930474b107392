import type { Listing, RepoEntry, Source } from '../sources/source.js'
import type { LfsPointer } from './lfs.js'
import { readSafetensorsHeader, type SafetensorsParse } from './safetensors.js'

/** One root `*.safetensors` file and what its header says; `parse` is absent for LFS pointers. */
export interface WeightFile {
  path: string
  size: number
  parse?: SafetensorsParse
}

export interface Weights {
  /** Every readable root `*.safetensors` file, sorted by path. */
  files: WeightFile[]
}

/** Headers are read with this many files in flight: enough to hide latency, bounded for memory. */
const CONCURRENCY = 16

/**
 * A local read costs the same for 4 KB as for 100 KB, so read a small first block and the rest of
 * the header only when needed: bytes read stay close to the headers' own size.
 */
const FIRST_READ: Record<Source['kind'], number> = { local: 4096, memory: 4096, hub: 100_000 }

/** Read the header of every root safetensors file (never tensor data), skipping LFS pointers. */
export async function loadWeights(
  source: Source,
  files: Listing,
  pointers: readonly LfsPointer[],
): Promise<Weights> {
  const isPointer = new Set(pointers.map((p) => p.path))
  const entries: RepoEntry[] = files.entries
    .filter((e) => !e.path.includes('/') && e.path.endsWith('.safetensors'))
    .filter((e) => e.type === 'file' && e.link !== 'outside' && e.link !== 'broken')
    .sort((a, b) => a.path.localeCompare(b.path))
  const out: WeightFile[] = entries.map((e) => ({ path: e.path, size: e.size }))
  let next = 0
  const worker = async () => {
    while (next < out.length) {
      const file = out[next++]
      if (!isPointer.has(file.path))
        file.parse = await readSafetensorsHeader(source, file.path, file.size, FIRST_READ[source.kind])
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, out.length) }, worker))
  return { files: out }
}
