import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import layers from './eslint-rules/layers.js'

// Type-aware rules need a TypeScript program; they run on the .ts files of tsconfig.eslint.json.
const UNSAFE_ANY = [
  '@typescript-eslint/no-unsafe-member-access',
  '@typescript-eslint/no-unsafe-assignment',
  '@typescript-eslint/no-unsafe-argument',
  '@typescript-eslint/no-unsafe-call',
  '@typescript-eslint/no-unsafe-return',
]
const off = (rules) => Object.fromEntries(rules.map((r) => [r, 'off']))

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'lib/', 'coverage/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `any` is written on purpose where a value's shape is checked at run time (parsed JSON, Python
      // values of the template engine); the no-unsafe-* rules below catch where it leaks.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { local: layers },
    rules: { 'local/layers': 'error' },
  },
  {
    // Tests and benches inspect parsed JSON (reports, SARIF, request bodies) and library internals,
    // typed `any`; a wrong shape fails the assertion itself.
    files: ['__tests__/**/*.ts', 'bench/**/*.ts'],
    rules: off(UNSAFE_ANY),
  },
  {
    // Plain JavaScript (configs, the local lint rule) is outside the TypeScript program.
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
)
