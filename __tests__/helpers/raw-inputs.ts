// Settings inputs as an entry point collects them ('' when not given), with what a test sets.
import type { RawInputs } from '../../src/settings.js'

export const rawInputs = (over: Partial<RawInputs> = {}): RawInputs => ({
  model: '',
  config: '',
  failOn: '',
  extraArchitectures: '',
  ...over,
})
