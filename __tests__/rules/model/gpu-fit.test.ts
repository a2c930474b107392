// MR701 on tiny real files (memory source), and on headers of real-size models served without their
// data (a 405B model is 812 GB: its headers are read, its data is never there). The sizing itself is
// pure arithmetic, tested at every boundary.
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../../src/common/finding.js'
import { runModelRules } from '../../../src/engine/run-model.js'
import rule, { describeDtypes } from '../../../src/rules/model/gpu-fit.js'
import {
  formatGb,
  instanceName,
  instances,
  largestInstance,
  smallestFit,
  WEIGHT_SHARE,
} from '../../../src/rules/utils/instances.js'
import { memorySource, type MemoryEntry } from '../../../src/sources/memory.js'
import type { Source } from '../../../src/sources/source.js'
import { configJson } from '../../helpers/rule-tester.js'
import { makeSafetensors } from '../../helpers/safetensors.js'
import {
  headerOnlySource,
  LLAMA_405B,
  llamaConfig,
  llamaTensors,
  shardTensors,
  sparseSafetensors,
  type HeaderTensor,
  type LlamaDims,
  type SparseSafetensors,
} from '../../helpers/sparse-safetensors.js'

const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' }
const run = (source: Source) => runModelRules(source, [rule], options)
const runFiles = (files: Record<string, MemoryEntry>) => run(memorySource(files))

/** What RuleTester asserts of every finding: one sentence, a hint, the folder as location, no line. */
function expectWellFormed(f: Finding) {
  expect(f.ruleId).toBe('MR701')
  expect(f.location).toEqual({ path: '.' })
  expect(f.message).toMatch(/^[0-9].*\.$/s)
  expect(f.hint ?? '').toContain('80% of the instance')
  expect(f.hint ?? '').toContain("B200 counted at 180 GB, DGX B200's 1,440 GB over its 8 GPUs")
}

const KEPT = 'with 20% of GPU memory left for the KV cache and activations'

describe('MR701 gpu-fit: sizing', () => {
  const GB = 1e9
  const fit = (bytes: number, fp8 = false) => smallestFit(bytes, fp8)?.map(instanceName)

  it('orders the 16 instance types by total memory', () => {
    expect(instances().map((i) => `${instanceName(i)} ${formatGb(i.memory)}`)).toEqual([
      '1× A100 80GB 80 GB',
      '1× H100 80GB 80 GB',
      '1× H200 141GB 141 GB',
      '2× A100 80GB 160 GB',
      '2× H100 80GB 160 GB',
      '1× B200 180 GB',
      '2× H200 141GB 282 GB',
      '4× A100 80GB 320 GB',
      '4× H100 80GB 320 GB',
      '2× B200 360 GB',
      '4× H200 141GB 564 GB',
      '8× A100 80GB 640 GB',
      '8× H100 80GB 640 GB',
      '4× B200 720 GB',
      '8× H200 141GB 1,128 GB',
      '8× B200 1,440 GB',
    ])
    expect(WEIGHT_SHARE).toBe(0.8)
    expect(instanceName(largestInstance())).toBe('8× B200')
  })

  it('names the smallest instance at 80% of its memory, with its equal-memory alternatives', () => {
    expect(fit(1)).toEqual(['1× A100 80GB', '1× H100 80GB'])
    expect(fit(64 * GB)).toEqual(['1× A100 80GB', '1× H100 80GB'])
    expect(fit(64 * GB + 1)).toEqual(['1× H200 141GB'])
    expect(fit(112.8 * GB)).toEqual(['1× H200 141GB'])
    expect(fit(112.8 * GB + 1)).toEqual(['2× A100 80GB', '2× H100 80GB'])
    expect(fit(128 * GB + 1)).toEqual(['1× B200'])
    expect(fit(144 * GB + 1)).toEqual(['2× H200 141GB'])
    expect(fit(576 * GB + 1)).toEqual(['8× H200 141GB'])
    expect(fit(902.4 * GB + 1)).toEqual(['8× B200'])
    expect(fit(1152 * GB)).toEqual(['8× B200'])
    expect(fit(1152 * GB + 1)).toBeUndefined()
  })

  it('leaves A100 out for FP8 weights', () => {
    expect(fit(10 * GB, true)).toEqual(['1× H100 80GB'])
    expect(fit(200 * GB, true)).toEqual(['2× H200 141GB'])
    expect(fit(240 * GB, true)).toEqual(['4× H100 80GB'])
    expect(fit(460 * GB, true)).toEqual(['8× H100 80GB'])
    expect(fit(1152 * GB + 1, true)).toBeUndefined()
  })

  it('describes the dtypes by their share of the bytes', () => {
    expect(describeDtypes(new Map([['BF16', 10]]))).toBe('BF16')
    expect(
      describeDtypes(
        new Map([
          ['BF16', 40],
          ['F8_E4M3', 958],
          ['F32', 2],
        ]),
      ),
    ).toBe('F8_E4M3 (96%), BF16 (4%), F32 (<1%)')
  })
})

