import { at, field } from '../../artifacts/json-document.js'
import { docOf } from '../../artifacts/json-file.js'
import type { TensorTable } from '../../artifacts/tensors.js'
import { listNames } from '../../common/wording.js'
import { defineManifestRule, MANIFEST_ADAPTERS_LIMIT } from '../manifest-rule.js'
import { quote, stringAt, tokens, where } from '../utils/manifest.js'

/** Target modules named one by one in a message; the rest are counted. */
const SHOWN = 10

/**
 * Every dotted suffix of every module that holds a tensor (`model.layers.0.self_attn.q_proj` gives
 * `q_proj`, `self_attn.q_proj`, …): PEFT matches a target_modules entry against a module's full name or
 * a dotted suffix of it (peft/tuners/tuners_utils.py, check_target_module_exists).
 */
function moduleSuffixes(tensors: TensorTable): Set<string> {
  const out = new Set<string>()
  for (const t of tensors.loaded) {
    const parts = t.name.split('.').slice(0, -1)
    for (let i = 0; i < parts.length; i++) out.add(parts.slice(i).join('.'))
  }
  return out
}

export default defineManifestRule({
  meta: {
    id: 'EP602',
    name: 'adapter-model-match',
    description:
      "Require each LoRA adapter a manifest lists to be trained on the manifest's model and to target modules it has",
    severity: 'error',
    reads: ['body', 'model', 'adapters'],
    messages: {
      otherBase: {
        severity: 'warning',
        text: (d: { key: string; adapter: string; base: string; model: string }) =>
          `${d.key}: ${d.adapter} was trained on ${d.base} (base_model_name_or_path in adapter_config.json), but the endpoint deploys ${d.model}: an adapter's weights fit the model it was trained on.`,
        hint: () =>
          'Attach the adapter to an endpoint that deploys its base model, or name the adapter trained on this model. If the two are the same model under two names (a copy or a fine-tuned mirror), set base_model_name_or_path to the id the endpoint deploys.',
      },
      noModule: {
        text: (d: { key: string; adapter: string; modules: string; model: string }) =>
          `${d.key}: ${d.adapter} targets ${d.modules}, and ${d.model} has no module of that name: PEFT raises "Target modules … not found in the base model", so the adapter cannot be loaded on this model.`,
        hint: () =>
          'Name the adapter trained on this model (its target_modules are module names of this model), or deploy the model the adapter was trained on.',
      },
      someModules: {
        severity: 'warning',
        text: (d: { key: string; adapter: string; modules: string; model: string }) =>
          `${d.key}: ${d.adapter} targets ${d.modules}, which ${d.model} has no module of: those entries change nothing on this model.`,
        hint: () =>
          'Check that the adapter was trained on this model; remove the target modules the model does not have.',
      },
    },
  },
  check({ manifest, model, adapters, report }) {
    if (!manifest || !model) return
    const deployed = stringAt(manifest, '/hfModelRepo')
    let suffixes: Set<string> | undefined
    adapters.slice(0, MANIFEST_ADAPTERS_LIMIT).forEach((checked, i) => {
      if (checked.state !== 'checked' || checked.adapter.kind !== 'adapter') return
      const { adapter } = checked
      const doc = docOf(adapter.adapterConfig)
      if (!doc) return
      const key = `adapters[${i}]`
      const place = where(manifest.doc, `/adapters/${i}/hfAdapterRepo`)
      const shownAdapter = `${adapter.display}/adapter_config.json`
      const base = field(doc, 'base_model_name_or_path')
      // A base that is no org/name id (a local path, none) is MR604's finding on the adapter.
      if (
        typeof base === 'string' &&
        deployed !== undefined &&
        /^[\w.-]+\/[\w.-]+$/.test(base) &&
        base.toLowerCase() !== deployed.toLowerCase()
      ) {
        const line = at(doc, '/base_model_name_or_path').line
        report(
          'otherBase',
          {
            key,
            adapter: line === undefined ? shownAdapter : `${shownAdapter}:${line}`,
            base: quote(base),
            model: quote(deployed),
          },
          place,
        )
      }
      const targets = field(doc, 'target_modules')
      // A string is a regular expression or "all-linear" (MR605's finding); only a list names modules.
      if (!model.tensors || !Array.isArray(targets)) return
      const names = [...new Set(targets.filter((t): t is string => typeof t === 'string' && t !== ''))]
      if (names.length === 0) return
      suffixes ??= moduleSuffixes(model.tensors)
      const missing = names.filter((n) => !suffixes!.has(n))
      if (missing.length === 0) return
      const modules =
        missing.length > SHOWN
          ? `${missing.slice(0, SHOWN).map(quote).join(', ')} and ${tokens(missing.length - SHOWN)} more`
          : listNames(missing.map(quote), SHOWN)
      report(
        missing.length === names.length ? 'noModule' : 'someModules',
        { key, adapter: shownAdapter, modules, model: model.display },
        place,
      )
    })
  },
})
