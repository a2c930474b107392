// The fast suite: every test but __tests__/scale/ (`npm test`, the README's and CI's command). The scale
// suite, behaviour at size (25 MB headers, 100,000-tensor parses, 50 MB tokenizers, 100 MB rows,
// 100,000-file listings), is its own project, __tests__/scale/jest.config.js (`npm run test:scale`),
// which CI runs after this one. No test here asserts a wall-clock or RSS budget: bench/ prints times.

/** @type {import('jest').Config} */
export default {
  displayName: 'fast',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Transpile only: tsconfig.json sets isolatedModules, so ts-jest compiles each file on its own with
  // transpileModule and type-checks nothing; `npm run typecheck` (tsc --noEmit) checks tests and sources.
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/scale/'],
  testTimeout: 30_000,
  // Jest's default is one worker fewer than the cores: a single worker on a 2-core runner. The tests
  // are CPU in the worker, plus short-lived child processes, so every core runs a worker.
  maxWorkers: '100%',
}
