import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { hubRefProblem, locateModel, parseHubRef } from '../../src/sources/hub-ref.js'

describe('parseHubRef', () => {
  it.each([
    ['org/model', { repo: 'org/model' }],
    ['org/model@main', { repo: 'org/model', revision: 'main' }],
    ['org/model@v1.0', { repo: 'org/model', revision: 'v1.0' }],
    ['org/model@refs/pr/1', { repo: 'org/model', revision: 'refs/pr/1' }],
    [
      'meta-llama/Llama-3.1-8B-Instruct@0e9e39f249a16976918f6564b8830bc894c89659',
      {
        repo: 'meta-llama/Llama-3.1-8B-Instruct',
        revision: '0e9e39f249a16976918f6564b8830bc894c89659',
      },
    ],
    ['Org_1/model.v2', { repo: 'Org_1/model.v2' }],
  ])('%s', (ref, expected) => {
    expect(parseHubRef(ref)).toEqual(expected)
  })

  it.each([
    ['org/my model', 'a repo id has no spaces'],
    ['org/../model', 'a repo id has exactly one "/" (owner/name)'],
    ['org/mo..del', 'a repo id has no ".." or "--"'],
    ['org/mo--del', 'a repo id has no ".." or "--"'],
    ['org/name/extra', 'a repo id has exactly one "/" (owner/name)'],
    ['model', 'a repo id is owner/name'],
    ['org/model.git', 'a repo id does not end in ".git"'],
    ['org/.hidden', 'a repo id part cannot start or end with "." or "-"'],
    ['org/mödel', 'a repo id holds only letters, digits, "-", "_" and "."'],
    ['org/model@', 'the revision after "@" is empty'],
    ['org/model@../../etc', '"../../etc" is not a branch, tag or commit name'],
    ['org/model@main..dev', '"main..dev" is not a branch, tag or commit name'],
    ['org/model@refs%2Fpr%2F1', '"refs%2Fpr%2F1" is not a branch, tag or commit name'],
    ['org/model@%2e%2e', '"%2e%2e" is not a branch, tag or commit name'],
    ['org/model@a b', '"a b" is not a branch, tag or commit name'],
    ['org/model@refs//pr', '"refs//pr" is not a branch, tag or commit name'],
    ['org/model@dev/', '"dev/" is not a branch, tag or commit name'],
    ['org/model@/etc', '"/etc" is not a branch, tag or commit name'],
    ['org/model@a@b', '"a@b" is not a branch, tag or commit name'],
    [`org/${'m'.repeat(100)}`, 'a repo id has at most 96 characters'],
  ])('refuses %s: %s', (ref, problem) => {
    expect(hubRefProblem(ref)).toBe(problem)
    expect(() => parseHubRef(ref)).toThrow(`"${ref}" is not a Hugging Face repo reference: ${problem}`)
  })
})

describe('locateModel: a folder that exists wins, ./ forces a folder, hf:// forces the hub', () => {
  let base: string
  beforeAll(() => {
    base = mkdtempSync(path.join(os.tmpdir(), 'fp-ref-'))
    mkdirSync(path.join(base, 'org', 'local-model'), { recursive: true })
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it.each([
    ['org/local-model', 'local'],
    ['./org/hub-model', 'local'],
    ['/abs/path', 'local'],
    ['.', 'local'],
    ['models', 'local'],
    ['org/hub-model', 'hub'],
    ['org/hub-model@dev', 'hub'],
    ['hf://org/local-model', 'hub'],
    ['hf://org/local-model@refs/pr/2', 'hub'],
  ])('%s is %s', (ref, source) => {
    expect(locateModel(ref, base).source).toBe(source)
  })

  it('keeps the revision of an hf:// reference', () => {
    expect(locateModel('hf://org/m@v2', base)).toEqual({
      source: 'hub',
      hub: { repo: 'org/m', revision: 'v2' },
    })
  })

  it.each([
    ['org/name/extra', 'a repo id has exactly one "/" (owner/name)'],
    ['org/my model', 'a repo id has no spaces'],
    ['org/model@..', '".." is not a branch, tag or commit name'],
  ])('%s is neither a folder nor a repo: the error says both', (ref, why) => {
    expect(() => locateModel(ref, base)).toThrow(
      `"${ref}" is neither a folder nor a Hugging Face repo reference (${why})`,
    )
  })

  it('an hf:// reference that is not a repo id is a usage error', () => {
    expect(() => locateModel('hf://../etc/passwd', base)).toThrow('is not a Hugging Face repo reference')
  })
})
