// The CLI bundle on weights at size, on real files: an index of 100,000 shards and a header of 100,000
// tensors. The e2e helper refuses a dist/ older than src/. Wall time of a CLI run: bench/cold-start.ts.
import { describe, expect, it } from '@jest/globals'
import { cliModels, weightIndex } from '../helpers/cli-models.js'
import { makeSafetensors } from '../helpers/safetensors.js'
import { runtimes } from '../helpers/run-bundle.js'

const { model, check } = cliModels('fp-weights-scale-')

describe.each(runtimes())('weights at size under $name', ({ bin }) => {
  it('an index with 100,000 shards, and one that names itself: bounded findings, and the CLI exits by itself', () => {
    const map: Record<string, string> = {}
    for (let i = 1; i <= 100_000; i++)
      map[`t.${i}`] = `model-${String(i).padStart(6, '0')}-of-100000.safetensors`
    map['self'] = 'model.safetensors.index.json'
    const { status, findings } = check(bin, model({ 'model.safetensors.index.json': weightIndex(map) }))
    expect(status).toBe(0) // not killed by runCli's 60 s timeout
    expect(findings.filter((f) => f.ruleId === 'MR305').map((f) => f.message)).toEqual([
      'The index maps a tensor to "model.safetensors.index.json", which does not end in .safetensors; it was not opened.',
    ])
    // No weights at the root: one finding with the count of shards; the missing shards fold into it.
    expect(findings.filter((f) => f.ruleId === 'MR306')).toEqual([])
    expect(findings.filter((f) => f.ruleId === 'MR102').map((f) => f.message)).toEqual([
      'No safetensors weights (*.safetensors) at the root of the model; model.safetensors.index.json names 100,000 shards, and none is there. It explains 1 more finding, folded into this one: MR306 missing-shard.',
    ])
    expect(findings.length).toBeLessThan(20)
  })

  it('a header with 100,000 tensors is read and checked', () => {
    const tensors: Record<string, { dtype: string; shape: number[] }> = {}
    for (let i = 0; i < 100_000; i++) tensors[`model.layers.${i}.w`] = { dtype: 'F16', shape: [1] }
    const { status, findings } = check(bin, model({ 'model.safetensors': makeSafetensors(tensors) }))
    expect(status).toBe(0)
    expect(findings.filter((f) => /^MR3/.test(f.ruleId))).toEqual([])
  })
})
