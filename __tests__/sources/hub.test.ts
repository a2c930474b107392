// HubSource against the fake hub: the same rules give the same findings as on a local folder, reads
// are one ranged request per shard, access problems read like the FAQ, and faults end in a clear
// "could not check" instead of a hang, a crash or a download.
import { describe, expect, it, jest } from '@jest/globals'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { checkTargets, exitCode } from '../../src/check.js'
import { compareFindings, type Finding } from '../../src/common/finding.js'
import { modelRules as allRules } from '../../src/rules/registry.js'
import { runModelRules } from '../../src/engine/run-model.js'
import { SourceError } from '../../src/common/errors.js'
import { resolveSettings } from '../../src/settings.js'
import { openHubSource } from '../../src/sources/hub.js'
import { hubHttp, retryAfter, type HubHttpOptions } from '../../src/sources/hub-http.js'
import { openLocalSource } from '../../src/sources/local.js'
import type { FakeHubOptions, FakeRepo, Fault } from '../helpers/fake-hub.js'
import { fakeHubs, fast, options, shardedModelOnHub } from '../helpers/hub-cases.js'
import { filesOf } from '../helpers/hub-repo.js'
import { configJson } from '../helpers/rule-tester.js'
import { LLAMA_405B, llamaConfig, llamaTensors, shardTensors } from '../helpers/sparse-safetensors.js'

const repoRoot = path.resolve(import.meta.dirname, '..', '..')
const TOKEN = 'hf_valid_token_0123456789'

const hub = fakeHubs({ validTokens: [TOKEN] })

const comparable = (findings: Finding[]) =>
  [...findings].sort(compareFindings).map((f) => ({
    id: f.ruleId,
    severity: f.severity,
    message: f.message,
    hint: f.hint,
    location: f.location,
  }))

/** Model folders of the project: the examples and the scenario fixtures. */
const folders = [
  ...['conforming-chat-model', 'broken-model'].map((n) => path.join(repoRoot, 'examples', n)),
  ...readdirSync(path.join(repoRoot, '__tests__/fixtures/scenarios')).map((n) =>
    path.join(repoRoot, '__tests__/fixtures/scenarios', n, 'model'),
  ),
]

describe('a model on the hub gets the findings it gets as a local folder', () => {
  it.each(folders.map((f) => [path.relative(repoRoot, f), f]))('%s', async (_name, folder) => {
    const h = await hub({ 'org/model': { files: filesOf(folder) } })
    const local = await runModelRules(await openLocalSource(folder), allRules, options)
    const source = await openHubSource({ repo: 'org/model' }, { hubUrl: h.url, ...fast })
    const remote = await runModelRules(source, allRules, options)
    expect(comparable(remote)).toEqual(comparable(local))
    expect(local.length).toBeGreaterThan(0)
  })

  it('a model in 8 shards: no error, one ranged read per shard, at most shards + 5 hub requests, nothing downloaded', async () => {
    // The same counts on a 405B model in 191 shards: __tests__/scale/hub.test.ts.
    await shardedModelOnHub(hub, { ...LLAMA_405B, layers: 8 }, 8)
  })
})

describe('references', () => {
  const repo = (): FakeRepo => ({
    files: { 'config.json': configJson() },
    sha: 'a'.repeat(40),
    branches: { 'refs/pr/1': 'b'.repeat(40), dev: 'c'.repeat(40) },
    tags: { 'v1.0': 'd'.repeat(40) },
  })

  it.each([
    [undefined, 'a'.repeat(40)],
    ['main', 'a'.repeat(40)],
    ['refs/pr/1', 'b'.repeat(40)],
    ['dev', 'c'.repeat(40)],
    ['v1.0', 'd'.repeat(40)],
    ['d'.repeat(40), 'd'.repeat(40)],
  ])('revision %s resolves to its commit, and every read is pinned to it', async (revision, sha) => {
    const h = await hub({ 'org/m': repo() })
    const source = await openHubSource({ repo: 'org/m', revision }, { hubUrl: h.url, ...fast })
    expect(source.sha).toBe(sha)
    await source.read('config.json')
    const reads = h.log.filter((r) => r.path.includes('/raw/') || r.path.includes('/tree/'))
    expect(reads.every((r) => r.path.includes(`/${sha}`))).toBe(true)
  })

  it('checkTargets reports the resolved sha as the revision; the JSON and summary carry it', async () => {
    const h = await hub({ 'org/m': repo() })
    const settings = resolveSettings(
      { model: 'org/m@refs/pr/1', config: '', failOn: '', extraArchitectures: '', hubUrl: h.url },
      repoRoot,
      {},
    )
    const report = await checkTargets(settings, {})
    expect(report.targets[0]).toMatchObject({ source: 'hub', revision: 'b'.repeat(40), status: 'fail' })
    expect(report.targets[0].hub).toEqual({ url: h.url, repo: 'org/m', sha: 'b'.repeat(40) })
  })
})

