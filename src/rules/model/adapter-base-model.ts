import { jsonType } from '../../artifacts/json-document.js'
import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { at, field, hasField } from '../../artifacts/json-document.js'

const POINTER = '/base_model_name_or_path'

type BaseModelRef =
  { kind: 'hub' } | { kind: 'bare' } | { kind: 'local'; what: string } | { kind: 'not-hub-id' }

/**
 * What a base_model_name_or_path names. A Hub id is `name` or `org/name`: letters, digits, `-`,
 * `_`, `.`; no `--` or `..`; a part neither starts nor ends with `-` or `.`; at most 96 characters
 * (huggingface_hub's validate_repo_id). Anything shaped like a path or URL is local.
 */
function classifyBaseModel(value: string): BaseModelRef {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { kind: 'local', what: 'a URL' }
  if (/^[A-Za-z]:([\\/]|$)/.test(value)) return { kind: 'local', what: 'a Windows path' }
  if (
    value.startsWith('/') ||
    value.startsWith('~') ||
    value.startsWith('./') ||
    value.startsWith('../') ||
    value === '.' ||
    value === '..' ||
    value.includes('\\') ||
    value.split('/').length > 2
  )
    return { kind: 'local', what: 'a local path' }
  const parts = value.split('/')
  const validPart = (p: string) =>
    /^[A-Za-z0-9._-]+$/.test(p) && !/^[-.]|[-.]$/.test(p) && !p.includes('--') && !p.includes('..')
  if (value.length > 96 || !parts.every(validPart) || value.endsWith('.git')) return { kind: 'not-hub-id' }
  return parts.length === 1 ? { kind: 'bare' } : { kind: 'hub' }
}

const hubHint =
  'Set it to the Hub id (org/name) of the exact base model the adapter was trained on, e.g. "meta-llama/Llama-3.2-3B", and deploy the adapter on an endpoint that serves that model.'

export default defineModelRule({
  meta: {
    id: 'MR604',
    name: 'adapter-base-model',
    description: 'Require adapter_config.json to name its base model by a Hugging Face Hub id',
    severity: 'error',
    artifacts: ['adapterConfig'],
    appliesTo: ['adapter'],
    messages: {
      missing: {
        text: () =>
          'adapter_config.json names no base model ("base_model_name_or_path" is missing or null), so there is nothing to bind the adapter to.',
        hint: () => hubHint,
      },
      empty: {
        text: () => '"base_model_name_or_path" in adapter_config.json is empty, so it names no base model.',
        hint: () => hubHint,
      },
      notString: {
        text: (d: { found: string }) =>
          `"base_model_name_or_path" in adapter_config.json must be a Hub id string but is ${d.found}.`,
        hint: () => hubHint,
      },
      localPath: {
        severity: 'warning',
        text: (d: { value: string; what: string }) =>
          `"base_model_name_or_path" is ${d.value}, ${d.what} rather than a Hugging Face Hub id, but Friendli binds an adapter to a base model on the Hub.`,
        hint: () => hubHint,
      },
      bareName: {
        severity: 'warning',
        text: (d: { value: string }) =>
          `"base_model_name_or_path" is ${d.value}, with no organization: it is either a legacy Hub name that the Hub now redirects to an org/name id, or a local folder name.`,
        hint: () =>
          'Write the full org/name id the model has on the Hub today (e.g. "google-bert/bert-base-uncased" for "bert-base-uncased"), so the base model is unambiguous.',
      },
      notHubId: {
        severity: 'warning',
        text: (d: { value: string }) =>
          `"base_model_name_or_path" is ${d.value}, which is not a valid Hugging Face Hub id (org/name of letters, digits, "-", "_" and ".").`,
        hint: () => hubHint,
      },
    },
  },
  check({ artifacts: { adapterConfig }, report }) {
    const doc = docOf(adapterConfig)
    if (!doc) return
    if (!hasField(doc, 'base_model_name_or_path')) return report('missing', {}, { path: doc.path })
    const value = field(doc, 'base_model_name_or_path')
    const where = at(doc, POINTER)
    if (value === null) return report('missing', {}, where)
    if (typeof value !== 'string') return report('notString', { found: jsonType(value) }, where)
    if (value.trim() === '') return report('empty', {}, where)
    const ref = classifyBaseModel(value)
    const quoted = JSON.stringify(value)
    if (ref.kind === 'local') report('localPath', { value: quoted, what: ref.what }, where)
    else if (ref.kind === 'not-hub-id') report('notHubId', { value: quoted }, where)
    else if (ref.kind === 'bare') report('bareName', { value: quoted }, where)
  },
})
