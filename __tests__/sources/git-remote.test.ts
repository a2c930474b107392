// The remote of a checkout, from its git config only, and the LFS server it implies.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { findGitRemote, gitConfigValues, lfsEndpoint } from '../../src/sources/git-remote.js'

describe('gitConfigValues', () => {
  const url = (text: string) => gitConfigValues(text, 'remote', 'origin', 'url')

  it('reads remote.origin.url as actions/checkout writes it', () => {
    expect(
      url(
        '[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n\turl = https://github.com/o/r\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
      ),
    ).toEqual(['https://github.com/o/r'])
  })

  it('reads names case-insensitively, the subsection case-sensitively, and the deprecated form lower-cased', () => {
    expect(url('[REMOTE "origin"]\n URL=a\n[remote "Origin"]\nurl = b\n[remote.ORIGIN]\nurl = c\n')).toEqual([
      'a',
      'c',
    ])
  })

  it('reads quotes, escapes, comments, continuations and inner spaces as git does', () => {
    expect(
      url('[remote "origin"]\n\turl = "a b" ; comment\n\turl = x\\\ny # c\n\turl = " q\\"\\\\ "  \n\turl\n'),
    ).toEqual(['a b', 'xy', ' q"\\ ', 'true'])
    expect(url('[remote "origin"] url = same-line\n')).toEqual(['same-line'])
    expect(url('[remote "o\\"r"]\nurl = x\n')).toEqual([])
  })

  it('never follows includes', () => {
    expect(url('[include]\n\tpath = /tmp/evil\n[includeIf "gitdir:/"]\n\tpath = evil\n')).toEqual([])
  })

  it('refuses what git refuses', () => {
    expect(() => url('[remote "origin"\nurl = x\n')).toThrow(/bad section header on line 1/)
    expect(() => url('[remote "origin"]\nurl = "open\n')).toThrow(/unclosed quote/)
    expect(() => url('[remote "origin"]\nurl = a\\q\n')).toThrow(/bad escape/)
    expect(() => url('[x]\n= y\n')).toThrow(/bad line on line 2/)
  })
})

describe('lfsEndpoint', () => {
  it.each([
    ['https://github.com/o/r', 'https://github.com/o/r.git/info/lfs'],
    ['https://github.com/o/r.git', 'https://github.com/o/r.git/info/lfs'],
    ['https://github.com/o/r/', 'https://github.com/o/r.git/info/lfs'],
    ['https://x-access-token:secret@github.com/o/r?q#f', 'https://github.com/o/r.git/info/lfs'],
    ['git@github.com:o/r.git', 'https://github.com/o/r.git/info/lfs'],
    ['ssh://git@github.com:22/o/r.git', 'https://github.com/o/r.git/info/lfs'],
    ['https://huggingface.co/datasets/o/d', 'https://huggingface.co/datasets/o/d.git/info/lfs'],
    ['http://127.0.0.1:8080/o/r', 'http://127.0.0.1:8080/o/r.git/info/lfs'],
  ])('%s → %s', (remote, endpoint) => {
    expect(lfsEndpoint(remote)?.href).toBe(endpoint)
  })

  it.each(['/srv/repo.git', './repo', 'file:///srv/repo.git', 'ftp://x/y', 'https://github.com', ''])(
    '%s has no LFS server',
    (remote) => {
      expect(lfsEndpoint(remote)).toBeUndefined()
    },
  )
})

describe('findGitRemote', () => {
  let tmp: string
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-git-'))
  })
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  it('looks in the folder and above it, up to the top only', async () => {
    const repo = path.join(tmp, 'repo')
    mkdirSync(path.join(repo, '.git'), { recursive: true })
    mkdirSync(path.join(repo, 'models', 'm'), { recursive: true })
    writeFileSync(path.join(repo, '.git', 'config'), '[remote "origin"]\n\turl = https://github.com/o/r\n')
    expect(await findGitRemote(path.join(repo, 'models', 'm'), repo)).toEqual({
      url: 'https://github.com/o/r',
    })
    expect(await findGitRemote(path.join(repo, 'models', 'm'), path.join(repo, 'models'))).toEqual({
      reason: expect.stringMatching(/not in a git checkout/),
    })
  })

  it('says why when the config has no origin or the .git file names nothing', async () => {
    const a = path.join(tmp, 'a')
    mkdirSync(path.join(a, '.git'), { recursive: true })
    writeFileSync(path.join(a, '.git', 'config'), '[remote "upstream"]\n\turl = https://github.com/o/r\n')
    expect(await findGitRemote(a, a)).toEqual({
      reason: 'the checkout\'s git config names no remote "origin"',
    })
    const b = path.join(tmp, 'b')
    mkdirSync(b)
    writeFileSync(path.join(b, '.git'), 'not a gitdir line\n')
    expect(await findGitRemote(b, b)).toEqual({
      reason: expect.stringMatching(/does not name a git directory/),
    })
  })
})
