import { docOf, type JsonFile } from '../../artifacts/json-file.js'
import { ASSISTANT } from '../../artifacts/template-renders.js'
import type { TokenizerModel } from '../../artifacts/tokenizer-json.js'
import type { Location } from '../../common/finding.js'
import { defineModelRule } from '../model-rule.js'
import { listNames } from '../../common/wording.js'
import { at } from '../../artifacts/json-document.js'
import { isObject } from '../../common/json.js'
import { describeTemplate } from '../utils/templates.js'
import { tooDeep } from '../utils/json-file.js'

/** Tokens written the way special tokens are: `<|im_end|>`, `<end_of_turn>`, `</s>`, `[/INST]`. */
const SPECIAL_SHAPE = /<\|[^|<>\s]{1,64}\|>|<\/?[a-z][a-z0-9_]{0,40}>|\[\/?[A-Z][A-Z_]{1,20}\]/

interface StopSource {
  what: string
  tokens: string[]
  location: Location
  /** Ids that could not be decoded (no tokenizer.json): the check cannot be sure then. */
  unknown: number
}

/** eos_token_id of config.json or generation_config.json: an int or a list of ints. */
function eosIds(file: JsonFile, tokenizer: TokenizerModel | undefined): StopSource | undefined {
  const doc = docOf(file)
  if (!doc || !isObject(doc.value) || !('eos_token_id' in doc.value)) return undefined
  const raw = doc.value.eos_token_id
  const ids = (Array.isArray(raw) ? raw : [raw]).filter((x): x is number => Number.isInteger(x))
  const tokens = ids.flatMap((id) => {
    const t = tokenizer?.tokenOf(id)
    return t === undefined ? [] : [t]
  })
  const shown = ids.map((id) => (tokenizer?.tokenOf(id) ? `${id} = "${tokenizer.tokenOf(id)}"` : String(id)))
  return {
    what: `eos_token_id ${shown.join(', ')} (${file.path})`,
    tokens,
    location: at(doc, '/eos_token_id'),
    unknown: ids.length - tokens.length,
  }
}

/**
 * The token that ends an assistant turn: the first special-looking token after the assistant's text
 * in a rendered [user, assistant] conversation. Known special tokens (added tokens of tokenizer.json,
 * the special tokens of tokenizer_config.json) are preferred over the shape alone.
 */
export function turnEnd(rendered: string, known: readonly string[]): string | undefined {
  const i = rendered.lastIndexOf(ASSISTANT)
  if (i < 0) return undefined
  const rest = rendered.slice(i + ASSISTANT.length)
  let best: { at: number; token: string } | undefined
  for (const token of known) {
    const at = token ? rest.indexOf(token) : -1
    if (at >= 0 && (!best || at < best.at || (at === best.at && token.length > best.token.length)))
      best = { at, token }
  }
  if (best) return best.token
  return SPECIAL_SHAPE.exec(rest)?.[0]
}

export default defineModelRule({
  meta: {
    id: 'MR504',
    name: 'stop-token',
    description: 'Require the token that ends an assistant turn to be a stop token',
    severity: 'error',
    artifacts: ['templateRenders', 'specialTokens', 'generationConfig', 'config', 'tokenizerJson'],
    messages: {
      noStop: {
        text: (d: { template: string; token: string; stops: string }) =>
          `Generation will not stop: ${d.template} ends an assistant turn with "${d.token}", but the stop tokens are ${d.stops}.`,
        hint: (d: { token: string }) =>
          `Add the id of "${d.token}" to "eos_token_id" in generation_config.json (it may be a list, as Llama 3 does: [128001, 128009]), or set eos_token to "${d.token}" in tokenizer_config.json; otherwise the model writes its end-of-turn token and keeps going until max_tokens.`,
      },
      tooDeep: {
        // A warning: Friendli downloads only the files its FAQ lists, and generation_config.json is not
        // one of them, so transformers' failure here does not say Friendli's would.
        severity: 'warning',
        text: (d: { reason: string }) =>
          `generation_config.json ${d.reason}: json raises RecursionError, which transformers' GenerationConfig.from_pretrained does not turn into "no generation config", so loading the model fails, and its eos_token_id is not read.`,
        hint: () =>
          'Write it again with model.generation_config.save_pretrained(), or delete it: the defaults then come from config.json.',
      },
    },
  },
  check({ artifacts: { templateRenders, specialTokens, generationConfig, config, tokenizerJson }, report }) {
    const deep = tooDeep(generationConfig)
    if (deep) report('tooDeep', { reason: deep.reason }, deep.location)
    const tokenizer = tokenizerJson.state === 'ok' ? tokenizerJson.tokenizer : undefined
    const eos = specialTokens.get('eos_token')
    const sources: StopSource[] = []
    if (eos)
      sources.push({
        what: `eos_token "${eos.content}" (${eos.location.path})`,
        tokens: [eos.content],
        location: eos.location,
        unknown: 0,
      })
    for (const file of [generationConfig, config]) {
      const s = eosIds(file, tokenizer)
      if (s) sources.push(s)
    }
    // Without any stop token special-tokens reports the missing eos_token; ids we cannot decode leave
    // us unable to tell, and a wrong "will not stop" costs more than silence.
    if (sources.length === 0 || sources.some((s) => s.unknown > 0)) return
    const stops = new Set(sources.flatMap((s) => s.tokens))
    const known = [
      ...(tokenizer?.addedTokens.filter((t) => t.special).map((t) => t.content) ?? []),
      ...[...specialTokens.values()].map((t) => t.content),
    ]
    const seen = new Set<string>()
    for (const r of templateRenders) {
      if (!r.result.ok || r.addGenerationPrompt || r.conversation.roles !== 'user, assistant') continue
      const key = `${r.template.path}\0${r.template.name}`
      if (seen.has(key)) continue
      seen.add(key)
      const token = turnEnd(r.result.text, known)
      if (token === undefined || stops.has(token)) continue
      const location =
        sources.find((s) => s.location.path === 'generation_config.json')?.location ?? sources[0].location
      report(
        'noStop',
        { template: describeTemplate(r.template), token, stops: listNames(sources.map((s) => s.what)) },
        location,
      )
    }
  },
})
