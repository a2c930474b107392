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
