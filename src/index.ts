// The action's entry: everything lives in main.ts so tests can import it without running it. The
// bundle is also the script of the dataset run's worker threads (engine/row-pool.ts): in one, loading
// row-worker.ts starts serving.
import { isMainThread } from 'node:worker_threads'

if (isMainThread) await (await import(/* webpackMode: "eager" */ './main.js')).run()
else await import(/* webpackMode: "eager" */ './engine/row-worker.js')
