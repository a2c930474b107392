// The round trips of a hub check, counted on the fake hub: the info, then the listing beside the files
// read whole, then one ranged read per shard (a redirect to the CDN followed once per file), no request
// asked twice; and the findings are those the check gave before the reads were arranged this way.
import { describe, expect, it } from '@jest/globals'
import { SourceError } from '../../src/common/errors.js'
import type { Finding } from '../../src/common/finding.js'
import { runModelRules } from '../../src/engine/run-model.js'
import { modelRules as allRules } from '../../src/rules/registry.js'
import { openHubSource } from '../../src/sources/hub.js'
import type { FakeHub, LoggedRequest } from '../helpers/fake-hub.js'
import { fakeHubs, fast, options } from '../helpers/hub-cases.js'
import { READ_WHOLE, shardedHubModel } from '../helpers/hub-model.js'

const TOKEN = 'hf_round_trips_token'
const hub = fakeHubs({ validTokens: [TOKEN] })
const REPO = 'org/sharded'
const SHARDS = 8
/** The series' shards and the stray one of another save. */
const SHARD_FILES = SHARDS + 1

const shown = (findings: Finding[]) =>
  findings.map((f) => [f.ruleId, f.messageId, f.severity, f.message, f.location])

/**
 * What the check reported for shardedHubModel(8) before the files were read beside the listing and the
 * headers parsed as they arrive, with and without the CDN hop (the same for both).
 */
const BEFORE = [
  [
    'MR104',
    'ignored',
    'info',
    'Friendli will not download 1 entry of this repository: generation_config.json.',
    { path: '.' },
  ],
  [
    'MR303',
    'unsupported',
    'warning',
    'The __metadata__ of model-00003-of-00008.safetensors gives "format": "np"; transformers loads only "pt", "tf", "flax" and "mlx".',
    { path: 'model-00003-of-00008.safetensors' },
  ],
  [
    'MR307',
    'unreferenced',
    'warning',
    '1 numbered shard is not named by model.safetensors.index.json: model-00001-of-00009.safetensors; Friendli downloads it but no loader reads it.',
    { path: 'model.safetensors.index.json' },
  ],
  [
    'MR307',
    'totals',
    'warning',
    'Shards named model-*-of-N disagree on N (8 and 9): files of two different saves are mixed.',
    { path: 'model.safetensors.index.json', pointer: '/weight_map', line: 5, column: 3 },
  ],
  [
    'MR311',
    'embedding',
    'error',
    'The input embedding model.embed_tokens.weight has 1000 rows (one per token) but config.json "vocab_size" is 1024.',
    { path: 'config.json', pointer: '/vocab_size', line: 33, column: 3 },
  ],
  [
    'MR311',
    'lmHead',
    'error',
    'The output layer lm_head.weight has 1000 rows (one per token) but config.json "vocab_size" is 1024.',
    { path: 'config.json', pointer: '/vocab_size', line: 33, column: 3 },
  ],
  [
    'MR315',
    'mismatch',
    'warning',
    'config.json "torch_dtype" is "float16", but most of the floating-point weights are BF16 (BF16 100% of 5.7 MB).',
    { path: 'config.json', pointer: '/torch_dtype', line: 30, column: 3 },
  ],
  [
    'MR701',
    'fits',
    'info',
    '2.9M parameters (5.7 MB of weights in BF16); the smallest Friendli instance that holds them with 20% of GPU memory left for the KV cache and activations is 1× A100 80GB or 1× H100 80GB (80 GB).',
    { path: '.' },
  ],
]

async function check(h: FakeHub, rules = allRules) {
  const source = await openHubSource({ repo: REPO }, { hubUrl: h.url, ...fast })
  return { source, findings: await runModelRules(source, rules, options) }
}

