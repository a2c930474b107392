// A checkout of Git LFS pointers, read through the remote's LFS server (the Batch API) as if the
// weights were there: one batch request per 100 objects, one ranged download per file cut off after
// the header, the token to the LFS server only, and every refusal a reason in MR304's finding.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { runModelRules } from '../../src/engine/run-model.js'
import { docsBase, modelRules } from '../../src/rules/registry.js'
import {
  LFS_LIMITS,
  withLfsHeaders,
  type LfsReadOptions,
  type LfsSource,
} from '../../src/sources/lfs-remote.js'
import { MAX_HEADER_LENGTH } from '../../src/artifacts/safetensors.js'
import { HEADER_BUDGET } from '../../src/artifacts/weights.js'
import { openLocalSource } from '../../src/sources/local.js'
import type { Source } from '../../src/sources/source.js'
import { lfsOid, lfsPointer, startFakeLfs, writeCheckout, type FakeLfs } from '../helpers/fake-lfs.js'
import { sharded, single, tinyLlama } from '../helpers/model-weights.js'
import { configJson } from '../helpers/rule-tester.js'
import { makeSafetensors } from '../helpers/safetensors.js'
import { sparseSafetensors } from '../helpers/sparse-safetensors.js'

const TOKEN = 'ghs_lfsTestToken0123456789abcdefABCDEF'
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64')

let tmp: string
const servers: FakeLfs[] = []
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-lfs-'))
})
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

let n = 0
function folder(): string {
  const dir = path.join(tmp, `c${++n}`)
  mkdirSync(dir, { recursive: true })
  return dir
}

async function server(options: Parameters<typeof startFakeLfs>[0]): Promise<FakeLfs> {
  const s = await startFakeLfs(options)
  servers.push(s)
  return s
}

/** The checkout's source, read through LFS with the fake as the GitHub server. */
async function lfsSource(dir: string, fake: FakeLfs | undefined, options: Partial<LfsReadOptions> = {}) {
  return withLfsHeaders(await openLocalSource(dir, 'model'), {
    root: dir,
    top: tmp,
    github: { url: fake?.url ?? 'https://github.com', token: TOKEN },
    ...options,
  })
}

async function findings(source: Source) {
  const found = await runModelRules(source, modelRules, {
    levels: new Map(),
    settings: { extraArchitectures: [] },
    docsBase: docsBase({}),
  })
  return found.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    path: f.location.path,
    message: f.message,
  }))
}

const batches = (fake: FakeLfs) => fake.log.filter((r) => r.server === 'lfs')
const downloads = (fake: FakeLfs) => fake.log.filter((r) => r.server === 'storage')

/** A sharded model with a config that disagrees with its weights, so header-based rules report. */
function model(): Record<string, string | Uint8Array> {
  return {
    'config.json': configJson({ vocab_size: 128, hidden_size: 16 }),
    ...sharded(tinyLlama({ layers: 3 })),
  }
}

