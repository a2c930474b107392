// `model: auto`: the models and chat datasets of a repository (a monorepo), found by walking its
// folders, so that each is checked as if the config file listed it. The walk reads folder entries
// only (names and types, never a file's bytes) and is bounded: entries read, folder depth, no links
// followed.
//
// What counts, by file names that tools write (a name says what a folder is; a guess would fail a
// pull request over a file that was never meant to be deployed):
// - a model folder holds config.json with weights that transformers' save_pretrained writes:
//   *.safetensors, *.safetensors.index.json, or pytorch_model*.bin / pytorch_model.bin.index.json
//   (found so that the check can say they must be safetensors); WEIGHTS_NAME and friends in
//   https://github.com/huggingface/transformers/blob/main/src/transformers/utils/__init__.py;
// - an adapter folder holds adapter_config.json with *.safetensors or adapter_model.bin, the names
//   PEFT's save_pretrained writes (https://github.com/huggingface/peft/blob/main/src/peft/utils/constants.py);
// - a dataset file is *.jsonl or *.parquet, or a *.json file whose name says it holds data: train,
//   validation, test and their aliases, data or dataset, alone or followed by `-`, `_`, `.`, a space
//   or a digit (train.json, data_v2.json, test-00000-of-00001.json), as the Hub names split files
//   (https://huggingface.co/docs/hub/datasets-file-names-and-splits). Any other .json is a config,
//   a tokenizer or a fixture far more often than chat data.
import { opendirSync, readdirSync, type Dir, type Dirent } from 'node:fs'
import path from 'node:path'
import { matchGlob, mayHoldMatches, type Glob } from './common/glob.js'

/** Bounds of the walk: folder entries read in all, and folders below the workspace. */
export const DISCOVERY_LIMITS = { entries: 20_000, depth: 12 }

export interface Discovered {
  /** Model and adapter folders relative to the workspace (POSIX; '' is the workspace), sorted. */
  models: string[]
  /** Dataset files relative to the workspace (POSIX), sorted. */
  datasets: string[]
  /** Folder entries read: never more than the entries limit. */
  entries: number
  /** What the walk left out and why (a cap reached, links leading out), in words. */
  notes: string[]
}

const DATASET_JSON =
  /^(?:train|training|validation|valid|val|dev|test|testing|eval|evaluation|data|dataset)(?:[-._ 0-9].*)?\.json$/
/** The Hub's metadata files, never data (`datasets`' data_files.py FILES_TO_IGNORE). */
const NOT_DATA = new Set(['dataset_info.json', 'dataset_infos.json', 'dataset_dict.json'])

/** Whether a folder holding these entry names is a model or adapter folder. */
export function isModelFolder(names: ReadonlySet<string>): boolean {
  const any = (test: (n: string) => boolean) => [...names].some(test)
  if (names.has('config.json'))
    return any(
      (n) =>
        n.endsWith('.safetensors') ||
        n.endsWith('.safetensors.index.json') ||
        /^pytorch_model.*\.bin$/.test(n) ||
        n === 'pytorch_model.bin.index.json',
    )
  if (names.has('adapter_config.json'))
    return any((n) => n.endsWith('.safetensors') || n === 'adapter_model.bin')
  return false
}

/** Whether a file of this name is a dataset file (the rule in the header). */
export function isDatasetFile(name: string): boolean {
  if (name.startsWith('.')) return false
  if (name.endsWith('.jsonl') || name.endsWith('.parquet')) return true
  return DATASET_JSON.test(name) && !NOT_DATA.has(name)
}

/**
 * Folders not walked: dot-folders (.git, .github, .venv, .cache), node_modules, and `__` folders
 * (__pycache__), which `datasets` skips too.
 */
function skippedFolder(name: string): boolean {
  return name.startsWith('.') || name.startsWith('__') || name === 'node_modules'
}

/**
 * Every model folder and dataset file of `workspace`, breadth first (shallow targets are found before
 * a cap can stop the walk). `inside(p)` says whether `p`, links resolved, is in the workspace: a
 * dataset file that is a link leading out is left out. Linked folders are never followed: one inside
 * the workspace is walked at its real place, one outside never.
 */
export function discoverTargets(
  workspace: string,
  inside: (p: string) => boolean,
  limits = DISCOVERY_LIMITS,
): Discovered {
  const models: string[] = []
  const datasets: string[] = []
  let entries = 0
  let full = false
  let tooDeep = 0
  let linksOut = 0
  let unreadable = 0
  const queue: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }]
  for (let next = 0; next < queue.length && !full; next++) {
    const { rel, depth } = queue[next]!
    const read = readFolder(path.join(workspace, rel), limits.entries - entries)
    if (!read) {
      unreadable++
      continue
    }
    const { listed } = read
    entries += listed.length
    full = read.full
    const names = new Set(listed.map((e) => e.name))
    // A diffusers pipeline (model_index.json) holds one config.json and weights per component
    // (unet/, vae/, text_encoder/): parts of one pipeline, not chat models.
    if (names.has('model_index.json')) continue
    if (isModelFolder(names)) {
      // A folder inside a model folder (checkpoints/, original/, onnx/) is part of that model, not
      // another target: the model's check already reads it (MR103 reports a model nested there), and
      // checking it again would report the same files twice.
      models.push(rel)
      continue
    }
    listed.sort((a, b) => compare(a.name, b.name))
    for (const e of listed) {
      const child = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) {
        if (skippedFolder(e.name)) continue
        if (depth + 1 > limits.depth) tooDeep++
        else queue.push({ rel: child, depth: depth + 1 })
      } else if ((e.isFile() || e.isSymbolicLink()) && isDatasetFile(e.name)) {
        // A link is read where it leads: it must lead into the workspace (isWithin in settings.ts).
        if (e.isSymbolicLink() && !inside(path.join(workspace, child))) linksOut++
        else datasets.push(child)
      }
    }
  }
  const notes: string[] = []
  if (full)
    notes.push(
      `model: auto stopped after reading ${limits.entries.toLocaleString('en-US')} folder entries; models and datasets past them were not found (list them as targets in the config file)`,
    )
  if (tooDeep)
    notes.push(
      `model: auto did not search ${tooDeep.toLocaleString('en-US')} ${tooDeep === 1 ? 'folder' : 'folders'} more than ${limits.depth} levels deep`,
    )
  if (linksOut)
    notes.push(
      `model: auto left out ${linksOut.toLocaleString('en-US')} dataset ${linksOut === 1 ? 'file that is a link' : 'files that are links'} leading outside the workspace`,
    )
  if (unreadable)
    notes.push(
      `model: auto could not read ${unreadable.toLocaleString('en-US')} ${unreadable === 1 ? 'folder' : 'folders'}`,
    )
  return { models: models.sort(compare), datasets: datasets.sort(compare), entries, notes }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Manifests a run checks at most. Each names a model whose check reads the Hub: a monorepo of
 * thousands is checked in parts (scope: changed, or patterns that name fewer), and the run says how
 * many it left out.
 */
