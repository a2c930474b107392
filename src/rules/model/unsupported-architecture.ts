import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { at, field } from '../../artifacts/json-document.js'
import { isObject } from '../../common/json.js'
import { listNames } from '../../common/wording.js'
import { architectureVerdict, KNOWN_FROM, type EvidenceEntry, type Head } from '../utils/architectures.js'

const MODELS_PAGE = 'https://friendli.ai/models?products=DEDICATED'
const EXTRA_HINT =
  "If Friendli serves it, add it to extra-architectures (the action's input or .friendli-preflight.yml) to record that you confirmed it."

/** A class name as messages show it: whole when it is a plain identifier, else quoted and clipped. */
function shown(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name)) return name
  const clipped = [...name].slice(0, 100).join('')
  return `${JSON.stringify(clipped)}${clipped.length < name.length ? ` (${name.length.toLocaleString('en-US')} characters, clipped)` : ''}`
}

const HEADS: Record<Exclude<Head, 'generation'>, string> = {
  embedding: 'a base model or embedding class',
  classification: 'a classification or scoring head',
  speculative: 'a speculative-decoding draft model',
  other: 'a head that does not produce text',
}

function family(entries: readonly EvidenceEntry[]): string {
  return listNames(entries.map((e) => `${e.family} (${e.name})`))
}

/** True when config.json's auto_map points a loader at this class: the repository's own code defines it. */
function definedByAutoMap(map: unknown, name: string): boolean {
  if (!isObject(map)) return false
  return Object.values(map)
    .flatMap((v): unknown[] => (Array.isArray(v) ? v : [v]))
    .some((v) => typeof v === 'string' && (v === name || v.endsWith(`.${name}`)))
}

export default defineModelRule({
  meta: {
    id: 'MR203',
    name: 'unsupported-architecture',
    description: 'Require an architecture that Friendli Dedicated Endpoints can serve',
    severity: 'error',
    artifacts: ['config'],
    messages: {
      unknown: {
        text: (d: { architecture: string; suggestion?: string; oddCharacter?: string }) =>
          `Architecture ${shown(d.architecture)} is not a model class: transformers and vLLM do not implement it and no Friendli page names it` +
          `${d.oddCharacter ? `; it contains ${d.oddCharacter}, and class names are plain ASCII` : ''}` +
          `${d.suggestion ? ` (did you mean ${d.suggestion}?)` : ''}.`,
        hint: (d: { suggestion?: string }) =>
          d.suggestion
            ? `Write "${d.suggestion}" in config.json: transformers and Friendli look the class up by its exact name.`
            : `Write the class that transformers saves for this model (save_pretrained() writes it). ${EXTRA_HINT}`,
      },
      unlisted: {
        severity: 'warning',
        text: (d: { architecture: string; suggestion?: string; writtenBy?: string }) =>
          `Architecture ${shown(d.architecture)} is not in the class lists of ${KNOWN_FROM} that this check knows` +
          `${d.suggestion ? ` (the nearest is ${d.suggestion})` : ''}; ` +
          `${d.writtenBy ? `config.json was written by transformers ${/^[\w.+-]{1,40}$/.test(d.writtenBy) ? d.writtenBy : shown(d.writtenBy)}, which may be newer than those lists, so it may be a new class` : 'it differs from a known class only in its version digits, so it may be a newer one'}, ` +
          `or a typo. It is not confirmed as served by Friendli Dedicated Endpoints; check ${MODELS_PAGE}.`,
        hint: () =>
          `If the name is right and Friendli serves it, ${EXTRA_HINT.slice(EXTRA_HINT.indexOf('add'))}`,
      },
      unconfirmed: {
        severity: 'warning',
        text: (d: { architecture: string; nearest: string }) =>
          `Architecture ${d.architecture} is a model class that transformers or vLLM implements, but it is not confirmed as served by Friendli Dedicated Endpoints; check ${MODELS_PAGE}.` +
          `${d.nearest ? ` The nearest family with Friendli evidence: ${d.nearest}.` : ''}`,
        hint: () =>
          `Friendli publishes no list of classes, so this is a question, not a verdict. ${EXTRA_HINT}`,
      },
      legacy: {
        severity: 'warning',
        text: (d: { architecture: string; family: string; date: string }) =>
          `Architecture ${d.architecture} (${d.family}) was listed only by Friendli's deprecated checkpoint converter (removed ${d.date}); that is not evidence that Dedicated Endpoints serve it today. Check ${MODELS_PAGE}.`,
        hint: () => EXTRA_HINT,
      },
      catalog: {
        severity: 'warning',
        text: (d: { architecture: string; family: string }) =>
          `Architecture ${d.architecture} (${d.family}) is likely but not confirmed as served by Friendli Dedicated Endpoints: the only evidence is friendli.ai/models pages for fine-tunes, seen as links elsewhere. Check ${MODELS_PAGE}.`,
        hint: () => EXTRA_HINT,
      },
      notGenerating: {
        severity: 'warning',
        text: (d: { architecture: string; head: string }) =>
          `Architecture ${d.architecture} is ${d.head}: it does not generate text, so Friendli's chat and completion endpoints cannot serve it.`,
        hint: () =>
          'For chat or completions, save the model with a generation head (…ForCausalLM or …ForConditionalGeneration). Dedicated Endpoints also serve embedding and classification models: if that is the intent, nothing to fix.',
      },
    },
  },
  check({ artifacts: { config }, settings, report }) {
    const doc = docOf(config)
    const list = doc && field(doc, 'architectures')
    // Not a list, empty, or a non-string first entry: missing-architectures reports it.
    if (!doc || !Array.isArray(list) || typeof list[0] !== 'string' || list[0].trim() === '') return
    const architecture: string = list[0]
    const version = field(doc, 'transformers_version')
    const verdict = architectureVerdict({
      name: architecture,
      extra: settings.extraArchitectures,
      transformersVersion: typeof version === 'string' ? version : undefined,
    })
    const where = at(doc, '/architectures/0')
    switch (verdict.kind) {
      case 'served':
        return
      case 'unknown': {
        // A class the repository's own code defines: requires-remote-code says what that means.
        if (definedByAutoMap(field(doc, 'auto_map'), architecture)) return
        const { suggestion, oddCharacter } = verdict
        if (verdict.newer)
          return report(
            'unlisted',
            {
              architecture,
              suggestion,
              writtenBy:
                verdict.newer === 'transformers' && typeof version === 'string' ? version : undefined,
            },
            where,
          )
        return report('unknown', { architecture, suggestion, oddCharacter }, where)
      }
      case 'notGenerating':
        return report(
          'notGenerating',
          { architecture, head: HEADS[verdict.head as Exclude<Head, 'generation'>] },
          where,
        )
      case 'legacy':
        return report(
          'legacy',
          { architecture, family: verdict.entry.family, date: verdict.entry.evidence[0]?.date ?? '' },
          where,
        )
      case 'catalog':
        return report('catalog', { architecture, family: verdict.entry.family }, where)
      case 'unconfirmed':
        return report('unconfirmed', { architecture, nearest: family(verdict.nearest) }, where)
    }
  },
})
