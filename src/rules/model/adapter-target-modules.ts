import { jsonType } from '../../artifacts/json-document.js'
import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { listNames } from '../../common/wording.js'
import { at, field, hasField } from '../../artifacts/json-document.js'

/** PEFT's shorthand (compared in lower case), expanded against the base model's linear layers when the adapter is created. */
const ALL_LINEAR = 'all-linear'

/** PEFT matches a list entry against a module's full name or its dotted suffix: judge by the last part. */
const lastPart = (name: string) => name.slice(name.lastIndexOf('.') + 1)
/** The output head: lm_head in most models, embed_out in GPT-NeoX (not an embedding despite the name). */
const HEADS = new Set(['lm_head', 'embed_out'])
const isHead = (name: string) => HEADS.has(lastPart(name))
const isEmbedding = (name: string) => /embed/i.test(name)

const quoted = (names: readonly string[]) => listNames(names.map((n) => JSON.stringify(n)))

const listHint =
  'Give target_modules as the list of module names the adapter changes, e.g. ["q_proj", "k_proj", "v_proj", "o_proj"]; PeftModel.save_pretrained() writes the list it used.'

export default defineModelRule({
  meta: {
    id: 'MR605',
    name: 'adapter-target-modules',
    description:
      'Require a LoRA adapter to target a non-empty list of linear layers, not the head or embeddings',
    severity: 'warning',
    artifacts: ['adapterConfig'],
    appliesTo: ['adapter'],
    messages: {
      missing: {
        severity: 'error',
        text: () =>
          'adapter_config.json has no "target_modules" (missing or null), so it does not say which layers the adapter changes.',
        hint: () => listHint,
      },
      empty: {
        severity: 'error',
        text: () => '"target_modules" in adapter_config.json is empty, so the adapter changes no layer.',
        hint: () => listHint,
      },
      invalid: {
        severity: 'error',
        text: (d: { found: string }) =>
          `"target_modules" in adapter_config.json must be a list of module names but ${d.found}.`,
        hint: () => listHint,
      },
      allLinear: {
        text: () =>
          '"target_modules" is "all-linear", a shorthand only PEFT expands (against the base model\'s layers), while Friendli\'s legacy adapter converter read target_modules as a list of module names.',
        hint: () =>
          'Load the adapter with PeftModel.from_pretrained(base_model, path) and save it again: PEFT then writes the expanded list of module names.',
      },
      regex: {
        text: (d: { value: string }) =>
          `"target_modules" is the regular expression ${d.value}, which only an engine matching it the way PEFT does (re.fullmatch on every module name) can apply, while Friendli's legacy adapter converter read target_modules as a list of module names.`,
        hint: () =>
          'Write the matched module names as a list, e.g. ["q_proj", "v_proj"]: PEFT treats a string as a regular expression and a list as module names.',
      },
      lmHead: {
        text: (d: { name: string }) =>
          `"target_modules" includes ${d.name}, the output head, which Friendli's legacy adapter converter rejected.`,
        hint: () =>
          'Train the adapter without the output head (attention and MLP projections only), or merge the adapter into the base model with merge_and_unload() and deploy the merged model.',
      },
      embedding: {
        text: (d: { name: string }) =>
          `"target_modules" includes ${d.name}, an embedding layer, which Friendli's legacy adapter converter did not support for Llama, Mistral or MPT models.`,
        hint: () =>
          'Train the adapter on the attention and MLP projections only, or merge it into the base model with merge_and_unload() and deploy the merged model.',
      },
      targetParameters: {
        text: (d: { names: string }) =>
          `"target_parameters" lists ${d.names}, so the adapter changes parameters directly (PEFT's way to reach the experts of a mixture-of-experts layer), which Friendli's legacy adapter converter did not know.`,
        hint: () =>
          'Target linear modules with target_modules instead, or merge the adapter into the base model with merge_and_unload() and deploy the merged model.',
      },
      modulesToSave: {
        text: (d: { names: string; count: number }) =>
          `"modules_to_save" lists ${d.names}, so the adapter carries ${d.count === 1 ? 'a full trained copy of that module' : 'full trained copies of those modules'}, which multi-LoRA serving over one shared base model does not support.`,
        hint: () =>
          'Retrain with modules_to_save unset, or merge the adapter into the base model with merge_and_unload() and deploy the merged model.',
      },
    },
  },
  check({ artifacts: { adapterConfig }, report }) {
    const doc = docOf(adapterConfig)
    if (!doc) return
    const stringsOf = (value: unknown) =>
      (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '')
    const parameters = stringsOf(field(doc, 'target_parameters'))

    const checkTargets = () => {
      const value = field(doc, 'target_modules')
      // PEFT (0.17+) may leave target_modules unset when target_parameters says what the adapter changes.
      if ((value === undefined || value === null) && parameters.length > 0) return
      if (!hasField(doc, 'target_modules')) return report('missing', {}, { path: doc.path })
      const where = at(doc, '/target_modules')
      if (value === null) return report('missing', {}, where)
      if (typeof value === 'string') {
        if (value.trim() === '') return report('empty', {}, where)
        if (value.toLowerCase() === ALL_LINEAR) return report('allLinear', {}, where)
        return report('regex', { value: JSON.stringify(value) }, where)
      }
      if (!Array.isArray(value)) return report('invalid', { found: `is ${jsonType(value)}` }, where)
      if (value.length === 0) return report('empty', {}, where)
      const bad = value.findIndex((v) => typeof v !== 'string' || v.trim() === '')
      if (bad !== -1) {
        const entry: unknown = value[bad]
        const found = `entry ${bad} is ${typeof entry === 'string' ? 'an empty string' : jsonType(entry)}`
        return report('invalid', { found }, at(doc, `/target_modules/${bad}`))
      }
      // PEFT turns the list into a set, so a repeated name is harmless: report each name once.
      const seen = new Set<string>()
      value.forEach((name: string, index) => {
        if (seen.has(name)) return
        seen.add(name)
        const place = at(doc, `/target_modules/${index}`)
        if (isHead(name)) report('lmHead', { name: JSON.stringify(name) }, place)
        else if (isEmbedding(name)) report('embedding', { name: JSON.stringify(name) }, place)
      })
    }

    const checkModulesToSave = () => {
      const names = stringsOf(field(doc, 'modules_to_save'))
      if (names.length === 0) return
      report('modulesToSave', { names: quoted(names), count: names.length }, at(doc, '/modules_to_save'))
    }

    checkTargets()
    if (parameters.length > 0)
      report('targetParameters', { names: quoted(parameters) }, at(doc, '/target_parameters'))
    checkModulesToSave()
  },
})
