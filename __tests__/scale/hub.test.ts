// HubSource at size against the fake hub: a 405B model in 191 shards, and a listing of 100,000 files.
// Every bound here is a count of requests or bytes; wall times through a slow hub are in bench/hub.ts.
import { afterEach, describe, expect, it } from '@jest/globals'
import { modelRules as allRules } from '../../src/rules/registry.js'
import { runModelRules } from '../../src/engine/run-model.js'
import { openHubSource } from '../../src/sources/hub.js'
import type { HubHttpOptions } from '../../src/sources/hub-http.js'
import { startFakeHub, type FakeHub, type FakeHubOptions, type FakeRepo } from '../helpers/fake-hub.js'
import { configJson } from '../helpers/rule-tester.js'
import { LLAMA_405B, llamaConfig, llamaTensors, shardTensors } from '../helpers/sparse-safetensors.js'

const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'docs/' }
const fast: Partial<HubHttpOptions> = { backoffMs: 5, timeoutMs: 2000, budgetMs: 5000 }

let hubs: FakeHub[] = []
async function hub(repos: Record<string, FakeRepo>, extra: Partial<FakeHubOptions> = {}): Promise<FakeHub> {
  const h = await startFakeHub({ repos, ...extra })
  hubs.push(h)
  return h
}
afterEach(async () => {
  await Promise.all(hubs.map((h) => h.close()))
  hubs = []
})

describe('HubSource at size', () => {
  it('a 405B model in 191 shards: the same findings, one ranged read per shard, nothing downloaded', async () => {
    const { shards, index } = shardTensors(llamaTensors(LLAMA_405B), 191)
    const files = {
      'config.json': JSON.stringify(llamaConfig(LLAMA_405B), null, 2),
      'model.safetensors.index.json': JSON.stringify(index, null, 2),
      ...Object.fromEntries(shards),
    }
    const h = await hub({ 'meta/big': { files } })
    const source = await openHubSource({ repo: 'meta/big' }, { hubUrl: h.url, ...fast })
    const findings = await runModelRules(source, allRules, options)
    expect(findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['MR701']))
    expect(findings.filter((f) => f.severity === 'error')).toEqual([])

    const hubReads = h.log.filter((r) => r.host === 'hub' && r.path.includes('/resolve/'))
    const cdnReads = h.log.filter((r) => r.host === 'cdn')
    expect(hubReads).toHaveLength(191) // each answered with the 302 to the CDN
    expect(cdnReads).toHaveLength(191)
    expect(new Set(cdnReads.map((r) => r.path)).size).toBe(191)
    expect(cdnReads.every((r) => /^bytes=0-\d+$/.test(r.headers.range ?? ''))).toBe(true)
    // info + tree + config.json + index, then the shards: within the "shards + 5".
    expect(h.log.filter((r) => r.host === 'hub').length).toBeLessThanOrEqual(191 + 5)
    const sent = h.log.reduce((a, r) => a + r.bytesSent, 0)
    const logical = [...shards.values()].reduce((a, s) => a + s.size, 0)
    expect(sent).toBeLessThan(logical / 1e5)
  })

  it('a listing of 100,000 files stops at the entry limit without fetching every page', async () => {
    const many: Record<string, string> = { 'config.json': configJson() }
    for (let i = 0; i < 100_000; i++) many[`data/part-${i}.txt`] = ''
    const h = await hub({ 'org/many': { files: many } }, { pageSize: 1000 })
    const source = await openHubSource({ repo: 'org/many' }, { hubUrl: h.url, ...fast })
    const listing = await source.list()
    expect(listing.truncated).toBe(true)
    expect(listing.entries.length).toBe(20_000)
    expect(h.log.filter((x) => x.path.includes('/tree/')).length).toBeLessThanOrEqual(21)
  })
})
