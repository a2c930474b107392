// Proves the fake hub faithful: the real @huggingface/hub 2.17.5 client and plain fetch are driven
// against it, and every answer is checked against the Hub's documented behaviour (hub-facts.md).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import {
  downloadFile,
  fileExists,
  HubApiError,
  listFiles,
  modelInfo,
  parseSafetensorsMetadata,
  pathsInfo,
} from '@huggingface/hub'
import { createHash } from 'node:crypto'
import http from 'node:http'
import {
  type Fault,
  type FakeHub,
  type FakeHubOptions,
  type RequestInfo,
  startFakeHub,
} from '../helpers/fake-hub.js'
import { makeSafetensors } from '../helpers/safetensors.js'
import { type HeaderTensor, shardTensors, sparseSafetensors } from '../helpers/sparse-safetensors.js'

const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex')
const sha256 = (s: Uint8Array) => createHash('sha256').update(s).digest('hex')
const gitBlob = (b: Buffer) => sha1(Buffer.concat([Buffer.from(`blob ${b.length}\0`), b]))
const pointerOf = (oid: string, size: number) =>
  `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`

const WEAK = 'hf_weak_valid_token'
const ALLOWED = 'hf_allowed_token'
const PR_SHA = 'a'.repeat(40)
const DEV_SHA = 'b'.repeat(40)
const TAG_SHA = 'c'.repeat(40)

const MODEL = makeSafetensors({
  'a.weight': { dtype: 'F32', shape: [2, 3] },
  'b.weight': { dtype: 'F16', shape: [3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) },
})
const CONFIG = JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama' })
const NOTES = 'n'.repeat(10_000)
const SINGLE_FILES = {
  '.gitattributes': '*.safetensors filter=lfs diff=lfs merge=lfs -text\n',
  'README.md': '# single\n',
  'config.json': CONFIG,
  'empty.txt': '',
  'model.safetensors': MODEL,
  'notes.txt': NOTES,
  'sub.txt': 'x',
  'sub/a.txt': 'hello\n',
  'sub/deep/b.json': '{}',
}
/** `git ls-tree -r -t` of SINGLE_FILES: bytewise, a folder compared as 'name/' ('sub.txt' < 'sub/'). */
const SINGLE_ORDER = [
  '.gitattributes',
  'README.md',
  'config.json',
  'empty.txt',
  'model.safetensors',
  'notes.txt',
  'sub.txt',
  'sub',
  'sub/a.txt',
  'sub/deep',
  'sub/deep/b.json',
]
// Computed with `git hash-object` (blobs) and `git hash-object -t tree` (trees) on the same content.
const GIT_IDS: Record<string, string> = {
  'empty.txt': 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391',
  'sub/a.txt': 'ce013625030ba8dba906f756967f9e9ca394464a',
  'sub/deep/b.json': '9e26dfeeb6e641a33dae4961196235bdb965b21b',
  'sub/deep': '863e6565ce1f1d5703092c1be5da6ea2738c67b7',
  sub: 'ea9bded9a0713b192a063bf2c4707daa6fbee25c',
}

const TENSORS: [string, HeaderTensor][] = [
  ['model.embed_tokens.weight', { dtype: 'BF16', shape: [1000, 256] }],
  ['model.layers.0.mlp.weight', { dtype: 'BF16', shape: [256, 256] }],
  ['model.layers.0.norm.weight', { dtype: 'F32', shape: [256] }],
  ['model.layers.1.mlp.weight', { dtype: 'BF16', shape: [256, 256] }],
  ['model.norm.weight', { dtype: 'F32', shape: [256] }],
  ['lm_head.weight', { dtype: 'BF16', shape: [1000, 256] }],
]
const SHARDED = shardTensors(TENSORS, 3)
const BIG = sparseSafetensors([['w', { dtype: 'U8', shape: [1_000_000_000] }]])

const REPOS: FakeHubOptions['repos'] = {
  'org/single': {
    files: SINGLE_FILES,
    branches: { 'refs/pr/1': PR_SHA, dev: DEV_SHA },
    tags: { 'v1.0': TAG_SHA },
  },
  'org/sharded': {
    files: {
      'config.json': CONFIG,
      'model.safetensors.index.json': JSON.stringify(SHARDED.index),
      ...Object.fromEntries(SHARDED.shards),
    },
  },
  'org/private': { private: true, allowTokens: [ALLOWED], files: { 'config.json': CONFIG } },
  'org/gated': { gated: 'manual', allowTokens: [ALLOWED], files: { 'config.json': CONFIG } },
  'org/chat': { kind: 'dataset', gated: 'auto', files: { 'train.jsonl': '{"messages": []}\n' } },
  'org/big': { files: { 'model.safetensors': BIG } },
}

const hubs: FakeHub[] = []
async function start(options: Partial<FakeHubOptions> = {}): Promise<FakeHub> {
  const h = await startFakeHub({ repos: REPOS, validTokens: [WEAK], ...options })
  hubs.push(h)
  return h
}

