// A deployment manifest naming a Llama-3.1-405B layout in 191 shards (812 GB as sparse files), checked
// in the same run as that model alone, on the fake hub with 50 ms added to every answer: the model
// target (every model rule), the manifest (the EP rules and the model rules on the model it names), and
// the manifest with a chat template file beside it and one LoRA adapter on the Hub. Requests and bytes
// are what the fake hub saw and sent.
// Run by hand: `npx tsx bench/manifest.ts [runs]`. Prints figures; asserts nothing.
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  LLAMA_405B,
  llamaConfig,
  llamaTensors,
  shardTensors,
  sparseSafetensors,
} from '../__tests__/helpers/sparse-safetensors.js'
import { startFakeHub, type FakeRepo } from '../__tests__/helpers/fake-hub.js'
import { rawInputs } from '../__tests__/helpers/raw-inputs.js'
import { checkTargets } from '../src/check.js'
import { resolveSettings } from '../src/settings.js'

const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5)
const LATENCY = 50
const REPO = 'meta-llama/Llama-3.1-405B'
const ADAPTER = 'acme/llama-405b-lora'
const SHA = '4'.repeat(40)
const ADAPTER_SHA = '5'.repeat(40)

const { shards, index } = shardTensors(llamaTensors(LLAMA_405B), 191)
const repos: Record<string, FakeRepo> = {
  [REPO]: {
    sha: SHA,
    files: {
      'config.json': JSON.stringify(llamaConfig(LLAMA_405B), null, 2),
      'generation_config.json': JSON.stringify({ bos_token_id: 128000, eos_token_id: [128001, 128009] }),
      'model.safetensors.index.json': JSON.stringify(index, null, 2),
      ...Object.fromEntries(shards),
    },
  },
  [ADAPTER]: {
    sha: ADAPTER_SHA,
    files: {
      'adapter_config.json': JSON.stringify({
        peft_type: 'LORA',
        base_model_name_or_path: REPO,
        r: 16,
        lora_alpha: 32,
        target_modules: ['q_proj', 'v_proj'],
      }),
      'adapter_model.safetensors': sparseSafetensors([
        [
          'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight',
          { dtype: 'BF16', shape: [16, 16384] },
        ],
      ]),
    },
  },
}

const ws = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-bench-manifest-')))
const body = (extra: string) =>
  [
    'projectId: bench',
    'name: llama-405b',
    'instanceOptionId: drbc6G9FxJWZ # 8x B200',
    `hfModelRepo: ${REPO}`,
    `hfModelRepoRevision: "${SHA}"`,
    'advanced:',
    '  tokenizer_skip_special_tokens: true',
    '  tokenizer_add_special_tokens: false',
    '  max_context_length: 8192',
    extra,
  ].join('\n')
writeFileSync(path.join(ws, 'plain.yaml'), body(''))
writeFileSync(
  path.join(ws, 'full.yaml'),
  body(
    `chatTemplate: chat.jinja\nadapters:\n  - hfAdapterRepo: ${ADAPTER}\n    hfAdapterRepoRevision: "${ADAPTER_SHA}"\n`,
  ),
)
writeFileSync(
  path.join(ws, 'chat.jinja'),
  "{{ bos_token }}{% for m in messages %}{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
)

interface Figures {
  ms: number
  requests: number
  bytes: number
}

async function measure(inputs: { model?: string; manifests?: string }): Promise<Figures> {
  const hub = await startFakeHub({ repos, latencyMs: LATENCY })
  try {
    const settings = resolveSettings(rawInputs({ model: '', ...inputs, hubUrl: hub.url }), ws, {})
    const t = performance.now()
    const report = await checkTargets(settings, {})
    const ms = performance.now() - t
    const bad = report.targets.find((x) => x.status === 'error')
    if (bad) throw new Error(`could not check ${bad.ref}: ${bad.error}`)
    return { ms, requests: hub.log.length, bytes: hub.log.reduce((a, r) => a + r.bytesSent, 0) }
  } finally {
    await hub.close()
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const cases: [string, { model?: string; manifests?: string }][] = [
  ['the model alone (model target)     ', { model: `${REPO}@${SHA}` }],
  ['a manifest naming it               ', { manifests: 'plain.yaml' }],
  ['… with chatTemplate and an adapter ', { manifests: 'full.yaml' }],
]
console.log(
  `191 shards, ${LATENCY} ms added per answer, ${runs} runs each, interleaved (node ${process.version})`,
)
const figures = cases.map(() => [] as Figures[])
await measure(cases[0]![1]) // warm
for (let i = 0; i < runs; i++)
  for (const [j, [, inputs]] of cases.entries()) figures[j]!.push(await measure(inputs))
for (const [j, [label]] of cases.entries()) {
  const f = figures[j]!
  const ms = f.map((x) => x.ms)
  console.log(
    `${label} median ${median(ms).toFixed(0).padStart(5)} ms (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)})  requests ${String(f[0]!.requests).padStart(4)}  ${(f[0]!.bytes / 1e6).toFixed(2).padStart(5)} MB sent`,
  )
}
rmSync(ws, { recursive: true, force: true })
