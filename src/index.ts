// The action's entry: everything lives in main.ts so tests can import it without running it.
import { run } from './main.js'

await run()
