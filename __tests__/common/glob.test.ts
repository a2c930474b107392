import { describe, expect, it } from '@jest/globals'
import {
  GLOB_LIMITS,
  isGlob,
  matchGlob,
  matchSegment,
  mayHoldMatches,
  parseGlob,
  type Glob,
} from '../../src/common/glob.js'

const glob = (pattern: string): Glob => {
  const parsed = parseGlob(pattern)
  if ('problem' in parsed) throw new Error(parsed.problem)
  return parsed
}

describe('glob patterns for files of the workspace', () => {
  it.each([
    ['**/friendli-endpoint*.{json,yaml,yml}', 'friendli-endpoint.yaml', true],
    ['**/friendli-endpoint*.{json,yaml,yml}', 'deploy/a/b/friendli-endpoint-prod.json', true],
    ['**/friendli-endpoint*.{json,yaml,yml}', 'deploy/friendli-endpoint.txt', false],
    ['**/friendli-endpoint*.{json,yaml,yml}', '.git/friendli-endpoint.yaml', false],
    ['**/friendli-endpoint*.{json,yaml,yml}', 'node_modules/x/friendli-endpoint.yaml', false],
    ['**/friendli-endpoint*.{json,yaml,yml}', '.friendli-endpoint.yaml', false],
    ['.friendli/endpoints/*.{json,yaml,yml}', '.friendli/endpoints/chat.yml', true],
    ['.friendli/endpoints/*.{json,yaml,yml}', '.friendli/endpoints/deep/chat.yml', false],
    ['.friendli/endpoints/*.{json,yaml,yml}', '.friendli/endpoints/.hidden.yml', false],
    ['deploy/?.yaml', 'deploy/a.yaml', true],
    ['deploy/?.yaml', 'deploy/ab.yaml', false],
    ['./deploy/*.yaml', 'deploy/a.yaml', true],
  ])('%s matches %s: %s', (pattern, file, expected) => {
    expect(matchGlob(glob(pattern), file)).toBe(expected)
  })

  it('walks only folders a pattern can match below', () => {
    const g = glob('.friendli/endpoints/*.yaml')
    expect(mayHoldMatches(g, '')).toBe(true)
    expect(mayHoldMatches(g, '.friendli')).toBe(true)
    expect(mayHoldMatches(g, '.friendli/endpoints')).toBe(true)
    expect(mayHoldMatches(g, 'deploy')).toBe(false)
    expect(mayHoldMatches(g, '.friendli/endpoints/x')).toBe(false)
    const any = glob('**/friendli-endpoint*.yaml')
    expect(mayHoldMatches(any, 'a/b/c')).toBe(true)
    expect(mayHoldMatches(any, '.venv')).toBe(false)
    expect(mayHoldMatches(any, 'node_modules')).toBe(false)
  })

  it.each([
    ['/etc/*.yaml', 'a POSIX path relative to the workspace'],
    ['C:\\deploy\\*.yaml', 'a POSIX path relative to the workspace'],
    ['../*.yaml', 'no "." or ".." segments'],
    ['deploy/{a,b', 'a "{" is not closed'],
    ['deploy/a}b', 'a "}" has no "{"'],
    ['{a,{b,c}}', 'braces do not nest'],
    ['{a,b,c,d}{a,b,c,d}{a,b,c,d}{a,b}', `at most ${GLOB_LIMITS.alternatives} alternatives`],
    ['x'.repeat(GLOB_LIMITS.chars + 1), `at most ${GLOB_LIMITS.chars} characters`],
  ])('refuses %j: %s', (pattern, problem) => {
    const parsed = parseGlob(pattern)
    expect('problem' in parsed && parsed.problem).toContain(problem)
  })

  it('decides a segment of many stars against a long near-miss name (no regex to backtrack)', () => {
    // A pattern of many stars against a long name that almost matches: the classic regex blow-up.
    expect(matchSegment('*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(250))).toBe(false)
    expect(matchSegment('*a*a*a*a*a*a*a*a*a*a*b', `${'a'.repeat(250)}b`)).toBe(true)
  })

  it('tells a glob from a path', () => {
    expect(isGlob('deploy/*.yaml')).toBe(true)
    expect(isGlob('deploy/{a,b}.yaml')).toBe(true)
    expect(isGlob('deploy/friendli-endpoint.yaml')).toBe(false)
  })
})
