import rule from '../../../src/rules/manifest/instance-fit.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'
import {
  LLAMA_405B,
  llamaConfig,
  llamaTensors,
  sparseSafetensors,
  type LlamaDims,
} from '../../helpers/sparse-safetensors.js'

/** Llama-3.1-8B's shapes in BF16: 16.1 GB of weights; its KV cache is 131 KB a token. */
const LLAMA_8B: LlamaDims = {
  layers: 32,
  hidden: 4096,
  intermediate: 14336,
  heads: 32,
  kvHeads: 8,
  vocab: 128256,
  dtype: 'BF16',
}

/** A model with these shapes: its config.json (with `config` over it) and one sparse safetensors file. */
function model(d: LlamaDims, config: Record<string, unknown> = {}) {
  return {
    'config.json': JSON.stringify({ ...llamaConfig(d), ...config }),
    'model.safetensors': sparseSafetensors(llamaTensors(d)),
  }
}

const on = (id: string, extra = '') => createYaml(extra, { instanceOptionId: id })

manifestRuleTester(rule, {
  valid: [
    { name: 'no model was checked (an update body)', manifest: 'name: x\ninstanceOptionId: TwD5AqnBSVN0\n' },
    {
      name: 'an unknown instance (EP301 says so)',
      manifest: on('NotAnId00000'),
      model: model(LLAMA_8B),
    },
  ],
  invalid: [
    {
      name: 'an 8B model at 8,192 tokens on 1× H100: fits, and names the smallest instance',
      manifest: on('TwD5AqnBSVN0', '  max_context_length: 8192'),
      model: model(LLAMA_8B),
      errors: [
        {
          messageId: 'fits',
          line: 3,
          column: 1,
          message:
            '1× H100 80GB (TwD5AqnBSVN0, 80 GB) holds hf://org/model@0000000000000000000000000000000000000000: weights 16.1 GB and a KV cache of 1.1 GB at 8,192 tokens × 1 sequence (max_batch_size unset) (2 × 32 layers × 8 KV heads × 128 head_dim × 2 bytes = 131 KB a token), 17.1 GB in all, within 90% of its GPU memory. The smallest instance that does is 1× A100 80GB (ShbPuOs4tfGb, 80 GB) or 1× H100 80GB (TwD5AqnBSVN0, 80 GB).',
        },
      ],
    },
    {
      name: 'the same model at its full 131,072 tokens and 8 sequences: the cache does not fit',
      manifest: on('TwD5AqnBSVN0', '  max_batch_size: 8'),
      model: model(LLAMA_8B),
      errors: [
        {
          messageId: 'kvTooLarge',
          line: 3,
          message:
            'not their KV cache at 131,072 tokens × 8 sequences (max_batch_size): 137 GB (2 × 32 layers × 8 KV heads × 128 head_dim × 2 bytes = 131 KB a token), 153 GB in all, more than 90% of its GPU memory. The smallest instance that holds both is 1× B200 (8GiQTLKfJNOr, 180 GB).',
        },
      ],
    },
    {
      name: 'a 405B model on 8× A100: the weights alone do not fit',
      manifest: on('sYH4kHmAcA5P'),
      model: model(LLAMA_405B),
      errors: [
        {
          messageId: 'weightsTooLarge',
          line: 3,
          message:
            "8× A100 80GB (sYH4kHmAcA5P, 640 GB) cannot hold hf://org/model@0000000000000000000000000000000000000000: its weights alone (812 GB) take more than 95% of the instance's GPU memory, and the rest is less than the CUDA context, the activations and any KV cache need. The smallest instance that holds the weights and their KV cache is 8× H200 141GB (ahBzWtOuomsI, 1,128 GB).",
        },
      ],
    },
    {
      name: 'a 405B model with a sliding window on 8× A100: the weights alone decide, the cache is not estimated',
      manifest: on('sYH4kHmAcA5P'),
      model: model(LLAMA_405B, { sliding_window: 4096 }),
      errors: [
        {
          messageId: 'weightsTooLarge',
          line: 3,
          message: 'The smallest instance that holds the weights is 8× H200 141GB (ahBzWtOuomsI, 1,128 GB).',
        },
      ],
    },
    {
      name: 'a sliding-window model that fits: the weights only, and why the cache was not estimated',
      manifest: on('ShbPuOs4tfGb'),
      model: model(LLAMA_8B, { sliding_window: 4096 }),
      errors: [
        {
          messageId: 'fitsWeights',
          line: 3,
          message:
            'the KV cache was not estimated: it attends within a sliding window (sliding_window 4096) on some or all layers',
        },
      ],
    },
    {
      name: 'multi-head latent attention: the cache is not estimated',
      manifest: on('ShbPuOs4tfGb'),
      model: model(LLAMA_8B, { kv_lora_rank: 512 }),
      errors: [{ messageId: 'fitsWeights', line: 3, message: 'multi-head latent attention (kv_lora_rank)' }],
    },
    {
      name: 'no context anywhere: the weights only',
      manifest: on('ShbPuOs4tfGb'),
      model: model(LLAMA_8B, { max_position_embeddings: undefined }),
      errors: [
        { messageId: 'fitsWeights', line: 3, message: "nor the model's files state a context length" },
      ],
    },
    {
      name: 'a model whose weights cannot be sized',
      manifest: on('ShbPuOs4tfGb'),
      model: { 'config.json': JSON.stringify(llamaConfig(LLAMA_8B)) },
      errors: [{ messageId: 'notSized', line: 3, message: 'its safetensors weights are not a complete set' }],
    },
    {
      name: 'FP8 weights on an A100 instance',
      manifest: on('ShbPuOs4tfGb', '  max_context_length: 4096'),
      model: model({ ...LLAMA_8B, dtype: 'F8_E4M3' }),
      errors: [
        { messageId: 'fp8', line: 3, message: 'has A100 GPUs, which have no FP8 tensor cores' },
        {
          messageId: 'fits',
          line: 3,
          message: 'The smallest instance that does is 1× H100 80GB (TwD5AqnBSVN0, 80 GB).',
        },
      ],
    },
  ],
})
