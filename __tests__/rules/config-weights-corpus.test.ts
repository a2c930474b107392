import path from 'node:path'
// The config-vs-weights rules (MR205, MR311-MR316) on real models from ../shared/corpus, to prove they
// raise nothing false on real configs and real tensor names:
//  1. each corpus folder as it is (most hold config.json and an index without the shards, some an LFS
//     pointer or a few real shards): the weight rules must stay quiet on an incomplete weight set;
//  2. each real index (safetensors, or a .bin index renamed) completed with headers of every shard it
//     names, the embedding and lm_head at their real shapes and every other tensor a small stand-in,
//     so picking the wrong tensor as the embedding would show as a mismatch;
//  3. configs without an index (DeepSeek-R1, GPT-2, TinyLlama, MiniLM, a GPTQ model) with tensors laid
//     out as their published checkpoints name them.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Dtype } from '../../src/artifacts/safetensors.js'
import type { Finding } from '../../src/common/finding.js'
import { runModelRules } from '../../src/engine/run-model.js'
import dtypeMismatch from '../../src/rules/model/dtype-mismatch.js'
import hiddenSizeMismatch from '../../src/rules/model/hidden-size-mismatch.js'
import layerCountMismatch from '../../src/rules/model/layer-count-mismatch.js'
import quantization from '../../src/rules/model/quantization.js'
import requiresRemoteCode from '../../src/rules/model/requires-remote-code.js'
import tiedEmbeddingsMismatch from '../../src/rules/model/tied-embeddings-mismatch.js'
import vocabSizeMismatch from '../../src/rules/model/vocab-size-mismatch.js'
import { openLocalSource } from '../../src/sources/local.js'
import type { Source } from '../../src/sources/source.js'
import { headerOnlySource, sparseSafetensors, type HeaderTensor } from '../helpers/sparse-safetensors.js'
import { CORPUS_ROOT } from '../helpers/corpus.js'
import {
  CHECKPOINTS,
  publishedFolders,
  publishedSource,
  safetensorsWeightMap,
} from '../helpers/corpus-models.js'

const CORPUS = path.join(CORPUS_ROOT, 'models')
const RULES = [
  requiresRemoteCode,
  vocabSizeMismatch,
  tiedEmbeddingsMismatch,
  layerCountMismatch,
  hiddenSizeMismatch,
  dtypeMismatch,
  quantization,
]
const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' }

async function run(source: Source): Promise<string[]> {
  const findings: Finding[] = await runModelRules(source, RULES, options)
  return findings.map((f) => `${f.ruleId} ${f.severity} ${f.messageId}`)
}

const MR205_INFO = 'MR205 info nativeArchitecture'
const MR205_WARNING = 'MR205 warning remoteCode'
const MR316_SUPPORTED = 'MR316 info supported'

/** What each folder gives as it is: only findings from config.json, since no weight set is complete. */
const AS_IS: Record<string, string[]> = {
  '3L0L0__FLAN-T5-Motivation-LoRA': [],
  'AdelaCorbeanu__Llama-3.2-3B-Romanian-QA-LoRA': [],
  'BAAI__bge-large-zh-v1.5__LFS-POINTERS': [],
  'Dheena731__tinyLlama-finetune-LoRA': [],
  'DracoUnion__Qwen1.5-moe-8x0.5B-Chat': [MR205_INFO],
  'Hareshjethani__bert-base-uncased-SEQ_CLS-LoRA': [],
  'Qwen__Qwen2.5-VL-7B-Instruct': [],
  'THUDM__chatglm3-6b': [MR205_WARNING],
  'TheBloke__WizardCoder-15B-1.0-GPTQ': [],
  'TinyLlama__TinyLlama-1.1B-Chat-v1.0__resaved': [],
  bigscience__bloom: [],
  'cognitivecomputations__dolphin-2.5-mixtral-8x7b': [],
  'deepseek-ai__DeepSeek-R1': [MR205_INFO, MR316_SUPPORTED],
  // One shard is a real LFS pointer, the others are absent.
  'deepseek-ai__DeepSeek-R1-Distill-Qwen-32B': [],
  'google__gemma-2b-it': [],
  'ibm-granite__granite-3.1-1b-a400m-instruct': [],
  'internlm__internlm2-chat-7b': [MR205_WARNING],
  'lmstudio-community__Qwen3-1.7B-MLX-bf16': [],
  'meta-llama__Llama-2-7b-hf': [],
  'meta-llama__Llama-3.2-3B-Instruct': [],
  // Eleven real shards of a 254-shard index: layers 0, 1 and 10-13 only, which must not read as gaps.
  'meta-llama__Llama-3.2-3B__resharded-per-tensor': [],
  'microsoft__Phi-3-mini-4k-instruct': [MR205_INFO],
  'openai-community__gpt2__resaved': [],
  'openai__gpt-oss-20b': [MR316_SUPPORTED],
  'openbmb__MiniCPM-V-2': [MR205_WARNING],
  'sentence-transformers__all-MiniLM-L6-v2': [],
  'tiiuae__falcon-40b': [MR205_WARNING],
}

