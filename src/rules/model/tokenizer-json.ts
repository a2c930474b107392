import { docOf } from '../../artifacts/json-file.js'
import { at, problemPosition } from '../../artifacts/json-document.js'
import { defineModelRule } from '../model-rule.js'
import { listNames } from '../../common/wording.js'
import { describeJsonProblem } from '../../common/json-errors.js'
import { isObject } from '../../common/json.js'

/** The models of the tokenizers library (tokenizers/src/models): anything else fails to load. */
const MODEL_TYPES = ['BPE', 'WordPiece', 'WordLevel', 'Unigram']

export default defineModelRule({
  meta: {
    id: 'MR404',
    name: 'tokenizer-json',
    description: 'Require a tokenizer.json that loads and agrees with tokenizer_config.json',
    severity: 'error',
    artifacts: ['tokenizerJson', 'tokenizerConfig'],
    messages: {
      invalid: {
        text: (d: { reason: string }) => `tokenizer.json ${d.reason}.`,
        hint: () =>
          'Save the tokenizer again with tokenizer.save_pretrained(); a hand-edited tokenizer.json is rarely worth fixing by hand.',
      },
      modelType: {
        severity: 'warning',
        text: (d: { type: string }) =>
          `tokenizer.json's model is ${d.type}, not one the tokenizers library loads (${MODEL_TYPES.join(', ')}).`,
        hint: () => 'Save the tokenizer again with a current tokenizers / transformers version.',
      },
      addedTokens: {
        severity: 'warning',
        text: (d: { count: number; examples: string }) =>
          `${d.count === 1 ? 'One added token differs' : `${d.count} added tokens differ`} between tokenizer_config.json's added_tokens_decoder and tokenizer.json: ${d.examples}. The slow and fast tokenizers then give different ids for the same text.`,
        hint: () =>
          'Load the tokenizer with transformers and save it again, so both files come from the same tokenizer.',
      },
    },
  },
  check({ artifacts: { tokenizerJson: file, tokenizerConfig }, report }) {
    if (file.state === 'invalid') {
      const pos = problemPosition(file.problem)
      return report(
        'invalid',
        { reason: describeJsonProblem(file.problem) },
        pos ? { path: file.path, line: pos.line, column: pos.column } : { path: file.path },
      )
    }
    if (file.state === 'too-large')
      return report(
        'invalid',
        {
          reason: `is ${(file.size / 1024 / 1024).toFixed(1)} MiB, more than any real tokenizer (${file.limit / 1024 / 1024} MiB), so it was not parsed and the tokenizer checks did not run`,
        },
        { path: file.path },
      )
    if (file.state !== 'ok') return // missing: MR401; a pointer: MR304; not a file: MR401 reports it
    const { tokenizer } = file
    if (!tokenizer.modelType || !MODEL_TYPES.includes(tokenizer.modelType))
      report(
        'modelType',
        { type: tokenizer.modelType ? `"${tokenizer.modelType}"` : 'of no known type' },
        { path: file.path },
      )

    const tc = docOf(tokenizerConfig)
    const decoder = tc && isObject(tc.value) ? tc.value.added_tokens_decoder : undefined
    if (!isObject(decoder)) return
    const byId = new Map(tokenizer.addedTokens.map((t) => [t.id, t.content]))
    const differences: string[] = []
    for (const [id, entry] of Object.entries(decoder)) {
      const content = isObject(entry) && typeof entry.content === 'string' ? entry.content : undefined
      if (content === undefined || !/^\d+$/.test(id)) continue
      const fast = byId.get(Number(id)) ?? tokenizer.tokenOf(Number(id))
      if (fast !== content)
        differences.push(
          fast === undefined
            ? `${id} is "${content}" but tokenizer.json has no id ${id}`
            : `${id} is "${content}" in tokenizer_config.json but "${fast}" in tokenizer.json`,
        )
    }
    if (differences.length > 0)
      report(
        'addedTokens',
        { count: differences.length, examples: listNames(differences, 3) },
        at(tc!, '/added_tokens_decoder'),
      )
  },
})
