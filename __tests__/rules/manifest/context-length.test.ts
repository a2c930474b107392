import rule from '../../../src/rules/manifest/context-length.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'
import { llamaConfig, llamaTensors, sparseSafetensors, TINY_LLAMA } from '../../helpers/sparse-safetensors.js'

const SMALL = TINY_LLAMA

/** A small model whose config.json says `config` over Llama 3.1's (max_position_embeddings 131,072). */
function model(config: Record<string, unknown> = {}, tokenizerConfig?: Record<string, unknown>) {
  return {
    'config.json': JSON.stringify({ ...llamaConfig(SMALL), ...config }),
    'model.safetensors': sparseSafetensors(llamaTensors(SMALL)),
    ...(tokenizerConfig ? { 'tokenizer_config.json': JSON.stringify(tokenizerConfig) } : {}),
  }
}

manifestRuleTester(rule, {
  valid: [
    {
      name: 'within the model',
      manifest: createYaml('  max_context_length: 131072\n  max_input_length: 100000'),
      model: model(),
    },
    {
      name: 'within a YaRN-scaled context (vLLM multiplies by the factor)',
      manifest: createYaml('  max_context_length: 131072'),
      model: model({
        max_position_embeddings: 32768,
        rope_scaling: { rope_type: 'yarn', factor: 4, original_max_position_embeddings: 32768 },
      }),
    },
    {
      name: 'within model_max_length when it is the larger bound',
      manifest: createYaml('  max_context_length: 200000'),
      model: model({}, { model_max_length: 200000 }),
    },
    {
      name: 'no model checked: nothing to compare with',
      manifest: createYaml('  max_context_length: 9999999'),
    },
  ],
  invalid: [
    {
      name: 'context and input above the model',
      manifest: createYaml('  max_context_length: 200000\n  max_input_length: 150000'),
      model: model(),
      errors: [
        {
          messageId: 'aboveModel',
          line: 9,
          column: 3,
          message:
            'advanced.max_context_length is 200,000 tokens, more than hf://org/model@0000000000000000000000000000000000000000 can attend to: 131,072 tokens (config.json max_position_embeddings).',
        },
        { messageId: 'aboveModel', line: 10, message: 'advanced.max_input_length is 150,000 tokens' },
      ],
    },
    {
      name: 'above a llama3-scaled context, which is already the extended length',
      manifest: createYaml('  max_context_length: 1048576'),
      model: model(),
      errors: [{ messageId: 'aboveModel', line: 9, message: '131,072 tokens' }],
    },
    {
      name: 'the input equal to the context: no room for the answer',
      manifest: createYaml('  max_context_length: 8192\n  max_input_length: 8192'),
      errors: [
        { messageId: 'inputNotBelowContext', line: 10, message: 'is equal to max_context_length (8,192)' },
      ],
    },
    {
      name: 'the input above the context',
      manifest: createYaml('  max_input_length: 9000\n  max_context_length: 8192'),
      errors: [
        {
          messageId: 'inputNotBelowContext',
          line: 9,
          message: '(9,000) is above max_context_length (8,192)',
        },
      ],
    },
  ],
})
