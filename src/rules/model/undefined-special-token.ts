import { SPECIAL_TOKEN_KEYS } from '../../artifacts/special-tokens.js'
import { defineModelRule } from '../model-rule.js'
import { referencedVariables } from '../../templates/render.js'
import { listNames } from '../../common/wording.js'
import { capitalize, describeTemplate, lineOf, templateLine } from '../utils/templates.js'

/** `<|im_start|>`-style tokens: the shape nearly every chat format spells its special tokens in. */
const PIPE_TOKEN = /<\|[^|<>\s]{1,64}\|>/g

export default defineModelRule({
  meta: {
    id: 'MR505',
    name: 'undefined-special-token',
    description: 'Require the special tokens a chat template uses to be defined',
    severity: 'warning',
    artifacts: ['chatTemplates', 'specialTokens', 'templateRenders', 'tokenizerJson'],
    messages: {
      variable: {
        text: (d: { template: string; name: string; where: string }) =>
          `${capitalize(d.template)} uses ${d.name}${d.where}, but no ${d.name} is defined in tokenizer_config.json or special_tokens_map.json: it renders as an empty string.`,
        hint: (d: { name: string }) =>
          `Set "${d.name}" in tokenizer_config.json to the token the model was trained with, or remove it from the template.`,
      },
      unknownToken: {
        text: (d: { template: string; tokens: string }) =>
          `${capitalize(d.template)} writes ${d.tokens}, which tokenizer.json does not have as tokens: each is split into ordinary pieces, so the model never sees the marker it was trained on.`,
        hint: () =>
          'Use the tokenizer the template was written for, or add the tokens to it (tokenizer.add_special_tokens) and resize the embeddings before fine-tuning.',
      },
    },
  },
  check({ artifacts: { chatTemplates, specialTokens, templateRenders, tokenizerJson }, report }) {
    for (const t of chatTemplates.used) {
      if (!t.compiled.ok) continue
      const used = referencedVariables(t.compiled.template)
      for (const name of SPECIAL_TOKEN_KEYS) {
        if (!used.has(name) || specialTokens.has(name)) continue
        const { location, inTemplate } = templateLine(t, lineOf(t.source, name))
        report('variable', { template: describeTemplate(t), name, where: inTemplate }, location)
      }
    }
    if (tokenizerJson.state !== 'ok') return
    const tokenizer = tokenizerJson.tokenizer
    const unknown = new Map<string, { template: (typeof chatTemplates.used)[number]; tokens: Set<string> }>()
    for (const r of templateRenders) {
      if (!r.result.ok) continue
      const key = `${r.template.path}\0${r.template.name}`
      const entry = unknown.get(key) ?? { template: r.template, tokens: new Set<string>() }
      for (const m of r.result.text.matchAll(PIPE_TOKEN))
        if (tokenizer.idOf(m[0]) === undefined) entry.tokens.add(m[0])
      unknown.set(key, entry)
    }
    for (const { template, tokens } of unknown.values()) {
      if (tokens.size === 0) continue
      report(
        'unknownToken',
        { template: describeTemplate(template), tokens: listNames([...tokens].map((t) => `"${t}"`)) },
        template.location,
      )
    }
  },
})
