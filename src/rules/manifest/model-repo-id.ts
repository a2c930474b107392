import { defineManifestRule } from '../manifest-rule.js'
import { quote, stringAt, where } from '../utils/manifest.js'
import { repoRef } from '../utils/model-repo.js'

const POINTER = '/hfModelRepo'

export default defineManifestRule({
  meta: {
    id: 'EP201',
    name: 'model-repo-id',
    description:
      'Require hfModelRepo to be the Hugging Face Hub id of the model (org/name), not a URL or a path',
    severity: 'error',
    reads: ['body'],
    messages: {
      url: {
        text: (d: { value: string; id: string; revision?: string }) =>
          `hfModelRepo is ${d.value}, a link, but it takes the model's Hub id: ${d.id}${d.revision ? `, with the revision ${d.revision} in hfModelRepoRevision` : ''}.`,
        hint: (d: { id: string; revision?: string }) =>
          `Write hfModelRepo: ${d.id}${d.revision ? ` and hfModelRepoRevision: the full commit sha of ${d.revision}` : ''}.`,
      },
      withRevision: {
        text: (d: { value: string; id: string; revision: string }) =>
          `hfModelRepo is ${d.value}, an id with a revision after "@", but the revision has its own field: hfModelRepo takes ${d.id} alone.`,
        hint: (d: { id: string; revision: string }) =>
          `Write hfModelRepo: ${d.id}, and put the commit sha of ${d.revision} in hfModelRepoRevision.`,
      },
      empty: {
        text: () => 'hfModelRepo is empty: it names no model.',
        hint: () => 'Write the Hub id of the model: org/name.',
      },
      invalid: {
        text: (d: { value: string; why: string }) =>
          `hfModelRepo is ${d.value}, which is not a Hugging Face Hub id: ${d.why}.`,
        hint: () => 'Write the Hub id of the model as the Hub shows it: org/name.',
      },
      notFound: {
        text: (d: { value: string; why: string }) =>
          `hfModelRepo is ${d.value}, which the Hub does not show: ${d.why}`,
        hint: () => 'Write the Hub id of the model as the Hub shows it: org/name.',
      },
      bareName: {
        severity: 'warning',
        text: (d: { value: string }) =>
          `hfModelRepo is ${d.value}, with no organization: a legacy Hub name that the Hub redirects to an org/name id today, so the model it names may change with the redirect.`,
        hint: () =>
          'Write the full org/name id the model has on the Hub today (e.g. openai-community/gpt2 for gpt2).',
      },
    },
  },
  check({ manifest, refused, report }) {
    if (!manifest) return
    const value = stringAt(manifest, POINTER)
    if (value === undefined) return
    const at = where(manifest.doc, POINTER)
    const ref = repoRef(value)
    const quoted = quote(value)
    if (refused?.reason === 'repo') return report('notFound', { value: quoted, why: refused.message }, at)
    switch (ref.kind) {
      case 'url':
        return report(
          'url',
          { value: quoted, id: ref.id, ...(ref.revision ? { revision: quote(ref.revision) } : {}) },
          at,
        )
      case 'with-revision':
        return report('withRevision', { value: quoted, id: ref.id, revision: quote(ref.revision) }, at)
      case 'empty':
        return report('empty', {}, at)
      case 'invalid':
        return report('invalid', { value: quoted, why: ref.why }, at)
      case 'bare':
        return report('bareName', { value: quoted }, at)
    }
  },
})
