import { defineModelRule } from '../model-rule.js'
import { at } from '../../artifacts/json-document.js'

export default defineModelRule({
  meta: {
    id: 'MR405',
    name: 'tokenizer-vocab-size',
    description: 'Require every token id of the tokenizer to fit in vocab_size',
    severity: 'error',
    artifacts: ['tokenizerJson', 'textConfig'],
    messages: {
      tooMany: {
        text: (d: { ids: number; vocab: number; example: string }) =>
          `tokenizer.json has token ids up to ${(d.ids - 1).toLocaleString('en-US')} (${d.example}), but config.json "vocab_size" is ${d.vocab.toLocaleString('en-US')}: those ids fall outside the embedding matrix, and requests that contain them fail or read another token's row.`,
        hint: () =>
          'If tokens were added to the tokenizer, resize the embeddings (model.resize_token_embeddings(len(tokenizer))) and save the model again so vocab_size follows; otherwise use the tokenizer that belongs to these weights.',
      },
    },
  },
  check({ artifacts: { tokenizerJson, textConfig: config }, report }) {
    if (!config || tokenizerJson.state !== 'ok') return
    const vocab = config.int(['vocab_size', 'padded_vocab_size'])
    const { tokenizer } = tokenizerJson
    if (!vocab || tokenizer.idCount <= vocab.value) return
    const top = tokenizer.idCount - 1
    report(
      'tooMany',
      { ids: tokenizer.idCount, vocab: vocab.value, example: `id ${top} is "${tokenizer.tokenOf(top)}"` },
      at(config.doc, vocab.pointer),
    )
  },
})
