// One data file of a folder as the dataset the benches check: the folder's local source and that
// file alone as its data files, as checkDataset finds them.
import path from 'node:path'
import { findDataFiles } from '../src/readers/splits.js'
import { openLocalSource } from '../src/sources/local.js'

export async function oneFileDataset(file: string) {
  const source = await openLocalSource(path.dirname(file))
  const listing = await source.list()
  const found = findDataFiles({
    ...listing,
    entries: listing.entries.filter((e) => e.path === path.basename(file)),
  })
  return { source, files: found.files }
}
