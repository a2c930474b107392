// A Llama-3.1-405B layout (191 shards, 812 GB as sparse files) on the fake hub with 50 ms added to
// every answer, checked by every model rule through HubSource, next to @huggingface/hub's
// parseSafetensorsMetadata reading the same headers in the same run. With and without the redirect
// to a CDN host that huggingface.co sends for LFS files. Requests and bytes are what the fake hub
// saw and sent, so both clients are counted the same way.
// Run by hand: `npx tsx bench/hub.ts [runs]`. Prints figures; asserts nothing.
import { parseSafetensorsMetadata } from '@huggingface/hub'
import {
  LLAMA_405B,
  llamaConfig,
  llamaTensors,
  shardTensors,
} from '../__tests__/helpers/sparse-safetensors.js'
import { startFakeHub, type FakeHub } from '../__tests__/helpers/fake-hub.js'
import { docsBase, modelRules as allRules } from '../src/rules/registry.js'
import { runModelRules } from '../src/engine/run-model.js'
import { openHubSource } from '../src/sources/hub.js'

const runs = Number(process.argv[2] ?? 5)
const LATENCY = 50
const { shards, index } = shardTensors(llamaTensors(LLAMA_405B), 191)
const files = {
  'config.json': JSON.stringify(llamaConfig(LLAMA_405B), null, 2),
  'generation_config.json': JSON.stringify({ bos_token_id: 128000, eos_token_id: [128001, 128009] }),
  'model.safetensors.index.json': JSON.stringify(index, null, 2),
  ...Object.fromEntries(shards),
}
const logical = [...shards.values()].reduce((a, s) => a + s.size, 0)
const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: docsBase({}) }

interface Figures {
  ms: number
  hubRequests: number
  cdnRequests: number
  bytes: number
}

async function measure(cdn: boolean, work: (hub: FakeHub) => Promise<unknown>): Promise<Figures> {
  const hub = await startFakeHub({
    repos: { 'meta-llama/Llama-3.1-405B': { files } },
    latencyMs: LATENCY,
    cdn,
  })
  try {
    const t = performance.now()
    await work(hub)
    const ms = performance.now() - t
    return {
      ms,
      hubRequests: hub.log.filter((r) => r.host === 'hub').length,
      cdnRequests: hub.log.filter((r) => r.host === 'cdn').length,
      bytes: hub.log.reduce((a, r) => a + r.bytesSent, 0),
    }
  } finally {
    await hub.close()
  }
}

const ours = (hub: FakeHub) =>
  openHubSource({ repo: 'meta-llama/Llama-3.1-405B' }, { hubUrl: hub.url }).then(async (source) => {
    const findings = await runModelRules(source, allRules, options)
    const errors = findings.filter((f) => f.severity === 'error')
    if (errors.length > 0) throw new Error(`unexpected errors: ${errors.map((f) => f.message).join('; ')}`)
  })
const theirs = (hub: FakeHub) =>
  parseSafetensorsMetadata({ repo: 'meta-llama/Llama-3.1-405B', hubUrl: hub.url }).then((r) => {
    if (!r.sharded || Object.keys(r.headers).length !== 191)
      throw new Error('parseSafetensorsMetadata read the wrong thing')
  })

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (f: Figures[]) => {
  const m = median(f.map((x) => x.ms))
  const { hubRequests, cdnRequests, bytes } = f[0]
  return {
    m,
    text: `median ${m.toFixed(0).padStart(5)} ms  requests ${String(hubRequests).padStart(4)} hub + ${String(cdnRequests).padStart(3)} CDN  ${(bytes / 1e6).toFixed(2).padStart(6)} MB sent`,
  }
}

console.log(
  `${shards.size} shards, ${(logical / 1e9).toFixed(0)} GB logical, ${LATENCY} ms added per answer, ${runs} runs each (node ${process.version})`,
)
for (const cdn of [false, true]) {
  const a: Figures[] = []
  const b: Figures[] = []
  for (let i = 0; i < runs; i++) {
    a.push(await measure(cdn, ours))
    b.push(await measure(cdn, theirs))
  }
  const x = fmt(a)
  const y = fmt(b)
  const label = cdn ? 'with CDN redirects' : 'no redirects      '
  console.log(`${label}  friendli-preflight (every rule)   ${x.text}`)
  console.log(`${label}  parseSafetensorsMetadata          ${y.text}`)
  console.log(`${label}  speed-up ${(y.m / x.m).toFixed(1)}×`)
}