/** A request as sent: host, method, URL and Range; two alike would be one request made twice. */
const key = (r: LoggedRequest) => `${r.host} ${r.method} ${r.url} ${r.headers.range ?? ''}`
const file = (r: LoggedRequest) => r.path.split('/').pop()!
/** What a transport was asked for: 'listing', or the file name. */
const asked = (input: string | URL | Request) => {
  const path = new URL(typeof input === 'string' || input instanceof URL ? input : input.url).pathname
  return path.includes('/tree/') ? 'listing' : path.split('/').pop()!
}
const kind = (r: LoggedRequest) =>
  r.host === 'cdn'
    ? 'cdn'
    : r.path.includes('/tree/')
      ? 'listing'
      : r.path.startsWith('/api/')
        ? 'info'
        : r.path.split('/')[3]! // raw | resolve

describe('a sharded model on the hub', () => {
  it.each([true, false])('gives the findings it gave before (CDN redirects: %s)', async (cdn) => {
    const h = await hub({ [REPO]: { files: shardedHubModel(SHARDS) } }, { cdn })
    const { findings } = await check(h)
    expect(shown(findings)).toEqual(BEFORE)
  })

  it('costs the info, the listing, each file read whole once, and one header read per shard plus the CDN hop; none twice', async () => {
    const h = await hub({ [REPO]: { files: shardedHubModel(SHARDS) } })
    await check(h)
    const count = (k: string) => h.log.filter((r) => kind(r) === k).length
    expect(count('info')).toBe(1)
    expect(count('listing')).toBe(1)
    expect(
      h.log
        .filter((r) => kind(r) === 'raw')
        .map(file)
        .sort(),
    ).toEqual(READ_WHOLE)
    // Each shard asked of the Hub once, answered by the redirect; shard 2's header is longer than the
    // index lets one foresee, so it is read twice, the second time straight from the CDN.
    const resolved = h.log.filter((r) => kind(r) === 'resolve')
    expect(resolved).toHaveLength(SHARD_FILES)
    expect(resolved.every((r) => r.status === 302)).toBe(true)
    expect(new Set(resolved.map(file)).size).toBe(SHARD_FILES)
    expect(count('cdn')).toBe(SHARD_FILES + 1)
    expect(h.log).toHaveLength(1 + 1 + READ_WHOLE.length + SHARD_FILES + SHARD_FILES + 1)
    expect(new Set(h.log.map(key)).size).toBe(h.log.length)
    expect(h.log.every((r) => r.status < 400)).toBe(true)
  })

  it('without the CDN hop: the same, each shard read from the Hub', async () => {
    const h = await hub({ [REPO]: { files: shardedHubModel(SHARDS) } }, { cdn: false })
    await check(h)
    expect(h.log.filter((r) => kind(r) === 'resolve')).toHaveLength(SHARD_FILES + 1)
    expect(h.log).toHaveLength(1 + 1 + READ_WHOLE.length + SHARD_FILES + 1)
    expect(new Set(h.log.map(key)).size).toBe(h.log.length)
  })

  it('asks for the files read whole beside the listing: all of them are sent before the listing is answered', async () => {
    const h = await hub({ [REPO]: { files: shardedHubModel(SHARDS) } })
    const events: string[] = []
    const transport = (async (input: string | URL | Request, init?: RequestInit) => {
      events.push(`ask ${asked(input)}`)
      const res = await fetch(input, init)
      events.push(`answer ${asked(input)}`)
      return res
    }) as typeof fetch
    const source = await openHubSource({ repo: REPO }, { hubUrl: h.url, ...fast, fetch: transport })
    await runModelRules(source, allRules, options)
    const answered = events.indexOf('answer listing')
    for (const f of READ_WHOLE) expect(events.indexOf(`ask ${f}`)).toBeLessThan(answered)
    expect(events.filter((e) => e.startsWith('ask ') && READ_WHOLE.includes(e.slice(4)))).toHaveLength(
      READ_WHOLE.length,
    )
  })

  it('keeps its connections: fewer than the requests, on both hosts', async () => {
    const h = await hub({ [REPO]: { files: shardedHubModel(SHARDS) } })
    await check(h)
    // The info, then the listing beside six files, then nine shards at once, each wave on the
    // connections of the one before; shard 2's second read on one its first read left.
    expect(h.connections.hub).toBeLessThan(h.log.filter((r) => r.host === 'hub').length)
    expect(h.connections.cdn).toBeLessThanOrEqual(SHARD_FILES)
  })
})

