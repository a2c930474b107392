// The weight map of model.safetensors.index.json, read once per target: which shard each tensor is
// in, and each shard name the index gives with where it is first named. The rules on the index, the
// shards and the tensor table all read this instead of walking the map again.
import { escapePointer, isObject } from '../common/json.js'
import type { JsonDocument } from './json-document.js'
import { docOf, type JsonFile } from './json-file.js'

interface WeightMapEntry {
  tensor: string
  shard: string
  /** Pointer of the entry in the index, for its line. */
  pointer: string
}

interface ShardRef {
  /** Pointer of the first entry that names the shard. */
  pointer: string
  /** How many entries name it. */
  tensors: number
  /** Why the name must never be opened (unsafeShardName), or undefined for a plain file name at the root. */
  unsafe: string | undefined
}

export interface WeightMap {
  /** The index the map is in, to locate findings on its entries. */
  doc: JsonDocument
  /** The entries whose value is a string, in file order. */
  entries: WeightMapEntry[]
  /** The entries whose value is not a string: no shard holds those tensors. */
  nonString: { tensor: string; value: unknown; pointer: string }[]
  /** Every shard name the entries give, in order of first mention. */
  shards: Map<string, ShardRef>
}

/** The index's `weight_map`, or undefined when the index did not parse or holds no map object. */
export function weightMapOf(index: JsonFile): WeightMap | undefined {
  const doc = docOf(index)
  const map = doc && isObject(doc.value) ? doc.value.weight_map : undefined
  if (!doc || !isObject(map)) return undefined
  const out: WeightMap = { doc, entries: [], nonString: [], shards: new Map() }
  for (const [tensor, value] of Object.entries(map)) {
    const pointer = `/weight_map/${escapePointer(tensor)}`
    if (typeof value !== 'string') {
      out.nonString.push({ tensor, value, pointer })
      continue
    }
    out.entries.push({ tensor, shard: value, pointer })
    const ref = out.shards.get(value)
    if (ref) ref.tensors++
    else out.shards.set(value, { pointer, tensors: 1, unsafe: unsafeShardName(value) })
  }
  return out
}

/**
 * Why a shard name must never be opened, or undefined when it is a plain file name at the root.
 * The index comes from the repository under review: a name must not reach outside it.
 */
export function unsafeShardName(name: string): string | undefined {
  if (name === '') return 'is empty'
  if (/^[a-z][a-z0-9+.-]*:/i.test(name) && !/^[A-Za-z]:[\\/]/.test(name)) return 'is a URL'
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(name))
    return 'is an absolute path'
  if (name.split(/[\\/]/).includes('..')) return 'climbs out of the folder with ..'
  if (name.includes('/') || name.includes('\\')) return 'is in a subfolder, where Friendli does not look'
  if (!name.endsWith('.safetensors')) return 'does not end in .safetensors'
  return undefined
}
