import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openLocalSource } from '../../src/sources/local.js'
import { LISTING_LIMITS } from '../../src/sources/source.js'

let root: string
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'fp-local-'))
  const m = path.join(root, 'm')
  mkdirSync(path.join(m, 'a/b/c/d/e'), { recursive: true })
  mkdirSync(path.join(m, '.git/objects'), { recursive: true })
  writeFileSync(path.join(m, 'config.json'), '{"x": 1}')
  writeFileSync(path.join(m, 'a/b/c/d/e/deep.json'), '{}')
  writeFileSync(path.join(m, '.git/objects/blob'), 'x')
  writeFileSync(path.join(root, 'secret.txt'), 'secret')
  symlinkSync('../secret.txt', path.join(m, 'secret'))
  symlinkSync('a', path.join(m, 'loop-to-a'))
  symlinkSync('.', path.join(m, 'a/self'))
  symlinkSync('nowhere', path.join(m, 'dangling'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('LocalSource', () => {
  it('lists with sizes and link kinds, skips .git, never walks into linked folders, stops at the depth limit', async () => {
    const source = await openLocalSource(path.join(root, 'm'), 'm')
    const { entries, truncated } = await source.list()
    const byPath = Object.fromEntries(entries.map((e) => [e.path, e]))
    expect(byPath['config.json']).toEqual({ path: 'config.json', type: 'file', size: 8 })
    expect(byPath['secret']).toEqual({ path: 'secret', type: 'other', size: 0, link: 'outside' })
    expect(byPath['dangling']).toEqual({ path: 'dangling', type: 'other', size: 0, link: 'broken' })
    expect(byPath['loop-to-a']).toEqual({ path: 'loop-to-a', type: 'directory', size: 0, link: 'inside' })
    expect(byPath['.git']).toMatchObject({ type: 'directory' })
    expect(entries.some((e) => e.path.startsWith('.git/'))).toBe(false)
    expect(entries.some((e) => e.path.startsWith('loop-to-a/'))).toBe(false)
    expect(entries.some((e) => e.path.split('/').length > LISTING_LIMITS.depth)).toBe(false)
    expect(truncated).toBe(true)
  })

  it('reads files and byte ranges inside the folder', async () => {
    const source = await openLocalSource(path.join(root, 'm'))
    expect(Buffer.from(await source.read('config.json')).toString()).toBe('{"x": 1}')
    expect(Buffer.from(await source.readRange('config.json', 2, 3)).toString()).toBe('x')
    expect(Buffer.from(await source.readRange('config.json', 6, 100)).toString()).toBe('1}')
  })

  it.each([['secret'], ['../secret.txt'], ['/etc/passwd'], ['a'], ['dangling'], ['missing.json']])(
    'refuses to read %s',
    async (p) => {
      const source = await openLocalSource(path.join(root, 'm'))
      await expect(source.read(p)).rejects.toThrow(/^(refusing to read|cannot read)/)
    },
  )

  it('a target that is a file, or absent, cannot be opened', async () => {
    await expect(openLocalSource(path.join(root, 'secret.txt'))).rejects.toThrow('it is not a folder')
    await expect(openLocalSource(path.join(root, 'nope'))).rejects.toThrow('the folder does not exist')
  })
})
