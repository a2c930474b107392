import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { at, field } from '../../artifacts/json-document.js'
import { isObject } from '../../common/json.js'
import { architectureVerdict } from '../utils/architectures.js'

interface RemoteCode {
  /** "AutoConfig → configuration_deepseek.DeepseekV3Config, …" */
  classes: string
  architecture?: string
}

/** `auto_map` entries as "AutoX → module.Class"; a tokenizer-style [slow, fast] pair lists both. */
function describeAutoMap(map: Record<string, unknown>): string | undefined {
  const entries = Object.entries(map).flatMap(([auto, target]) => {
    const refs = (Array.isArray(target) ? target : [target]).filter(
      (t): t is string => typeof t === 'string' && t !== '',
    )
    return refs.length > 0 ? [`${auto} → ${refs.join(' / ')}`] : []
  })
  return entries.length > 0 ? entries.join(', ') : undefined
}

export default defineModelRule({
  meta: {
    id: 'MR205',
    name: 'requires-remote-code',
    description: 'Report a config.json whose auto_map makes the model depend on its own Python code',
    severity: 'warning',
    artifacts: ['config'],
    messages: {
      remoteCode: {
        text: (d: RemoteCode) =>
          `config.json has "auto_map" (${d.classes}), so transformers loads this model only with trust_remote_code=True; ` +
          `Friendli serves architectures with its own implementation and no Friendli source says it runs a repository's code, ` +
          `so ${d.architecture ?? 'the model'} loads only if Friendli implements that architecture.`,
        hint: (d: RemoteCode) =>
          `Check that ${d.architecture ?? 'the architecture'} is on https://friendli.ai/models?products=DEDICATED. ` +
          'If transformers now implements the architecture natively, save the model with that class and remove "auto_map" and the .py files; ' +
          'if it is served and you have confirmed it, add it to extra-architectures to turn this into a note.',
      },
      nativeArchitecture: {
        severity: 'info',
        text: (d: RemoteCode & { architecture: string }) =>
          `config.json has "auto_map" (${d.classes}), but ${d.architecture} is an architecture Friendli serves with its own implementation, so the repository's Python code is not used.`,
        hint: () =>
          'Nothing to fix if the code is the published one. If you changed the modeling code (a custom layer, a patched forward), the change will not take effect on Friendli: port it to a supported architecture instead.',
      },
    },
  },
  check({ artifacts: { config }, settings, report }) {
    const doc = docOf(config)
    const map = doc && field(doc, 'auto_map')
    if (!doc || !isObject(map)) return
    const classes = describeAutoMap(map)
    if (!classes) return
    const list = field(doc, 'architectures')
    const first =
      Array.isArray(list) && typeof list[0] === 'string' && list[0].trim() !== '' ? list[0] : undefined
    if (first && architectureVerdict({ name: first, extra: settings.extraArchitectures }).kind === 'served')
      return report('nativeArchitecture', { classes, architecture: first }, at(doc, '/auto_map'))
    report('remoteCode', { classes, architecture: first }, at(doc, '/auto_map'))
  },
})