describe('access, in the FAQ words: "could not check" (exit 2), one clear line', () => {
  const model = { 'config.json': configJson() }
  async function check(repos: Record<string, FakeRepo>, ref: string, token?: string) {
    const h = await hub(repos)
    const settings = resolveSettings(
      { model: ref, config: '', failOn: '', extraArchitectures: '', hubUrl: h.url, hfToken: token },
      repoRoot,
      {},
    )
    const report = await checkTargets(settings, {})
    expect(exitCode(report)).toBe(2)
    expect(report.targets[0].status).toBe('error')
    if (token) expect(JSON.stringify(report)).not.toContain(token)
    return { error: report.targets[0].error!, log: h.log }
  }

  it('a repo that does not exist, anonymous: not found or private without a token', async () => {
    const { error } = await check({}, 'org/missing')
    expect(error).toBe(
      'org/missing: repository not found, or it is private and no token was given. Check the repo id; for a private repository set the hf-token input (HF_TOKEN for the CLI) to a token that can read it.',
    )
  })

  it('a private repo with a token that cannot see it: not found or no read access (fine-grained tokens)', async () => {
    const { error } = await check({ 'org/private': { files: model, private: true } }, 'org/private', TOKEN)
    expect(error).toContain('org/private: repository not found, or the token cannot see it')
    expect(error).toContain('give it view permission for org/private (as the Friendli FAQ asks)')
  })

  it('a gated repo without a token: the FAQ words, without a single file read', async () => {
    const { error, log } = await check({ 'org/gated': { files: model, gated: 'manual' } }, 'org/gated')
    expect(error).toMatch(
      /^org\/gated: You don't have access to this gated model: it is gated and no token was given\./,
    )
    expect(error).toContain('Request access on http://127.0.0.1:')
    expect(log.filter((r) => r.path.includes('/resolve/') || r.path.includes('/raw/'))).toEqual([])
  })

  it('a gated repo with a token not granted: 403 GatedRepo, request access and wait for approval', async () => {
    const { error, log } = await check({ 'org/gated': { files: model, gated: 'auto' } }, 'org/gated', TOKEN)
    expect(error).toContain(
      "You don't have access to this gated model: the token's account is not in the authorized list",
    )
    // The first refused read stops the check: no more requests are wasted on it.
    expect(log.filter((r) => r.status === 403).length).toBe(1)
  })

  it('a gated repo with a granted token is checked', async () => {
    const h = await hub({ 'org/gated': { files: model, gated: 'manual', allowTokens: [TOKEN] } })
    const source = await openHubSource({ repo: 'org/gated' }, { hubUrl: h.url, token: TOKEN, ...fast })
    expect(new TextDecoder().decode(await source.read('config.json'))).toBe(configJson())
    expect(h.log.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)
  })

  it('an invalid or revoked token: refused, with where to make a new one', async () => {
    const { error } = await check({ 'org/public': { files: model } }, 'org/public', 'hf_revoked_token_000')
    expect(error).toContain('org/public: the Hugging Face token was refused (invalid, expired or revoked')
    expect(error).toContain('/settings/tokens')
  })

  it('a revision that does not exist', async () => {
    const { error } = await check({ 'org/public': { files: model } }, 'org/public@nope', undefined)
    expect(error).toBe(
      'org/public@nope: revision "nope" not found in org/public: no branch, tag or commit has that name. Check the revision; branch names with "/" (refs/pr/1) are written as they are.',
    )
  })

  it('a token the hub echoes back in an error never reaches the report', async () => {
    const { error } = await check({ 'org/public': { files: model } }, 'org/public', 'hf_not_known_here_1')
    expect(error).not.toContain('hf_not_known_here_1')
  })
})

