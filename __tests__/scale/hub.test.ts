// HubSource at size against the fake hub: a 405B model in 191 shards, and a listing of 100,000 files.
// Every bound here is a count of requests or bytes; wall times through a slow hub are in bench/hub.ts.
// The sharded-model case is shared with the fast suite (8 shards there): __tests__/helpers/hub-cases.ts.
import { describe, expect, it } from '@jest/globals'
import { openHubSource } from '../../src/sources/hub.js'
import { fakeHubs, fast, shardedModelOnHub } from '../helpers/hub-cases.js'
import { configJson } from '../helpers/rule-tester.js'
import { LLAMA_405B } from '../helpers/sparse-safetensors.js'

const hub = fakeHubs()

describe('HubSource at size', () => {
  it('a 405B model in 191 shards: the same findings, one ranged read per shard, nothing downloaded', async () => {
    const findings = await shardedModelOnHub(hub, LLAMA_405B, 191)
    expect(findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['MR701']))
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
