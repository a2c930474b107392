// Property: whatever bytes a repository's weights and index hold, every registered rule runs to the
// end: findings, never a crash ("crashed" finding) or an exception out of the runner.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { modelRules as allRules } from '../../src/rules/registry.js'
import { runModelRules } from '../../src/engine/run-model.js'
import { memorySource } from '../../src/sources/memory.js'
import { makeSafetensors } from '../helpers/safetensors.js'

const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://d/' }
const config = JSON.stringify({
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: 4,
  hidden_size: 2,
  num_hidden_layers: 1,
})
const shard1 = makeSafetensors({
  'model.embed_tokens.weight': { dtype: 'BF16', shape: [4, 2] },
  'model.layers.0.mlp.up_proj.weight': { dtype: 'BF16', shape: [2, 2] },
})
const shard2 = makeSafetensors({ 'lm_head.weight': { dtype: 'BF16', shape: [4, 2] } })
const index = JSON.stringify({
  metadata: { total_size: shard1.length + shard2.length },
  weight_map: {
    'model.embed_tokens.weight': 'model-00001-of-00002.safetensors',
    'model.layers.0.mlp.up_proj.weight': 'model-00001-of-00002.safetensors',
    'lm_head.weight': 'model-00002-of-00002.safetensors',
  },
})

/** A byte array changed at a few random places, maybe truncated or extended. */
const mutated = (bytes: Uint8Array) =>
  fc
    .record({
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      tail: fc.uint8Array({ maxLength: 16 }),
    })
    .map(({ edits, cut, tail }) => {
      const out = Uint8Array.from(bytes)
      for (const [at, v] of edits) out[at % out.length] = v
      const kept = cut === undefined ? out : out.subarray(0, cut % (out.length + 1))
      return Uint8Array.from([...kept, ...tail])
    })

async function runAll(files: Record<string, Uint8Array | string>) {
  const findings = await runModelRules(memorySource(files), allRules, options)
  expect(findings.filter((f) => f.messageId === 'crashed').map((f) => f.message)).toEqual([])
  return findings
}

describe('every rule on arbitrary weights', () => {
  it('the unmutated model is clean of weight errors', async () => {
    const findings = await runAll({
      'config.json': config,
      'model.safetensors.index.json': index,
      'model-00001-of-00002.safetensors': shard1,
      'model-00002-of-00002.safetensors': shard2,
    })
    expect(findings.filter((f) => f.ruleId.startsWith('MR3') && f.severity === 'error')).toEqual([])
  })

  it('never crashes on mutated shards', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(shard1), mutated(shard2), async (a, b) => {
        await runAll({
          'config.json': config,
          'model.safetensors.index.json': index,
          'model-00001-of-00002.safetensors': a,
          'model-00002-of-00002.safetensors': b,
        })
      }),
      { numRuns: 300 },
    )
  })

  it('never crashes on a mutated index or config', async () => {
    await fc.assert(
      fc.asyncProperty(
        mutated(new TextEncoder().encode(index)),
        mutated(new TextEncoder().encode(config)),
        async (ix, cfg) => {
          await runAll({
            'config.json': cfg,
            'model.safetensors.index.json': ix,
            'model-00001-of-00002.safetensors': shard1,
            'model-00002-of-00002.safetensors': shard2,
          })
        },
      ),
      { numRuns: 300 },
    )
  })

  it('never crashes on arbitrary JSON values where the index and config expect objects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.jsonValue(), async (ix, cfg) => {
        await runAll({
          'config.json': JSON.stringify(cfg),
          'model.safetensors.index.json': JSON.stringify({ metadata: ix, weight_map: cfg }),
          'model-00001-of-00002.safetensors': shard1,
        })
      }),
      { numRuns: 300 },
    )
  })
})
