// Worker threads for a dataset run: each renders rows and counts their tokens (engine/row-worker.ts)
// while the main thread reads the next rows and runs the rules on the rows whose results are back, in
// the order they were read. Requests go to the thread with the least work queued; a thread that stops
// (out of memory on a hostile row, a bug) fails its requests, and the pool goes on with the others.
import os from 'node:os'
import { Worker, type ResourceLimits } from 'node:worker_threads'
import { describeThreadError, startThread, THREAD_YOUNG_MB } from './threads.js'
import { ROW_WORKER_ROLE, type WorkerBase, type WorkReply, type WorkRow } from './row-worker.js'

export interface RowPool {
  readonly size: number
  rows(rows: WorkRow[]): Promise<Extract<WorkReply, { kind: 'rows' }>>
  count(texts: string[]): Promise<Extract<WorkReply, { kind: 'count' }>>
  close(): Promise<void>
}

/** Why a request's rows got no results: for the finding about them, or for the caller to do the work. */
export class WorkerStopped extends Error {
  override name = 'WorkerStopped'
  constructor(
    message: string,
    /**
     * No thread worked on the rows: the thread stopped before it was ready (it could not load its code
     * or build the template and tokenizer), or the rows could not be sent (structured clone gives up on
     * a value nested a few thousand levels deep, which a JSON row may be). Nothing is known about the
     * rows, so the caller does their work itself.
     */
    readonly unserved = false,
  ) {
    super(message)
  }
}

/**
 * Threads by default: the CPUs this process may use (os.availableParallelism follows the process's CPU
 * affinity, https://nodejs.org/api/os.html#osavailableparallelism), at most DEFAULT_MAX_JOBS. Each
 * thread holds its own template and tokenizer (and, checking a share of a large dataset, its own rows:
 * 100–200 MB a thread, bench/dataset.ts), and a pool's threads wait on the one that reads the rows: 64
 * threads on a large runner would cost gigabytes. `--jobs` sets more.
 */
export function defaultJobs(): number {
  return Math.min(os.availableParallelism(), DEFAULT_MAX_JOBS)
}
const DEFAULT_MAX_JOBS = 4

/** Default heap of a worker: a row is at most 16 MiB and renders to at most four times that. */
const WORKER_HEAP_MB = 512

export function startRowPool(
  jobs: number,
  base: WorkerBase,
  options: { resourceLimits?: ResourceLimits } = {},
): RowPool {
  let nextId = 1
  type Pending = { resolve: (reply: WorkReply) => void; reject: (error: Error) => void }
  const start = (): Worker | WorkerStopped => {
    try {
      return startThread(
        'row-worker.ts',
        ROW_WORKER_ROLE,
        { base },
        options.resourceLimits ?? {
          maxOldGenerationSizeMb: WORKER_HEAP_MB,
          maxYoungGenerationSizeMb: THREAD_YOUNG_MB,
        },
      )
    } catch (error) {
      // workerData is cloned: a tokenizer.json nested a few thousand levels deep cannot be.
      return new WorkerStopped(`it could not start: ${describeThreadError(error as Error)}`, true)
    }
  }
  const threads = Array.from({ length: jobs }, () => {
    const worker = start()
    const thread = {
      worker: worker instanceof Worker ? worker : undefined,
      pending: new Map<number, Pending>(),
      stopped: worker instanceof WorkerStopped ? worker : undefined,
      ready: false,
    }
    if (!(worker instanceof Worker)) return thread
    const fail = (error: Error) => {
      thread.stopped ??= new WorkerStopped(describeThreadError(error), !thread.ready)
      for (const p of thread.pending.values()) p.reject(thread.stopped)
      thread.pending.clear()
    }
    worker.on('message', (reply: WorkReply | { kind: 'ready' }) => {
      if (reply.kind === 'ready') return void (thread.ready = true)
      const p = thread.pending.get(reply.id)
      thread.pending.delete(reply.id)
      p?.resolve(reply)
    })
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`it exited with code ${code}`)))
    return thread
  })

  const send = (
    request: { kind: 'rows'; rows: WorkRow[] } | { kind: 'count'; texts: string[] },
  ): Promise<WorkReply> => {
    const live = threads.filter((t) => !t.stopped)
    if (live.length === 0)
      return Promise.reject(
        threads.find((t) => !t.stopped?.unserved)?.stopped ??
          threads[0]?.stopped ??
          new WorkerStopped('no worker thread is running', true),
      )
    const thread = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
    const id = nextId++
    return new Promise<WorkReply>((resolve, reject) => {
      try {
        thread.worker!.postMessage({ ...request, id })
        thread.pending.set(id, { resolve, reject })
      } catch (error) {
        reject(new WorkerStopped(`the rows could not be sent: ${describeThreadError(error as Error)}`, true))
      }
    })
  }

  return {
    size: jobs,
    rows: (rows) => send({ kind: 'rows', rows }) as Promise<Extract<WorkReply, { kind: 'rows' }>>,
    count: (texts) => send({ kind: 'count', texts }) as Promise<Extract<WorkReply, { kind: 'count' }>>,
    async close() {
      await Promise.all(threads.flatMap((t) => (t.worker ? [t.worker.terminate()] : [])))
    },
  }
}