describe('MR701 gpu-fit: tiny real files', () => {
  const bf16 = (...shape: number[]) => ({ dtype: 'BF16', shape })

  it('reports the parameters, the bytes and 1× A100 or 1× H100 for a tiny model', async () => {
    const findings = await runFiles({
      'config.json': configJson(),
      'model.safetensors': makeSafetensors({ 'embed.weight': bf16(16, 8), 'lm_head.weight': bf16(16, 8) }),
    })
    expect(findings.map((f) => [f.messageId, f.severity, f.message])).toEqual([
      [
        'fits',
        'info',
        `256 parameters (512 B of weights in BF16); the smallest Friendli instance that holds them ${KEPT} is 1× A100 80GB or 1× H100 80GB (80 GB).`,
      ],
    ])
    expectWellFormed(findings[0])
  })

  it('sums every shard of an index and names each dtype by its share', async () => {
    const one = makeSafetensors({ 'a.weight': bf16(64, 64) })
    const two = makeSafetensors({ 'b.weight': bf16(64, 64), 'norm.weight': { dtype: 'F32', shape: [256] } })
    const findings = await runFiles({
      'model-00001-of-00002.safetensors': one,
      'model-00002-of-00002.safetensors': two,
      'model.safetensors.index.json': JSON.stringify({
        metadata: { total_size: 17408 },
        weight_map: {
          'a.weight': 'model-00001-of-00002.safetensors',
          'b.weight': 'model-00002-of-00002.safetensors',
          'norm.weight': 'model-00002-of-00002.safetensors',
        },
      }),
    })
    expect(findings).toHaveLength(1)
    expect(findings[0].message).toContain('8.4K parameters (17.4 KB of weights in BF16 (94%), F32 (6%))')
  })

  it('leaves A100 out for FP8 weights, and says why', async () => {
    const findings = await runFiles({
      'model.safetensors': makeSafetensors({
        'q.weight': { dtype: 'F8_E4M3', shape: [64, 64] },
        'q.weight_scale_inv': { dtype: 'F32', shape: [1, 1] },
        'embed.weight': bf16(16, 8),
      }),
    })
    expect(findings).toHaveLength(1)
    expect(findings[0].message).toContain('is 1× H100 80GB (80 GB), A100 left out since it has no FP8.')
    expect(findings[0].message).not.toContain('or 1×')
    expect(findings[0].hint).toContain('FP8 weights need Ada, Hopper or Blackwell GPUs')
    expectWellFormed(findings[0])
  })

  it('does not treat other 8-bit dtypes as FP8', async () => {
    const findings = await runFiles({
      'model.safetensors': makeSafetensors({ 'q.weight': { dtype: 'I8', shape: [64, 64] } }),
    })
    expect(findings[0].message).toContain('1× A100 80GB or 1× H100 80GB')
  })

  describe('stays quiet when the tensor set is not known to be complete', () => {
    const shard = makeSafetensors({ 'a.weight': bf16(8, 8) })
    const index = JSON.stringify({
      metadata: { total_size: 256 },
      weight_map: {
        'a.weight': 'model-00001-of-00002.safetensors',
        'b.weight': 'model-00002-of-00002.safetensors',
      },
    })
    const cases: [string, Record<string, MemoryEntry>][] = [
      [
        'a shard the index names is missing',
        { 'model-00001-of-00002.safetensors': shard, 'model.safetensors.index.json': index },
      ],
      [
        'the index is not JSON',
        { 'model-00001-of-00002.safetensors': shard, 'model.safetensors.index.json': '{' },
      ],
      ['a header is corrupt', { 'model.safetensors': shard.subarray(0, 20) }],
      [
        'a shard is a Git LFS pointer',
        {
          'model.safetensors':
            'version https://git-lfs.github.com/spec/v1\noid sha256:' +
            '0'.repeat(64) +
            '\nsize 811000000000\n',
        },
      ],
      ['there are no safetensors', { 'config.json': configJson(), 'pytorch_model.bin': 'x' }],
      ['the weights hold no bytes', { 'model.safetensors': makeSafetensors({}) }],
      [
        'the repository is a LoRA adapter',
        {
          'adapter_config.json': '{"peft_type": "LORA"}',
          'model.safetensors': makeSafetensors({ 'a.weight': bf16(8, 8) }),
        },
      ],
    ]
    for (const [name, files] of cases) {
      it(name, async () => {
        expect(await runFiles(files)).toEqual([])
      })
    }
  })
})