describe('the token goes to the hub only', () => {
  it('LFS reads redirected to the CDN carry no Authorization; Range survives the hop', async () => {
    const { shards, index } = shardTensors(llamaTensors({ ...LLAMA_405B, layers: 2 }), 2)
    const h = await hub({
      'org/m': {
        files: {
          'config.json': configJson(),
          'model.safetensors.index.json': JSON.stringify(index),
          ...Object.fromEntries(shards),
        },
        private: true,
        allowTokens: [TOKEN],
      },
    })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, token: TOKEN, ...fast })
    await runModelRules(source, allRules, options)
    const cdn = h.log.filter((r) => r.host === 'cdn')
    expect(cdn.length).toBe(2)
    expect(
      cdn.every((r) => r.headers.authorization === undefined && r.headers.range?.startsWith('bytes=0-')),
    ).toBe(true)
    expect(
      h.log.filter((r) => r.host === 'hub').every((r) => r.headers.authorization === `Bearer ${TOKEN}`),
    ).toBe(true)
  })

  it('a same-origin 307 (non-LFS files on huggingface.co) keeps the token', async () => {
    const h = await hub(
      { 'org/m': { files: { 'config.json': configJson() }, private: true, allowTokens: [TOKEN] } },
      { nonLfsRedirect: true },
    )
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, token: TOKEN, ...fast })
    const listing = await source.list()
    expect(listing.entries.map((e) => e.path)).toEqual(['config.json'])
    expect(await source.read('config.json')).toHaveLength(configJson().length)
  })
})

