// What the dataset benches share: the rows they generate, and one data file of a folder as the
// dataset they check (the folder's local source and that file alone, as checkDataset finds them).
import path from 'node:path'
import { findDataFiles } from '../src/readers/splits.js'
import { openLocalSource } from '../src/sources/local.js'
import type { Message } from '../__tests__/helpers/parquet.js'

export async function oneFileDataset(file: string) {
  const source = await openLocalSource(path.dirname(file))
  const listing = await source.list()
  const found = findDataFiles({
    ...listing,
    entries: listing.entries.filter((e) => e.path === path.basename(file)),
  })
  return { source, files: found.files }
}

const WORDS =
  'the of and to in is that for it as with was on be by this are at from or have an they which one you were all we can her has there been if more when will would who so no'.split(
    ' ',
  )

/** A deterministic ultrachat-like conversation: alternating user / assistant turns of plain prose. */
export function conversation(i: number): Message[] {
  let seed = (i + 1) * 2654435761
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
  const turns = 3 + Math.floor(rand() * 4)
  return Array.from({ length: turns }, (_, t) => {
    const words = 30 + Math.floor(rand() * (t % 2 ? 120 : 40))
    const text = Array.from({ length: words }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ')
    return { role: t % 2 ? 'assistant' : 'user', content: `${text[0].toUpperCase()}${text.slice(1)}.` }
  })
}