let hub: FakeHub
let faulty: FakeHub
let fault: ((r: RequestInfo) => Fault | undefined) | undefined
beforeAll(async () => {
  hub = await start()
  faulty = await start({ fault: (r) => fault?.(r) })
})
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.close()))
})

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('waitFor: timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Status, error headers and body of one request. */
async function probe(url: string, init: { token?: string; method?: string; range?: string } = {}) {
  const headers: Record<string, string> = {}
  if (init.token) headers.Authorization = `Bearer ${init.token}`
  if (init.range) headers.Range = init.range
  const res = await fetch(url, { method: init.method ?? 'GET', headers, redirect: 'manual' })
  const body = await res.text()
  return {
    status: res.status,
    code: res.headers.get('x-error-code'),
    message: res.headers.get('x-error-message'),
    type: res.headers.get('content-type'),
    headers: res.headers,
    body,
  }
}

/** A GET sent as is, without the URL normalisation fetch applies (dot segments). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      .on('error', reject)
  })
}

async function apiError(p: Promise<unknown>): Promise<HubApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(HubApiError)
  return err as HubApiError
}

describe('fake hub: metadata through @huggingface/hub', () => {
  it('modelInfo returns sha and gated, and info follows the expand rule', async () => {
    const info = await modelInfo({ name: 'org/gated', hubUrl: hub.url, additionalFields: ['sha'] })
    expect(info).toMatchObject({ name: 'org/gated', gated: 'manual', private: false, sha: sha1('org/gated') })
    expect(info.id).toMatch(/^[0-9a-f]{24}$/)
    const req = hub.log.find((r) => r.path === '/api/models/org/gated/revision/HEAD')!
    expect(req.url).toContain('?expand=pipeline_tag&expand=private&expand=gated')

    const pr = await modelInfo({
      name: 'org/single',
      hubUrl: hub.url,
      revision: 'refs/pr/1',
      additionalFields: ['sha'],
    })
    expect(pr.sha).toBe(PR_SHA)

    const full = (await (await fetch(`${hub.url}/api/models/org/single`)).json()) as Record<string, any>
    expect(full).toMatchObject({
      id: 'org/single',
      modelId: 'org/single',
      author: 'org',
      sha: sha1('org/single'),
      gated: false,
      private: false,
      config: { architectures: ['LlamaForCausalLM'], model_type: 'llama' },
      safetensors: { parameters: { F32: 6, F16: 3 }, total: 9 },
    })
    expect(full.siblings.map((s: { rfilename: string }) => s.rfilename)).toEqual(
      SINGLE_ORDER.filter((p) => p in SINGLE_FILES),
    )
    expect(full.siblings[0]).toEqual({ rfilename: '.gitattributes' })
    const blobs = (await (await fetch(`${hub.url}/api/models/org/single?blobs=true`)).json()) as Record<
      string,
      any
    >
    expect(blobs.siblings.find((s: any) => s.rfilename === 'model.safetensors')).toEqual({
      rfilename: 'model.safetensors',
      blobId: gitBlob(Buffer.from(pointerOf(sha256(MODEL), MODEL.length))),
      size: MODEL.length,
      lfs: { sha256: sha256(MODEL), size: MODEL.length, pointerSize: 125 + String(MODEL.length).length },
    })
    const picked = await (await fetch(`${hub.url}/api/models/org/single?expand[]=likes&expand[]=sha`)).json()
    expect(Object.keys(picked as object).sort()).toEqual(['_id', 'id', 'likes', 'sha'])
    const none = await (await fetch(`${hub.url}/api/models/org/single?expand=`)).json()
    expect(Object.keys(none as object).sort()).toEqual(['_id', 'id'])
    const dataset = (await (await fetch(`${hub.url}/api/datasets/org/chat`)).json()) as Record<
      string,
      unknown
    >
    expect(dataset).toMatchObject({ id: 'org/chat', gated: 'auto' })
    for (const k of ['modelId', 'config', 'safetensors', 'library_name'])
      expect(dataset).not.toHaveProperty(k)
  })

  it('listFiles pages through the tree with absolute Link cursors, in git ls-tree -r -t order', async () => {
    const paged = await start({ pageSize: 2 })
    const entries = []
    for await (const e of listFiles({ repo: 'org/single', recursive: true, hubUrl: paged.url }))
      entries.push(e)
    expect(entries.map((e) => e.path)).toEqual(SINGLE_ORDER)
    const byPath = Object.fromEntries(entries.map((e) => [e.path, e]))
    for (const [p, oid] of Object.entries(GIT_IDS)) expect(byPath[p].oid).toBe(oid)
    expect(byPath.sub).toEqual({ type: 'directory', oid: GIT_IDS.sub, size: 0, path: 'sub' })
    expect(byPath['model.safetensors']).toEqual({
      type: 'file',
      oid: gitBlob(Buffer.from(pointerOf(sha256(MODEL), MODEL.length))),
      size: MODEL.length,
      lfs: { oid: sha256(MODEL), size: MODEL.length, pointerSize: 125 + String(MODEL.length).length },
      path: 'model.safetensors',
    })
    expect(byPath['config.json']).toEqual({
      type: 'file',
      oid: gitBlob(Buffer.from(CONFIG)),
      size: CONFIG.length,
      path: 'config.json',
    })

    const trees = paged.log.filter((r) => r.path === '/api/models/org/single/tree/main')
    expect(trees).toHaveLength(Math.ceil(SINGLE_ORDER.length / 2))
    expect(trees[0].url).not.toContain('cursor=')
    for (const r of trees.slice(1)) expect(r.url).toMatch(/[?&]cursor=[^&]+/)
    expect(trees.every((r) => r.headers.accept === 'application/json')).toBe(true)

    const first = await fetch(`${paged.url}/api/models/org/single/tree/main?recursive=true`)
    expect(first.headers.get('link')).toMatch(
      new RegExp(
        `^<${paged.url}/api/models/org/single/tree/main\\?recursive=true&cursor=[^>]+>; rel="next"$`,
      ),
    )
    const three = await (
      await fetch(`${paged.url}/api/models/org/single/tree/main?recursive=true&limit=3`)
    ).json()
    expect(three).toHaveLength(3)
    const sub = await (await fetch(`${hub.url}/api/models/org/single/tree/main/sub?expand=true`)).json()
    expect((sub as any[]).map((e) => e.path)).toEqual(['sub/a.txt', 'sub/deep'])
    expect((sub as any[])[0].lastCommit).toMatchObject({ id: sha1('org/single') })
    expect(await probe(`${hub.url}/api/models/org/single/tree/main/sub.txt`)).toMatchObject({
      status: 404,
      code: 'EntryNotFound',
    })
    expect((await probe(`${hub.url}/api/models/org/single/tree/main?cursor=bogus`)).status).toBe(400)
    expect((await probe(`${hub.url}/api/models/org/single/tree/main?limit=abc`)).status).toBe(400)
    expect((await probe(`${hub.url}/api/models/org/single/tree/main?limit=0`)).status).toBe(400)

    const info = await pathsInfo({
      repo: 'org/single',
      paths: ['sub', 'config.json', 'nope'],
      hubUrl: hub.url,
    })
    expect(info.map((e) => [e.type, e.path])).toEqual([
      ['directory', 'sub'],
      ['file', 'config.json'],
    ])
  })
})

describe('fake hub: file reads through @huggingface/hub', () => {
  it('downloadFile gives a blob whose slices are range reads through the CDN', async () => {
    const blob = await downloadFile({ repo: 'org/single', path: 'model.safetensors', hubUrl: hub.url })
    expect(blob!.size).toBe(MODEL.length)
    expect(Buffer.from(await blob!.slice(0, 8).arrayBuffer())).toEqual(MODEL.subarray(0, 8))
    const n = Number(MODEL.readBigUInt64LE(0))
    expect(await blob!.slice(8, 8 + n).text()).toBe(MODEL.subarray(8, 8 + n).toString())
    const cdnReads = hub.log.filter((r) => r.host === 'cdn').map((r) => [r.headers.range, r.status])
    expect(cdnReads).toEqual(
      expect.arrayContaining([
        ['bytes=0-0', 206],
        ['bytes=0-7', 206],
        [`bytes=8-${7 + n}`, 206],
      ]),
    )
    expect(await downloadFile({ repo: 'org/single', path: 'missing.bin', hubUrl: hub.url })).toBeNull()
    const whole = await downloadFile({ repo: 'org/single', path: 'sub/a.txt', hubUrl: hub.url })
    expect(await whole!.text()).toBe('hello\n')
  })

  it('parseSafetensorsMetadata reads a 3-shard model: the headers that were built', async () => {
    const meta = await parseSafetensorsMetadata({
      repo: 'org/sharded',
      hubUrl: hub.url,
      computeParametersCount: true,
    })
    expect(meta.sharded).toBe(true)
    if (!meta.sharded) return
    const built = Object.fromEntries(
      [...SHARDED.shards].map(([name, s]) => [name, JSON.parse(s.header.subarray(8).toString('utf8'))]),
    )
    expect(Object.keys(built)).toHaveLength(3)
    expect(meta.headers).toEqual(built)
    expect(meta.index.weight_map).toEqual(SHARDED.index!.weight_map)
    expect(meta.parameterCount).toEqual({ BF16: 2 * 256_000 + 2 * 65_536, F32: 512 })
    const heads = hub.log.filter((r) => r.method === 'HEAD' && r.path.startsWith('/org/sharded/raw/'))
    expect(heads.map((r) => [r.path, r.status])).toEqual([
      ['/org/sharded/raw/main/model.safetensors', 404],
      ['/org/sharded/raw/main/model.safetensors.index.json', 200],
    ])
    const info = (await (await fetch(`${hub.url}/api/models/org/sharded`)).json()) as Record<string, any>
    expect(info.safetensors).toEqual({
      parameters: meta.parameterCount,
      total: 2 * 256_000 + 2 * 65_536 + 512,
    })
  })

  it('raw of an LFS file answers its pointer; resolve of a non-LFS file is never redirected by default', async () => {
    const raw = await probe(`${hub.url}/org/single/raw/main/model.safetensors`)
    const pointer = pointerOf(sha256(MODEL), MODEL.length)
    expect(raw).toMatchObject({ status: 200, body: pointer })
    expect(raw.headers.get('etag')).toBe(`"${gitBlob(Buffer.from(pointer))}"`)
    expect(raw.body.length).toBe(125 + String(MODEL.length).length)
    expect(await fileExists({ repo: 'org/single', path: 'model.safetensors', hubUrl: hub.url })).toBe(true)
    expect(await fileExists({ repo: 'org/single', path: 'nope.safetensors', hubUrl: hub.url })).toBe(false)
    const cfg = await probe(`${hub.url}/org/single/resolve/main/config.json`)
    expect(cfg).toMatchObject({ status: 200, body: CONFIG })
    expect(cfg.headers.get('etag')).toBe(`"${gitBlob(Buffer.from(CONFIG))}"`)
    expect(cfg.headers.get('x-linked-size')).toBe(String(CONFIG.length))
    expect(cfg.headers.get('x-repo-commit')).toBe(sha1('org/single'))
    expect(cfg.headers.get('accept-ranges')).toBe('bytes')
    expect(cfg.headers.get('x-request-id')).toMatch(/^Root=1-/)
    expect(cfg.headers.get('ratelimit')).toMatch(/^"resolvers";r=\d+;t=\d+$/)
  })
})

describe('fake hub: redirects', () => {
  it('an LFS resolve is a 302 to the CDN: fetch drops Authorization there and keeps Range', async () => {
    const url = `${hub.url}/org/single/resolve/main/model.safetensors`
    const manual = await probe(url, { token: WEAK })
    expect(manual.status).toBe(302)
    const location = manual.headers.get('location')!
    expect(location.startsWith(`${hub.cdnUrl}/repos/`)).toBe(true)
    expect(new URL(location).origin).not.toBe(new URL(hub.url).origin)
    expect(location).toMatch(/[?&]Signature=[0-9a-f]+/)
    expect(manual.headers.get('x-linked-size')).toBe(String(MODEL.length))
    expect(manual.headers.get('x-linked-etag')).toBe(`"${sha256(MODEL)}"`)

    const res = await fetch(url, { headers: { Authorization: `Bearer ${WEAK}`, Range: 'bytes=0-7' } })
    expect(res.status).toBe(206)
    expect(res.url.startsWith(hub.cdnUrl)).toBe(true)
    expect(res.headers.get('content-range')).toBe(`bytes 0-7/${MODEL.length}`)
    expect(Buffer.from(await res.arrayBuffer())).toEqual(MODEL.subarray(0, 8))
    const [hop1, hop2] = hub.log.slice(-2)
    expect(hop1).toMatchObject({ host: 'hub', status: 302 })
    expect(hop1.headers.authorization).toBe(`Bearer ${WEAK}`)
    expect(hop2).toMatchObject({ host: 'cdn', status: 206, bytesSent: 8 })
    expect(hop2.headers.authorization).toBeUndefined()
    expect(hop2.headers.range).toBe('bytes=0-7')

    const tampered = await probe(location.replace(/Signature=[0-9a-f]/, 'Signature=x'))
    expect(tampered.status).toBe(403)
    expect(tampered.body).toContain('<Code>AccessDenied</Code>')
  })

  it('with nonLfsRedirect, a non-LFS resolve is a relative 307 to resolve-cache that keeps Authorization', async () => {
    const redirecting = await start({ nonLfsRedirect: true })
    const sha = sha1('org/private')
    const manual = await probe(`${redirecting.url}/org/private/resolve/main/config.json`, { token: ALLOWED })
    expect(manual.status).toBe(307)
    expect(manual.headers.get('location')).toBe(`/api/resolve-cache/models/org/private/${sha}/config.json`)
    const res = await fetch(`${redirecting.url}/org/private/resolve/main/config.json`, {
      headers: { Authorization: `Bearer ${ALLOWED}` },
    })
    expect(await res.text()).toBe(CONFIG)
    const cached = redirecting.log.at(-1)!
    expect(cached).toMatchObject({
      path: `/api/resolve-cache/models/org/private/${sha}/config.json`,
      status: 200,
    })
    expect(cached.headers.authorization).toBe(`Bearer ${ALLOWED}`)
  })
})

describe('fake hub: access control and errors', () => {
  const wwwAuth = 'Bearer realm="Authentication required", charset="UTF-8"'

  it('anonymous reads of private or missing repos are 401 without X-Error-Code', async () => {
    for (const url of [`${hub.url}/api/models/org/private`, `${hub.url}/api/models/org/nope`]) {
      const r = await probe(url)
      expect(r).toMatchObject({ status: 401, code: null, message: 'Invalid username or password.' })
      expect(JSON.parse(r.body)).toEqual({ error: 'Invalid username or password.' })
      expect(r.headers.get('www-authenticate')).toBe(wwwAuth)
    }
    const file = await probe(`${hub.url}/org/private/resolve/main/config.json`)
    expect(file).toMatchObject({ status: 401, code: null, body: 'Invalid username or password.' })
    expect(file.type).toMatch(/^text\/plain/)
    expect(file.headers.get('content-length')).toBe('29')
    expect((await apiError(modelInfo({ name: 'org/private', hubUrl: hub.url }))).statusCode).toBe(401)
  })

  it('a valid token without access gets 404 RepoNotFound; a granted token reads', async () => {
    for (const url of [
      `${hub.url}/api/models/org/private`,
      `${hub.url}/org/private/resolve/main/config.json`,
      `${hub.url}/org/nope/resolve/main/config.json`,
      `${hub.url}/api/datasets/org/single`,
    ]) {
      expect(await probe(url, { token: WEAK })).toMatchObject({
        status: 404,
        code: 'RepoNotFound',
        message: 'Repository not found',
      })
    }
    expect((await probe(`${hub.url}/org/private/resolve/main/config.json`, { token: ALLOWED })).status).toBe(
      200,
    )
    const info = await modelInfo({ name: 'org/private', hubUrl: hub.url, accessToken: ALLOWED })
    expect(info.private).toBe(true)
  })

  it('gated repos: metadata is public, file reads are 401 / 403 GatedRepo, checked before the revision', async () => {
    expect((await probe(`${hub.url}/api/models/org/gated/tree/main`)).status).toBe(200)
    const anon = await probe(`${hub.url}/org/gated/resolve/main/config.json`)
    expect(anon).toMatchObject({
      status: 401,
      code: 'GatedRepo',
      body: 'Access to model org/gated is restricted. You must have access to it and be authenticated to access it. Please log in.',
    })
    const weak = await probe(`${hub.url}/org/gated/raw/main/config.json`, { token: WEAK })
    expect(weak).toMatchObject({
      status: 403,
      code: 'GatedRepo',
      body: `Access to model org/gated is restricted and you are not in the authorized list. Visit ${hub.url}/org/gated to ask for access.`,
    })
    expect((await probe(`${hub.url}/org/gated/resolve/nope/config.json`)).status).toBe(401)
    expect((await probe(`${hub.url}/org/gated/resolve/main/config.json`, { token: ALLOWED })).body).toBe(
      CONFIG,
    )
    const ds = await probe(`${hub.url}/datasets/org/chat/resolve/main/train.jsonl`, { token: WEAK })
    expect(ds).toMatchObject({ status: 403, code: 'GatedRepo' })
    expect(ds.body).toContain(`Access to dataset org/chat is restricted`)
    expect(ds.body).toContain(`Visit ${hub.url}/datasets/org/chat to ask for access.`)
    const err = await apiError(
      downloadFile({ repo: 'org/gated', path: 'config.json', hubUrl: hub.url, accessToken: WEAK }),
    )
    expect(err.statusCode).toBe(403)
  })

  it('an unknown token is 401 on every endpoint, public repos too', async () => {
    for (const url of [
      `${hub.url}/api/models/org/single`,
      `${hub.url}/org/single/resolve/main/config.json`,
      `${hub.url}/api/models/org/single/tree/main`,
      `${hub.url}/api/whoami-v2`,
    ]) {
      expect(await probe(url, { token: 'hf_stale' })).toMatchObject({
        status: 401,
        code: null,
        message: 'Invalid credentials in Authorization header',
      })
    }
    const err = await apiError(modelInfo({ name: 'org/single', hubUrl: hub.url, accessToken: 'hf_stale' }))
    expect(err.message).toContain('Invalid credentials in Authorization header')
    const me = (await (
      await fetch(`${hub.url}/api/whoami-v2`, { headers: { Authorization: `Bearer ${WEAK}` } })
    ).json()) as any
    expect(me).toMatchObject({ type: 'user', auth: { type: 'access_token' } })
  })

  it('a bad revision is 404 RevisionNotFound; a missing file is 404 EntryNotFound with X-Repo-Commit', async () => {
    for (const url of [
      `${hub.url}/org/single/resolve/nope/config.json`,
      `${hub.url}/api/models/org/single/revision/nope`,
      `${hub.url}/api/models/org/single/tree/nope`,
    ]) {
      expect(await probe(url)).toMatchObject({
        status: 404,
        code: 'RevisionNotFound',
        message: 'Invalid rev id: nope',
      })
    }
    const missing = await probe(`${hub.url}/org/single/resolve/main/nope.json`)
    expect(missing).toMatchObject({ status: 404, code: 'EntryNotFound', body: 'Entry not found' })
    expect(missing.headers.get('x-repo-commit')).toBe(sha1('org/single'))
    const onPr = await probe(`${hub.url}/org/single/resolve/refs%2Fpr%2F1/nope.json`)
    expect(onPr.headers.get('x-repo-commit')).toBe(PR_SHA)
  })

  it('dot segments, .git, and URLs starting with // are 404', async () => {
    expect((await rawGet(hub.url, '/org/single/resolve/main/sub/../config.json')).status).toBe(404)
    expect((await rawGet(hub.url, '/org/single/resolve/main/./config.json')).status).toBe(404)
    expect((await rawGet(hub.url, '/org/single/resolve/main/.git/config')).status).toBe(404)
    expect((await rawGet(hub.url, '/org/single/resolve/main/config.json')).status).toBe(200)
    const slashes = await rawGet(hub.url, '//api/models/org/single')
    expect(slashes).toEqual({ status: 404, body: '{"error":"Not Found"}' })
    expect((await apiError(modelInfo({ name: 'org/single', hubUrl: `${hub.url}/` }))).statusCode).toBe(404)
  })
})

describe('fake hub: revisions', () => {
  it('refs/pr/1, branches, tags and full shas resolve when encoded; listFiles does not encode', async () => {
    const pr = await probe(`${hub.url}/org/single/resolve/refs%2Fpr%2F1/config.json`)
    expect(pr).toMatchObject({ status: 200, body: CONFIG })
    expect(pr.headers.get('x-repo-commit')).toBe(PR_SHA)
    for (const [rev, sha] of [
      ['dev', DEV_SHA],
      ['v1.0', TAG_SHA],
      [DEV_SHA, DEV_SHA],
      ['main', sha1('org/single')],
    ]) {
      expect((await probe(`${hub.url}/org/single/raw/${rev}/config.json`)).headers.get('x-repo-commit')).toBe(
        sha,
      )
    }
    const info = (await (
      await fetch(`${hub.url}/api/models/org/single/revision/refs%2Fpr%2F1`)
    ).json()) as any
    expect(info.sha).toBe(PR_SHA)
    const unencoded = await probe(`${hub.url}/org/single/resolve/refs/pr/1/config.json`)
    expect(unencoded).toMatchObject({
      status: 404,
      code: 'RevisionNotFound',
      message: 'Invalid rev id: refs',
    })
    const err = await apiError(
      (async () => {
        for await (const _ of listFiles({ repo: 'org/single', revision: 'refs/pr/1', hubUrl: hub.url }))
          void _
      })(),
    )
    expect(err.statusCode).toBe(404)
    expect(err.message).toContain('Invalid rev id: refs')
    const refs = (await (await fetch(`${hub.url}/api/models/org/single/refs?include_prs=1`)).json()) as any
    expect(refs).toEqual({
      branches: [
        { name: 'main', ref: 'refs/heads/main', targetCommit: sha1('org/single') },
        { name: 'dev', ref: 'refs/heads/dev', targetCommit: DEV_SHA },
      ],
      tags: [{ name: 'v1.0', ref: 'refs/tags/v1.0', targetCommit: TAG_SHA }],
      converts: [],
      pullRequests: [{ name: '1', ref: 'refs/pr/1', targetCommit: PR_SHA }],
    })
  })
})

describe('fake hub: ranges', () => {
  it('one range is a 206; past the end (or any range of an empty file) is 416; other Range headers are ignored', async () => {
    const url = `${hub.url}/org/single/resolve/main/config.json`
    const size = CONFIG.length
    const past = await probe(url, { range: `bytes=${size}-` })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`)
    const empty = await probe(`${hub.url}/org/single/resolve/main/empty.txt`, { range: 'bytes=0-0' })
    expect(empty.status).toBe(416)
    expect(empty.headers.get('content-range')).toBe('bytes */0')
    const suffix = await probe(url, { range: 'bytes=-5' })
    expect(suffix).toMatchObject({ status: 206, body: CONFIG.slice(-5) })
    expect(suffix.headers.get('content-range')).toBe(`bytes ${size - 5}-${size - 1}/${size}`)
    const open = await probe(url, { range: 'bytes=3-' })
    expect(open).toMatchObject({ status: 206, body: CONFIG.slice(3) })
    const clipped = await probe(url, { range: `bytes=2-${size + 100}` })
    expect(clipped).toMatchObject({ status: 206, body: CONFIG.slice(2) })
    for (const range of ['bytes=0-1,3-4', 'bytes=abc', 'bytes=5-2', 'items=0-1']) {
      expect(await probe(url, { range })).toMatchObject({ status: 200, body: CONFIG })
    }
    const head = await probe(url, { method: 'HEAD', range: 'bytes=0-9' })
    expect(head).toMatchObject({ status: 206, body: '' })
    expect(head.headers.get('content-length')).toBe('10')
  })

  it('a 1 GB sparse file reads as its header then zeros, and sends only the ranges asked for', async () => {
    const logged = hub.log.length
    const blob = await downloadFile({ repo: 'org/big', path: 'model.safetensors', hubUrl: hub.url })
    expect(blob!.size).toBe(BIG.size)
    expect(BIG.size).toBeGreaterThan(1e9)
    const start = Buffer.from(await blob!.slice(0, BIG.header.length + 64).arrayBuffer())
    expect(start.subarray(0, BIG.header.length)).toEqual(BIG.header)
    expect(start.subarray(BIG.header.length)).toEqual(Buffer.alloc(64))
    const tail = Buffer.from(await blob!.slice(BIG.size - 100_000, BIG.size).arrayBuffer())
    expect(tail).toEqual(Buffer.alloc(100_000))
    const [entry] = (await (await fetch(`${hub.url}/api/models/org/big/tree/main`)).json()) as any[]
    expect(entry.lfs).toEqual({
      oid: expect.stringMatching(/^[0-9a-f]{64}$/),
      size: BIG.size,
      pointerSize: 135,
    })
    // Counted, not timed: nothing of the gigabyte is produced but the ranges asked for (and the
    // one-byte probe downloadFile sends to learn the size).
    const cdn = hub.log.slice(logged).filter((r) => r.host === 'cdn')
    expect(cdn.every((r) => r.status === 206)).toBe(true)
    expect(cdn.reduce((a, r) => a + r.bytesSent, 0)).toBe(1 + BIG.header.length + 64 + 100_000)
  })
})