describe('files read before the listing', () => {
  it('only those the enabled rules read: config.json alone for the config rules', async () => {
    const h = await hub({ [REPO]: { files: shardedHubModel(SHARDS) } })
    const configRules = allRules.filter((r) => r.meta.artifacts.every((a) => a === 'config'))
    expect(configRules.length).toBeGreaterThan(0)
    await check(h, configRules)
    expect(h.log.map(kind).sort()).toEqual(['info', 'listing', 'raw'])
    expect(h.log.filter((r) => kind(r) === 'raw').map(file)).toEqual(['config.json'])
  })

  it('an adapter: what the adapter rules read, as before, not the tokenizer a model would need', async () => {
    const files = {
      ...shardedHubModel(SHARDS),
      'adapter_config.json': JSON.stringify({
        peft_type: 'LORA',
        r: 8,
        lora_alpha: 16,
        target_modules: ['q_proj'],
      }),
    }
    const h = await hub({ [REPO]: { files } })
    const { findings } = await check(h)
    expect(findings.map((f) => `${f.ruleId} ${f.messageId}`)).toEqual([
      'MR104 ignored',
      'MR303 unsupported',
      'MR307 unreferenced',
      'MR307 totals',
      'MR602 otherName',
      'MR604 missing',
    ])
    // adapter_config.json and the index for the rules; the other JSON files, all under 1 KB, for the
    // LFS pointer check, after the listing (only it tells their size), as before; not tokenizer.json.
    expect(
      h.log
        .filter((r) => kind(r) === 'raw')
        .map(file)
        .sort(),
    ).toEqual([
      'adapter_config.json',
      'config.json',
      'generation_config.json',
      'model.safetensors.index.json',
      'special_tokens_map.json',
      'tokenizer_config.json',
    ])
    expect(h.log).toHaveLength(27) // 28 before: shard 2's second read now goes to the CDN at once
    expect(new Set(h.log.map(key)).size).toBe(h.log.length)
  })

  it('a file the listing says is in LFS: its pointer from raw is set aside and the file read from resolve', async () => {
    const files = shardedHubModel(SHARDS)
    const h = await hub(
      { [REPO]: { files, lfs: (p) => p === 'config.json' || p.endsWith('.safetensors') } },
      { cdn: true },
    )
    const { findings } = await check(h)
    expect(shown(findings)).toEqual(BEFORE)
    expect(h.log.filter((r) => file(r) === 'config.json').map(kind)).toEqual(['raw', 'resolve'])
  })

  it('a file over its limit is given up at the answer head: its body is not read', async () => {
    const files = { ...shardedHubModel(SHARDS), 'config.json': `{"pad": "${'x'.repeat(9 * 2 ** 20)}"}` }
    const h = await hub({ [REPO]: { files } })
    const { source, findings } = await check(h)
    expect(findings.some((f) => f.ruleId === 'MR201' && f.location.path === 'config.json')).toBe(true)
    expect(source.stats.bytes).toBeLessThan(2 ** 20)
    expect(h.log.filter((r) => file(r) === 'config.json')).toHaveLength(1)
  })

  it('a read that failed before the listing is the failure: not asked again', async () => {
    const h = await hub(
      { [REPO]: { files: shardedHubModel(SHARDS) } },
      {
        fault: (r) =>
          r.path.includes('/raw/') && r.path.endsWith('/config.json') ? { status: 500 } : undefined,
      },
    )
    const error = await check(h).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SourceError)
    expect((error as Error).message).toMatch(/^org\/sharded: the Hub answered 500/)
    // fast: 4 attempts of the one read, as a read after the listing would make.
    expect(h.log.filter((r) => file(r) === 'config.json')).toHaveLength(4)
  })
})

