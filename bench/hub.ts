// A Llama-3.1-405B layout (812 GB as sparse files) in 191 shards and in 162, on the fake hub with
// 50 ms added to every answer, checked by every model rule through HubSource, next to
// @huggingface/hub's parseSafetensorsMetadata reading the same headers in the same run. With and
// without the redirect to a CDN host that huggingface.co sends for LFS files. Requests, connections
// and bytes are what the fake hub saw and sent, so both clients are counted the same way.
// Run by hand: `npx tsx bench/hub.ts [runs] [--timeline]`. Prints figures; asserts nothing.
// --timeline prints, for one check of each case, when each request arrived, was answered and ended
// (ms from the first), shards of a wave folded into one line: which requests wait on which.
import { parseSafetensorsMetadata } from '@huggingface/hub'
import {
  LLAMA_405B,
  llamaConfig,
  llamaTensors,
  shardTensors,
} from '../__tests__/helpers/sparse-safetensors.js'
import { startFakeHub, type FakeHub, type FakeRepo } from '../__tests__/helpers/fake-hub.js'
import { docsBase, modelRules as allRules } from '../src/rules/registry.js'
import { runModelRules } from '../src/engine/run-model.js'
import { openHubSource } from '../src/sources/hub.js'

const args = process.argv.slice(2)
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5)
const timeline = args.includes('--timeline')
const LATENCY = 50
const REPO = 'meta-llama/Llama-3.1-405B'
const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: docsBase({}) }

function model(count: number): { files: FakeRepo['files']; logical: number } {
  const { shards, index } = shardTensors(llamaTensors(LLAMA_405B), count)
  return {
    files: {
      'config.json': JSON.stringify(llamaConfig(LLAMA_405B), null, 2),
      'generation_config.json': JSON.stringify({ bos_token_id: 128000, eos_token_id: [128001, 128009] }),
      'model.safetensors.index.json': JSON.stringify(index, null, 2),
      ...Object.fromEntries(shards),
    },
    logical: [...shards.values()].reduce((a, s) => a + s.size, 0),
  }
}

interface Figures {
  ms: number
  hubRequests: number
  cdnRequests: number
  connections: number
  bytes: number
}

async function measure(
  files: FakeRepo['files'],
  cdn: boolean,
  work: (hub: FakeHub) => Promise<unknown>,
  show = false,
): Promise<Figures> {
  const hub = await startFakeHub({ repos: { [REPO]: { files } }, latencyMs: LATENCY, cdn })
  try {
    const t = performance.now()
    await work(hub)
    const ms = performance.now() - t
    if (show) printTimeline(hub, ms)
    return {
      ms,
      hubRequests: hub.log.filter((r) => r.host === 'hub').length,
      cdnRequests: hub.log.filter((r) => r.host === 'cdn').length,
      connections: hub.connections.hub + hub.connections.cdn,
      bytes: hub.log.reduce((a, r) => a + r.bytesSent, 0),
    }
  } finally {
    await hub.close()
  }
}

/** One line per request, but consecutive shard requests of one host, status and 25 ms slot folded. */
function printTimeline(hub: FakeHub, ms: number) {
  const t0 = hub.log[0]?.at.received ?? 0
  const at = (n: number) => (n - t0).toFixed(0).padStart(5)
  let folded = 0
  let last = ''
  const flush = () => folded > 0 && console.log(`                  … and ${folded} more like it`)
  for (const r of hub.log) {
    const shard = r.host === 'cdn' || r.path.endsWith('.safetensors')
    const slot = `${r.host} ${r.status} ${Math.floor((r.at.received - t0) / 25)}`
    if (shard && slot === last) {
      folded++
      continue
    }
    flush()
    folded = 0
    last = shard ? slot : ''
    const what = r.path
      .replace(/\/raw\/[0-9a-f]{40}\//, '/raw/')
      .replace(/\/resolve\/[0-9a-f]{40}\//, '/resolve/')
    console.log(
      `${at(r.at.received)} ${at(r.at.answered)} ${at(r.at.ended)}  ${r.host} ${r.status} ${what.slice(0, 90)}`,
    )
  }
  flush()
  const end = hub.log.reduce((a, r) => Math.max(a, r.at.ended), 0)
  console.log(
    `the last answer ended at ${at(end).trim()} ms; the check ended ${ms.toFixed(0)} ms after it began`,
  )
}

const ours = (hub: FakeHub) =>
  openHubSource({ repo: REPO }, { hubUrl: hub.url }).then(async (source) => {
    const findings = await runModelRules(source, allRules, options)
    const errors = findings.filter((f) => f.severity === 'error')
    if (errors.length > 0) throw new Error(`unexpected errors: ${errors.map((f) => f.message).join('; ')}`)
  })
const theirs = (count: number) => (hub: FakeHub) =>
  parseSafetensorsMetadata({ repo: REPO, hubUrl: hub.url }).then((r) => {
    if (!r.sharded || Object.keys(r.headers).length !== count)
      throw new Error('parseSafetensorsMetadata read the wrong thing')
  })

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (f: Figures[]) => {
  const ms = f.map((x) => x.ms)
  const m = median(ms)
  const { hubRequests, cdnRequests, connections, bytes } = f[0]!
  return {
    m,
    text: `median ${m.toFixed(0).padStart(5)} ms (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)})  requests ${String(hubRequests).padStart(4)} hub + ${String(cdnRequests).padStart(3)} CDN on ${String(connections).padStart(3)} connections  ${(bytes / 1e6).toFixed(2).padStart(5)} MB sent`,
  }
}

console.log(`${LATENCY} ms added per answer, ${runs} runs each (node ${process.version})`)
for (const count of [191, 162]) {
  const { files, logical } = model(count)
  console.log(`\n${count} shards, ${(logical / 1e9).toFixed(0)} GB logical`)
  for (const cdn of [false, true]) {
    const label = cdn ? 'with CDN redirects' : 'no redirects      '
    if (timeline) {
      console.log(`${label}  timeline (arrived, answered, ended; ms):`)
      await measure(files, cdn, ours) // warm
      await measure(files, cdn, ours, true)
    }
    const a: Figures[] = []
    const b: Figures[] = []
    for (let i = 0; i < runs; i++) {
      a.push(await measure(files, cdn, ours))
      b.push(await measure(files, cdn, theirs(count)))
    }
    const x = fmt(a)
    const y = fmt(b)
    console.log(`${label}  friendli-preflight (every rule)   ${x.text}`)
    console.log(`${label}  parseSafetensorsMetadata          ${y.text}`)
    console.log(`${label}  speed-up ${(y.m / x.m).toFixed(1)}×`)
  }
}
