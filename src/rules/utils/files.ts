import type { Listing, RepoEntry } from '../../sources/source.js'
import { isReadableFile, type NotReadable } from '../../sources/readable.js'

/** Files Friendli downloads from a model repo (the FAQ's format table); everything else is ignored. */
export const FRIENDLI_FILES = new Set([
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'model.safetensors.index.json',
  // A LoRA adapter's upload carries its config (friendli-client's adapter push).
  'adapter_config.json',
])

/** Weight formats Friendli does not load. `training_args.bin` and optimizer state are not weights. */
const OTHER_WEIGHT_SUFFIXES = ['.bin', '.pt', '.pth', '.ckpt', '.gguf', '.h5', '.msgpack']
const NOT_WEIGHTS = /^(training_args\.bin|optimizer\.(pt|bin)|scheduler\.pt|rng_state.*\.pth|scaler\.pt)$/

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

export function folderOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i === -1 ? '' : path.slice(0, i)
}

export function rootEntries(files: Listing): RepoEntry[] {
  return files.entries.filter((e) => !e.path.includes('/'))
}

export function isSafetensors(entry: RepoEntry): boolean {
  return isReadableFile(entry) && entry.path.endsWith('.safetensors')
}

export function isOtherWeights(entry: RepoEntry): boolean {
  const name = baseName(entry.path)
  return (
    isReadableFile(entry) && OTHER_WEIGHT_SUFFIXES.some((s) => name.endsWith(s)) && !NOT_WEIGHTS.test(name)
  )
}

export function hasRootFile(files: Listing, name: string): boolean {
  return files.entries.some((e) => e.path === name && isReadableFile(e))
}

/** "a folder", "a link to a file outside the model folder", …: what an entry is instead of a file. */
export function notReadableWhat(why: NotReadable, folder: 'model' | 'adapter'): string {
  switch (why) {
    case 'link-outside':
      return `a link to a file outside the ${folder} folder`
    case 'link-broken':
      return 'a broken link'
    case 'directory':
      return 'a folder'
    case 'not-file':
      return 'not a regular file'
  }
}