describe("the info's file list is a hint, the listing the truth", () => {
  it('entries that are not file names are skipped: nothing is read before the listing, the findings stand', async () => {
    const info = { siblings: [null, 5, 'config.json', { rfilename: 7 }, { rfilename: 'sub/config.json' }] }
    const h = await hub({ [REPO]: { files: shardedHubModel(SHARDS), info } })
    const events: string[] = []
    const transport = (async (input: string | URL | Request, init?: RequestInit) => {
      events.push(asked(input))
      return fetch(input, init)
    }) as typeof fetch
    const source = await openHubSource({ repo: REPO }, { hubUrl: h.url, ...fast, fetch: transport })
    expect(shown(await runModelRules(source, allRules, options))).toEqual(BEFORE)
    expect(events[1]).toBe('listing') // the info, then the listing before any file
    expect(new Set(h.log.map(key)).size).toBe(h.log.length)
  })

  it('a file it names that the listing lacks: one request wasted, never taken for the file', async () => {
    // It says adapter_config.json is there: the adapter's files are asked for, and the listing says
    // it is a model after all.
    const files = shardedHubModel(SHARDS)
    const info = {
      siblings: [...Object.keys(files), 'adapter_config.json'].map((rfilename) => ({ rfilename })),
    }
    const h = await hub({ [REPO]: { files, info } })
    const { findings } = await check(h)
    expect(shown(findings)).toEqual(BEFORE)
    expect(h.log.filter((r) => r.status === 404).map(file)).toEqual(['adapter_config.json'])
    expect(new Set(h.log.map(key)).size).toBe(h.log.length)
  })
})

describe('redirects', () => {
  it('a read of a file already redirected goes to the CDN at once; a refusal there (expired) asks the Hub again', async () => {
    let cdnReads = 0
    const h = await hub(
      { [REPO]: { files: shardedHubModel(SHARDS) } },
      {
        fault: (r) =>
          r.host === 'cdn' && ++cdnReads === 2 ? { status: 403, body: 'Request has expired' } : undefined,
      },
    )
    const source = await openHubSource({ repo: REPO }, { hubUrl: h.url, ...fast, token: TOKEN })
    const name = 'model-00001-of-00008.safetensors'
    expect((await source.readRange(name, 0, 8)).length).toBe(8)
    expect((await source.readRange(name, 8, 16)).length).toBe(8)
    expect((await source.readRange(name, 16, 24)).length).toBe(8)
    const reads = h.log.filter((r) => r.host === 'cdn' || kind(r) === 'resolve')
    // 1: Hub → CDN; 2: the CDN at once, refused, then the Hub → CDN; 3: the CDN at once.
    expect(reads.map((r) => `${r.host} ${r.status}`)).toEqual([
      'hub 302',
      'cdn 206',
      'cdn 403',
      'hub 302',
      'cdn 206',
      'cdn 206',
    ])
    // The token went to the Hub each time, never to the CDN, remembered URL or not.
    expect(reads.map((r) => r.headers.authorization !== undefined)).toEqual([
      true,
      false,
      false,
      true,
      false,
      false,
    ])
  })

  it('a redirect loop ends after five hops, and nothing of it is remembered', async () => {
    const h = await hub(
      { [REPO]: { files: shardedHubModel(SHARDS) } },
      {
        fault: (r) =>
          r.host === 'cdn' ? { status: 302, headers: { Location: r.url }, body: 'Found' } : undefined,
      },
    )
    const source = await openHubSource({ repo: REPO }, { hubUrl: h.url, ...fast })
    const name = 'model-00001-of-00008.safetensors'
    for (let i = 0; i < 2; i++) {
      const error = await source.readRange(name, 0, 8).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect((error as Error).message).toBe(
        'org/sharded: the Hub sent a redirect the check cannot follow (302)',
      )
    }
    // Each read: the Hub's redirect, then the CDN's to itself until the sixth answer.
    const reads = h.log.filter((r) => r.host === 'cdn' || kind(r) === 'resolve')
    expect(reads.map((r) => r.host)).toEqual(['hub', ...Array(5).fill('cdn'), 'hub', ...Array(5).fill('cdn')])
  })
})