describe('faults', () => {
  const files = () => {
    const { shards, index } = shardTensors(llamaTensors({ ...LLAMA_405B, layers: 2 }), 2)
    return {
      'config.json': JSON.stringify(llamaConfig({ ...LLAMA_405B, layers: 2 })),
      'model.safetensors.index.json': JSON.stringify(index),
      ...Object.fromEntries(shards),
    }
  }
  const once = (match: (path: string) => boolean, fault: Fault) => (r: { path: string; attempt: number }) =>
    match(r.path) && r.attempt === 1 ? fault : undefined

  /**
   * Check org/m through the faulty hub. Counted, not timed: `waits` are the delays of the timers set
   * meanwhile (retry waits, idle timeouts); a timer of `skipWait` ms fires at once instead, so a test
   * can see the wait the client chose without sitting it out.
   */
  async function run(fault: FakeHubOptions['fault'], extra: Partial<HubHttpOptions> = {}, skipWait?: number) {
    const h = await hub({ 'org/m': { files: files() } }, { fault })
    const realSetTimeout = globalThis.setTimeout
    const waits: number[] = []
    const timers = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((
      fn: (...args: unknown[]) => void,
      ms?: number,
      ...args: unknown[]
    ) => {
      waits.push(ms ?? 0)
      return realSetTimeout(() => fn(...args), ms === skipWait ? 0 : ms)
    }) as typeof setTimeout)
    try {
      const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast, ...extra })
      const findings = await runModelRules(source, allRules, options)
      return { findings, log: h.log, waits, source }
    } catch (error) {
      return { error: error as Error, log: h.log, waits }
    } finally {
      timers.mockRestore()
    }
  }

  it('429 with Retry-After is retried after the wait it asks for', async () => {
    const r = await run(
      once((p) => p.includes('/tree/'), { status: 429, retryAfter: '1' }),
      {},
      1000,
    )
    expect(r.error).toBeUndefined()
    expect(r.waits.filter((ms) => ms === 1000)).toHaveLength(1) // Retry-After: 1, not the 5 ms backoff
    expect(r.log.filter((x) => x.path.includes('/tree/')).map((x) => x.status)).toEqual([429, 200])
  })

  it('a Retry-After longer than the check waits ends at once, saying so', async () => {
    const r = await run((x) => (x.path.includes('/tree/') ? { status: 429, retryAfter: '3600' } : undefined))
    expect(r.error).toBeInstanceOf(SourceError)
    expect(r.error!.message).toMatch(
      /the Hub answered 429.*1 attempt.*the Hub asks to wait 3600 s, longer than the check waits/,
    )
    // Ends at once: one request, and no timer longer than the idle timeout, so no wait at all.
    expect(r.log.filter((x) => x.path.includes('/tree/'))).toHaveLength(1)
    expect(r.waits.filter((ms) => ms > fast.timeoutMs!)).toEqual([])
  })

  it('5xx is retried with backoff, a bounded number of times', async () => {
    const r = await run(
      (x) => (x.path.includes('/api/models/') && !x.path.includes('/tree/') ? { status: 503 } : undefined),
      {
        attempts: 3,
      },
    )
    expect(r.error!.message).toMatch(/^org\/m: the Hub answered 503: .*\(3 attempts over [\d.]+ s\)$/)
    expect(r.log.filter((x) => x.status === 503)).toHaveLength(3)
  })

  it('a hub that never answers: a timeout per attempt, bounded attempts, no hang', async () => {
    const r = await run(() => ({ kind: 'hang' }), { timeoutMs: 200, attempts: 2 })
    expect(r.error!.message).toMatch(/^org\/m: the Hub sent nothing for 0.2 s \(2 attempts over/)
    // Counted, not timed: two requests, neither answered, each given up by the client.
    expect(r.log.map((x) => x.status)).toEqual([0, 0])
    expect(new Set(r.log.map((x) => x.url)).size).toBe(1)
    expect(r.waits.filter((ms) => ms === 200).length).toBeGreaterThanOrEqual(2)
    for (let i = 0; i < 100 && !r.log.every((x) => x.aborted); i++)
      await new Promise((resolve) => setTimeout(resolve, 10))
    expect(r.log.map((x) => x.aborted)).toEqual([true, true])
  })

  it('a connection reset in the middle of a range read is read again', async () => {
    let resets = 0
    const r = await run((x) =>
      x.host === 'cdn' && x.url.includes('model-00001-of-00002') && resets++ === 0
        ? { kind: 'reset', afterBytes: 100 }
        : undefined,
    )
    expect(r.error).toBeUndefined()
    expect(r.findings!.filter((f) => f.severity === 'error')).toEqual([])
    const shard = r.log.filter((x) => x.host === 'cdn' && x.url.includes('model-00001-of-00002'))
    expect(shard.map((x) => x.bytesSent > 100)).toEqual([false, true])
  })

  it('a server that ignores Range: the header is taken from the first bytes, the shard is not downloaded', async () => {
    const { shards, index } = shardTensors(llamaTensors({ ...LLAMA_405B, layers: 4 }), 2)
    const h = await hub(
      {
        'org/m': {
          files: {
            'config.json': configJson(),
            'model.safetensors.index.json': JSON.stringify(index),
            ...Object.fromEntries(shards),
          },
        },
      },
      { fault: (x) => (x.host === 'cdn' ? { kind: 'ignore-range' } : undefined) },
    )
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    const findings = await runModelRules(source, allRules, options)
    expect(findings.filter((f) => f.ruleId.startsWith('MR30'))).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 100)) // let the server see the aborts
    const cdn = h.log.filter((x) => x.host === 'cdn')
    const sizes = [...shards.values()].map((s) => s.size)
    expect(cdn.every((x) => x.status === 200 && x.aborted)).toBe(true)
    for (const x of cdn) expect(x.bytesSent).toBeLessThan(Math.min(...sizes) / 10)
  })

  it('an answer that is HTML, not JSON: not a Hugging Face Hub', async () => {
    const r = await run((x) => (x.path.startsWith('/api/') ? { kind: 'html' } : undefined))
    expect(r.error!.message).toMatch(
      /^org\/m: http:\/\/127\.0\.0\.1:\d+ answered text\/html where the Hub answers JSON: is hub-url a Hugging Face Hub\?$/,
    )
  })

  it('a Content-Range that disagrees with the listing is an error, not data', async () => {
    const r = await run((x) => (x.host === 'cdn' ? { kind: 'content-range-total', total: 12345 } : undefined))
    expect(r.error!.message).toMatch(
      /does not match the file listing \(Content-Range "bytes 0-\d+\/12345", listed size \d+ bytes\)/,
    )
  })

  // A listing of 100,000 files that stops at the entry limit: __tests__/scale/hub.test.ts.

  it('an index whose shard names leave the repo: MR305, and the path is never requested', async () => {
    const { shards, index } = shardTensors(llamaTensors({ ...LLAMA_405B, layers: 2 }), 2)
    const evil = {
      ...index,
      weight_map: { ...index!.weight_map, 'lm_head.weight': '../other/model-00001-of-00002.safetensors' },
    }
    const h = await hub({
      'org/m': {
        files: {
          'config.json': configJson(),
          'model.safetensors.index.json': JSON.stringify(evil),
          ...Object.fromEntries(shards),
        },
      },
      'org/other': { files: { 'model-00001-of-00002.safetensors': 'secret' } },
    })
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    const findings = await runModelRules(source, allRules, options)
    expect(findings.map((f) => f.ruleId)).toContain('MR305')
    expect(h.log.some((x) => x.url.includes('other'))).toBe(false)
    await expect(source.read('../other/model-00001-of-00002.safetensors')).rejects.toThrow(
      'is not a file of the repository',
    )
  })

  it('a listing whose paths try to leave the repo: those entries are dropped, never read', async () => {
    const tree = JSON.stringify([
      { type: 'file', oid: 'x', size: 2, path: 'config.json' },
      { type: 'file', oid: 'x', size: 2, path: '../../etc/passwd' },
      { type: 'file', oid: 'x', size: 2, path: '/abs.json' },
      { type: 'file', oid: 'x', size: 2, path: 'a/./b.json' },
      { type: 'file', oid: 'x', size: 2, path: 'a\\b.json' },
    ])
    const h = await hub(
      { 'org/m': { files: { 'config.json': '{}' } } },
      {
        fault: (x) =>
          x.path.includes('/tree/')
            ? { status: 200, body: tree, headers: { 'content-type': 'application/json' } }
            : undefined,
      },
    )
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, ...fast })
    expect((await source.list()).entries.map((e) => e.path)).toEqual(['config.json'])
    await expect(source.read('../../etc/passwd')).rejects.toThrow('is not a file of the repository')
  })

  it('a 403 that is not about gating (a fine-grained token without read access) says what the token needs', async () => {
    const h = await hub(
      { 'org/m': { files: { 'config.json': '{}' } } },
      {
        fault: (x) =>
          x.path.includes('/raw/')
            ? { status: 403, body: 'This fine-grained token lacks read access' }
            : undefined,
      },
    )
    const source = await openHubSource({ repo: 'org/m' }, { hubUrl: h.url, token: TOKEN, ...fast })
    await expect(source.read('config.json')).rejects.toThrow(
      'org/m: the token may not read this repository (This fine-grained token lacks read access). A fine-grained token needs read access to org/m',
    )
  })
})

