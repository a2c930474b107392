import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { tooDeep } from '../utils/json-file.js'
import { field } from '../../artifacts/json-document.js'
import type { JsonFile } from '../../artifacts/json-file.js'

/** The eos_token_id a model config declares (a number or a list of numbers), with its file. */
function eosTokenIds(file: JsonFile): { file: string; ids: string } | undefined {
  const doc = docOf(file)
  const value = doc && field(doc, 'eos_token_id')
  const ids = (Array.isArray(value) ? value : [value]).filter((v): v is number => Number.isInteger(v))
  return doc && ids.length > 0 ? { file: doc.path, ids: ids.slice(0, 8).join(', ') } : undefined
}

export default defineModelRule({
  meta: {
    id: 'MR403',
    name: 'special-tokens',
    description: 'Require an eos_token, and note a missing pad_token',
    severity: 'error',
    artifacts: ['tokenizerConfig', 'specialTokensMap', 'specialTokens', 'config', 'generationConfig'],
    messages: {
      noEos: {
        text: () =>
          'No eos_token is defined (tokenizer_config.json, special_tokens_map.json): nothing tells the engine where an answer ends, and templates that write {{ eos_token }} write nothing.',
        hint: () =>
          'Set "eos_token" in tokenizer_config.json to the end-of-text or end-of-turn token the model was trained with (for example "<|im_end|>", "<|eot_id|>" or "</s>").',
      },
      eosIdOnly: {
        // The id is what generation stops on (transformers' GenerationConfig.eos_token_id, which
        // vLLM reads too); whether Friendli's engine also stops on it is not documented, so this must not
        // block a model that may well deploy.
        severity: 'warning',
        text: (d: { file: string; ids: string }) =>
          `No eos_token is named (tokenizer_config.json, special_tokens_map.json), but ${d.file} sets eos_token_id ${d.ids}, which generation stops on; templates that write {{ eos_token }} still write nothing.`,
        hint: () =>
          'Set "eos_token" in tokenizer_config.json to the token with that id, so every consumer (chat templates, trainers, engines that read the tokenizer) agrees on it.',
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
  check({
    artifacts: { tokenizerConfig, specialTokensMap, specialTokens, config, generationConfig },
    report,
  }) {
    const deep = tooDeep(specialTokensMap)
    if (deep) report('tooDeep', { reason: deep.reason }, deep.location)
    // No tokenizer_config.json, or a broken one: tokenizer-config reports it; there is nothing to read.
    const doc = docOf(tokenizerConfig)
    if (!doc) return
    // BERT-style encoders (embedding, classification) mark text with [CLS] … [SEP] and generate nothing.
    const encoder = specialTokens.has('cls_token') && specialTokens.has('sep_token')
    if (!specialTokens.has('eos_token') && !encoder) {
      const declared = eosTokenIds(generationConfig) ?? eosTokenIds(config)
      if (declared) report('eosIdOnly', declared, { path: doc.path })
      else report('noEos', {}, { path: doc.path })
    }
    if (!specialTokens.has('pad_token')) report('noPad', {}, { path: doc.path })
  },
})
