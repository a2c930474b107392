// parseSafetensorsHeader at size: a header past the Hub's 25 MB limit, and 100,000 tensors. The parse
// time of each is a figure in bench/large-inputs.ts, not a budget here.
import { describe, expect, it } from '@jest/globals'
import { HUB_MAX_HEADER_LENGTH, parseSafetensorsHeader } from '../../src/artifacts/safetensors.js'
import { assembleSafetensors, makeSafetensors, type TensorSpec } from '../helpers/safetensors.js'

describe('parseSafetensorsHeader at size', () => {
  it('header-over-hub-limit: a header over 25 MB still parses', () => {
    const text = '{"__metadata__":{"format":"pt"}}'.padEnd(HUB_MAX_HEADER_LENGTH + 8, ' ')
    const file = assembleSafetensors(text)
    const r = parseSafetensorsHeader(file, file.length)
    expect(r.problems).toEqual([
      {
        code: 'header-over-hub-limit',
        headerLength: HUB_MAX_HEADER_LENGTH + 8,
        limit: HUB_MAX_HEADER_LENGTH,
      },
    ])
    expect(r.ok).toBe(true)
  })

  it('100,000 tensors: every one read, sorted by offset, no problem', () => {
    const tensors: Record<string, TensorSpec> = {}
    for (let i = 0; i < 100_000; i++)
      tensors[`model.layers.${i >> 4}.mlp.experts.${i & 15}.weight`] = { dtype: 'BF16', shape: [1, 2] }
    const file = makeSafetensors(tensors)
    const r = parseSafetensorsHeader(file, file.length)
    expect(r.problems).toEqual([])
    if (!r.ok) throw new Error('expected ok')
    expect(r.header.tensors).toHaveLength(100_000)
    expect(r.header.tensors.every((t, i) => i === 0 || r.header.tensors[i - 1].end === t.start)).toBe(true)
    expect(r.header.dataEnd).toBe(100_000 * 4)
  })
})
