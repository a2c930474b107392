import { defineModelRule } from '../model-rule.js'
import { at } from '../../artifacts/json-document.js'
import { isUnpacked, keyName } from '../utils/text-model.js'

/**
 * Where the embedding width is: its own key when the model has one (ALBERT embedding_size, OPT-350m
 * word_embed_proj_dim, both narrower than hidden_size), else the hidden size under its many names
 * (GPT-2 n_embd, Bloom n_embed, T5 d_model).
 */
const WIDTH_KEYS = [
  ['embedding_size', 'word_embed_proj_dim'],
  ['hidden_size', 'n_embd', 'n_embed', 'd_model'],
]

interface Mismatch {
  tensor: string
  width: number
  key: string
  hidden: number
}

export default defineModelRule({
  meta: {
    id: 'MR314',
    name: 'hidden-size-mismatch',
    description: 'Require the embedding width in the weights to equal hidden_size in config.json',
    severity: 'error',
    artifacts: ['textConfig', 'textModel'],
    messages: {
      width: {
        text: (d: Mismatch) =>
          `The input embedding ${d.tensor} is ${d.width} wide but config.json "${d.key}" is ${d.hidden}.`,
        hint: (d: Mismatch) =>
          `Every layer is built ${d.hidden} wide from config.json, so none of the weights fit. config.json probably comes from another size of the model: use the config.json saved with these weights (or set "${d.key}" to ${d.width} and check the other sizes too).`,
      },
    },
  },
  check({ artifacts: { textConfig: config, textModel: model }, report }) {
    if (!config) return
    const sizes = WIDTH_KEYS.map((keys) => config.intCandidates(keys)).find((c) => c.length > 0)
    if (!sizes) return
    const embedding = model?.embedding
    // A packed dtype (MLX 4-bit in U32) holds several values per element: its width is not the model's.
    if (!embedding || !isUnpacked(embedding.dtype)) return
    const width = embedding.shape[1]
    if (sizes.some((s) => s.value === width)) return
    const claimed = sizes[0]
    report(
      'width',
      { tensor: embedding.name, width, key: keyName(claimed.pointer), hidden: claimed.value },
      at(config.doc, claimed.pointer),
    )
  },
})
