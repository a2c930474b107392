// A hard time limit for synchronous work on hostile input: a tokenizer whose pre-tokenizer regular
// expression backtracks for hours on one row, or a template operation nobody thought to count. The work
// runs inside a vm script with `timeout`: when it runs past the limit, Node's watchdog thread asks V8 to
// terminate the execution, which V8 does wherever it is, inside a regular expression's backtracking
// included (https://nodejs.org/api/vm.html#scriptrunincontextcontextifiedobject-options, "timeout").
// It is the mechanism worker.terminate() uses, without a second isolate: the work keeps its objects
// (a 30 MB tokenizer is not copied into a worker), stays synchronous, and needs no separate file in the
// single-file bundle. The price: a terminated function's finally blocks do not run, so the caller
// restores any shared state itself and does not use again an object the function was changing.
import vm from 'node:vm'

/** The work did not finish within its limit and was stopped. */
export class TimeLimitExceeded extends Error {
  constructor(readonly ms: number) {
    super(`stopped after ${ms} ms`)
  }
}

const context = vm.createContext({ work: undefined as unknown })
const script = new vm.Script('work()', { filename: 'time-limit.vm' })

/** Runs `fn` now, synchronously; stops it and throws TimeLimitExceeded when it runs longer than `ms`. */
export function runWithin<T>(ms: number, fn: () => T): T {
  const timeout = Math.max(1, Math.min(2 ** 31 - 1, Math.ceil(ms)))
  const previous: unknown = context.work
  context.work = fn
  try {
    return script.runInContext(context, { timeout }) as T
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
      throw new TimeLimitExceeded(timeout)
    throw error
  } finally {
    context.work = previous
  }
}

/**
 * How long one hard stop keeps running items one after another before it is renewed: starting one costs
 * about 50 µs (a vm call with its watchdog), as much as rendering or tokenizing a short row, so one per
 * item would halve a dataset's pace; one per 50 ms costs nothing. An item that starts near the end of a
 * window may still run its own limit, so its hard stop comes at most this much later.
 */
export const HARD_STOP_WINDOW_MS = 50

/**
 * Runs `work(0)` … `work(count - 1)` in order, many under one hard stop. Before each window, `limit()`
 * gives the time an item may take (undefined: stop here); the window's hard stop is that limit plus the
 * window. `work` returns false to stop. When the hard stop ends an item, or `work` throws, `failed` is
 * called with the error and the rest are not run. Returns the index of the item that stopped the run, or
 * undefined when every item ran.
 */
export function runEachWithin(
  count: number,
  limit: () => number | undefined,
  work: (i: number) => boolean,
  failed: (error: unknown) => void,
): number | undefined {
  let i = 0
  while (i < count) {
    const ms = limit()
    if (ms === undefined) return i
    try {
      const go = runWithin(HARD_STOP_WINDOW_MS + ms, () => {
        const windowStart = Date.now()
        do {
          if (!work(i)) return false
          i++
        } while (i < count && Date.now() - windowStart < HARD_STOP_WINDOW_MS)
        return true
      })
      if (!go) return i
    } catch (error) {
      failed(error)
      return i
    }
  }
  return undefined
}
