// A sharded model with every file the model rules read and a few planted problems, for the hub tests
// that pin down what a check of it reports and which requests it costs. Free of jest and of the
// engine, so the same files can be checked by any version of the code.
import { chatmlBase } from './chatml-base.js'
import {
  llamaConfig,
  llamaTensors,
  shardTensors,
  sparseSafetensors,
  type LlamaDims,
} from './sparse-safetensors.js'
import type { SparseSafetensors } from './sparse-safetensors.js'

const DIMS: LlamaDims = {
  layers: 4,
  hidden: 256,
  intermediate: 512,
  heads: 4,
  kvHeads: 2,
  vocab: 1000,
  dtype: 'BF16',
}

/** The files read whole by a check with every rule (the rest are shards, listed or skipped). */
export const READ_WHOLE = [
  'config.json',
  'generation_config.json',
  'model.safetensors.index.json',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
]

/**
 * A Llama model in `count` shards (at least 4) with its index, config, generation config and a ChatML
 * tokenizer, a README and .gitattributes (never read), and these problems: config.json declares
 * float16 and 1,024 vocabulary rows for BF16 tensors with 1,000; shard 3's header says format "np";
 * a stray numbered shard of another save sits beside the series. Shard 2's header carries 4 KB of
 * metadata the index cannot foresee, so its first read falls short and a second one completes it.
 */
export function shardedHubModel(count: number): Record<string, string | Uint8Array | SparseSafetensors> {
  const tensors = [...llamaTensors(DIMS)]
  const { shards, index } = shardTensors(tensors, count)
  const names = [...shards.keys()]
  const of = (shard: string) => tensors.filter(([name]) => index!.weight_map[name] === shard)
  shards.set(names[1]!, sparseSafetensors(of(names[1]!), { format: 'pt', notes: 'n'.repeat(4000) }))
  shards.set(names[2]!, sparseSafetensors(of(names[2]!), { format: 'np' }))
  const base = chatmlBase()
  return {
    '.gitattributes': '*.safetensors filter=lfs diff=lfs merge=lfs -text\n',
    'README.md': '# a model\n',
    'config.json': JSON.stringify(
      { ...llamaConfig(DIMS), torch_dtype: 'float16', vocab_size: 1024, bos_token_id: 1, eos_token_id: 2 },
      null,
      2,
    ),
    'generation_config.json': JSON.stringify({ bos_token_id: 1, eos_token_id: 2 }),
    'special_tokens_map.json': JSON.stringify({ eos_token: '<|im_end|>', pad_token: '<|endoftext|>' }),
    'tokenizer_config.json': base['tokenizer_config.json'] as string,
    'tokenizer.json': base['tokenizer.json'] as string,
    'model.safetensors.index.json': JSON.stringify(index, null, 2),
    ...Object.fromEntries(shards),
    [`model-00001-of-${String(count + 1).padStart(5, '0')}.safetensors`]: sparseSafetensors(
      tensors.slice(0, 1),
    ),
  }
}
