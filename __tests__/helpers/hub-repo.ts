// Turn a model folder on disk into a fake hub repo, so the same model can be checked locally and
// through the hub and the findings compared.
import { lstatSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { FakeFile } from './fake-hub.js'

/** Every regular file under `root` (links and other special files are left out), by POSIX path. */
export function filesOf(root: string): Record<string, FakeFile> {
  const files: Record<string, FakeFile> = {}
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = path.join(dir, name)
      const st = lstatSync(abs)
      if (st.isDirectory()) walk(abs)
      else if (st.isFile()) files[path.relative(root, abs).split(path.sep).join('/')] = readFileSync(abs)
    }
  }
  walk(root)
  return files
}
