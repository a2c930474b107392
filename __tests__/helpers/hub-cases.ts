// HubSource against the fake hub, shared by __tests__/sources/hub.test.ts (the fast suite) and
// __tests__/scale/hub.test.ts: fake hubs closed after each test, the settings both run the rules
// with, and the sharded-model case they run at two sizes (8 shards and a 405B model in 191).
import { afterEach, expect } from '@jest/globals'
import type { Finding } from '../../src/common/finding.js'
import { runModelRules } from '../../src/engine/run-model.js'
import { modelRules as allRules } from '../../src/rules/registry.js'
import { openHubSource } from '../../src/sources/hub.js'
import type { HubHttpOptions } from '../../src/sources/hub-http.js'
import { startFakeHub, type FakeHub, type FakeHubOptions, type FakeRepo } from './fake-hub.js'
import { llamaConfig, llamaTensors, shardTensors, type LlamaDims } from './sparse-safetensors.js'

export const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'docs/' }
/** Retries and timeouts short enough for a loopback hub. */
export const fast: Partial<HubHttpOptions> = { backoffMs: 5, timeoutMs: 2000, budgetMs: 5000 }

export type StartHub = (repos: Record<string, FakeRepo>, extra?: Partial<FakeHubOptions>) => Promise<FakeHub>

/**
 * A function that starts a fake hub serving `repos`, with `defaults` and then `extra` as its options;
 * every hub it started is closed after each test. Call at the top level of a test file.
 */
export function fakeHubs(defaults: Partial<FakeHubOptions> = {}): StartHub {
  let hubs: FakeHub[] = []
  afterEach(async () => {
    await Promise.all(hubs.map((h) => h.close()))
    hubs = []
  })
  return async (repos, extra = {}) => {
    const h = await startFakeHub({ repos, ...defaults, ...extra })
    hubs.push(h)
    return h
  }
}

/**
 * A Llama model of `dims` in `count` shards, checked on the hub with every model rule: no error, one
 * ranged read of each shard (through the hub's redirect to the CDN), shards + 4 hub requests, at most
 * 96 shards at a time on connections kept for the next, and nothing downloaded. Returns the findings.
 */
export async function shardedModelOnHub(hub: StartHub, dims: LlamaDims, count: number): Promise<Finding[]> {
  const { shards, index } = shardTensors(llamaTensors(dims), count)
  const files = {
    'config.json': JSON.stringify(llamaConfig(dims), null, 2),
    'model.safetensors.index.json': JSON.stringify(index, null, 2),
    ...Object.fromEntries(shards),
  }
  const h = await hub({ 'meta/big': { files } })
  const source = await openHubSource({ repo: 'meta/big' }, { hubUrl: h.url, ...fast })
  const findings = await runModelRules(source, allRules, options)
  expect(findings.filter((f) => f.severity === 'error')).toEqual([])

  const hubReads = h.log.filter((r) => r.host === 'hub' && r.path.includes('/resolve/'))
  const cdnReads = h.log.filter((r) => r.host === 'cdn')
  expect(hubReads).toHaveLength(count) // each answered with the 302 to the CDN
  expect(cdnReads).toHaveLength(count)
  expect(new Set(cdnReads.map((r) => r.path)).size).toBe(count)
  expect(cdnReads.every((r) => /^bytes=0-\d+$/.test(r.headers.range ?? ''))).toBe(true)
  // info, then the tree beside config.json and the index, then the shards.
  expect(h.log.filter((r) => r.host === 'hub').length).toBe(count + 4)
  // 96 headers in flight (artifacts/weights.ts): a 191-shard model takes two waves, the second on
  // the first's connections; the hub also had the info, the listing and two files.
  expect(h.connections.cdn).toBeLessThanOrEqual(Math.min(count, 96))
  expect(h.connections.hub).toBeLessThanOrEqual(Math.min(count, 96) + 4)
  const sent = h.log.reduce((a, r) => a + r.bytesSent, 0)
  const logical = [...shards.values()].reduce((a, s) => a + s.size, 0)
  expect(sent).toBeLessThan(logical / 1e5)
  return findings
}
