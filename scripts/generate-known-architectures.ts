// Writes src/data/known-architectures.json: every model class (config.json `architectures[0]`) that
// Hugging Face transformers or vLLM knows, read from their registries without running Python (the
// parsing and the merge are in scripts/known-architectures-parse.ts, which says what is read and how
// each table maps to a head).
//
//   npx tsx scripts/generate-known-architectures.ts <transformers-dir> <vllm-dir>
//   npm run generate:architectures -- <transformers-dir> <vllm-dir>
//
// Each directory is one of:
//   - a git directory without a work tree (a mirror or `git clone --bare` of
//     https://github.com/huggingface/transformers or https://github.com/vllm-project/vllm): the file is
//     read at HEAD with `git show`, the commit and its date with `git log`, the version with
//     `git describe --tags` (for transformers without tags: its `__version__` at that commit);
//   - a git work tree: the file is read from disk, the rest from git as above;
//   - a plain folder holding the file at its upstream path and a `source.json` of
//     { "version", "commit", "date", "note"? } saying where the copy comes from.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as prettier from 'prettier'
import {
  isKnownVllmTable,
  mergeArchitectures,
  parseTransformersMappings,
  parseVllmRegistry,
  renderKnownArchitectures,
  type SourceInfo,
} from './known-architectures-parse.js'

const TRANSFORMERS_FILE = 'src/transformers/models/auto/modeling_auto.py'
const VLLM_FILE = 'vllm/model_executor/models/registry.py'
const OUTPUT = path.resolve(import.meta.dirname, '../src/data/known-architectures.json')

interface Opened {
  text: string
  info: SourceInfo
}

function git(args: string[]): string {
  return execFileSync('git', args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function tryGit(args: string[]): string | undefined {
  try {
    return git(args).trim() || undefined
  } catch {
    return undefined
  }
}

/** Reads `file` from `dir` (see the header for the three kinds of directory). */
function open(dir: string, repository: string, file: string): Opened {
  const onDisk = path.join(dir, file)
  if (existsSync(onDisk) && !existsSync(path.join(dir, '.git'))) {
    const meta = path.join(dir, 'source.json')
    if (!existsSync(meta)) throw new Error(`${dir} is not a git repository and has no source.json`)
    const { version, commit, date, note } = JSON.parse(readFileSync(meta, 'utf8')) as Record<string, string>
    if (!version || !commit || !date) throw new Error(`${meta} needs version, commit and date`)
    return {
      text: readFileSync(onDisk, 'utf8'),
      info: { repository, version, commit, date, file, ...(note ? { note } : {}) },
    }
  }
  const where = existsSync(onDisk) ? ['-C', dir] : [`--git-dir=${dir}`]
  const text = existsSync(onDisk) ? readFileSync(onDisk, 'utf8') : git([...where, 'show', `HEAD:${file}`])
  const [commit, date] = git([...where, 'log', '-1', '--format=%H%x09%cs', 'HEAD'])
    .trim()
    .split('\t')
  if (!commit || !date) throw new Error(`no commit found in ${dir}`)
  const version = tryGit([...where, 'describe', '--tags', 'HEAD']) ?? commit.slice(0, 12)
  return { text, info: { repository, version, commit, date, file } }
}

async function main(): Promise<void> {
  const [transformersDir, vllmDir] = process.argv.slice(2)
  if (!transformersDir || !vllmDir) {
    console.error('usage: npx tsx scripts/generate-known-architectures.ts <transformers-dir> <vllm-dir>')
    process.exit(2)
  }
  const transformers = open(transformersDir, 'https://github.com/huggingface/transformers', TRANSFORMERS_FILE)
  if (/^[0-9a-f]{12}$/.test(transformers.info.version)) {
    // No tags in the copy: the version transformers itself reports at that commit.
    const init = existsSync(path.join(transformersDir, 'src/transformers/__init__.py'))
      ? readFileSync(path.join(transformersDir, 'src/transformers/__init__.py'), 'utf8')
      : (tryGit([`--git-dir=${transformersDir}`, 'show', 'HEAD:src/transformers/__init__.py']) ?? '')
    const version = /^__version__\s*=\s*["']([^"']+)["']/m.exec(init)?.[1]
    if (version) transformers.info.version = version
  }
  const vllm = open(vllmDir, 'https://github.com/vllm-project/vllm', VLLM_FILE)

  const mappings = parseTransformersMappings(transformers.text)
  const registry = parseVllmRegistry(vllm.text)
  if (mappings.length === 0 || registry.length === 0) throw new Error('no tables found: has a file moved?')
  for (const t of registry) {
    if (t.entries.length > 0 && !isKnownVllmTable(t.name)) {
      console.warn(`note: vLLM's ${t.name} is new to this script; its heads were read from the class names`)
    }
  }
  const architectures = mergeArchitectures(mappings, registry)
  // One source and one class per line; unless .prettierignore lists the file, `npm run lint` checks it
  // with prettier, which splits the entries longer than its print width.
  const text = renderKnownArchitectures([transformers.info, vllm.info], architectures)
  const ignorePath = path.resolve(import.meta.dirname, '../.prettierignore')
  const { ignored } = await prettier.getFileInfo(OUTPUT, { ignorePath })
  const options = (await prettier.resolveConfig(OUTPUT)) ?? {}
  writeFileSync(OUTPUT, ignored ? text : await prettier.format(text, { ...options, parser: 'json' }))

  const heads: Record<string, number> = {}
  for (const e of Object.values(architectures)) heads[e.head] = (heads[e.head] ?? 0) + 1
  console.log(
    `${Object.keys(architectures).length} architectures from ${mappings.length} transformers tables and ` +
      `${registry.length} vLLM dicts: ${JSON.stringify(heads)}`,
  )
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
