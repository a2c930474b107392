import { docOf } from '../../artifacts/json-file.js'
import architectures from '../../data/architectures.json' with { type: 'json' }
import { defineModelRule } from '../model-rule.js'
import { at, field } from '../../artifacts/json-document.js'

const KNOWN = new Set(architectures.architectures.map((a) => a.name))

export default defineModelRule({
  meta: {
    id: 'MR203',
    name: 'unsupported-architecture',
    description: 'Require an architecture that Friendli Dedicated Endpoints is known to serve',
    severity: 'error',
    artifacts: ['config'],
    messages: {
      unsupported: {
        text: (d: { architecture: string; suggestion?: string }) =>
          `Architecture ${d.architecture} is not among the architectures known to run on Friendli Dedicated Endpoints${d.suggestion ? ` (did you mean ${d.suggestion}?)` : ''}.`,
        hint: () =>
          "Check https://friendli.ai/models?products=DEDICATED. The built-in list is partial: if Friendli serves this architecture, add it to the action's extra-architectures input (or extra-architectures in .friendli-preflight.yml).",
      },
    },
  },
  check({ artifacts: { config }, settings, report }) {
    const doc = docOf(config)
    const list = doc && field(doc, 'architectures')
    if (!doc || !Array.isArray(list) || typeof list[0] !== 'string' || list[0].trim() === '') return
    const architecture: string = list[0]
    if (KNOWN.has(architecture) || settings.extraArchitectures.includes(architecture)) return
    const lower = architecture.toLowerCase()
    const suggestion = [...KNOWN, ...settings.extraArchitectures].find((k) => k.toLowerCase() === lower)
    report('unsupported', { architecture, suggestion }, at(doc, '/architectures/0'))
  },
})
