import type { JsonDocument } from '../../artifacts/json-document.js'
import { escapePointer, isObject } from '../../common/json.js'

export const INDEX_FILE = 'model.safetensors.index.json'

export interface MapEntry {
  tensor: string
  shard: string
  /** Pointer of the entry in the index, for its line. */
  pointer: string
}

/** The `weight_map` entries whose value is a string, in file order; undefined when there is no usable map. */
export function weightMap(doc: JsonDocument): MapEntry[] | undefined {
  const map = isObject(doc.value) ? doc.value.weight_map : undefined
  if (!isObject(map)) return undefined
  return Object.entries(map)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([tensor, shard]) => ({ tensor, shard, pointer: `/weight_map/${escapePointer(tensor)}` }))
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

/** `model-00003-of-00010.safetensors` → { prefix: 'model', index: 3, total: 10 }. */
export function shardNumber(name: string): { prefix: string; index: number; total: number } | undefined {
  const m = /^(.*)-(\d+)-of-(\d+)\.safetensors$/.exec(name)
  return m ? { prefix: m[1], index: Number(m[2]), total: Number(m[3]) } : undefined
}
