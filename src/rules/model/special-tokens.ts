import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { tooDeep } from '../utils/json-file.js'

export default defineModelRule({
  meta: {
    id: 'MR403',
    name: 'special-tokens',
    description: 'Require an eos_token, and note a missing pad_token',
    severity: 'error',
    artifacts: ['tokenizerConfig', 'specialTokensMap', 'specialTokens'],
    messages: {
      noEos: {
        text: () =>
          'No eos_token is defined (tokenizer_config.json, special_tokens_map.json): nothing tells the engine where an answer ends, and templates that write {{ eos_token }} write nothing.',
        hint: () =>
          'Set "eos_token" in tokenizer_config.json to the end-of-text or end-of-turn token the model was trained with (for example "<|im_end|>", "<|eot_id|>" or "</s>").',
      },
      noPad: {
        severity: 'info',
        text: () =>
          'No pad_token is defined: inference does not need one, but fine-tuning pads batches, and trainers fall back to eos_token, which then is masked out of the loss and the model may not learn to stop.',
        hint: () =>
          'For fine-tuning, set "pad_token" to a dedicated token (many tokenizers have one, such as "<|finetune_right_pad_id|>" or "<pad>") rather than eos_token.',
      },
      tooDeep: {
        text: (d: { reason: string }) =>
          `special_tokens_map.json ${d.reason}: transformers cannot load the tokenizer with it (json raises RecursionError), and its special tokens are not read.`,
        hint: () =>
          'Write it again with tokenizer.save_pretrained(), or delete it: tokenizer_config.json holds the same special tokens.',
      },
    },
  },
  check({ artifacts: { tokenizerConfig, specialTokensMap, specialTokens }, report }) {
    const deep = tooDeep(specialTokensMap)
    if (deep) report('tooDeep', { reason: deep.reason }, deep.location)
    // No tokenizer_config.json, or a broken one: tokenizer-config reports it; there is nothing to read.
    const doc = docOf(tokenizerConfig)
    if (!doc) return
    // BERT-style encoders (embedding, classification) mark text with [CLS] … [SEP] and generate nothing.
    const encoder = specialTokens.has('cls_token') && specialTokens.has('sep_token')
    if (!specialTokens.has('eos_token') && !encoder) report('noEos', {}, { path: doc.path })
    if (!specialTokens.has('pad_token')) report('noPad', {}, { path: doc.path })
  },
})
