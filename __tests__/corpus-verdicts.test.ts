// The verdict on every real model and dataset of ../shared/corpus, reviewed by hand once: the exact set
// of errors each one gets, with why each is right, and the warnings it must keep. A new error on a
// corpus model or dataset fails here, so a rule change that would block a real, deployable model is seen
// before it ships.
//
// Models are judged twice: as the corpus keeps them (config and tokenizer files, an index, rarely a
// shard: their weights are left out, so "no weights" is the right verdict there) and, for those with
// the real shapes of their checkpoint in helpers/corpus-models.ts, as published: the same files with a
// header-only safetensors shard for every shard their index names. As published, none has an error.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { checkTargets } from '../src/check.js'
import type { Finding } from '../src/common/finding.js'
import { runModelRules } from '../src/engine/run-model.js'
import { modelRules } from '../src/rules/registry.js'
import { resolveSettings } from '../src/settings.js'
import { openLocalSource } from '../src/sources/local.js'
import { CORPUS_ROOT } from './helpers/corpus.js'
import { CORPUS_MODELS, publishedFolders, publishedSource } from './helpers/corpus-models.js'

interface Verdict {
  /** Exactly these errors, as ruleId:messageId. */
  errors: string[]
  /** Why each error is right (or why there is none). */
  why: string
  /** Warnings that must stay (a subset). */
  warnings?: string[]
}

const NO_WEIGHTS = 'the corpus keeps no weights: no safetensors at the root is the right verdict'

/** Each corpus model folder as it is. */
const AS_IS: Record<string, Verdict> = {
  '3L0L0__FLAN-T5-Motivation-LoRA': {
    errors: ['MR602:missing'],
    why: 'a LoRA adapter without its adapter_model.safetensors (the corpus keeps the config only)',
  },
  'AdelaCorbeanu__Llama-3.2-3B-Romanian-QA-LoRA': {
    errors: ['MR602:missing'],
    why: 'a LoRA adapter without its weights file',
  },
  'BAAI__bge-large-zh-v1.5__LFS-POINTERS': {
    errors: ['MR102:none', 'MR304:pointers'],
    why: 'the weights are Git LFS pointer files, not weights: a clone without git lfs pull',
  },
  'Dheena731__tinyLlama-finetune-LoRA': {
    errors: ['MR602:missing', 'MR604:missing'],
    why: 'an adapter without weights, whose adapter_config.json has no target_modules',
  },
  'DracoUnion__Qwen1.5-moe-8x0.5B-Chat': { errors: ['MR102:none'], why: NO_WEIGHTS },
  'Hareshjethani__bert-base-uncased-SEQ_CLS-LoRA': {
    errors: [],
    why: 'its adapter weights are there; the odd target names are warnings',
    warnings: ['MR604:bareName', 'MR605:modulesToSave'],
  },
  'Qwen__Qwen2.5-VL-7B-Instruct': {
    errors: ['MR102:none'],
    why: NO_WEIGHTS,
    warnings: ['MR203:catalog'],
  },
  'THUDM__chatglm3-6b': {
    errors: ['MR102:none'],
    why: `${NO_WEIGHTS} (the published repo also has only .bin weights and remote code)`,
    warnings: ['MR203:unconfirmed', 'MR205:remoteCode', 'MR403:eosIdOnly'],
  },
  'TheBloke__WizardCoder-15B-1.0-GPTQ': {
    errors: ['MR102:none'],
    why: NO_WEIGHTS,
    warnings: ['MR203:unconfirmed'],
  },
  'TinyLlama__TinyLlama-1.1B-Chat-v1.0__resaved': { errors: ['MR102:none'], why: NO_WEIGHTS },
  bigscience__bloom: { errors: ['MR102:none'], why: NO_WEIGHTS, warnings: ['MR203:legacy'] },
  'cognitivecomputations__dolphin-2.5-mixtral-8x7b': { errors: ['MR102:none'], why: NO_WEIGHTS },
  'deepseek-ai__DeepSeek-R1': { errors: ['MR102:none'], why: NO_WEIGHTS },
  'deepseek-ai__DeepSeek-R1-Distill-Qwen-32B': {
    errors: ['MR304:pointers', 'MR306:manyMissing'],
    why: 'one shard is an LFS pointer and the other seven the index names are absent',
  },
  'google__gemma-2b-it': {
    errors: ['MR102:none'],
    why: NO_WEIGHTS,
    warnings: ['MR203:unconfirmed'],
  },
  'ibm-granite__granite-3.1-1b-a400m-instruct': {
    errors: ['MR102:none'],
    why: NO_WEIGHTS,
    warnings: ['MR203:unconfirmed'],
  },
  'internlm__internlm2-chat-7b': {
    errors: ['MR102:none'],
    why: NO_WEIGHTS,
    warnings: ['MR203:unconfirmed', 'MR205:remoteCode'],
  },
  'lmstudio-community__Qwen3-1.7B-MLX-bf16': { errors: ['MR102:none'], why: NO_WEIGHTS },
  'meta-llama__Llama-2-7b-hf': { errors: ['MR102:none'], why: NO_WEIGHTS },
  'meta-llama__Llama-3.2-3B-Instruct': { errors: ['MR102:none'], why: NO_WEIGHTS },
  'meta-llama__Llama-3.2-3B__resharded-per-tensor': {
    errors: ['MR306:manyMissing'],
    why: 'eleven real shards of a 254-shard index: the other 243 are absent',
  },
  'microsoft__Phi-3-mini-4k-instruct': { errors: ['MR102:none'], why: NO_WEIGHTS },
  'openai-community__gpt2__resaved': { errors: ['MR102:none'], why: NO_WEIGHTS, warnings: ['MR203:legacy'] },
  'openai__gpt-oss-20b': { errors: ['MR102:none'], why: NO_WEIGHTS },
  'openbmb__MiniCPM-V-2': {
    errors: ['MR102:none'],
    why: NO_WEIGHTS,
    warnings: ['MR203:unconfirmed', 'MR205:remoteCode'],
  },
  'sentence-transformers__all-MiniLM-L6-v2': {
    errors: ['MR102:none'],
    why: NO_WEIGHTS,
    warnings: ['MR203:notGenerating'],
  },
  'tiiuae__falcon-40b': {
    errors: ['MR102:none'],
    why: NO_WEIGHTS,
    warnings: ['MR203:unconfirmed', 'MR205:remoteCode'],
  },
}

