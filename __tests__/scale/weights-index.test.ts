// MR305, MR306 and MR307 on indexes of 100,000 entries. Each case asserts what is found and how often
// the index is read; the time each takes is a figure in bench/large-inputs.ts, not a budget here.
import { describe, expect, it } from '@jest/globals'
import { runModelRules } from '../../src/engine/run-model.js'
import invalidShardIndex from '../../src/rules/model/invalid-shard-index.js'
import missingShard from '../../src/rules/model/missing-shard.js'
import shardNumbering from '../../src/rules/model/shard-numbering.js'
import { runRule } from '../helpers/rule-tester.js'
import { countingSource, index, options, weightRules } from './model-helpers.js'

describe('MR305 on an index of 100,000 entries', () => {
  it('one finding for 100,000 tensors mapped to one unsafe name', async () => {
    const map: Record<string, string> = {}
    for (let i = 0; i < 100_000; i++) map[`model.layers.${i}.weight`] = '../model.safetensors'
    const findings = await runRule(invalidShardIndex, {
      files: { 'model.safetensors.index.json': index(map) },
    })
    expect(findings.map((f) => [f.message, f.location.line])).toEqual([
      [
        'The index maps 100,000 tensors to "../model.safetensors", which climbs out of the folder with ..; it was not opened.',
        6,
      ],
    ])
  })

  it('100,000 shards, one naming the index itself: one finding, and no other weights rule names it', async () => {
    const map: Record<string, string> = {}
    for (let i = 1; i <= 100_000; i++)
      map[`t.${i}`] = `model-${String(i).padStart(6, '0')}-of-100000.safetensors`
    map.self = 'model.safetensors.index.json'
    const { source, reads } = countingSource({ 'model.safetensors.index.json': index(map) })
    const findings = await runModelRules(source, weightRules, options)
    expect(findings.filter((f) => f.ruleId === 'MR305').map((f) => [f.message, f.location.line])).toEqual([
      [
        'The index maps a tensor to "model.safetensors.index.json", which does not end in .safetensors; it was not opened.',
        100_006,
      ],
    ])
    expect(findings.filter((f) => f.message.includes('"model.safetensors.index.json"'))).toHaveLength(1)
    expect(findings.length).toBeLessThan(5)
    // Ten weights rules, one read of the index: it is loaded once and shared.
    expect([...reads]).toEqual([['model.safetensors.index.json', 1]])
  })
})

describe('MR306 on an index of 100,000 absent shards', () => {
  it('one finding', async () => {
    const map: Record<string, string> = {}
    for (let i = 1; i <= 100_000; i++)
      map[`t.${i}`] = `model-${String(i).padStart(6, '0')}-of-100000.safetensors`
    const findings = await runRule(missingShard, { files: { 'model.safetensors.index.json': index(map) } })
    expect(findings.map((f) => [f.messageId, f.message, f.location.line])).toEqual([
      [
        'allMissing',
        'All 100,000 shards listed in model.safetensors.index.json are missing: model-000001-of-100000.safetensors, model-000002-of-100000.safetensors, model-000003-of-100000.safetensors, model-000004-of-100000.safetensors, model-000005-of-100000.safetensors and 99,995 more.',
        5,
      ],
    ])
  })
})

describe('MR307 on indexes of 100,000 entries', () => {
  it('100,000 one-shard series of n = 99,999: a finding each, every message short', async () => {
    const map: Record<string, string> = {}
    for (let i = 1; i <= 100_000; i++) map[`t${i}`] = `s${i}-00001-of-99999.safetensors`
    const findings = await runRule(shardNumbering, { files: { 'model.safetensors.index.json': index(map) } })
    expect(findings).toHaveLength(100_000)
    expect(findings[0].message).toBe(
      'The shard series s1-*-of-99999 lacks 99,998 numbers: 2, 3, 4, 5, 6, 7, 8, 9 and 99,990 more.',
    )
    expect(Math.max(...findings.map((f) => f.message.length))).toBeLessThan(200)
  })

  it('100,000 values of n for one prefix: one finding with a short message', async () => {
    const map: Record<string, string> = {}
    for (let i = 1; i <= 100_000; i++)
      map[`t${i}`] = `model-00001-of-${String(i).padStart(5, '0')}.safetensors`
    const findings = await runRule(shardNumbering, { files: { 'model.safetensors.index.json': index(map) } })
    expect(findings.map((f) => f.message)).toEqual([
      'Shards named model-*-of-N disagree on N (1, 2, 3, 4, 5, 6, 7, 8 and 99,992 more): files of two different saves are mixed.',
    ])
  })
})
