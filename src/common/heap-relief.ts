// Peak memory of a long streaming pass. A dataset pass keeps little alive (a batch of rows, the rules'
// digests), yet V8 lets its old space fill with the rows' promoted garbage before it collects it all:
// on 200,000 Parquet rows the process peaked at over 500 MB while the same pass finishes with the heap
// capped at 120 MB (`--max-old-space-size=120`). A run cannot set that flag for itself (the action is
// started by the runner, `node dist/index.js`), so it collects by itself: between batches, when the
// resident set has grown by a step since the last full collection, it runs one. The step follows the
// memory left after each collection, so a large live set (a big tokenizer, millions of row digests) does
// not make every batch collect.
//
// `gc` is not exposed by default. As jest does to look for leaks (jest-leak-detector,
// https://github.com/jestjs/jest/blob/main/packages/jest-leak-detector/src/index.ts), the flag is set
// at run time (https://nodejs.org/api/v8.html#v8setflagsfromstringflags) and the function taken from a
// new context, which is created with it. Where that gives nothing, relief does nothing.
import v8 from 'node:v8'
import vm from 'node:vm'

/** No collection while the heap and its array buffers hold less than this: a small run never pays. */
const FLOOR = 96 * 1024 * 1024
/**
 * After a collection, the next when what is held has grown by this much, or by half of what the last
 * one left, whichever is more: a large live set (a big tokenizer, a test runner's heap) is collected
 * about as often as V8 would collect it itself, never on every batch.
 */
const STEP = 64 * 1024 * 1024
/**
 * At most one collection in this many milliseconds: a few per cent of the time whatever the input (on
 * bench/dataset.ts's 200,000 Parquet rows, peak RSS 529 MB before, 275 MB with it).
 */
const SPACING_MS = 150

let collect: (() => void) | null | undefined

/** V8's full collection, or null where it cannot be had. */
export function gcFunction(): (() => void) | null {
  if (collect !== undefined) return collect
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined')
    collect = typeof gc === 'function' ? (gc as () => void) : null
  } catch {
    collect = null
  }
  return collect
}

/**
 * A function to call between batches of a long pass: it runs a full collection when this thread's heap
 * and array buffers hold more than FLOOR and more than the last collection left plus its step, at most
 * once in SPACING_MS. The heap is measured, not the resident set: the resident set counts other
 * threads and memory a collection cannot free, and goes down only a while after one. The arguments
 * are for tests, which count the collections.
 */
export function heapRelief(
  gc: (() => void) | null = gcFunction(),
  memory: () => { heapUsed: number; arrayBuffers: number } = process.memoryUsage,
  now: () => number = Date.now,
): { relieve(): void; readonly collections: number } {
  const held = () => {
    const m = memory()
    return m.heapUsed + m.arrayBuffers
  }
  let limit = FLOOR
  let last = -Infinity
  let collections = 0
  return {
    relieve() {
      if (!gc || now() - last < SPACING_MS || held() < limit) return
      gc()
      collections++
      last = now()
      const live = held()
      limit = Math.max(FLOOR, live + Math.max(STEP, live / 2))
    },
    get collections() {
      return collections
    },
  }
}