describe('MR701 gpu-fit: real-size headers, no data', () => {
  /** The model as sparse shards with index and config, and the bytes the check read. */
  function model(dims: LlamaDims, shards: number, tensors = llamaTensors(dims)) {
    const { shards: files, index } = shardTensors(tensors, shards)
    const entries: Record<string, MemoryEntry | SparseSafetensors> = {
      'config.json': JSON.stringify(llamaConfig(dims), null, 2),
      ...Object.fromEntries(files),
    }
    if (index) entries['model.safetensors.index.json'] = JSON.stringify(index)
    const inner = headerOnlySource(entries)
    const counter = { bytes: 0 }
    const source: Source = {
      ...inner,
      read: async (p) => {
        const b = await inner.read(p)
        counter.bytes += b.length
        return b
      },
      readRange: async (p, s, e) => {
        const b = await inner.readRange(p, s, e)
        counter.bytes += b.length
        return b
      },
    }
    return { source, counter }
  }

  it('puts a Llama-3.1-405B-sized BF16 model in 191 shards on 8× H200, reading only headers', async () => {
    const { source, counter } = model(LLAMA_405B, 191)
    const findings = await run(source)
    expect(findings.map((f) => f.message)).toEqual([
      `405.85B parameters (812 GB of weights in BF16); the smallest Friendli instance that holds them ${KEPT} is 8× H200 141GB (1,128 GB).`,
    ])
    expectWellFormed(findings[0])
    expect(counter.bytes).toBeLessThan(2_000_000)
  })

  it('says how B200 is counted when it names one (a 70B model in BF16)', async () => {
    const dims = { ...LLAMA_405B, layers: 80, hidden: 8192, intermediate: 28672, heads: 64 }
    const findings = await run(model(dims, 30).source)
    expect(findings[0].message).toContain(
      `70.55B parameters (141 GB of weights in BF16); the smallest Friendli instance that holds them ${KEPT} is 1× B200 (180 GB; B200 counted at 180 GB, DGX B200's 1,440 GB over its 8 GPUs).`,
    )
  })

  it('puts the same model in FP8 on 4× H200 and never on A100', async () => {
    const fp8 = function* (): Generator<[string, HeaderTensor]> {
      for (const [name, t] of llamaTensors(LLAMA_405B))
        yield [name, name.includes('_proj') ? { ...t, dtype: 'F8_E4M3' } : t]
    }
    const findings = await run(model(LLAMA_405B, 10, fp8()).source)
    expect(findings[0].message).toMatch(
      /^405\.85B parameters \(410 GB of weights in F8_E4M3 \(98%\), BF16 \(2%\)\); .* is 4× H200 141GB \(564 GB\), A100 left out since it has no FP8\.$/,
    )
  })

  it('warns when even 8× B200 cannot hold the weights', async () => {
    const big = { ...LLAMA_405B, layers: 200 }
    const findings = await run(model(big, 1).source)
    expect(findings.map((f) => [f.messageId, f.severity])).toEqual([['tooLarge', 'warning']])
    expect(findings[0].message).toBe(
      `641.74B parameters (1.3 TB of weights in BF16) do not fit any Friendli instance: even 8× B200 (1,440 GB; B200 counted at 180 GB, DGX B200's 1,440 GB over its 8 GPUs) holds at most 1,152 GB of weights ${KEPT}.`,
    )
    expect(findings[0].hint).toContain('quantize them to 8 or 4 bits')
    expectWellFormed(findings[0])
  })

  it('stays quiet when a shard of the huge model is missing', async () => {
    const { shards, index } = shardTensors(llamaTensors(LLAMA_405B), 191)
    shards.delete('model-00100-of-00191.safetensors')
    const findings = await run(
      headerOnlySource({
        ...Object.fromEntries(shards),
        'model.safetensors.index.json': JSON.stringify(index),
      }),
    )
    expect(findings).toEqual([])
  })

  it('stays quiet when a header declares more data than the file holds', async () => {
    const file = sparseSafetensors([['w', { dtype: 'BF16', shape: [1_000_000, 100_000] }]])
    expect(await run(headerOnlySource({ 'model.safetensors': { ...file, size: file.size - 1 } }))).toEqual([])
  })
})
