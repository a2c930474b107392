import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../../engine/rule.js'
import { isReadableFile } from '../utils/files.js'
import { at, field } from '../utils/json.js'

/** Whether a chat_template value holds a template: a non-empty string, or a list of {name, template}. */
function holdsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.trim() !== ''
  if (Array.isArray(value))
    return value.some(
      (t) =>
        typeof t === 'object' &&
        t !== null &&
        typeof (t as { template?: unknown }).template === 'string' &&
        (t as { template: string }).template.trim() !== '',
    )
  return false
}

export default defineModelRule({
  meta: {
    id: 'MR501',
    name: 'missing-chat-template',
    description: 'Require a chat template so Friendli can serve the chat completions API',
    severity: 'warning',
    artifacts: ['files', 'tokenizerConfig', 'chatTemplateJson'],
    messages: {
      missing: {
        text: () =>
          'No chat template found (no chat_template in tokenizer_config.json, no chat_template.jinja, no chat_template.json): the endpoint will not offer the chat API unless a custom chat template is set on it.',
        hint: () =>
          'Add the chat template of the model family to tokenizer_config.json as "chat_template" (tokenizer.chat_template = ...; tokenizer.save_pretrained(path, save_jinja_files=False), since plain save_pretrained moves it to chat_template.jinja, which Friendli does not download), or set a Custom Chat Template when creating the endpoint.',
      },
    },
  },
  check({ artifacts: { files, tokenizerConfig, chatTemplateJson }, report }) {
    // A tokenizer_config.json we could not read is reported by tokenizer-config; we cannot tell here.
    if (tokenizerConfig.state !== 'ok' && tokenizerConfig.state !== 'missing') return
    const tc = docOf(tokenizerConfig)
    if (tc && holdsTemplate(field(tc, 'chat_template'))) return
    // An empty chat_template.jinja holds no template, as an empty "chat_template" string does not.
    if (files.entries.some((e) => e.path === 'chat_template.jinja' && isReadableFile(e) && e.size > 0)) return
    const ctj = docOf(chatTemplateJson)
    if (ctj && holdsTemplate(field(ctj, 'chat_template'))) return
    report('missing', {}, tc ? at(tc, '') : { path: '.' })
  },
})
