import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/model/adapter-target-modules.js'
import {
  adapterConfig,
  corpusAdapters,
  corpusFindings,
  CORPUS_MODELS,
  lineOf,
} from '../../helpers/adapter.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const adapter = (overrides: Record<string, unknown>) => ({ 'adapter_config.json': adapterConfig(overrides) })
const targets = (value: unknown) => adapter({ target_modules: value })
/** target_modules is on line 10; a list puts its entries on the lines after it. */
const atTargets = { path: 'adapter_config.json', line: 10, column: 3, pointer: '/target_modules' }
const entry = (index: number) => ({
  path: 'adapter_config.json',
  line: 11 + index,
  column: 5,
  pointer: `/target_modules/${index}`,
})
const atSave = { path: 'adapter_config.json', line: 6, column: 3, pointer: '/modules_to_save' }

ruleTester(rule, {
  valid: [
    { name: 'q_proj and v_proj', files: adapter({}) },
    {
      name: 'every linear layer of a Llama block',
      files: targets(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']),
    },
    {
      name: 'a list with duplicates: PEFT makes it a set, so it is harmless',
      files: targets(['q_proj', 'v_proj', 'q_proj']),
    },
    { name: 'full module names', files: targets(['model.layers.0.self_attn.q_proj']) },
    { name: 'wte (GPT-J), which the legacy converter accepted', files: targets(['q_proj', 'v_proj', 'wte']) },
    { name: 'modules_to_save empty', files: adapter({ modules_to_save: [] }) },
    { name: 'target_parameters null or empty, as PEFT writes it', files: adapter({ target_parameters: [] }) },
    { name: 'modules_to_save absent', files: adapter({ modules_to_save: undefined }) },
    {
      name: 'a broken adapter_config.json: invalid-adapter-config reports it',
      files: { 'adapter_config.json': '' },
    },
    { name: 'a model: the rule does not run', files: { 'config.json': configJson() } },
  ],
  invalid: [
    {
      name: 'missing: an error on the file, with no line (the key is absent)',
      files: targets(undefined),
      errors: [
        {
          messageId: 'missing',
          path: 'adapter_config.json',
          severity: 'error',
          message:
            'adapter_config.json has no "target_modules" (missing or null), so it does not say which layers the adapter changes.',
        },
      ],
    },
    {
      name: 'null',
      files: targets(null),
      errors: [{ messageId: 'missing', ...atTargets, severity: 'error' }],
    },
    {
      name: 'an empty list',
      files: targets([]),
      errors: [
        {
          messageId: 'empty',
          ...atTargets,
          severity: 'error',
          message: '"target_modules" in adapter_config.json is empty, so the adapter changes no layer.',
        },
      ],
    },
    { name: 'an empty string', files: targets(''), errors: [{ messageId: 'empty', ...atTargets }] },
    {
      name: 'an object',
      files: targets({ q_proj: true }),
      errors: [
        {
          messageId: 'invalid',
          ...atTargets,
          message: '"target_modules" in adapter_config.json must be a list of module names but is an object.',
        },
      ],
    },
    {
      name: 'a number in the list: at the entry',
      files: targets(['q_proj', 3]),
      errors: [
        {
          messageId: 'invalid',
          ...entry(1),
          message: 'must be a list of module names but entry 1 is a number.',
        },
      ],
    },
    {
      name: 'an empty name in the list',
      files: targets(['', 'v_proj']),
      errors: [{ messageId: 'invalid', ...entry(0), message: 'but entry 0 is an empty string.' }],
    },
    {
      name: '"all-linear": a PEFT shorthand',
      files: targets('all-linear'),
      errors: [
        {
          messageId: 'allLinear',
          ...atTargets,
          severity: 'warning',
          message:
            '"target_modules" is "all-linear", a shorthand only PEFT expands (against the base model\'s layers), while Friendli\'s legacy adapter converter read target_modules as a list of module names.',
        },
      ],
    },
    {
      name: 'a regular expression',
      files: targets('.*\\.(q_proj|v_proj)'),
      errors: [
        {
          messageId: 'regex',
          ...atTargets,
          message:
            '"target_modules" is the regular expression ".*\\\\.(q_proj|v_proj)", which only an engine',
        },
      ],
    },
    {
      name: 'lm_head: at its entry',
      files: targets(['q_proj', 'lm_head']),
      errors: [
        {
          messageId: 'lmHead',
          ...entry(1),
          message:
            '"target_modules" includes "lm_head", the output head, which Friendli\'s legacy adapter converter rejected.',
        },
      ],
    },
    {
      name: 'embed_out, the output head of GPT-NeoX despite its name',
      files: targets(['query_key_value', 'embed_out']),
      errors: [{ messageId: 'lmHead', ...entry(1), message: '"embed_out", the output head' }],
    },
    {
      name: 'embed_tokens',
      files: targets(['embed_tokens', 'q_proj']),
      errors: [
        {
          messageId: 'embedding',
          ...entry(0),
          message:
            '"target_modules" includes "embed_tokens", an embedding layer, which Friendli\'s legacy adapter converter did not support for Llama, Mistral or MPT models.',
        },
      ],
    },
    {
      name: 'any *embed* name, in full dotted form',
      files: targets(['transformer.word_embeddings', 'query_key_value']),
      errors: [{ messageId: 'embedding', ...entry(0), message: '"transformer.word_embeddings"' }],
    },
    {
      name: 'a head listed twice is reported once, at its first place',
      files: targets(['lm_head', 'q_proj', 'lm_head', 'embed_tokens']),
      errors: [
        { messageId: 'lmHead', ...entry(0) },
        { messageId: 'embedding', ...entry(3) },
      ],
    },
    {
      name: 'modules_to_save (a classification head): at its line',
      files: adapter({ modules_to_save: ['classifier', 'score'], task_type: 'SEQ_CLS' }),
      errors: [
        {
          messageId: 'modulesToSave',
          ...atSave,
          message:
            '"modules_to_save" lists "classifier" and "score", so the adapter carries full trained copies of those modules, which multi-LoRA serving over one shared base model does not support.',
        },
      ],
    },
    {
      name: 'modules_to_save with the embeddings and head (after adding tokens)',
      files: adapter({ modules_to_save: ['embed_tokens', 'lm_head'] }),
      errors: [{ messageId: 'modulesToSave', ...atSave, message: '"embed_tokens" and "lm_head"' }],
    },
    {
      name: 'modules_to_save as one string',
      files: adapter({ modules_to_save: 'lm_head' }),
      errors: [
        {
          messageId: 'modulesToSave',
          ...atSave,
          message: 'lists "lm_head", so the adapter carries a full trained copy of that module',
        },
      ],
    },
    {
      name: 'both problems: the target first, then modules_to_save',
      // The list of modules_to_save takes lines 6 to 8, so target_modules moves down to line 12.
      files: adapter({ target_modules: 'all-linear', modules_to_save: ['lm_head'] }),
      errors: [
        { messageId: 'allLinear', ...atTargets, line: 12 },
        { messageId: 'modulesToSave', ...atSave },
      ],
    },
    {
      name: 'target_parameters (MoE experts) with target_modules null: only that, at its line',
      // target_parameters sorts right after target_modules, which is null on line 10.
      files: adapter({
        target_modules: null,
        target_parameters: ['feed_forward.experts.gate_up_proj', 'feed_forward.experts.down_proj'],
      }),
      errors: [
        {
          messageId: 'targetParameters',
          path: 'adapter_config.json',
          line: 11,
          column: 3,
          pointer: '/target_parameters',
          message:
            '"target_parameters" lists "feed_forward.experts.gate_up_proj" and "feed_forward.experts.down_proj", so the adapter changes parameters directly (PEFT\'s way to reach the experts of a mixture-of-experts layer), which Friendli\'s legacy adapter converter did not know.',
        },
      ],
    },
    {
      name: 'target_parameters next to a target_modules list: both checked',
      files: adapter({ target_modules: ['q_proj', 'lm_head'], target_parameters: ['mlp.experts.down_proj'] }),
      errors: [
        { messageId: 'lmHead', ...entry(1) },
        { messageId: 'targetParameters', path: 'adapter_config.json', line: 14, column: 3 },
      ],
    },
    {
      name: "extra keys move the line: still the key's own line",
      files: adapter({ exclude_modules: null, fan_in_fan_out: false, target_modules: ['lm_head'] }),
      errors: [
        {
          messageId: 'lmHead',
          path: 'adapter_config.json',
          line: lineOf(adapterConfig({ exclude_modules: null, fan_in_fan_out: false }), 'target_modules') + 1,
          column: 5,
        },
      ],
    },
  ],
})

describe('MR605 on the corpus adapters', () => {
  const names = corpusAdapters()
  if (names.length === 0) {
    it('is skipped: no corpus', () => console.log(`${CORPUS_MODELS} is absent: corpus adapter tests skipped`))
    return
  }
  const expected: Record<string, string[]> = {
    '3L0L0__FLAN-T5-Motivation-LoRA': [],
    'AdelaCorbeanu__Llama-3.2-3B-Romanian-QA-LoRA': [],
    'Dheena731__tinyLlama-finetune-LoRA': [],
    // A sequence-classification adapter: its head is trained in full.
    'Hareshjethani__bert-base-uncased-SEQ_CLS-LoRA': ['modulesToSave @adapter_config.json:21'],
  }
  // An adapter added to the corpus later is only run (it must not crash); the four known ones are pinned.
  it.each(names)('%s', async (name) => {
    const found = await corpusFindings(rule, name)
    expect(found).toEqual(expected[name] ?? found)
  })
})
