import { datasetRules } from './rules/registry.js'
import { runDatasetRules } from './engine/run-dataset.js'
import { defaultJobs } from './engine/row-pool.js'
import { runDatasetInShards, threadShares } from './engine/shard-threads.js'
import { recordingSource, type SourceRecord } from './sources/recorded.js'
import { describeError, isCheckError, SourceError, UsageError } from './common/errors.js'
import { listNames } from './common/wording.js'
import type { Settings, TargetSpec } from './settings.js'
import type { Source } from './sources/source.js'
import { loadBaseModel, type BaseModel } from './artifacts/base-model.js'
import { canonicalSplit, findDataFiles } from './readers/splits.js'

export interface CheckHooks {
  /** A progress line on long dataset runs. */
  onProgress?: (ref: string, rows: number, rowsPerSecond: number) => void
}

/** One streaming pass over the dataset, against its base model when there is one. */
export async function checkDataset(
  spec: TargetSpec,
  source: Source,
  settings: Settings,
  docsBase: string,
  hooks: CheckHooks,
  openBase: (spec: TargetSpec) => Promise<Source>,
) {
  let base: BaseModel | undefined
  // What the base model's load read: the threads of a run in shards load it again from these bytes.
  let record: SourceRecord | undefined
  if (spec.base) {
    try {
      const recording = recordingSource(await openBase(spec.base))
      base = await loadBaseModel(recording.source, spec.base.ref)
      record = recording.record
    } catch (error) {
      if (isCheckError(error))
        throw new SourceError(`cannot read the base model ${spec.base.ref}: ${describeError(error)}`)
      throw error
    }
  }
  const listing = await source.list()
  const found = spec.file
    ? findDataFiles({ ...listing, entries: listing.entries.filter((e) => e.path === spec.file) })
    : findDataFiles(listing, spec.splits)
  if (!spec.file && spec.splits) missingSplits(spec.ref, spec.splits, found.splits)
  const jobs = settings.jobs ?? defaultJobs()
  const unsupported = found.unsupported.map((e) => e.path)
  const onProgress =
    hooks.onProgress && ((rows: number, rps: number) => hooks.onProgress!(spec.ref, rows, rps))
  // A large local dataset is split among the threads, each reading its own share; else one thread reads
  // and worker threads render the rows (engine/shard-threads.ts says which).
  const threads = threadShares(jobs, {
    local: !spec.hub,
    shard: spec.shard !== undefined,
    maxRows: spec.maxRows,
    bytes: found.files.reduce((n, f) => n + f.size, 0),
  })
  const recorded = base && record ? { ref: base.ref, record } : undefined
  // The threads load the base model from its bytes: this thread's copy (its tokenizer can be tens of
  // MB) is let go.
  if (threads > 0) base = undefined
  const result =
    threads > 0
      ? await runDatasetInShards(
          {
            root: spec.root,
            display: source.display,
            files: found.files,
            unsupported,
            truncated: listing.truncated,
            ...(recorded ? { base: recorded } : {}),
            levels: settings.levels,
            docsBase,
            ...(spec.file !== undefined ? { datasetPath: spec.file } : {}),
          },
          threads,
          onProgress ? { onProgress } : {},
        )
      : await runDatasetRules(
          source,
          found.files,
          unsupported,
          datasetRules,
          {
            levels: settings.levels,
            docsBase,
            base,
            maxRows: spec.maxRows,
            jobs,
            ...(spec.shard ? { shard: spec.shard } : {}),
            // A dataset named by its file: findings about the whole dataset name that file, not its folder.
            datasetPath: spec.file,
            onProgress,
          },
          listing.truncated,
        )
  // The data files in the order read: a shard's report carries them (shard-state.ts).
  return { ...result, files: found.files.map((f) => ({ path: f.path, split: f.split, size: f.size })) }
}

/**
 * A split that was asked for and is not in the dataset is a usage error, not a "no data files" finding:
 * say which splits there are. A dataset with no split at all is left to DS102, which says so.
 */
function missingSplits(ref: string, wanted: string[], found: string[]): void {
  if (found.length === 0) return
  const missing = [...new Set(wanted)].filter((s) => !found.includes(canonicalSplit(s)))
  if (missing.length === 0) return
  const names = listNames(missing.map((s) => `"${s}"`))
  throw new UsageError(
    `no ${missing.length === 1 ? 'split' : 'splits'} ${names} in ${ref}: the splits found are ${listNames(found, found.length)}`,
  )
}
