// Each adapter against the model the manifest deploys: trained on it (adapter_config.json's
// base_model_name_or_path), and targeting modules the model has (its safetensors tensor names), as
// PEFT matches target_modules. The finding goes on the adapter's entry.
import rule from '../../../src/rules/manifest/adapter-model-match.js'
import { checkedAdapter, createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'
import { llamaConfig, llamaTensors, sparseSafetensors, TINY_LLAMA } from '../../helpers/sparse-safetensors.js'

const SMALL = TINY_LLAMA
const MODEL = {
  'config.json': JSON.stringify(llamaConfig(SMALL)),
  'model.safetensors': sparseSafetensors(llamaTensors(SMALL)),
}
const SHA = 'b'.repeat(40)
const adapter = (config: Record<string, unknown>) =>
  checkedAdapter(
    {
      'adapter_config.json': JSON.stringify(
        {
          peft_type: 'LORA',
          base_model_name_or_path: 'org/model',
          target_modules: ['q_proj', 'v_proj'],
          ...config,
        },
        null,
        2,
      ),
    },
    { sha: SHA },
  )
const withAdapters = (n: number) =>
  createYaml(
    [
      'adapters:',
      ...Array.from({ length: n }, (_, i) => [
        `  - hfAdapterRepo: org/adapter-${i}`,
        `    hfAdapterRepoRevision: "${SHA}"`,
      ]).flat(),
    ].join('\n'),
  )

manifestRuleTester(rule, {
  valid: [
    {
      name: 'trained on the model, targeting its attention projections (by suffix and by dotted suffix)',
      manifest: withAdapters(2),
      model: MODEL,
      adapters: [adapter({}), adapter({ target_modules: ['self_attn.q_proj', 'mlp.down_proj'] })],
    },
    {
      name: 'the same id in other capitals; a regular expression (MR605 says so); a local base (MR604)',
      manifest: withAdapters(3),
      model: MODEL,
      adapters: [
        adapter({ base_model_name_or_path: 'ORG/Model' }),
        adapter({ target_modules: '.*proj' }),
        adapter({ base_model_name_or_path: '/home/me/model' }),
      ],
    },
    {
      name: 'no model was checked',
      manifest: withAdapters(1),
      adapters: [adapter({ base_model_name_or_path: 'x/y' })],
    },
  ],
  invalid: [
    {
      name: 'trained on another model',
      manifest: withAdapters(1),
      model: MODEL,
      adapters: [adapter({ base_model_name_or_path: 'meta-llama/Llama-3.1-8B' })],
      errors: [
        {
          messageId: 'otherBase',
          line: 10,
          column: 5,
          severity: 'warning',
          message: `adapters[0]: hf://org/adapter@${'a'.repeat(40)}/adapter_config.json:3 was trained on "meta-llama/Llama-3.1-8B" (base_model_name_or_path in adapter_config.json), but the endpoint deploys "org/model"`,
        },
      ],
    },
    {
      name: 'no module of the model is targeted (PEFT cannot load it); some are not (a warning)',
      manifest: withAdapters(2),
      model: MODEL,
      adapters: [
        adapter({ target_modules: ['Wqkv', 'out_proj'] }),
        adapter({ target_modules: ['q_proj', 'fc_in', 'q_proj'] }),
      ],
      errors: [
        {
          messageId: 'noModule',
          line: 10,
          message:
            'adapters[0]: hf://org/adapter@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/adapter_config.json targets "Wqkv" and "out_proj", and hf://org/model@0000000000000000000000000000000000000000 has no module of that name: PEFT raises "Target modules … not found in the base model"',
        },
        { messageId: 'someModules', line: 12, severity: 'warning', message: 'targets "fc_in", which' },
      ],
    },
    {
      name: 'a list of 500 unknown modules: 10 named, the rest counted',
      manifest: withAdapters(1),
      model: MODEL,
      adapters: [adapter({ target_modules: Array.from({ length: 500 }, (_, i) => `m${i}`) })],
      errors: [{ messageId: 'noModule', line: 10, message: '"m8", "m9" and 490 more, and' }],
    },
  ],
})
