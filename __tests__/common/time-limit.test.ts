// The hard time limit (src/common/time-limit.ts): V8 stops the work wherever it is, a backtracking
// regular expression included, and the caller carries on.
import { expect, test } from '@jest/globals'
import { runWithin, TimeLimitExceeded } from '../../src/common/time-limit.js'

test('a regular expression backtracking for hours is stopped at the limit', () => {
  const backtracks = () => /(a|aa)+$/.test('a'.repeat(80) + '!')
  expect(() => runWithin(100, backtracks)).toThrow(TimeLimitExceeded)
})

test('a loop with no clock is stopped; the next call runs as usual', () => {
  let spins = 0
  expect(() =>
    runWithin(50, () => {
      while (spins >= 0) spins++
    }),
  ).toThrow(new TimeLimitExceeded(50))
  expect(spins).toBeGreaterThan(0)
  expect(runWithin(1000, () => 6 * 7)).toBe(42)
})

test("the work's own errors come through as they are", () => {
  const error = new RangeError('mine')
  expect(() =>
    runWithin(1000, () => {
      throw error
    }),
  ).toThrow(error)
})
