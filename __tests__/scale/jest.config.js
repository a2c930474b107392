// The scale suite: tests that exist to prove behaviour at size, too slow for the fast suite
// (`npm run test:scale`; CI runs it after `npm test`). Same transform and settings as jest.config.js.
import fast from '../../jest.config.js'

/** @type {import('jest').Config} */
export default {
  ...fast,
  displayName: 'scale',
  rootDir: '../..',
  testMatch: ['<rootDir>/__tests__/scale/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // A hang guard, not a budget: the slowest case takes a few seconds on 2 cores.
  testTimeout: 120_000,
}
