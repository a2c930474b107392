// A checkout of Git LFS pointers in place of a Llama-3.1-405B layout cut into 162 shards (812 GB of
// weights, none on disk), read through a loopback Git LFS server that adds 50 ms to every answer:
// every model rule runs on the wrapped local source, as the action does with lfs-headers. Figures: the
// end-to-end time (goal: under 2 s), requests per shard (goal: one ranged download each, plus one
// batch request per 100 shards), and bytes, as the server sent and the client received them.
// Run by hand: `npx tsx bench/lfs.ts [runs]`. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  LLAMA_405B,
  llamaConfig,
  llamaTensors,
  shardTensors,
} from '../__tests__/helpers/sparse-safetensors.js'
import { startFakeLfs, writeCheckout } from '../__tests__/helpers/fake-lfs.js'
import { docsBase, modelRules } from '../src/rules/registry.js'
import { runModelRules } from '../src/engine/run-model.js'
import { openLocalSource } from '../src/sources/local.js'
import { withLfsHeaders } from '../src/sources/lfs-remote.js'

const runs = Number(process.argv[2] ?? 5)
const SHARDS = 162
const LATENCY = 50
const TOKEN = 'ghs_benchToken'
const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: docsBase({}) }

const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-bench-lfs-'))
try {
  const { shards, index } = shardTensors(llamaTensors(LLAMA_405B), SHARDS)
  const objects = writeCheckout(dir, {
    'config.json': JSON.stringify(llamaConfig(LLAMA_405B), null, 2),
    'model.safetensors.index.json': JSON.stringify(index, null, 2),
    ...Object.fromEntries(shards),
  })
  const headerBytes = [...shards.values()].reduce((a, s) => a + s.header.length, 0)
  const weightBytes = [...shards.values()].reduce((a, s) => a + s.size, 0)
  const fake = await startFakeLfs({ objects, token: TOKEN, latencyMs: LATENCY })
  writeCheckout(dir, {}, { remote: `${fake.url}/meta-llama/Llama-3.1-405B` })

  console.log(
    `${SHARDS} shards, ${(weightBytes / 1e9).toFixed(0)} GB of weights, ${(headerBytes / 1e6).toFixed(2)} MB of headers; ${LATENCY} ms per answer; Node ${process.version}`,
  )
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    fake.log.length = 0
    const t = process.hrtime.bigint()
    const source = withLfsHeaders(await openLocalSource(dir, 'model'), {
      root: dir,
      top: dir,
      github: { url: fake.url, token: TOKEN },
    })
    const findings = await runModelRules(source, modelRules, options)
    const ms = Number(process.hrtime.bigint() - t) / 1e6
    times.push(ms)
    const batches = fake.log.filter((r) => r.server === 'lfs').length
    const downloads = fake.log.filter((r) => r.server === 'storage')
    const sent = fake.log.reduce((a, r) => a + r.bytesSent, 0)
    console.log(
      `run ${i + 1}: ${ms.toFixed(0)} ms; ${batches} batch requests + ${downloads.length} downloads = ${((batches + downloads.length) / SHARDS).toFixed(3)} requests per shard (${(downloads.length / SHARDS).toFixed(2)} ranged downloads per shard); ` +
        `client received ${(source.lfs.bytes / 1e6).toFixed(2)} MB, server sent ${(sent / 1e6).toFixed(2)} MB; ` +
        `${source.lfs.read.length} read through LFS, ${source.lfs.unread.length} not; findings: ${findings.map((f) => f.ruleId).join(' ') || 'none'}`,
    )
  }
  times.sort((a, b) => a - b)
  console.log(`median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms (goal < 2000 ms)`)
  await fake.close()

  // The same checkout from a server that ignores Range: every download is the whole shard (5 GB),
  // cut off by the client after the header.
  const whole = await startFakeLfs({
    objects,
    token: TOKEN,
    latencyMs: LATENCY,
    fault: (r) => (r.server === 'storage' ? { kind: 'ignore-range' } : undefined),
  })
  writeCheckout(dir, {}, { remote: `${whole.url}/meta-llama/Llama-3.1-405B` })
  const t = process.hrtime.bigint()
  const source = withLfsHeaders(await openLocalSource(dir, 'model'), {
    root: dir,
    top: dir,
    github: { url: whole.url, token: TOKEN },
  })
  await runModelRules(source, modelRules, options)
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  await new Promise((r) => setTimeout(r, 200)) // the server notices the closed connections
  const sent = whole.log.reduce((a, r) => a + r.bytesSent, 0)
  console.log(
    `Range ignored: ${ms.toFixed(0)} ms; ${whole.log.length} requests; client received ${(source.lfs.bytes / 1e6).toFixed(2)} MB, server sent ${(sent / 1e6).toFixed(0)} MB (socket buffers) of ${(weightBytes / 1e9).toFixed(0)} GB`,
  )
  await whole.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
