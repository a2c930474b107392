// A wrong or hostile server at hub-url (the workflow's choice) cannot hold the run or its memory: each
// attack of the fake hub's faults ends in one clear SourceError, and each bound is a count: body bytes
// the client received (after decompression), pages and requests made. Wall time appears only as the
// small deadlines a test sets and jest's does-not-hang timeout.
import { afterEach, describe, expect, it } from '@jest/globals'
import { pathsInfo, whoAmI } from '@huggingface/hub'
import { SourceError } from '../../src/common/errors.js'
import { HUB_LIMITS, HubResponseError, hubHttp, type HubHttpOptions } from '../../src/sources/hub-http.js'
import { LISTING_PAGES, openHubSource } from '../../src/sources/hub.js'
import { modelInfo } from '../../src/sources/hub-lib.js'
import { startFakeHub, type FakeHub, type FakeHubOptions, type FakeRepo } from '../helpers/fake-hub.js'
import { sparseSafetensors } from '../helpers/sparse-safetensors.js'

const fast: Partial<HubHttpOptions> = { backoffMs: 5, timeoutMs: 2000, budgetMs: 5000 }
const MiB = 2 ** 20
/** The most one read of a response body gives: undici reads the socket 64 KiB at a time, zlib less. */
const CHUNK = 64 * 1024
const CAP = HUB_LIMITS.jsonBytes

const CONFIG = JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama' }, null, 2)
const BIG = sparseSafetensors([['w', { dtype: 'U8', shape: [20_000_000] }]])
const NOTES = 'n'.repeat(40)
const repos = (): Record<string, FakeRepo> => ({
  'org/m': { files: { 'config.json': CONFIG, 'notes.txt': NOTES, 'model.safetensors': BIG } },
})

let hubs: FakeHub[] = []
async function hub(extra: Partial<FakeHubOptions> = {}): Promise<FakeHub> {
  const h = await startFakeHub({ repos: repos(), ...extra })
  hubs.push(h)
  return h
}
afterEach(async () => {
  await Promise.all(hubs.map((h) => h.close()))
  hubs = []
})

const INFO = '/api/models/org/m/revision/main'
const isTree = (p: string) => p.startsWith('/api/models/org/m/tree/')

async function failure(p: Promise<unknown>): Promise<Error> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SourceError)
  return error as Error
}

/** The repo info through the project's hub client, keeping its counts. */
async function info(h: FakeHub, options: Partial<HubHttpOptions> = {}) {
  const http = hubHttp({ hubUrl: h.url, ...fast, ...options })
  const error = await failure(
    modelInfo({
      name: 'org/m',
      revision: 'main',
      hubUrl: h.url,
      fetch: http.fetch,
      additionalFields: ['sha'],
    }),
  )
  return { error, stats: http.stats }
}

/** A transport that counts the body bytes the client pulls, error bodies included (which stats do not count). */
function countingFetch() {
  const counted = { bytes: 0 }
  const transport = (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await fetch(input, init)
    if (!res.body) return res
    const body = (res.body as ReadableStream<Uint8Array>).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          counted.bytes += chunk.length
          controller.enqueue(chunk)
        },
      }),
    )
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers })
  }) as typeof fetch
  return { transport, counted }
}