/** What the completed checkpoint gives: config-vs-weights findings, none of them false. */
const EXPECTED: Record<string, string[]> = {
  'Qwen__Qwen2.5-VL-7B-Instruct': [],
  bigscience__bloom: [],
  'cognitivecomputations__dolphin-2.5-mixtral-8x7b': [],
  'deepseek-ai__DeepSeek-R1-Distill-Qwen-32B': [],
  'google__gemma-2b-it': [],
  'internlm__internlm2-chat-7b': [MR205_WARNING],
  'lmstudio-community__Qwen3-1.7B-MLX-bf16': [],
  'meta-llama__Llama-2-7b-hf': [],
  'meta-llama__Llama-3.2-3B-Instruct': [],
  'meta-llama__Llama-3.2-3B__resharded-per-tensor': [],
  'microsoft__Phi-3-mini-4k-instruct': [MR205_INFO],
  'openai__gpt-oss-20b': [MR316_SUPPORTED],
  'openbmb__MiniCPM-V-2': [MR205_WARNING],
  'THUDM__chatglm3-6b': [MR205_WARNING],
  'tiiuae__falcon-40b': [MR205_WARNING],
}

const read = (folder: string, file: string) => readFileSync(join(CORPUS, folder, file))

describe('config-vs-weights rules on the real corpus', () => {
  if (!existsSync(CORPUS)) {
    it('is skipped: no corpus', () => {
      console.log(`${CORPUS} is absent: corpus tests of MR205 and MR311-MR316 skipped`)
    })
    return
  }

  describe('each folder as it is: incomplete weights keep the weight rules quiet', () => {
    const folders = Object.keys(AS_IS).filter((f) => existsSync(join(CORPUS, f)))
    it.each(folders)('%s', async (folder) => {
      expect(await run(await openLocalSource(join(CORPUS, folder)))).toEqual(AS_IS[folder])
    })
  })

  describe('each real index completed with headers: no false mismatch', () => {
    it.each(publishedFolders())('%s', async (folder) => {
      const c = CHECKPOINTS[folder]!
      const weightMap = safetensorsWeightMap(folder)
      for (const name of Object.keys(c.shapes)) expect(weightMap).toHaveProperty([name])
      expect(await run(publishedSource(folder))).toEqual(EXPECTED[folder])

      // The control: the same weights with one more token row and a wider embedding are caught, so the
      // rules did read these headers and picked the real embedding.
      const [embedding] = Object.keys(c.shapes)
      const [rows, width] = c.shapes[embedding!]!
      const found = await run(publishedSource(folder, { ...c.shapes, [embedding!]: [rows! + 1, width! + 8] }))
      expect(found).toEqual(expect.arrayContaining(['MR311 error embedding', 'MR314 error width']))
    })
  })

  describe('configs without an index, with tensors named as their checkpoints name them', () => {
    const withConfig = (folder: string, tensors: Iterable<[string, HeaderTensor]>, extra = {}) =>
      headerOnlySource({
        'config.json': read(folder, 'config.json'),
        'model.safetensors': sparseSafetensors(tensors),
        ...extra,
      })
    const present = (folder: string) => (existsSync(join(CORPUS, folder, 'config.json')) ? it : it.skip)

    /** DeepSeek-V3/R1: MLA attention and MoE in FP8 with 128×128 block scales; layer 61 is the MTP layer. */
    function* deepseek(layers: number): Generator<[string, HeaderTensor]> {
      const bf16 = (...shape: number[]): HeaderTensor => ({ dtype: 'BF16', shape })
      const fp8 = function* (name: string, rows: number, cols: number): Generator<[string, HeaderTensor]> {
        yield [`${name}.weight`, { dtype: 'F8_E4M3', shape: [rows, cols] }]
        yield [
          `${name}.weight_scale_inv`,
          { dtype: 'F32', shape: [Math.ceil(rows / 128), Math.ceil(cols / 128)] },
        ]
      }
      yield ['model.embed_tokens.weight', bf16(129280, 7168)]
      for (let i = 0; i < layers; i++) {
        const p = `model.layers.${i}`
        yield [`${p}.input_layernorm.weight`, bf16(7168)]
        yield* fp8(`${p}.self_attn.q_a_proj`, 1536, 7168)
        yield [`${p}.self_attn.q_a_layernorm.weight`, bf16(1536)]
        yield* fp8(`${p}.self_attn.q_b_proj`, 24576, 1536)
        yield* fp8(`${p}.self_attn.kv_a_proj_with_mqa`, 576, 7168)
        yield* fp8(`${p}.self_attn.kv_b_proj`, 32768, 512)
        yield* fp8(`${p}.self_attn.o_proj`, 7168, 16384)
        yield [`${p}.post_attention_layernorm.weight`, bf16(7168)]
        if (i < 3) {
          for (const m of ['gate_proj', 'up_proj']) yield* fp8(`${p}.mlp.${m}`, 18432, 7168)
          yield* fp8(`${p}.mlp.down_proj`, 7168, 18432)
        } else {
          yield [`${p}.mlp.gate.weight`, bf16(256, 7168)]
          yield [`${p}.mlp.gate.e_score_correction_bias`, { dtype: 'F32', shape: [256] }]
          // Two of the 256 experts: enough for the names, and the header stays small.
          for (const e of [0, 255]) {
            for (const m of ['gate_proj', 'up_proj']) yield* fp8(`${p}.mlp.experts.${e}.${m}`, 2048, 7168)
            yield* fp8(`${p}.mlp.experts.${e}.down_proj`, 7168, 2048)
          }
          for (const m of ['gate_proj', 'up_proj']) yield* fp8(`${p}.mlp.shared_experts.${m}`, 2048, 7168)
          yield* fp8(`${p}.mlp.shared_experts.down_proj`, 7168, 2048)
        }
        if (i === 61) {
          yield [`${p}.embed_tokens.weight`, bf16(129280, 7168)]
          yield [`${p}.enorm.weight`, bf16(7168)]
          yield [`${p}.hnorm.weight`, bf16(7168)]
          yield [`${p}.eh_proj.weight`, bf16(7168, 14336)]
          yield [`${p}.shared_head.norm.weight`, bf16(7168)]
          yield [`${p}.shared_head.head.weight`, bf16(129280, 7168)]
        }
      }
      yield ['model.norm.weight', bf16(7168)]
      yield ['lm_head.weight', bf16(129280, 7168)]
    }

    present('deepseek-ai__DeepSeek-R1')(
      'DeepSeek-R1: 61 layers + the MTP layer, FP8 with block scales',
      async () => {
        expect(await run(withConfig('deepseek-ai__DeepSeek-R1', deepseek(62)))).toEqual([
          MR205_INFO,
          MR316_SUPPORTED,
        ])
      },
    )

    present('deepseek-ai__DeepSeek-R1')('DeepSeek-R1 re-uploaded without its MTP layer', async () => {
      expect(await run(withConfig('deepseek-ai__DeepSeek-R1', deepseek(61)))).toEqual([
        MR205_INFO,
        MR316_SUPPORTED,
      ])
    })

    present('deepseek-ai__DeepSeek-R1')('DeepSeek-R1 with a layer lost: reported as a gap', async () => {
      const tensors = [...deepseek(62)].filter(([name]) => !name.startsWith('model.layers.30.'))
      expect(await run(withConfig('deepseek-ai__DeepSeek-R1', tensors))).toEqual([
        MR205_INFO,
        'MR313 error gaps',
        MR316_SUPPORTED,
      ])
    })

    function* gpt2(prefix: string): Generator<[string, HeaderTensor]> {
      const f32 = (...shape: number[]): HeaderTensor => ({ dtype: 'F32', shape })
      yield [`${prefix}wte.weight`, f32(50257, 768)]
      yield [`${prefix}wpe.weight`, f32(1024, 768)]
      for (let i = 0; i < 12; i++) {
        for (const m of ['ln_1', 'ln_2']) yield [`${prefix}h.${i}.${m}.weight`, f32(768)]
        yield [`${prefix}h.${i}.attn.c_attn.weight`, f32(768, 2304)]
        yield [`${prefix}h.${i}.attn.c_proj.weight`, f32(768, 768)]
        yield [`${prefix}h.${i}.mlp.c_fc.weight`, f32(768, 3072)]
        yield [`${prefix}h.${i}.mlp.c_proj.weight`, f32(3072, 768)]
      }
      yield [`${prefix}ln_f.weight`, f32(768)]
    }

    present('openai-community__gpt2__resaved')(
      'GPT-2 as save_pretrained writes it (transformer.*, tied)',
      async () => {
        expect(await run(withConfig('openai-community__gpt2__resaved', gpt2('transformer.')))).toEqual([])
      },
    )

    present('openai-community__gpt2__resaved')('GPT-2 as the hub file has it (no prefix)', async () => {
      expect(await run(withConfig('openai-community__gpt2__resaved', gpt2('')))).toEqual([])
    })

    function* llama(dtype: Dtype): Generator<[string, HeaderTensor]> {
      const t = (...shape: number[]): HeaderTensor => ({ dtype, shape })
      yield ['model.embed_tokens.weight', t(32000, 2048)]
      for (let i = 0; i < 22; i++) {
        const p = `model.layers.${i}`
        yield [`${p}.input_layernorm.weight`, t(2048)]
        yield [`${p}.self_attn.q_proj.weight`, t(2048, 2048)]
        yield [`${p}.self_attn.k_proj.weight`, t(256, 2048)]
        yield [`${p}.self_attn.v_proj.weight`, t(256, 2048)]
        yield [`${p}.self_attn.o_proj.weight`, t(2048, 2048)]
        yield [`${p}.post_attention_layernorm.weight`, t(2048)]
        yield [`${p}.mlp.gate_proj.weight`, t(5632, 2048)]
        yield [`${p}.mlp.up_proj.weight`, t(5632, 2048)]
        yield [`${p}.mlp.down_proj.weight`, t(2048, 5632)]
      }
      yield ['model.norm.weight', t(2048)]
      yield ['lm_head.weight', t(32000, 2048)]
    }

    const tinyLlama = 'TinyLlama__TinyLlama-1.1B-Chat-v1.0__resaved'
    present(tinyLlama)('TinyLlama re-saved in float32 ("dtype", transformers 5)', async () => {
      expect(await run(withConfig(tinyLlama, llama('F32')))).toEqual([])
    })

    present(tinyLlama)('TinyLlama with BF16 weights under "dtype": "float32"', async () => {
      expect(await run(withConfig(tinyLlama, llama('BF16')))).toEqual(['MR315 warning mismatch'])
    })

    present('sentence-transformers__all-MiniLM-L6-v2')(
      'MiniLM (BERT): embeddings.word_embeddings, encoder.layer.N',
      async () => {
        function* bert(): Generator<[string, HeaderTensor]> {
          const f32 = (...shape: number[]): HeaderTensor => ({ dtype: 'F32', shape })
          yield ['embeddings.word_embeddings.weight', f32(30522, 384)]
          yield ['embeddings.position_embeddings.weight', f32(512, 384)]
          yield ['embeddings.token_type_embeddings.weight', f32(2, 384)]
          for (let i = 0; i < 6; i++) {
            yield [`encoder.layer.${i}.attention.self.query.weight`, f32(384, 384)]
            yield [`encoder.layer.${i}.output.dense.weight`, f32(384, 1536)]
          }
          yield ['pooler.dense.weight', f32(384, 384)]
        }
        expect(await run(withConfig('sentence-transformers__all-MiniLM-L6-v2', bert()))).toEqual([])
      },
    )

    const wizard = 'TheBloke__WizardCoder-15B-1.0-GPTQ'
    present(wizard)(
      'WizardCoder GPTQ: packed tensors, but only quantize_config.json declares them',
      async () => {
        function* gptq(): Generator<[string, HeaderTensor]> {
          const f16 = (...shape: number[]): HeaderTensor => ({ dtype: 'F16', shape })
          const i32 = (...shape: number[]): HeaderTensor => ({ dtype: 'I32', shape })
          yield ['transformer.wte.weight', f16(49153, 6144)]
          yield ['transformer.wpe.weight', f16(8192, 6144)]
          for (let i = 0; i < 40; i++) {
            const p = `transformer.h.${i}`
            yield [`${p}.ln_1.weight`, f16(6144)]
            for (const [m, rows, cols] of [
              ['attn.c_attn', 6144, 6400],
              ['attn.c_proj', 6144, 6144],
              ['mlp.c_fc', 6144, 24576],
              ['mlp.c_proj', 24576, 6144],
            ] as const) {
              yield [`${p}.${m}.qweight`, i32(rows / 8, cols)]
              yield [`${p}.${m}.qzeros`, i32(rows / 128, cols / 8)]
              yield [`${p}.${m}.scales`, f16(rows / 128, cols)]
              yield [`${p}.${m}.g_idx`, i32(rows)]
            }
          }
          yield ['transformer.ln_f.weight', f16(6144)]
          yield ['lm_head.weight', f16(49153, 6144)]
        }
        const side = { 'quantize_config.json': read(wizard, 'quantize_config.json') }
        const findings = await runModelRules(withConfig(wizard, gptq(), side), RULES, options)
        expect(findings.map((f) => `${f.ruleId} ${f.severity} ${f.messageId}`)).toEqual([
          'MR316 warning undeclared',
        ])
        expect(findings[0].message).toContain('(only quantize_config.json, which transformers does not read)')
      },
    )
  })
})
