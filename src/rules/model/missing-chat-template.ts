import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'

export default defineModelRule({
  meta: {
    id: 'MR501',
    name: 'missing-chat-template',
    description: 'Require a chat template so Friendli can serve the chat completions API',
    severity: 'warning',
    artifacts: ['tokenizerConfig', 'chatTemplates'],
    messages: {
      missing: {
        text: () =>
          'No chat template found (no chat_template in tokenizer_config.json, no chat_template.jinja, no chat_template.json): the endpoint will not offer the chat API unless a custom chat template is set on it.',
        hint: () =>
          'Add the chat template of the model family to tokenizer_config.json as "chat_template" (tokenizer.chat_template = ...; tokenizer.save_pretrained(path, save_jinja_files=False), since plain save_pretrained moves it to chat_template.jinja, which Friendli does not download), or set a Custom Chat Template when creating the endpoint.',
      },
    },
  },
  check({ artifacts: { tokenizerConfig, chatTemplates }, report }) {
    // A tokenizer_config.json we could not read is reported by tokenizer-config; we cannot tell here.
    if (tokenizerConfig.state !== 'ok' && tokenizerConfig.state !== 'missing') return
    if (chatTemplates.used.length > 0) return
    // A template that is there but malformed or unreadable is chat-template-format's to report.
    if (chatTemplates.problems.some((p) => p.kind !== 'legacy-conflict')) return
    const tc = docOf(tokenizerConfig)
    report('missing', {}, { path: tc?.path ?? '.' })
  },
})