describe('a checkout of LFS pointers read through the Batch API', () => {
  it('is checked like the real files: the same findings, one batch request, one ranged download per shard', async () => {
    const files = model()
    const real = folder()
    writeCheckout(real, files, { lfs: () => false })
    const checkout = folder()
    const objects = writeCheckout(checkout, files)
    const fake = await server({ objects, token: TOKEN, downloadHeaders: { 'X-Signed': 'yes' } })
    writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo` })

    const expected = await findings(await openLocalSource(real, 'model'))
    expect(expected.some((f) => f.ruleId.startsWith('MR3'))).toBe(true) // header rules did report
    const source = await lfsSource(checkout, fake)
    expect(await findings(source)).toEqual(expected)

    expect(batches(fake)).toHaveLength(1)
    expect(batches(fake)[0]!.url).toBe('/owner/repo.git/info/lfs/objects/batch')
    expect(batches(fake)[0]!.headers).toMatchObject({
      accept: 'application/vnd.git-lfs+json',
      'content-type': 'application/vnd.git-lfs+json',
      authorization: `Basic ${BASIC}`,
    })
    expect(batches(fake)[0]!.body).toEqual({
      operation: 'download',
      transfers: ['basic'],
      objects: [...objects].map(([oid, file]) => ({ oid, size: (file as Uint8Array).length })),
      hash_algo: 'sha256',
    })
    expect(downloads(fake)).toHaveLength(2)
    for (const d of downloads(fake)) expect(d.headers.range).toMatch(/^bytes=0-\d+$/)
    expect(source.lfs.read).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'])
    expect(source.lfs.unread).toEqual([])
    const listing = await source.list()
    const shard = listing.entries.find((e) => e.path === 'model-00001-of-00002.safetensors')!
    expect(shard).toMatchObject({
      lfsPointer: { read: true },
      size: (files[shard.path] as Uint8Array).length,
    })
  })

  it('reads a 162-shard checkout with 2 batch requests (100 + 62 objects) and 162 ranged downloads', async () => {
    const files: Record<string, Uint8Array | string> = { 'config.json': configJson() }
    const weightMap: Record<string, string> = {}
    for (let i = 1; i <= 162; i++) {
      const name = `model-${String(i).padStart(5, '0')}-of-00162.safetensors`
      files[name] = makeSafetensors({ [`model.layers.${i}.mlp.weight`]: { dtype: 'BF16', shape: [4, 4] } })
      weightMap[`model.layers.${i}.mlp.weight`] = name
    }
    files['model.safetensors.index.json'] = JSON.stringify({ metadata: {}, weight_map: weightMap })
    const real = folder()
    writeCheckout(real, files, { lfs: () => false })
    const checkout = folder()
    const objects = writeCheckout(checkout, files)
    const fake = await server({ objects, token: TOKEN })
    writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo.git` })

    const source = await lfsSource(checkout, fake)
    expect(await findings(source)).toEqual(await findings(await openLocalSource(real, 'model')))
    expect(
      batches(fake)
        .map((b) => (b.body as { objects: unknown[] }).objects.length)
        .sort(),
    ).toEqual([100, 62])
    expect(downloads(fake)).toHaveLength(162)
    expect(new Set(downloads(fake).map((d) => d.url)).size).toBe(162)
    expect(source.lfs.read).toHaveLength(162)
    expect(source.lfs.batchRequests + source.lfs.downloads).toBe(164)
  })

  it('cuts a server that ignores Range off after the header: a 1 GiB shard costs its header and a few chunks', async () => {
    const sparse = sparseSafetensors([
      ['model.embed_tokens.weight', { dtype: 'BF16', shape: [32768, 16384] }],
      ['lm_head.weight', { dtype: 'BF16', shape: [1, 16] }],
    ])
    const checkout = folder()
    const objects = writeCheckout(checkout, { 'config.json': configJson(), 'model.safetensors': sparse })
    const fake = await server({
      objects,
      fault: (r) => (r.server === 'storage' ? { kind: 'ignore-range' } : undefined),
    })
    writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo` })

    const source = await lfsSource(checkout, fake)
    const found = await findings(source)
    expect(found.some((f) => f.ruleId === 'MR304')).toBe(false)
    expect(source.lfs.read).toEqual(['model.safetensors'])
    const [download] = downloads(fake)
    expect(download!.status).toBe(200)
    expect(sparse.size).toBeGreaterThan(2 ** 30)
    // The client read the header and the chunk it ended in; the server got a few socket buffers out.
    expect(source.lfs.bytes).toBeLessThan(sparse.header.length + 2 * 64 * 1024)
    await waitFor(() => download!.closed)
    expect(download!.closed).toBe(true)
    expect(download!.bytesSent).toBeLessThan(16 * 2 ** 20)
  })

  it('sizes the first range from the shard index; a header past the first range takes one more request', async () => {
    const indexed = folder()
    const files = model()
    const objects = writeCheckout(indexed, files)
    const fake = await server({ objects })
    writeCheckout(indexed, {}, { remote: `${fake.url}/o/r` })
    await findings(await lfsSource(indexed, fake))
    for (const d of downloads(fake)) {
      const shard = [...objects.values()].find((f) => d.url.includes(lfsOid(f)))! as Uint8Array
      const last = Number(/^bytes=0-(\d+)$/.exec(d.headers.range!)![1])
      expect(last + 1).toBeGreaterThanOrEqual(8 + Number(Buffer.from(shard).readBigUInt64LE(0)))
      expect(last).toBeLessThan(4096) // the estimate, not LFS_LIMITS.firstRange
    }

    const tensors = Object.fromEntries(
      Array.from({ length: 1500 }, (_, i) => [
        `model.layers.${i}.self_attn.q_proj.weight`,
        { dtype: 'BF16', shape: [2] },
      ]),
    )
    const large = makeSafetensors(tensors)
    const headerEnd = 8 + Number(large.readBigUInt64LE(0))
    expect(headerEnd).toBeGreaterThan(LFS_LIMITS.firstRange)
    for (const ignoreRange of [false, true]) {
      const checkout = folder()
      const real = folder()
      writeCheckout(real, { 'model.safetensors': large }, { lfs: () => false })
      const objects = writeCheckout(checkout, { 'model.safetensors': large })
      const fake = await server({
        objects,
        fault: (r) => (ignoreRange && r.server === 'storage' ? { kind: 'ignore-range' } : undefined),
      })
      writeCheckout(checkout, {}, { remote: `${fake.url}/o/r` })
      expect(await findings(await lfsSource(checkout, fake))).toEqual(
        await findings(await openLocalSource(real, 'model')),
      )
      // Range ignored: the whole header comes in the one answer, which is cut off after it.
      expect(downloads(fake).map((d) => d.headers.range)).toEqual(
        ignoreRange
          ? [`bytes=0-${LFS_LIMITS.firstRange - 1}`]
          : [`bytes=0-${LFS_LIMITS.firstRange - 1}`, `bytes=${LFS_LIMITS.firstRange}-${headerEnd - 1}`],
      )
    }
  })

  it('reports an unknown oid as MR304, with the reason, and reads the others', async () => {
    const checkout = folder()
    const files = single(tinyLlama())
    const objects = writeCheckout(checkout, { 'config.json': configJson(), ...files })
    const missing = makeSafetensors({ x: { dtype: 'F32', shape: [1] } })
    writeFileSync(path.join(checkout, 'extra.safetensors'), lfsPointer(missing))
    const fake = await server({ objects })
    writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo` })

    const source = await lfsSource(checkout, fake)
    const mr304 = (await findings(source)).filter((f) => f.ruleId === 'MR304')
    expect(mr304).toEqual([
      {
        ruleId: 'MR304',
        severity: 'error',
        path: 'extra.safetensors',
        message: `1 file is a Git LFS pointer, not the content (${missing.length} B behind it): extra.safetensors. Reading its header through Git LFS failed: the LFS server cannot serve object sha256:${lfsOid(missing).slice(0, 12)}… (404: Object does not exist).`,
      },
    ])
    expect(source.lfs.read).toEqual(['model.safetensors'])
    expect(downloads(fake)).toHaveLength(1)
  })

  it.each([
    ['no token: 401', undefined, /the LFS server asks for credentials \(401: Credentials needed\)/],
    ['a wrong token: 403', 'ghs_wrong', /the token may not read the repository \(403: Forbidden\)/],
  ])('falls back to MR304 when the LFS server refuses (%s)', async (_name, token, reason) => {
    const checkout = folder()
    const objects = writeCheckout(checkout, { 'config.json': configJson(), ...single(tinyLlama()) })
    const fake = await server({ objects, token: TOKEN })
    writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo` })
    const source = await lfsSource(checkout, fake, { github: { url: fake.url, ...(token ? { token } : {}) } })
    const [mr304] = (await findings(source)).filter((f) => f.ruleId === 'MR304')
    expect(mr304!.message).toMatch(reason)
    expect(downloads(fake)).toHaveLength(0)
  })

  it.each<[string, Parameters<typeof startFakeLfs>[0]['fault'], RegExp]>([
    [
      'a batch answer that is not JSON',
      () => ({ kind: 'not-json' }),
      /the LFS server's batch answer is not JSON/,
    ],
    [
      'a batch answer over the limit',
      () => ({ kind: 'huge-json' }),
      /the LFS server's batch answer is over 4,194,304 bytes/,
    ],
    [
      'a 404 for the repository',
      () => ({ status: 404, body: '{"message":"Not Found"}' }),
      /\(404: Not Found\)/,
    ],
    [
      'a download link that answers 403',
      (r) => (r.server === 'storage' ? { status: 403 } : undefined),
      /the download of object sha256:[0-9a-f]{12}… answered 403/,
    ],
    [
      'a download whose Content-Range gives another size than the pointer',
      (r) => (r.server === 'storage' ? { kind: 'content-range-total', total: 7 } : undefined),
      /says the file is 7 bytes, and the pointer says \d+/,
    ],
    [
      'a 500, twice',
      (r) => (r.server === 'lfs' ? { status: 500 } : undefined),
      /the LFS server answered 500/,
    ],
  ])('falls back to MR304 on %s', async (_name, fault, reason) => {
    const checkout = folder()
    const objects = writeCheckout(checkout, { 'config.json': configJson(), ...single(tinyLlama()) })
    const fake = await server({ objects, fault })
    writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo` })
    const source = await lfsSource(checkout, fake)
    const [mr304] = (await findings(source)).filter((f) => f.ruleId === 'MR304')
    expect(mr304!.message).toMatch(reason)
    expect(source.lfs.bytes).toBeLessThanOrEqual(64 * 1024)
  })

  it('falls back to MR304 when the LFS server sends nothing, without waiting for it twice', async () => {
    const checkout = folder()
    const objects = writeCheckout(checkout, { 'config.json': configJson(), ...single(tinyLlama()) })
    const fake = await server({ objects, fault: () => ({ kind: 'hang' }) })
    writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo` })
    const source = await lfsSource(checkout, fake, { timeoutMs: 200 })
    const [mr304] = (await findings(source)).filter((f) => f.ruleId === 'MR304')
    expect(mr304!.message).toMatch(/the LFS server sent nothing for 0\.2 s/)
    expect(batches(fake)).toHaveLength(1)
  })

  it('falls back to MR304 when the LFS server cannot be reached', async () => {
    const closed = http.createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
    await new Promise<void>((r) => closed.close(() => r()))
    const checkout = folder()
    writeCheckout(checkout, { 'config.json': configJson(), ...single(tinyLlama()) }, { remote: `${url}/o/r` })
    const source = await lfsSource(checkout, undefined, { github: { url } })
    const [mr304] = (await findings(source)).filter((f) => f.ruleId === 'MR304')
    expect(mr304!.message).toMatch(/the LFS server could not be reached: the connection was refused/)
  })

  it('ignores .lfsconfig: a server it names sees no request, with or without a remote', async () => {
    const attacker = await server({ objects: new Map() })
    const lfsconfig = `[lfs]\n\turl = ${attacker.url}/evil/repo.git/info/lfs\n[remote "origin"]\n\tlfsurl = ${attacker.url}/evil\n`
    const withRemote = folder()
    const objects = writeCheckout(withRemote, { 'config.json': configJson(), ...single(tinyLlama()) })
    writeFileSync(path.join(withRemote, '.lfsconfig'), lfsconfig)
    const fake = await server({ objects, token: TOKEN })
    writeCheckout(withRemote, {}, { remote: `${fake.url}/owner/repo` })
    const read = await lfsSource(withRemote, fake, { github: { url: fake.url, token: TOKEN } })
    expect((await findings(read)).some((f) => f.ruleId === 'MR304')).toBe(false)

    const noGit = folder()
    writeCheckout(noGit, { 'config.json': configJson(), ...single(tinyLlama()) })
    writeFileSync(path.join(noGit, '.lfsconfig'), lfsconfig)
    const unread = await lfsSource(noGit, fake, { top: noGit, github: { url: attacker.url, token: TOKEN } })
    const [mr304] = (await findings(unread)).filter((f) => f.ruleId === 'MR304')
    expect(mr304!.message).toMatch(
      /the folder is not in a git checkout \(no \.git in it or the folders above it\)/,
    )
    expect(attacker.log).toHaveLength(0)
  })

  it("sends the token to the LFS server only: the download host gets the answer's headers, and no output holds the token", async () => {
    const checkout = folder()
    const objects = writeCheckout(checkout, { 'config.json': configJson(), ...single(tinyLlama()) })
    const missing = makeSafetensors({ x: { dtype: 'F32', shape: [1] } })
    writeFileSync(path.join(checkout, 'extra.safetensors'), lfsPointer(missing))
    const fake = await server({ objects, token: TOKEN, downloadHeaders: { 'X-Amz-Signed': 'sig-123' } })
    writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo` })
    const source = await lfsSource(checkout, fake)
    const found = await findings(source)
    expect(source.lfs.read).toEqual(['model.safetensors'])
    const [download] = downloads(fake)
    expect(download!.headers.authorization).toBeUndefined()
    expect(download!.headers['x-amz-signed']).toBe('sig-123')
    expect(download!.url).toMatch(/\?X-Signature=signed$/)
    const sent = JSON.stringify(downloads(fake).map((d) => d.headers))
    expect(sent).not.toContain(TOKEN)
    expect(sent).not.toContain(BASIC)
    const out = JSON.stringify({ found, lfs: source.lfs })
    expect(out).not.toContain(TOKEN)
    expect(out).not.toContain(BASIC)
  })

  it("never sends the token to a download link on the LFS server's own origin either", async () => {
    const checkout = folder()
    const objects = writeCheckout(checkout, { 'config.json': configJson(), ...single(tinyLlama()) })
    const fake = await server({ objects, token: TOKEN, sameOriginLinks: true })
    writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo` })
    const source = await lfsSource(checkout, fake)
    await findings(source)
    const get = fake.log.filter((r) => r.method === 'GET')
    expect(get).toHaveLength(1)
    expect(get[0]!.headers.authorization).toBeUndefined()
  })

  it('scrubs the token from what a server says back', async () => {
    const checkout = folder()
    const objects = writeCheckout(checkout, { 'config.json': configJson(), ...single(tinyLlama()) })
    const fake = await server({
      objects,
      fault: (r) =>
        r.server === 'lfs'
          ? { status: 400, body: JSON.stringify({ message: `bad token ${TOKEN} / ${BASIC}` }) }
          : undefined,
    })
    writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo` })
    const source = await lfsSource(checkout, fake)
    const [mr304] = (await findings(source)).filter((f) => f.ruleId === 'MR304')
    expect(mr304!.message).toContain('the LFS server answered 400: bad token *** / ***')
    expect(JSON.stringify(source.lfs)).not.toContain(TOKEN)
  })

  it('reads nothing from a remote that is neither the GitHub server nor the Hub, or not https', async () => {
    const fake = await server({ objects: new Map() })
    for (const [remote, reason] of [
      ['https://gitlab.example/owner/repo.git', /the checkout's remote is on gitlab\.example/],
      [`${fake.url}/owner/repo`, /the checkout's remote is on 127\.0\.0\.1:\d+/],
      ['/srv/git/repo.git', /not a URL an LFS server can be found from/],
    ] as const) {
      const checkout = folder()
      writeCheckout(checkout, { 'config.json': configJson(), ...single(tinyLlama()) }, { remote })
      const source = await lfsSource(checkout, undefined)
      const [mr304] = (await findings(source)).filter((f) => f.ruleId === 'MR304')
      expect(mr304!.message).toMatch(reason)
    }
    const plain = folder()
    writeCheckout(
      plain,
      { 'config.json': configJson(), ...single(tinyLlama()) },
      { remote: 'http://ghe.example/o/r' },
    )
    const source = await lfsSource(plain, undefined, { github: { url: 'http://ghe.example', token: TOKEN } })
    const [mr304] = (await findings(source)).filter((f) => f.ruleId === 'MR304')
    expect(mr304!.message).toMatch(/the checkout's remote is not https \(http:\), so no token is sent to it/)
    expect(fake.log).toHaveLength(0)
  })

  it('finds the config of a worktree through its .git file (gitdir, commondir)', async () => {
    const main = folder()
    const fake = await server({ objects: new Map(), token: TOKEN })
    writeCheckout(main, {}, { remote: `${fake.url}/owner/repo` })
    mkdirSync(path.join(main, '.git', 'worktrees', 'wt'), { recursive: true })
    writeFileSync(path.join(main, '.git', 'worktrees', 'wt', 'commondir'), '../..\n')
    const worktree = folder()
    writeFileSync(path.join(worktree, '.git'), `gitdir: ${path.join(main, '.git', 'worktrees', 'wt')}\n`)
    const objects = writeCheckout(path.join(worktree, 'models', 'm'), {
      'config.json': configJson(),
      ...single(tinyLlama()),
    })
    for (const [oid, file] of objects) fake.objects.set(oid, file)
    const source = await lfsSource(path.join(worktree, 'models', 'm'), fake)
    expect((await findings(source)).some((f) => f.ruleId === 'MR304')).toBe(false)
    expect(source.lfs.read).toEqual(['model.safetensors'])
  })

  it("reads with the Hub's token, as a Bearer, from a Hub remote", async () => {
    const checkout = folder()
    const objects = writeCheckout(checkout, { 'config.json': configJson(), ...single(tinyLlama()) })
    const fake = await server({ objects, token: 'hf_token123', auth: 'bearer' })
    writeCheckout(checkout, {}, { remote: `${fake.url}/org/model` })
    const source = await lfsSource(checkout, undefined, { hub: { url: fake.url, token: 'hf_token123' } })
    await findings(source)
    expect(source.lfs.read).toEqual(['model.safetensors'])
    expect(batches(fake)[0]!.headers.authorization).toBe('Bearer hf_token123')
  })

  it('keeps only the length prefix of a header past the budget, and reads it on demand with one more request', async () => {
    const checkout = folder()
    const file = makeSafetensors({ w: { dtype: 'F32', shape: [4] } })
    const objects = writeCheckout(checkout, { 'model.safetensors': file })
    const fake = await server({ objects })
    writeCheckout(checkout, {}, { remote: `${fake.url}/o/r` })
    const saved = LFS_LIMITS.headerBudget
    LFS_LIMITS.headerBudget = 16
    let source: LfsSource
    try {
      source = await lfsSource(checkout, fake)
      await source.list()
    } finally {
      LFS_LIMITS.headerBudget = saved
    }
    expect(downloads(fake)).toHaveLength(1)
    expect(await source.readRange('model.safetensors', 0, 8)).toEqual(new Uint8Array(file.subarray(0, 8)))
    expect(downloads(fake)).toHaveLength(1)
    const length = Number(file.readBigUInt64LE(0))
    expect(await source.readRange('model.safetensors', 8, 8 + length)).toEqual(
      new Uint8Array(file.subarray(8, 8 + length)),
    )
    expect(downloads(fake)).toHaveLength(2)
    expect(downloads(fake)[1]!.headers.range).toBe(`bytes=8-${8 + length - 1}`)
    // Data past the header is read only when asked for (no check does), one bounded request each.
    expect(await source.readRange('model.safetensors', 0, file.length)).toEqual(new Uint8Array(file))
    expect(downloads(fake)).toHaveLength(3)
  })

  it('bounds every header as the safetensors reader does', () => {
    expect(LFS_LIMITS.headerLength).toBe(MAX_HEADER_LENGTH)
    expect(LFS_LIMITS.headerBudget).toBe(HEADER_BUDGET)
  })
})

async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10))
}