/** Warnings as published: tokenizer.json is left out of the corpus (too large), so MR401 stays. */
const PUBLISHED_WARNINGS: Record<string, string[]> = {
  'Qwen__Qwen2.5-VL-7B-Instruct': ['MR203:catalog'],
  bigscience__bloom: ['MR203:legacy'],
  'google__gemma-2b-it': ['MR203:unconfirmed'],
  'internlm__internlm2-chat-7b': ['MR203:unconfirmed', 'MR205:remoteCode'],
  'openbmb__MiniCPM-V-2': ['MR203:unconfirmed', 'MR205:remoteCode'],
  'THUDM__chatglm3-6b': ['MR203:unconfirmed', 'MR205:remoteCode', 'MR403:eosIdOnly'],
  'tiiuae__falcon-40b': ['MR203:unconfirmed', 'MR205:remoteCode'],
}

/** Each corpus dataset alone, then with base models whose chat templates the rows must fit. */
const DATASETS: Record<string, { alone: string[]; llama: string[]; gemma: string[]; why: string }> = {
  'messages/llamafactory__mllm_demo.json': {
    alone: [],
    llama: [],
    gemma: [],
    why: 'messages rows with image parts in the user turns',
  },
  'messages/openai-cookbook__drone_training.jsonl': {
    alone: [],
    llama: [],
    gemma: ['DS401'],
    why: "rows open with a system message, which Gemma's template refuses (it raises)",
  },
  'messages/openai-cookbook__toy_chat_fine_tuning.jsonl': {
    alone: [],
    llama: [],
    gemma: ['DS401'],
    why: "system messages again: right for Llama's template, refused by Gemma's",
  },
  'messages/together-cookbook__small_coqa_10.jsonl': {
    alone: [],
    llama: [],
    gemma: ['DS401'],
    why: "system messages again: right for Llama's template, refused by Gemma's",
  },
  'not_messages_or_broken/llamafactory__glaive_toolcall_en_demo_sharegpt.json': {
    alone: ['DS101'],
    llama: ['DS101'],
    gemma: ['DS101'],
    why: 'ShareGPT rows ("conversations"), not the "messages" column Friendli requires',
  },
  'not_messages_or_broken/llamafactory__identity_alpaca.json': {
    alone: ['DS101'],
    llama: ['DS101'],
    gemma: ['DS101'],
    why: 'Alpaca rows ("instruction", "output"): no "messages" column',
  },
  'not_messages_or_broken/narendrasinghdangi__toy_chat_fine_tuning_python_repr.jsonl': {
    alone: ['DS201'],
    llama: ['DS201'],
    gemma: ['DS201'],
    why: 'rows written as Python dict reprs (single quotes), not JSON',
  },
  'not_messages_or_broken/Iamjuhwan__train-00000-of-00001_LFS_POINTER.parquet': {
    alone: ['DS102'],
    llama: ['DS102'],
    gemma: ['DS102'],
    why: 'a Git LFS pointer file, not Parquet',
  },
  'not_messages_or_broken/Mita-Chat-AI__train_conversations_role_content.parquet': {
    alone: ['DS101'],
    llama: ['DS101'],
    gemma: ['DS101'],
    why: 'a "conversations" column of role/content turns: no "messages" column',
  },
}