describe('JSON answers: 32 MB each, counted as they arrive', () => {
  it('an endless repo info answer stops just past 32 MB, in one request (a cap is not retried)', async () => {
    const h = await hub({ fault: (r) => (r.path === INFO ? { kind: 'endless-json' } : undefined) })
    const { error, stats } = await info(h)
    expect(error.message).toMatch(
      /^the Hub's answer to the repository info request exceeded 32 MB, far more than any Hub answer: reading stopped there/,
    )
    expect(stats.bytes).toBeGreaterThan(CAP)
    expect(stats.bytes).toBeLessThanOrEqual(CAP + CHUNK)
    expect(stats.requests).toBe(1)
    expect(h.log.filter((r) => r.path === INFO)).toHaveLength(1)

    // The same through openHubSource, as a target's "could not check".
    const e2e = await failure(openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast }))
    expect(e2e.message).toMatch(/^org\/m: the Hub's answer to the repository info request exceeded 32 MB/)
  })

  it('an endless listing page stops just past 32 MB', async () => {
    const h = await hub({ fault: (r) => (isTree(r.path) ? { kind: 'endless-json' } : undefined) })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    const before = source.stats.bytes
    const error = await failure(source.list())
    expect(error.message).toMatch(/^org\/m: the Hub's answer to a file listing page exceeded 32 MB/)
    expect(source.stats.bytes - before).toBeGreaterThan(CAP)
    expect(source.stats.bytes - before).toBeLessThanOrEqual(CAP + CHUNK)
    expect(h.log.filter((r) => isTree(r.path))).toHaveLength(1)
  })

  it('a gzip bomb (64 GiB inflated) stops at 32 MB counted after inflating, a few MB on the wire', async () => {
    const h = await hub({ fault: (r) => (r.path === INFO ? { kind: 'gzip-bomb' } : undefined) })
    const { error, stats } = await info(h)
    expect(error.message).toMatch(/^the Hub's answer to the repository info request exceeded 32 MB/)
    expect(stats.bytes).toBeGreaterThan(CAP)
    expect(stats.bytes).toBeLessThanOrEqual(CAP + CHUNK)
    const [entry] = h.log.filter((r) => r.path === INFO)
    // The client asked for compression (JSON may come compressed) and the runtime inflated it: what
    // crossed the wire is far below the cap, so the count is of inflated bytes.
    expect(entry!.headers['accept-encoding']).toMatch(/gzip/)
    expect(entry!.bytesSent).toBeLessThan(CAP / 2)
    // ...and far below the bomb's own ~66 MB: only what was read, plus the socket's buffers.
    expect(entry!.bytesSent).toBeLessThan(16 * MiB)
  })

  it('paths-info and whoami answers are capped the same way', async () => {
    const h = await hub({ fault: (r) => (r.path.startsWith('/api/') ? { kind: 'endless-json' } : undefined) })
    const http = hubHttp({ hubUrl: h.url, ...fast, token: 'hf_token' })
    const params = { hubUrl: h.url, fetch: http.fetch }
    const paths = await failure(pathsInfo({ ...params, repo: 'org/m', paths: ['config.json'] }))
    expect(paths.message).toMatch(/^the Hub's answer to the paths-info request exceeded 32 MB/)
    const me = await failure(whoAmI({ ...params, accessToken: 'hf_token' }))
    expect(me.message).toMatch(/^the Hub's answer to the token check \(whoami\) exceeded 32 MB/)
    expect(http.stats.bytes).toBeLessThanOrEqual(2 * (CAP + CHUNK))
    expect(http.stats.requests).toBe(2)
  })

  it('a compressed JSON answer of normal size is read as usual', async () => {
    const h = await hub({ fault: (r) => (r.path.startsWith('/api/') ? { kind: 'gzip' } : undefined) })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    expect((await source.list()).entries.map((e) => e.path)).toEqual([
      'config.json',
      'model.safetensors',
      'notes.txt',
    ])
    expect(h.log.filter((r) => r.path.startsWith('/api/')).every((r) => r.status === 200)).toBe(true)
  })

  it('a Content-Length over 32 MB is refused before a byte of the body is read', async () => {
    const body = `[${' '.repeat(CAP)}]`
    const h = await hub({
      fault: (r) =>
        r.path === INFO ? { status: 200, body, headers: { 'content-type': 'application/json' } } : undefined,
    })
    const { error, stats } = await info(h)
    expect(error.message).toMatch(/^the Hub's answer to the repository info request exceeded 32 MB/)
    expect(stats.bytes).toBe(0)
    expect(stats.requests).toBe(1)
  })
})

describe('error answers: 64 KiB read, 500 characters quoted', () => {
  it('a 500 whose body never ends: each attempt reads at most 64 KiB of it, and the attempts are bounded', async () => {
    const h = await hub({
      fault: (r) => (r.path === INFO ? { kind: 'endless-json', status: 500 } : undefined),
    })
    const { transport, counted } = countingFetch()
    const { error, stats } = await info(h, { fetch: transport, attempts: 3 })
    expect(error.message).toMatch(/^the Hub answered 500: \[ \(3 attempts over [\d.]+ s\)$/)
    expect(stats.requests).toBe(3)
    // The counting stream runs at most a chunk ahead of the reader.
    expect(counted.bytes).toBeLessThanOrEqual(3 * (HUB_LIMITS.errorBodyBytes + 2 * CHUNK))
  })

  it('a long error message is quoted to its first 500 characters', async () => {
    const long = JSON.stringify({ error: `denied ${'e'.repeat(100_000)}` })
    const h = await hub({
      fault: (r) => (r.path.includes('/raw/') ? { status: 403, body: long } : undefined),
    })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    const http = hubHttp({ hubUrl: h.url, ...fast })
    const raw = await http
      .getBytes(`${h.url}/org/m/raw/${source.sha}/config.json`, { size: 10 })
      .catch((e: unknown) => e)
    expect(raw).toBeInstanceOf(HubResponseError)
    // Longer than the 64 KiB read, so not parsed: its text is quoted, 500 characters of it.
    expect((raw as HubResponseError).hubMessage).toBe(long.slice(0, HUB_LIMITS.quotedChars))
    const error = await failure(source.read('config.json'))
    expect(error.message).toContain('the token may not read this repository ({"error":"denied eee')
    expect(error.message.length).toBeLessThan(HUB_LIMITS.quotedChars + 300)
  })
})

describe('the listing ends', () => {
  it.each([
    ['one entry a page', 1],
    ['empty pages', 0],
  ])(`%s, forever: stops at ${LISTING_PAGES} pages`, async (_name, perPage) => {
    const h = await hub({ fault: (r) => (isTree(r.path) ? { kind: 'endless-pages', perPage } : undefined) })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    const error = await failure(source.list())
    expect(error.message).toBe(
      `org/m: the Hub's file listing did not end after 200 pages (${200 * perPage} entries); the Hub sends 1,000 entries a page, so this is not its listing: is hub-url a Hugging Face Hub?`,
    )
    expect(h.log.filter((r) => isTree(r.path))).toHaveLength(LISTING_PAGES)
  })

  it('a next page on another server is refused, and that server is never asked', async () => {
    const other = await hub()
    const page = JSON.stringify([{ type: 'file', oid: 'x', size: 2, path: 'config.json' }])
    const h = await hub({
      fault: (r) =>
        isTree(r.path)
          ? {
              status: 200,
              body: page,
              headers: {
                'content-type': 'application/json',
                link: `<${other.url}/api/models/org/m/tree/main?cursor=1>; rel="next"`,
              },
            }
          : undefined,
    })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    const error = await failure(source.list())
    expect(error.message).toBe(
      `org/m: the Hub's file listing sent its next page to another server (${other.url}); the listing is read from ${h.url} only`,
    )
    expect(h.log.filter((r) => isTree(r.path))).toHaveLength(1)
    expect(other.log).toEqual([])
  })
})

describe('deadlines: a slow drip ends', () => {
  it('repo info dripped a byte every 100 ms: cut at the 300 ms deadline the idle timeout (2 s) never reaches', async () => {
    const h = await hub({ fault: (r) => (r.path === INFO ? { kind: 'drip', everyMs: 100 } : undefined) })
    const error = await failure(
      openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast, deadlineMs: 300, attempts: 2 }),
    )
    expect(error.message).toMatch(
      /^org\/m: the Hub's answer to the repository info request did not end within 0\.3 s, the most one request may take \(a server that sends too slowly, or never stops\) \(2 attempts over [\d.]+ s\)$/,
    )
    const infos = h.log.filter((r) => r.path === INFO)
    expect(infos).toHaveLength(2)
    // A byte at once and one per 100 ms: about 3 in 300 ms, against the hundreds of the whole answer.
    for (const r of infos) expect(r.bytesSent).toBeLessThanOrEqual(300 / 100 + 2)
  })

  it("a file read dripped: cut at the read's deadline", async () => {
    const h = await hub({
      fault: (r) => (r.path.endsWith('/config.json') ? { kind: 'drip', everyMs: 100 } : undefined),
    })
    const source = await openHubSource(
      { repo: 'org/m' },
      { hubUrl: h.url, ...fast, deadlineMs: 300, minBytesPerSecond: 1e9, attempts: 2 },
    )
    const error = await failure(source.read('config.json'))
    expect(error.message).toMatch(
      /^org\/m: the Hub's answer to the read of config\.json did not end within 0\.3 s, the most one request may take .*\(2 attempts over [\d.]+ s\)$/,
    )
    const reads = h.log.filter((r) => r.path.endsWith('/config.json'))
    expect(reads).toHaveLength(2)
    for (const r of reads) expect(r.bytesSent).toBeLessThanOrEqual(300 / 100 + 2)
  })

  it("a byte read's deadline grows with its size: a slow, steady read of 40 bytes gets 300 ms + 40 / (10 B/s)", async () => {
    const h = await hub({
      fault: (r) => (r.path.endsWith('/notes.txt') ? { kind: 'drip', everyMs: 10 } : undefined),
    })
    const slowOk = { hubUrl: h.url, ...fast, deadlineMs: 300, minBytesPerSecond: 10 }
    const source = await openHubSource({ repo: 'org/m' }, slowOk)
    // 40 bytes at 1 per 10 ms: longer than the fixed 300 ms, within the 4.3 s its size earns.
    expect(Buffer.from(await source.read('notes.txt')).toString()).toBe(NOTES)
    const strict = await openHubSource({ repo: 'org/m' }, { ...slowOk, minBytesPerSecond: 1e9, attempts: 1 })
    const error = await failure(strict.read('notes.txt'))
    expect(error.message).toMatch(/the read of notes\.txt did not end within 0\.3 s/)
    const reads = h.log.filter((r) => r.path.endsWith('/notes.txt'))
    expect(reads.map((r) => r.bytesSent === NOTES.length)).toEqual([true, false])
  })

  it('the phase: every request and retry of one target ends within phaseMs', async () => {
    // Never answered: without the phase, 100 attempts of 100 ms; with it, what fits in 400 ms.
    const h = await hub({ fault: () => ({ kind: 'hang' }) })
    const error = await failure(
      openHubSource(
        { repo: 'org/m' },
        { hubUrl: h.url, ...fast, timeoutMs: 100, attempts: 100, budgetMs: 60_000, phaseMs: 400 },
      ),
    )
    expect(error.message).toMatch(
      /^org\/m: .*the Hub did not finish within the 0\.4 s one target may spend on it \(every request and retry included\)/,
    )
    expect(h.log.length).toBeLessThanOrEqual(400 / 100 + 1)
  })

  it('the phase bounds a listing whose every page is slow, long before the page cap', async () => {
    const h = await hub({
      latencyMs: 40,
      fault: (r) => (isTree(r.path) ? { kind: 'endless-pages', perPage: 1 } : undefined),
    })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast, phaseMs: 600 })
    const error = await failure(source.list())
    expect(error.message).toMatch(/the Hub did not finish within the 0\.6 s one target may spend on it/)
    // Each page takes at least 40 ms: at most 600 / 40 of them, not LISTING_PAGES.
    expect(h.log.filter((r) => isTree(r.path)).length).toBeLessThanOrEqual(600 / 40)
  })
})

describe('byte reads: identity, and no more than asked', () => {
  it('every file read asks for identity, ranges included (once, not "identity, identity"); JSON may come compressed', async () => {
    const h = await hub()
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    await source.read('config.json')
    await source.readRange('model.safetensors', 0, 100)
    const files = h.log.filter((r) => !r.path.startsWith('/api/'))
    expect(files.map((r) => r.host).sort()).toEqual(['cdn', 'hub', 'hub'])
    expect(files.every((r) => r.headers['accept-encoding'] === 'identity')).toBe(true)
    const api = h.log.filter((r) => r.path.startsWith('/api/'))
    expect(api.every((r) => /gzip/.test(r.headers['accept-encoding'] ?? ''))).toBe(true)
  })

  it('a server that compresses a range anyway: refused, once', async () => {
    const h = await hub({ fault: (r) => (r.host === 'cdn' ? { kind: 'gzip' } : undefined) })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    await source.list()
    const before = source.stats.bytes
    const error = await failure(source.readRange('model.safetensors', 0, 1000))
    expect(error.message).toBe(
      "org/m: the Hub compressed a byte range of model.safetensors (Content-Encoding: gzip) although the check asked for none: a compressed range is not the file's bytes; a proxy between the check and the Hub may be altering answers",
    )
    expect(source.stats.bytes).toBe(before)
    expect(h.log.filter((r) => r.host === 'cdn')).toHaveLength(1)
  })

  it('a gzip bomb answering a range (Range ignored, compressed): the bytes asked for and one chunk, no more', async () => {
    const h = await hub({ fault: (r) => (r.host === 'cdn' ? { kind: 'gzip-bomb' } : undefined) })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    const before = source.stats.bytes
    // A 200 to a range is the file from byte 0, inflated by the runtime: it is read as such, and only
    // as far as the range.
    const bytes = await source.readRange('model.safetensors', 0, 1000)
    expect(bytes).toHaveLength(1000)
    expect(source.stats.bytes - before).toBeLessThanOrEqual(1000 + CHUNK)
  })

  it('a gzip bomb answering a whole-file read: the listed size and one chunk, then "more than listed"', async () => {
    const h = await hub({ fault: (r) => (r.path.includes('/raw/') ? { kind: 'gzip-bomb' } : undefined) })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    const before = source.stats.bytes
    const error = await failure(source.read('config.json'))
    expect(error.message).toBe(
      `org/m: the Hub sent more than the listed ${CONFIG.length} bytes for config.json: the listing is stale`,
    )
    expect(source.stats.bytes - before).toBeLessThanOrEqual(CONFIG.length + 2 * CHUNK)
  })

  it('a server that ignores Range, asked for bytes 5 MiB in: refused before reading up to them', async () => {
    const h = await hub({ fault: (r) => (r.host === 'cdn' ? { kind: 'ignore-range' } : undefined) })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    const before = source.stats.bytes
    // A little way in is skipped (the safetensors header's second read is one), as before.
    expect(await source.readRange('model.safetensors', 1000, 1100)).toHaveLength(100)
    expect(source.stats.bytes - before).toBeLessThanOrEqual(1100 + CHUNK)
    const far = 5 * MiB
    const error = await failure(source.readRange('model.safetensors', far, far + 100))
    expect(error.message).toBe(
      `org/m: the Hub ignored the byte range asked for model.safetensors (bytes ${far}-${far + 99}) and sent the file from its start: reaching that range would download ${far} bytes first, so the read stops here; a proxy between the check and the Hub may be dropping Range headers`,
    )
    expect(source.stats.bytes - before).toBeLessThanOrEqual(1100 + CHUNK)
  })
})
