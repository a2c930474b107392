import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'

/** Consumers that read the template from tokenizer_config.json only, by their own loaders. */
const TOKENIZER_CONFIG_ONLY =
  'Friendli (its FAQ: tokenizer_config.json "should be present & have a chat_template field"), TGI, vLLM before 0.6, transformers.js and swift-transformers'

const normalize = (s: string) => s.replace(/\r\n?/g, '\n').trim()

export default defineModelRule({
  meta: {
    id: 'MR507',
    name: 'chat-template-location',
    description: 'Require the chat template in tokenizer_config.json, and one template wherever it is copied',
    severity: 'warning',
    artifacts: ['chatTemplates', 'tokenizerConfig'],
    messages: {
      elsewhere: {
        text: (d: { file: string }) =>
          `The chat template is only in ${d.file}, not in tokenizer_config.json: transformers finds it, but ${TOKENIZER_CONFIG_ONLY} read tokenizer_config.json only and see no template.`,
        hint: (d: { file: string }) =>
          `Copy the template into tokenizer_config.json as "chat_template": tokenizer.save_pretrained(path, save_jinja_files=False) writes it there (the default moves it to chat_template.jinja). Keep ${d.file} identical, or delete it.`,
      },
      differ: {
        text: (d: { file: string }) =>
          `${d.file} and "chat_template" in tokenizer_config.json hold different templates: transformers uses ${d.file}, while Friendli and the tools that read only tokenizer_config.json use the other one.`,
        hint: (d: { file: string }) =>
          `Decide which template is right and write it to both places (or delete ${d.file}), so training and serving format conversations the same way.`,
      },
      conflict: {
        severity: 'error',
        text: () =>
          'chat_template.json (a processor\'s legacy template) sits next to additional_chat_templates/: transformers refuses to load the processor ("Cannot load chat template due to conflicting files").',
        hint: () => 'Replace chat_template.json with a chat_template.jinja file holding the same template.',
      },
    },
  },
  check({ artifacts: { chatTemplates, tokenizerConfig }, report }) {
    const { fromFiles, fromTokenizerConfig, fromProcessor, problems } = chatTemplates
    for (const p of problems) if (p.kind === 'legacy-conflict') report('conflict', {}, p.location)
    const tc = docOf(tokenizerConfig)
    const tcLocation = { path: tc?.path ?? '.' }
    if (fromTokenizerConfig.length === 0) {
      const other = fromFiles[0] ?? fromProcessor[0]
      // A tokenizer_config.json we could not read is reported by tokenizer-config.
      if (other && (tokenizerConfig.state === 'ok' || tokenizerConfig.state === 'missing'))
        report('elsewhere', { file: other.path }, tcLocation)
      return
    }
    const fileDefault = fromFiles.find((t) => t.name === 'default')
    const tcDefault = fromTokenizerConfig.find((t) => t.name === 'default')
    if (fileDefault && tcDefault && normalize(fileDefault.source) !== normalize(tcDefault.source))
      report('differ', { file: fileDefault.path }, tcDefault.location)
  },
})
