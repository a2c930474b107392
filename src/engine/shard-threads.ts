// A large local dataset checked by several threads at once, each reading and checking its own share of
// the rows from start to end (shard-worker.ts), as the jobs of a matrix do with `--shard i/n`, and the
// shards' results merged in memory by the same code as merge-reports (merge-shards.ts). The rows are
// read, parsed and checked on every thread, not only rendered (row-pool.ts), so the run scales with the
// threads instead of stopping at the pace of the one thread that reads. The merged findings and figures
// are the ones a single pass gives; a thread that stops (out of memory, a bug) has its shard checked
// again on this thread, so its rows are never left out.
import type { ResourceLimits, Worker } from 'node:worker_threads'
import { datasetRules } from '../rules/registry.js'
import { settleSample } from './dataset-stats.js'
import { mergeDatasetShards } from './merge-shards.js'
import type { DatasetRunResult } from './run-dataset.js'
import {
  runShard,
  SHARD_WORKER_ROLE,
  type ShardJob,
  type ShardReply,
  type ShardSample,
} from './shard-worker.js'
import { describeThreadError, startThread, THREAD_YOUNG_MB } from './threads.js'

/**
 * The smallest dataset split among threads: below it the threads' start (each loads the code and the
 * base model's template and tokenizer again, 0.1–0.3 s) costs more than it saves.
 */
export const SHARD_MIN_BYTES = 32 * 1024 * 1024

/**
 * How many threads check a dataset each its own share (0: one thread reads, engine/row-pool.ts renders):
 * every job's, for a local dataset of SHARD_MIN_BYTES or more. Not for a Hub dataset (each thread would
 * download the files again), a matrix job's shard (already a share), or a run with max-rows (which counts
 * the rows read before each row, in one order: a share cannot know them without reading them).
 */
export function threadShares(
  jobs: number,
  dataset: { local: boolean; shard: boolean; maxRows: number | undefined; bytes: number },
): number {
  const split =
    jobs > 1 &&
    dataset.local &&
    !dataset.shard &&
    dataset.maxRows === undefined &&
    dataset.bytes >= SHARD_MIN_BYTES
  return split ? jobs : 0
}

export interface ShardThreadOptions {
  onProgress?: (rows: number, rowsPerSecond: number) => void
  /** The threads' heap limits (default: Node's old generation, THREAD_YOUNG_MB of young generation). */
  resourceLimits?: ResourceLimits
  /** Called when a thread stopped without its shard's result, before the shard is checked here. */
  onThreadStopped?: (shard: number, why: string) => void
}

export async function runDatasetInShards(
  job: ShardJob,
  count: number,
  options: ShardThreadOptions = {},
): Promise<DatasetRunResult> {
  const { onProgress } = options
  const started = Date.now()
  const rows = new Array<number>(count).fill(0)
  let lastProgress = started
  const progress = (k: number, n: number) => {
    rows[k] = n
    const now = Date.now()
    if (!onProgress || now - lastProgress < 2000) return
    lastProgress = now
    const total = rows.reduce((a, b) => a + b, 0)
    onProgress(total, Math.round(total / ((now - started) / 1000)))
  }
  const step = sampleBarrier(count)
  const workers = new Set<Worker>()
  // Once the run has failed, a thread that stops is not checked again: nothing waits for it.
  let failed = false
  try {
    const results = await Promise.all(
      Array.from({ length: count }, (_, k) => {
        const shard = { index: k + 1, count, rows: true as const }
        const hooks = { onProgress: (n: number) => progress(k, n), sampleStep: step(k) }
        const limits = options.resourceLimits ?? { maxYoungGenerationSizeMb: THREAD_YOUNG_MB }
        return inThread(job, shard, hooks, limits, workers).catch((error: Error) => {
          if (failed) throw error
          // Checked again here: a thread's failure is never a shard's rows left unchecked.
          options.onThreadStopped?.(shard.index, describeThreadError(error))
          return runShard(job, shard, hooks)
        })
      }),
    )
    const merged = mergeDatasetShards(
      results.map((r, k) => ({
        label: `shard ${k + 1}/${count}`,
        findings: r.findings,
        order: r.findings.map((_, i) => i),
        omitted: r.omitted,
        stats: r.stats,
        rules: r.shardState ?? {},
      })),
      datasetRules,
      {
        files: job.files.map((f) => ({ path: f.path, split: f.split, size: f.size })),
        levels: job.levels,
        docsBase: job.docsBase,
        ...(job.datasetPath !== undefined ? { datasetPath: job.datasetPath } : {}),
      },
    )
    return { ...merged, stats: { ...merged.stats, seconds: (Date.now() - started) / 1000 } }
  } catch (error) {
    // A shard that failed here too fails the run: no thread, and no share run here, is left waiting.
    failed = true
    step.fail(error)
    throw error
  } finally {
    await Promise.all([...workers].map((w) => w.terminate()))
  }
}

/**
 * The token sample's step, once every share has said what it sampled: one run's (settleSample over all
 * of them), so each share counts only the rows one run counts. A share checked again (its thread
 * stopped) samples the same rows, and gets the same step.
 */
function sampleBarrier(count: number): {
  (k: number): (sample: ShardSample) => Promise<number>
  /** The run failed: every share waiting for the step stops. */
  fail(error: unknown): void
} {
  const samples = new Array<ShardSample | undefined>(count)
  let said = 0
  let release!: (level: number) => void
  let fail!: (error: unknown) => void
  const level = new Promise<number>((resolve, reject) => {
    release = resolve
    fail = reject
  })
  level.catch(() => {}) // a failed run's step: a share waiting for it stops, none may be
  const step = (k: number) => (sample: ShardSample) => {
    // The first sample of each share counts: one checked again samples the same rows.
    if (samples[k] === undefined) {
      samples[k] = sample
      if (++said === count) {
        const all = samples as ShardSample[]
        release(
          settleSample(
            all.flatMap((s) => s.rows),
            Math.max(...all.map((s) => s.level)),
          ).level,
        )
      }
    }
    return level
  }
  return Object.assign(step, { fail })
}

/** One shard in a thread of its own: its result, or a rejection when the thread stops without one. */
function inThread(
  job: ShardJob,
  shard: { index: number; count: number; rows: true },
  hooks: { onProgress: (rows: number) => void; sampleStep: (sample: ShardSample) => Promise<number> },
  resourceLimits: ResourceLimits | undefined,
  workers: Set<Worker>,
): Promise<DatasetRunResult> {
  return new Promise((resolve, reject) => {
    let worker: Worker
    try {
      worker = startThread('shard-worker.ts', SHARD_WORKER_ROLE, { job, shard }, resourceLimits)
    } catch (error) {
      return reject(error instanceof Error ? error : new Error(String(error)))
    }
    workers.add(worker)
    // Once: the first of a result, a failure, the thread's error and its exit.
    let settled = false
    const end = (settle: () => void) => {
      if (settled) return
      settled = true
      workers.delete(worker)
      settle()
      void worker.terminate()
    }
    worker.on('message', (reply: ShardReply) => {
      if (reply.kind === 'progress') hooks.onProgress(reply.rows)
      else if (reply.kind === 'sample')
        void hooks
          .sampleStep(reply.sample)
          .then((level) => settled || worker.postMessage({ kind: 'step', level }))
      else if (reply.kind === 'done') end(() => resolve(reply.result))
      else end(() => reject(new Error(reply.message)))
    })
    worker.on('error', (error: Error) => end(() => reject(error)))
    worker.on('exit', (code) => end(() => reject(new Error(`it exited with code ${code}`))))
  })
}
