import { defineModelRule } from '../model-rule.js'
import { at } from '../../artifacts/json-document.js'
import { formatDecimalBytes } from '../../common/wording.js'
import { tensorBytes } from '../utils/tensors.js'
import { keyName } from '../utils/text-model.js'

export default defineModelRule({
  meta: {
    id: 'MR312',
    name: 'tied-embeddings-mismatch',
    description: 'Require an lm_head tensor exactly when config.json sets tie_word_embeddings to false',
    severity: 'error',
    artifacts: ['textConfig', 'textModel'],
    messages: {
      missingHead: {
        text: (d: { key: string; embedding: string }) =>
          `config.json sets "${d.key}": false, but the weights hold no lm_head tensor (only the input embedding ${d.embedding}), so the output layer would start from random values.`,
        hint: () =>
          'If the model shares its input and output embeddings, set "tie_word_embeddings": true. Otherwise save the model again with its lm_head: save_pretrained() writes lm_head.weight when the embeddings are not tied.',
      },
      extraHead: {
        severity: 'warning',
        text: (d: { key: string; head: string; embedding?: string; size: string }) =>
          `config.json sets "${d.key}": true, but the weights also hold ${d.head} (${d.size}): ` +
          `loaders disagree on which matrix to use when it differs from ${d.embedding ?? 'the input embedding'}, and the copy takes memory.`,
        hint: () =>
          'If lm_head was trained separately (an untied model), set "tie_word_embeddings": false. If it is a plain copy of the input embedding, leave it out of the weights.',
      },
    },
  },
  check({ artifacts: { textConfig: config, textModel: model }, report }) {
    if (!config) return
    const { doc } = config
    // Only an explicit value: the default differs per model class (Llama false, Gemma true).
    const found = config.candidates(['tie_word_embeddings'])
    const explicit = found.filter((c) => typeof c.value === 'boolean')
    if (explicit.length === 0 || explicit.some((c) => c.value !== explicit[0].value)) return
    const tie = explicit[0]
    if (!model) return
    const { embedding, lmHead: heads } = model
    const key = keyName(tie.pointer)
    if (tie.value === false && heads.length === 0) {
      // Without a recognised embedding the naming scheme is unknown: the head may be there under
      // another name.
      if (embedding) report('missingHead', { key, embedding: embedding.name }, at(doc, tie.pointer))
    } else if (tie.value === true && heads.length > 0) {
      const head = heads.find((t) => t.name.endsWith('.weight')) ?? heads[0]
      const bytes = heads.reduce((a, t) => a + tensorBytes(t), 0)
      const size = `${head.shape.join('×')} ${head.dtype}, ${formatDecimalBytes(bytes)}`
      report('extraHead', { key, head: head.name, embedding: embedding?.name, size }, at(doc, tie.pointer))
    }
  },
})