describe('fake hub: faults', () => {
  const configUrl = () => `${faulty.url}/org/single/resolve/main/config.json`

  it('hang: the request is accepted and never answered', async () => {
    fault = (r) => (r.path === '/org/single/resolve/main/config.json' ? { kind: 'hang' } : undefined)
    const err = await fetch(configUrl(), { signal: AbortSignal.timeout(150) }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toMatchObject({ name: 'TimeoutError' })
    const entry = faulty.log.at(-1)!
    expect(entry).toMatchObject({ status: 0, bytesSent: 0 })
    await waitFor(() => entry.aborted)
  })

  it('reset: headers and afterBytes body bytes, then the socket is destroyed', async () => {
    fault = (r) => (r.path.endsWith('/notes.txt') ? { kind: 'reset', afterBytes: 100 } : undefined)
    const res = await fetch(`${faulty.url}/org/single/resolve/main/notes.txt`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe(String(NOTES.length))
    await expect(res.text()).rejects.toThrow()
    expect(faulty.log.at(-1)).toMatchObject({ status: 200, bytesSent: 100, aborted: false })
  })

  it('ignore-range: a 200 with the whole file, streamed so that a client that cancels stops it', async () => {
    fault = (r) => (r.host === 'cdn' ? { kind: 'ignore-range' } : undefined)
    const res = await fetch(`${faulty.url}/org/big/resolve/main/model.safetensors`, {
      headers: { Range: 'bytes=0-99' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-range')).toBeNull()
    expect(res.headers.get('content-length')).toBe(String(BIG.size))
    const reader = res.body!.getReader()
    const { value } = await reader.read()
    expect(Buffer.from(value!.subarray(0, 8))).toEqual(BIG.header.subarray(0, 8))
    await reader.cancel()
    const entry = faulty.log.at(-1)!
    expect(entry.host).toBe('cdn')
    await waitFor(() => entry.aborted)
    const sent = entry.bytesSent
    await new Promise((r) => setTimeout(r, 50))
    expect(entry.bytesSent).toBe(sent)
    expect(sent).toBeLessThan(64 * 2 ** 20)
  })

  it('html: a 200 text/html page instead of the answer', async () => {
    fault = (r) => (r.path.startsWith('/api/') ? { kind: 'html' } : undefined)
    const r = await probe(`${faulty.url}/api/models/org/single`)
    expect(r.status).toBe(200)
    expect(r.type).toMatch(/^text\/html/)
    expect(r.body.startsWith('<!doctype html>')).toBe(true)
    await expect(modelInfo({ name: 'org/single', hubUrl: faulty.url })).rejects.toMatchObject({
      name: 'SyntaxError',
    })
  })

  it('content-range-total: a 206 whose Content-Range lies about the total', async () => {
    fault = (r) =>
      r.path.endsWith('/config.json') ? { kind: 'content-range-total', total: 12345 } : undefined
    const r = await probe(configUrl(), { range: 'bytes=0-0' })
    expect(r).toMatchObject({ status: 206, body: CONFIG[0] })
    expect(r.headers.get('content-range')).toBe('bytes 0-0/12345')
    const blob = await downloadFile({ repo: 'org/single', path: 'config.json', hubUrl: faulty.url })
    expect(blob!.size).toBe(12345)
  })

  it('status: a 503 with Retry-After on the first attempt, then the real answer', async () => {
    fault = (r) =>
      r.attempt === 1 && r.path.startsWith('/api/models/') ? { status: 503, retryAfter: '1' } : undefined
    const url = `${faulty.url}/api/models/org/gated/revision/main`
    const first = await probe(url)
    expect(first.status).toBe(503)
    expect(first.headers.get('retry-after')).toBe('1')
    const second = await probe(url)
    expect(second.status).toBe(200)
    expect(JSON.parse(second.body)).toMatchObject({ id: 'org/gated' })
    expect(faulty.log.slice(-2).map((e) => [e.attempt, e.status])).toEqual([
      [1, 503],
      [2, 200],
    ])
    const err = await apiError(modelInfo({ name: 'org/sharded', hubUrl: faulty.url }))
    expect(err.statusCode).toBe(503)
    expect((await modelInfo({ name: 'org/sharded', hubUrl: faulty.url })).name).toBe('org/sharded')
  })

  it('endless-json: `[` then spaces with no end, produced only as fast as the client reads', async () => {
    fault = (r) => (r.path === '/api/models/org/single' ? { kind: 'endless-json' } : undefined)
    const res = await fetch(`${faulty.url}/api/models/org/single`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('content-length')).toBeNull()
    const reader = res.body!.getReader()
    let read = 0
    let first = ''
    while (read < 4 * 2 ** 20) {
      const { value } = await reader.read()
      if (!first) first = Buffer.from(value!.subarray(0, 4)).toString()
      read += value!.length
    }
    expect(first).toBe('[   ')
    await reader.cancel()
    const entry = faulty.log.at(-1)!
    await waitFor(() => entry.aborted)
    const sent = entry.bytesSent
    await new Promise((r) => setTimeout(r, 50))
    expect(entry.bytesSent).toBe(sent)
    // Backpressure: what was sent is what was read plus the socket's buffers, not an endless loop's worth.
    expect(sent).toBeLessThan(read + 64 * 2 ** 20)
  })

  it('endless-json with a status: an error answer whose body never ends', async () => {
    fault = (r) => (r.path === '/api/models/org/single' ? { kind: 'endless-json', status: 500 } : undefined)
    const res = await fetch(`${faulty.url}/api/models/org/single`)
    expect(res.status).toBe(500)
    const reader = res.body!.getReader()
    const { value } = await reader.read()
    expect(Buffer.from(value as Uint8Array).toString()[0]).toBe('[')
    await reader.cancel()
  })

  it('gzip-bomb: a valid gzip member (its CRC checked by the runtime) that inflates to the size asked', async () => {
    fault = (r) =>
      r.path === '/api/models/org/single' ? { kind: 'gzip-bomb', bytes: 3 * 2 ** 20 + 5 } : undefined
    const small = await fetch(`${faulty.url}/api/models/org/single`)
    expect(small.headers.get('content-encoding')).toBe('gzip')
    const body = Buffer.from(await small.arrayBuffer())
    expect(body.length).toBe(3 * 2 ** 20 + 5)
    expect(body[0]).toBe(0x5b)
    expect(body.subarray(1).every((b) => b === 0x20)).toBe(true)
    // About 1/1000 on the wire.
    expect(faulty.log.at(-1)!.bytesSent).toBeLessThan(body.length / 500)
    expect(faulty.log.at(-1)!.bytesSent).toBeGreaterThan(1000)

    fault = (r) => (r.path === '/api/models/org/single' ? { kind: 'gzip-bomb' } : undefined)
    const bomb = await fetch(`${faulty.url}/api/models/org/single`)
    const reader = bomb.body!.getReader()
    let inflated = 0
    while (inflated < 8 * 2 ** 20) inflated += (await reader.read()).value!.length
    await reader.cancel()
    const entry = faulty.log.at(-1)!
    await waitFor(() => entry.aborted)
    // 64 GiB inflated are ~66 MB compressed; what went out is what was read (~8 KB) plus the socket's
    // buffers, a small part of it.
    expect(entry.bytesSent).toBeLessThan(16 * 2 ** 20)
  })

  it('gzip: the real answer compressed, a 206 keeping its Content-Range', async () => {
    fault = (r) => (r.path.endsWith('/notes.txt') ? { kind: 'gzip' } : undefined)
    const res = await fetch(`${faulty.url}/org/single/resolve/main/notes.txt`, {
      headers: { Range: 'bytes=10-1009', 'Accept-Encoding': 'identity' },
    })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('content-range')).toBe(`bytes 10-1009/${NOTES.length}`)
    // The runtime inflates it whatever was asked for.
    expect(await res.text()).toBe(NOTES.slice(10, 1010))
    expect(faulty.log.at(-1)!.bytesSent).toBeLessThan(1000)
  })

  it('endless-pages: each page links the next on the same server, forever', async () => {
    fault = (r) => (r.path.includes('/tree/') ? { kind: 'endless-pages', perPage: 2 } : undefined)
    const seen: string[] = []
    let url: string | undefined = `${faulty.url}/api/models/org/single/tree/main?recursive=true`
    for (let i = 0; i < 5 && url; i++) {
      const res: Response = await fetch(url)
      seen.push(...((await res.json()) as { path: string }[]).map((e) => e.path))
      url = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1]
    }
    expect(url).toBe(`${faulty.url}/api/models/org/single/tree/main?recursive=true&cursor=5`)
    expect(seen).toHaveLength(10)
    expect(seen.slice(0, 3)).toEqual(['pages/0/0.txt', 'pages/0/1.txt', 'pages/1/0.txt'])
    fault = (r) => (r.path.includes('/tree/') ? { kind: 'endless-pages', perPage: 0 } : undefined)
    const empty = await fetch(`${faulty.url}/api/models/org/single/tree/main?cursor=7`)
    expect(await empty.json()).toEqual([])
    expect(empty.headers.get('link')).toContain('cursor=8')
  })

  it('drip: the head at once, then the body one byte at a time, one timer of everyMs per byte', async () => {
    fault = (r) => (r.path.endsWith('/config.json') ? { kind: 'drip', everyMs: 3 } : undefined)
    // Counted, not timed: one 3 ms timer per byte of the body.
    const timers = jest.spyOn(globalThis, 'setTimeout')
    try {
      const res = await fetch(configUrl())
      expect(res.status).toBe(200)
      expect(res.headers.get('content-length')).toBe(String(CONFIG.length))
      expect(await res.text()).toBe(CONFIG)
      expect(timers.mock.calls.filter(([, ms]) => ms === 3)).toHaveLength(CONFIG.length)
    } finally {
      timers.mockRestore()
    }
    expect(faulty.log.at(-1)!.bytesSent).toBe(CONFIG.length)
  })

  it('latencyMs delays every answer, on both hosts', async () => {
    const slow = await start({ latencyMs: 80 })
    // Counted, not timed: one 80 ms timer per answer, before it is sent.
    const timers = jest.spyOn(globalThis, 'setTimeout')
    try {
      const res = await fetch(`${slow.url}/org/single/resolve/main/model.safetensors`, {
        headers: { Range: 'bytes=0-0' },
      })
      expect(res.status).toBe(206)
      await res.arrayBuffer()
      expect(timers.mock.calls.filter(([, ms]) => ms === 80)).toHaveLength(2)
    } finally {
      timers.mockRestore()
    }
    expect(slow.log.map((e) => e.host)).toEqual(['hub', 'cdn'])
  })

  it('counts the connections each host accepted, and when each request arrived, was answered and ended', async () => {
    const h = await start()
    for (let i = 0; i < 6; i++) await (await fetch(`${h.url}/org/single/raw/main/config.json`)).text()
    // Six requests in turn on kept-alive connections: fetch opens a second when the next request
    // leaves before the first connection is back in its pool, then takes turns.
    expect(h.connections.hub).toBeLessThanOrEqual(2)
    expect(h.connections.cdn).toBe(0)
    for (const { at } of h.log) {
      expect(at.received).toBeGreaterThan(0)
      expect(at.answered).toBeGreaterThanOrEqual(at.received)
      expect(at.ended).toBeGreaterThanOrEqual(at.answered)
    }
    expect(h.log[1]!.at.received).toBeGreaterThanOrEqual(h.log[0]!.at.ended)
  })
})
