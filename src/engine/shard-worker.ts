// A worker thread of a dataset run split into shards (shard-threads.ts): it checks one share of the
// rows of a local dataset, as `--shard i/n` does in a job of a matrix, and sends back what that shard's
// report would hold. The base model is loaded again from the bytes the main thread read.
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import { loadBaseModel } from '../artifacts/base-model.js'
import type { RuleLevel } from '../common/finding.js'
import type { DataFile } from '../readers/rows.js'
import { datasetRules } from '../rules/registry.js'
import { openLocalSource } from '../sources/local.js'
import { replaySource, type SourceRecord } from '../sources/recorded.js'
import { runDatasetRules, type DatasetRunOptions, type DatasetRunResult } from './run-dataset.js'

/** workerData's `role`: a thread started with it checks one shard. */
export const SHARD_WORKER_ROLE = 'friendli-preflight-shard'

/** What every shard is given: the dataset's folder and files, the base model's bytes, the options. */
export interface ShardJob {
  root: string
  display: string
  files: DataFile[]
  unsupported: string[]
  truncated: boolean
  base?: { ref: string; record: SourceRecord }
  levels: ReadonlyMap<string, RuleLevel>
  docsBase: string
  datasetPath?: string
}

/** A share's sampled rows, before they are counted: see DatasetRunOptions.sampleStep. */
export type ShardSample = Parameters<NonNullable<DatasetRunOptions['sampleStep']>>[0]

export type ShardReply =
  | { kind: 'progress'; rows: number }
  | { kind: 'sample'; sample: ShardSample }
  | { kind: 'done'; result: DatasetRunResult }
  | { kind: 'failed'; message: string }

/** One shard's run, in this thread or another. */
export async function runShard(
  job: ShardJob,
  shard: { index: number; count: number; rows: true },
  hooks: { onProgress?: (rows: number) => void; sampleStep?: (sample: ShardSample) => Promise<number> } = {},
): Promise<DatasetRunResult> {
  const source = await openLocalSource(job.root, job.display)
  const base = job.base && (await loadBaseModel(replaySource(job.base.record), job.base.ref))
  return runDatasetRules(
    source,
    job.files,
    job.unsupported,
    datasetRules,
    {
      levels: job.levels,
      docsBase: job.docsBase,
      base,
      shard,
      ...(job.datasetPath !== undefined ? { datasetPath: job.datasetPath } : {}),
      ...hooks,
    },
    job.truncated,
  )
}

// A thread started with the role runs its shard and ends. The single-file bundle starts workers on
// itself, so this module's code runs in every thread: only a thread with the role works.
if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === SHARD_WORKER_ROLE) {
  const port = parentPort
  const { job, shard } = workerData as { job: ShardJob; shard: { index: number; count: number; rows: true } }
  const post = (reply: ShardReply) => port.postMessage(reply)
  // The sample's step comes back once every share has said what it sampled.
  const sampleStep = (sample: ShardSample) =>
    new Promise<number>((resolve) => {
      port.once('message', (m: { kind: 'step'; level: number }) => resolve(m.level))
      post({ kind: 'sample', sample })
    })
  runShard(job, shard, { onProgress: (rows) => post({ kind: 'progress', rows }), sampleStep }).then(
    (result) => post({ kind: 'done', result }),
    (error: unknown) =>
      post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
  )
}
