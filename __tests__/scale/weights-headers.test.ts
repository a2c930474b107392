// MR301, MR302 and MR308 on headers of 100,000 tensors. Each case asserts what is found; the time
// each takes is a figure in bench/large-inputs.ts, not a budget here.
import { describe, expect, it } from '@jest/globals'
import invalidSafetensorsHeader from '../../src/rules/model/invalid-safetensors-header.js'
import invalidTensorLayout from '../../src/rules/model/invalid-tensor-layout.js'
import shardIndexMismatch from '../../src/rules/model/shard-index-mismatch.js'
import { runRule } from '../helpers/rule-tester.js'
import { makeSafetensors, rewriteHeader, type TensorSpec } from '../helpers/safetensors.js'
import { f16, index } from './model-helpers.js'

describe('MR301 and MR302 on a header of 100,000 tensors', () => {
  const tensors: Record<string, TensorSpec> = {}
  for (let i = 0; i < 100_000; i++) tensors[`model.layers.${i}.weight`] = { dtype: 'BF16', shape: [2] }
  const file = makeSafetensors(tensors)

  it('MR301 reads the header without a finding', async () => {
    expect(await runRule(invalidSafetensorsHeader, { files: { 'model.safetensors': file } })).toEqual([])
  })

  it('MR302 checks the layout of every tensor, lists 1,000 misplaced ones and counts the rest', async () => {
    expect(await runRule(invalidTensorLayout, { files: { 'model.safetensors': file } })).toEqual([])
    // Every tensor one element short of its offsets: 100,000 findings.
    const wrong = rewriteHeader(file, (h) => {
      for (const [name, t] of Object.entries(h)) if (name !== '__metadata__') t.shape = [1]
    })
    const findings = await runRule(invalidTensorLayout, { files: { 'model.safetensors': wrong } })
    // Listed up to 1,000 of one kind per header, the rest counted in one more finding.
    expect(findings).toHaveLength(1_001)
    expect(findings.at(-1)).toMatchObject({
      messageId: 'omitted',
      message: expect.stringMatching(/99,000 more/),
    })
    expect(findings[0].message).toBe(
      'Tensor model.layers.0.weight in model.safetensors is BF16 [1], which takes 2 bytes, but its offsets span 4 bytes.',
    )
  })
})

describe('MR308 on 100,000 tensors', () => {
  const S1 = 'model-00001-of-00002.safetensors'
  const S2 = 'model-00002-of-00002.safetensors'

  it('a shard of 100,000 tensors the index does not map: one finding', async () => {
    const many: Record<string, TensorSpec> = {}
    for (let i = 0; i < 100_000; i++) many[`model.layers.${i}.weight`] = f16(1)
    const findings = await runRule(shardIndexMismatch, {
      files: {
        'model.safetensors.index.json': index(
          { 'model.layers.0.weight': 'model-00001-of-00001.safetensors' },
          12,
        ),
        'model-00001-of-00001.safetensors': makeSafetensors(many),
      },
    })
    expect(findings.map((f) => f.message)).toEqual([
      'model-00001-of-00001.safetensors holds 99,999 tensors the index does not map, so loaders never read them: model.layers.1.weight, model.layers.2.weight, model.layers.3.weight, model.layers.4.weight, model.layers.5.weight and 99,994 more.',
    ])
  })

  it('100,000 tensors in two shards each: one finding', async () => {
    const many: Record<string, TensorSpec> = {}
    const map: Record<string, string> = {}
    for (let i = 0; i < 100_000; i++) {
      many[`w${i}`] = f16(1)
      map[`w${i}`] = S1
    }
    map.w0 = S2 // the index must name both shards for both to be compared
    const findings = await runRule(shardIndexMismatch, {
      files: {
        'model.safetensors.index.json': index(map, 12),
        [S1]: makeSafetensors(many),
        [S2]: makeSafetensors(many),
      },
    })
    expect(findings.map((f) => f.message)).toEqual([
      `100,000 tensors are stored in more than one shard (${S1} and ${S2}): w0, w1, w2, w3, w4 and 99,995 more.`,
    ])
  })
})
