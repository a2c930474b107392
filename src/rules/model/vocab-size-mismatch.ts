import { defineModelRule } from '../model-rule.js'
import { at } from '../../artifacts/json-document.js'
import { keyName } from '../utils/text-model.js'

interface Mismatch {
  tensor: string
  rows: number
  key: string
  vocabSize: number
  /** Rows the model class adds to vocab_size in its input embedding (Mllama: 8). */
  extra: number
}

/** ChatGLM keeps its vocabulary size as padded_vocab_size. */
const VOCAB_KEYS = ['vocab_size', 'padded_vocab_size']

/**
 * Input embeddings built larger than vocab_size by design: Mllama (Llama 3.2 Vision) adds 8 rows for
 * its image tokens (MllamaTextModel: nn.Embedding(vocab_size + 8, …)); its lm_head has vocab_size rows.
 */
const EXTRA_EMBEDDING_ROWS: Record<string, number> = { mllama: 8 }

const expected = (d: Mismatch) => d.vocabSize + d.extra

const hint = (d: Mismatch) =>
  `transformers builds the ${expected(d)}-row matrix from config.json and refuses a checkpoint of ${d.rows} rows ("size mismatch for ${d.tensor}"). ` +
  (d.rows > expected(d)
    ? `If tokens were added (resize_token_embeddings), set "${d.key}" to ${d.rows - d.extra}; otherwise save config.json and the weights again from the same model.`
    : `Set "${d.key}" to ${d.rows - d.extra} if the weights are right, or save config.json and the weights again from the same model.`)

export default defineModelRule({
  meta: {
    id: 'MR311',
    name: 'vocab-size-mismatch',
    description: 'Require the embedding and lm_head rows in the weights to equal vocab_size in config.json',
    severity: 'error',
    artifacts: ['textConfig', 'textModel'],
    messages: {
      embedding: {
        text: (d: Mismatch) =>
          `The input embedding ${d.tensor} has ${d.rows} rows (one per token) but config.json "${d.key}" is ${d.vocabSize}` +
          (d.extra > 0 ? ` (${expected(d)} rows with the ${d.extra} this model type adds)` : '') +
          '.',
        hint,
      },
      lmHead: {
        text: (d: Mismatch) =>
          `The output layer ${d.tensor} has ${d.rows} rows (one per token) but config.json "${d.key}" is ${d.vocabSize}.`,
        hint,
      },
    },
  },
  check({ artifacts: { textConfig: config, textModel: model }, report }) {
    if (!config) return
    const { doc } = config
    const sizes = config.intCandidates(VOCAB_KEYS)
    if (sizes.length === 0) return
    if (!model) return
    // The first candidate (top level, else the language sub-config) is the one named in the message;
    // a composite config's other copy matching the rows is not a mismatch.
    const claimed = sizes[0]
    const modelType = config.string(['model_type'])?.value
    const extra = (modelType && EXTRA_EMBEDDING_ROWS[modelType]) || 0
    const check = (key: 'embedding' | 'lmHead', tensor: { name: string; shape: number[] } | undefined) => {
      if (!tensor) return
      const rows = tensor.shape[0]
      const added = key === 'embedding' ? extra : 0
      // bitsandbytes stores a quantized matrix flattened to [n, 1]: its rows are not tokens.
      if (tensor.shape[1] === 1 || sizes.some((s) => s.value + added === rows)) return
      report(
        key,
        { tensor: tensor.name, rows, key: keyName(claimed.pointer), vocabSize: claimed.value, extra: added },
        at(doc, claimed.pointer),
      )
    }
    check('embedding', model.embedding)
    check('lmHead', model.lmHeadWeight)
  },
})