export const MANIFEST_FILES_LIMIT = 1_000

export interface DiscoveredManifests {
  /** Files relative to the base folder (POSIX), sorted; at most MANIFEST_FILES_LIMIT. */
  files: string[]
  /** Folder entries read: never more than the entries limit. */
  entries: number
  /** What the walk left out and why, in words. */
  notes: string[]
}

/**
 * The files below `base` that a glob matches, breadth first, walking only folders a glob can match
 * below (so `.friendli/endpoints/*.yaml` reads one folder, and `**` skips dot-folders and node_modules,
 * as glob.ts says), within the same bounds as model discovery: folder entries read, depth, no linked
 * folder followed, and a linked file kept only when `inside(p)` says it leads into the workspace.
 */
export function discoverManifests(
  base: string,
  globs: readonly Glob[],
  inside: (p: string) => boolean,
  limits = { ...DISCOVERY_LIMITS, files: MANIFEST_FILES_LIMIT },
): DiscoveredManifests {
  const files: string[] = []
  let matched = 0
  let entries = 0
  let full = false
  let tooDeep = 0
  let linksOut = 0
  const queue: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }]
  for (let next = 0; next < queue.length && !full; next++) {
    const { rel, depth } = queue[next]!
    // An unreadable folder, or a base that is not there: nothing below it matches.
    const read = readFolder(path.join(base, rel), limits.entries - entries)
    if (!read) continue
    const { listed } = read
    entries += listed.length
    full = read.full
    listed.sort((a, b) => compare(a.name, b.name))
    for (const e of listed) {
      const child = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) {
        if (!globs.some((g) => mayHoldMatches(g, child))) continue
        if (depth + 1 > limits.depth) tooDeep++
        else queue.push({ rel: child, depth: depth + 1 })
      } else if ((e.isFile() || e.isSymbolicLink()) && globs.some((g) => matchGlob(g, child))) {
        if (e.isSymbolicLink() && !inside(path.join(base, child))) linksOut++
        else if (++matched <= limits.files) files.push(child)
      }
    }
  }
  const n = (x: number) => x.toLocaleString('en-US')
  const notes: string[] = []
  if (full)
    notes.push(
      `the search for manifests stopped after reading ${n(limits.entries)} folder entries; manifests past them were not found (name their folders in the manifests patterns)`,
    )
  if (matched > limits.files)
    notes.push(
      `${n(matched)} manifests matched; the first ${n(limits.files)} in path order were checked and ${n(matched - limits.files)} were not (check them in parts: scope: changed, or narrower manifests patterns)`,
    )
  if (tooDeep)
    notes.push(
      `the search for manifests did not enter ${n(tooDeep)} ${tooDeep === 1 ? 'folder' : 'folders'} more than ${limits.depth} levels deep`,
    )
  if (linksOut)
    notes.push(
      `${n(linksOut)} manifest ${linksOut === 1 ? 'file is a link' : 'files are links'} leading outside the workspace, not read`,
    )
  return { files: files.sort(compare), entries, notes }
}

/**
 * Whether a folder's root holds something a model check reads: a config, safetensors weights or their
 * index, an adapter, or weights in another format (which the rules then report). Run with nothing
 * named, a folder without any of them is not a model to check.
 */
export function holdsModel(folder: string): boolean {
  let names: string[]
  try {
    names = readdirSync(folder)
  } catch {
    return true // unreadable: let the check say why
  }
  return names.some(
    (n) =>
      n === 'config.json' ||
      n === 'adapter_config.json' ||
      /\.(safetensors|bin|pt|pth|ckpt|gguf|h5|msgpack)$/.test(n) ||
      n.endsWith('.safetensors.index.json'),
  )
}

/**
 * A folder's entries, at most `left` of them (`full`: the bound was reached, the walk stops after this
 * folder); undefined when the folder cannot be read.
 */
function readFolder(abs: string, left: number): { listed: Dirent[]; full: boolean } | undefined {
  const listed: Dirent[] = []
  let dir: Dir | undefined
  try {
    dir = opendirSync(abs)
    for (let e = dir.readSync(); e; e = dir.readSync()) {
      listed.push(e)
      if (listed.length >= left) return { listed, full: true }
    }
    return { listed, full: false }
  } catch {
    return undefined
  } finally {
    dir?.closeSync()
  }
}