const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' }
/** The findings of a severity as ruleId:messageId, with ×n when there are several: a count is a verdict too. */
const ids = (findings: readonly Finding[], severity: string) => {
  const counts = new Map<string, number>()
  for (const f of findings.filter((x) => x.severity === severity)) {
    const id = `${f.ruleId}:${f.messageId}`
    counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  return [...counts].map(([id, n]) => (n === 1 ? id : `${id}×${n}`)).sort()
}

describe('verdicts on the real corpus', () => {
  if (!existsSync(CORPUS_MODELS)) {
    it('is skipped: no corpus', () => {
      console.log(`${CORPUS_ROOT} is absent: the corpus verdict table is skipped`)
    })
    return
  }

  it('lists every model and dataset of the corpus, so a new one is reviewed', () => {
    expect(Object.keys(AS_IS).sort()).toEqual(readdirSync(CORPUS_MODELS).sort())
    const datasets = ['messages', 'not_messages_or_broken'].flatMap((d) =>
      readdirSync(path.join(CORPUS_ROOT, 'datasets', d)).map((f) => `${d}/${f}`),
    )
    expect(Object.keys(DATASETS).sort()).toEqual(datasets.sort())
  })

  describe('each model as the corpus keeps it', () => {
    it.each(Object.keys(AS_IS))('%s', async (folder) => {
      const v = AS_IS[folder]!
      const findings = await runModelRules(
        await openLocalSource(path.join(CORPUS_MODELS, folder)),
        modelRules,
        options,
      )
      expect(ids(findings, 'error')).toEqual(v.errors)
      expect(ids(findings, 'warning')).toEqual(expect.arrayContaining(v.warnings ?? []))
    })
  })

  describe('each model as published, with a header-only shard for every shard of its index: no error', () => {
    it.each(publishedFolders())('%s', async (folder) => {
      const findings = await runModelRules(publishedSource(folder), modelRules, options)
      expect(ids(findings, 'error')).toEqual([])
      expect(ids(findings, 'warning')).toEqual(expect.arrayContaining(PUBLISHED_WARNINGS[folder] ?? []))
    })
  })

  describe('each dataset, alone and with a base model', () => {
    const base = {
      alone: '',
      llama: 'models/meta-llama__Llama-3.2-3B-Instruct',
      gemma: 'models/google__gemma-2b-it',
    } as const
    const cases = Object.keys(DATASETS).flatMap((file) =>
      (Object.keys(base) as (keyof typeof base)[]).map((with_) => ({ file, with_ })),
    )
    it.each(cases)('$file, $with_', async ({ file, with_ }) => {
      const settings = resolveSettings(
        {
          model: '',
          config: '',
          failOn: '',
          extraArchitectures: '',
          dataset: `datasets/${file}`,
          baseModel: base[with_],
        },
        CORPUS_ROOT,
        {},
      )
      const report = await checkTargets(settings, {})
      const [target] = report.targets
      expect(target?.status === 'error' ? target.error : '').toBe('')
      const errors = [...new Set(target!.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId))]
      expect(errors.sort()).toEqual(DATASETS[file]![with_])
    })
  })
})