describe('retryAfter', () => {
  it('reads seconds and HTTP dates; ignores what it cannot read', () => {
    expect(retryAfter('7')).toBe(7000)
    const inTen = new Date(Date.now() + 10_000).toUTCString()
    expect(retryAfter(inTen)).toBeGreaterThan(8000)
    expect(retryAfter(inTen)).toBeLessThanOrEqual(10_000)
    expect(retryAfter('soon')).toBeUndefined()
    expect(retryAfter(null)).toBeUndefined()
  })
})

describe('the idle timeout', () => {
  it('a range read that keeps flowing for longer than the timeout is not cut; a stall is', async () => {
    const { createServer } = await import('node:http')
    const server = createServer((req, res) => {
      res.writeHead(206, { 'content-range': 'bytes 0-39999/40000', 'content-length': '40000' })
      let sent = 0
      const tick = setInterval(() => {
        // 4 KB every 150 ms: 1.5 s in all, three times the 500 ms idle timeout.
        res.write(Buffer.alloc(4000, 1))
        sent += 4000
        if (sent >= 40000) {
          clearInterval(tick)
          res.end()
        }
        if (req.url === '/stall' && sent >= 8000) clearInterval(tick)
      }, 150)
      res.on('close', () => clearInterval(tick))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const port = (server.address() as { port: number }).port
    const http = hubHttp({ hubUrl: `http://127.0.0.1:${port}`, timeoutMs: 500, attempts: 1, backoffMs: 5 })
    try {
      const bytes = await http.getBytes(`http://127.0.0.1:${port}/flow`, { range: [0, 40000], size: 40000 })
      expect(bytes.length).toBe(40000)
      await expect(
        http.getBytes(`http://127.0.0.1:${port}/stall`, { range: [0, 40000], size: 40000 }),
      ).rejects.toThrow('the Hub sent nothing for 0.5 s')
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})
