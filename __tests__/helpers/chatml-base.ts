// A small base model for dataset tests and the dataset bench: in its own module, free of jest, so
// bench/dataset.ts can import it outside the test runner.
import type { MemoryEntry } from '../../src/sources/memory.js'

/** A base model with a ChatML template, a tiny character-level tokenizer and a configurable context. */
export function chatmlBase(
  over: { template?: string; context?: number; tokenizer?: boolean } = {},
): Record<string, MemoryEntry> {
  const template =
    over.template ??
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
  const files: Record<string, MemoryEntry> = {
    'config.json': JSON.stringify({
      architectures: ['Qwen2ForCausalLM'],
      model_type: 'qwen2',
      max_position_embeddings: over.context ?? 32768,
    }),
    'tokenizer_config.json': JSON.stringify({
      eos_token: '<|im_end|>',
      pad_token: '<|endoftext|>',
      chat_template: template,
    }),
  }
  if (over.tokenizer !== false) {
    // A character-level WordLevel tokenizer: one token per character, so counts are easy to predict.
    const chars = ' abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?\n<|>_'
    const vocab: Record<string, number> = { '[UNK]': 0 }
    for (const c of chars) vocab[c] = Object.keys(vocab).length
    files['tokenizer.json'] = JSON.stringify({
      version: '1.0',
      added_tokens: chatmlAddedTokens(1000),
      normalizer: null,
      pre_tokenizer: { type: 'Split', pattern: { Regex: '.' }, behavior: 'Isolated', invert: false },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
    })
  }
  return files
}

/** tokenizer.json's added_tokens for ChatML's two special tokens, from id `first` on. */
export function chatmlAddedTokens(first: number) {
  return ['<|im_start|>', '<|im_end|>'].map((content, k) => ({
    id: first + k,
    content,
    special: true,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
  }))
}
