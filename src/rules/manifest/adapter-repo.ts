import { defineManifestRule, MANIFEST_ADAPTERS_LIMIT } from '../manifest-rule.js'
import { quote, stringAt, tokens, valueAt, where } from '../utils/manifest.js'
import { repoRef, revisionRef } from '../utils/model-repo.js'

const PIN =
  'Write the full 40-character commit sha of the adapter revision you deploy, as the Hub shows it under "Files and versions" → history.'
const ID = "Write the adapter's Hub id as the Hub shows it: org/name."

export default defineManifestRule({
  meta: {
    id: 'EP601',
    name: 'adapter-repo',
    description:
      'Require each LoRA adapter a manifest lists (adapters) to be a Hugging Face Hub adapter repo, pinned to a commit',
    severity: 'error',
    reads: ['body', 'adapters'],
    messages: {
      tooMany: {
        severity: 'warning',
        text: (d: { count: string; limit: number; rest: string }) =>
          `adapters lists ${d.count} adapters: the first ${d.limit} were checked, the other ${d.rest} were not (a run checks at most ${d.limit} adapters of one manifest).`,
        hint: () =>
          'List the adapters the endpoint serves; to check a longer list, split it over several manifests.',
      },
      url: {
        text: (d: { key: string; value: string; id: string; revision?: string }) =>
          `${d.key} is ${d.value}, a link, but it takes the adapter's Hub id: ${d.id}${d.revision ? `, with the revision ${d.revision} in hfAdapterRepoRevision` : ''}. It was not checked.`,
        hint: (d: { id: string }) => `Write hfAdapterRepo: ${d.id}.`,
      },
      withRevision: {
        text: (d: { key: string; value: string; id: string; revision: string }) =>
          `${d.key} is ${d.value}, an id with a revision after "@", but the revision has its own field: hfAdapterRepo takes ${d.id} alone. It was not checked.`,
        hint: (d: { id: string; revision: string }) =>
          `Write hfAdapterRepo: ${d.id}, and put the commit sha of ${d.revision} in hfAdapterRepoRevision.`,
      },
      empty: {
        text: (d: { key: string }) => `${d.key} is empty: it names no adapter.`,
        hint: () => ID,
      },
      invalid: {
        text: (d: { key: string; value: string; why: string }) =>
          `${d.key} is ${d.value}, which is not a Hugging Face Hub id: ${d.why}. It was not checked.`,
        hint: () => ID,
      },
      bareName: {
        severity: 'warning',
        text: (d: { key: string; value: string }) =>
          `${d.key} is ${d.value}, with no organization: a legacy Hub name that the Hub redirects, so the adapter it names may change with the redirect.`,
        hint: () => 'Write the full org/name id the adapter has on the Hub today.',
      },
      notFound: {
        text: (d: { key: string; value: string; why: string }) =>
          `${d.key} is ${d.value}, which the Hub does not show: ${d.why}`,
        hint: () => ID,
      },
      revisionNotFound: {
        text: (d: { key: string; value: string; repo: string }) =>
          `${d.key} is ${d.value}, which ${d.repo} does not have on the Hub ("Revision Not Found"): no branch, tag or commit of the adapter has that name, so no endpoint can load it.`,
        hint: () => PIN,
      },
      revisionInvalid: {
        text: (d: { key: string; value: string; why: string }) =>
          `${d.key} is ${d.value}, which no Hub revision can be: ${d.why}. The adapter was not checked.`,
        hint: () => PIN,
      },
      partial: {
        severity: 'warning',
        text: (d: { key: string; value: string; length: number }) =>
          `${d.key} is ${d.value}, ${d.length} hex characters: not a full commit sha (40). The Hub resolves a unique prefix of a commit, but a later commit can make it ambiguous.`,
        hint: () => PIN,
      },
      moving: {
        severity: 'warning',
        text: (d: { key: string; value: string; sha: string }) =>
          `${d.key} is ${d.value}, a branch or tag that the Hub resolves to ${d.sha} today: it moves under the endpoint, so the endpoint may load an adapter other than the one this check read.`,
        hint: (d: { sha: string }) => `Pin the commit: write hfAdapterRepoRevision: "${d.sha}".`,
      },
      unpinned: {
        severity: 'info',
        text: (d: { key: string; repo: string; sha: string }) =>
          `${d.key} has no hfAdapterRepoRevision: the endpoint loads whatever main of ${d.repo} is at deploy time, ${d.sha} today, and main moves.`,
        hint: (d: { sha: string }) => `Pin the commit: add hfAdapterRepoRevision: "${d.sha}".`,
      },
      notAdapter: {
        text: (d: { key: string; value: string; display: string }) =>
          `${d.key} is ${d.value}, but ${d.display} has no adapter_config.json at its root: it is not a LoRA adapter (a full model?), so it cannot be attached to the endpoint's model.`,
        hint: () =>
          'Name the adapter repo PeftModel.save_pretrained() wrote (adapter_config.json and adapter_model.safetensors), or deploy a full model as hfModelRepo of an endpoint of its own.',
      },
    },
  },
  check({ manifest, adapters, report }) {
    if (!manifest) return
    const list = valueAt(manifest.value, '/adapters')
    if (!Array.isArray(list)) return
    if (list.length > MANIFEST_ADAPTERS_LIMIT)
      report(
        'tooMany',
        {
          count: tokens(list.length),
          limit: MANIFEST_ADAPTERS_LIMIT,
          rest: tokens(list.length - MANIFEST_ADAPTERS_LIMIT),
        },
        where(manifest.doc, '/adapters'),
      )
    for (let i = 0; i < Math.min(list.length, MANIFEST_ADAPTERS_LIMIT); i++) {
      const repoKey = `/adapters/${i}/hfAdapterRepo`
      const revKey = `/adapters/${i}/hfAdapterRepoRevision`
      const value = stringAt(manifest, repoKey)
      if (value === undefined) continue
      const key = `adapters[${i}].hfAdapterRepo`
      const revisionKey = `adapters[${i}].hfAdapterRepoRevision`
      const at = where(manifest.doc, repoKey)
      const quoted = quote(value)
      const checked = adapters[i]
      const ref = repoRef(value)
      if (checked?.state === 'refused' && checked.refused.reason === 'repo') {
        report('notFound', { key, value: quoted, why: checked.refused.message }, at)
        continue
      }
      if (ref.kind === 'url')
        report(
          'url',
          {
            key,
            value: quoted,
            id: ref.id,
            ...(ref.revision ? { revision: quote(ref.revision) } : {}),
          },
          at,
        )
      else if (ref.kind === 'with-revision')
        report('withRevision', { key, value: quoted, id: ref.id, revision: quote(ref.revision) }, at)
      else if (ref.kind === 'empty') report('empty', { key }, at)
      else if (ref.kind === 'invalid') report('invalid', { key, value: quoted, why: ref.why }, at)
      else if (ref.kind === 'bare') report('bareName', { key, value: quoted }, at)
      if (ref.kind !== 'id' && ref.kind !== 'bare') continue

      const adapter = checked?.state === 'checked' ? checked.adapter : undefined
      if (adapter && adapter.kind !== 'adapter')
        report('notAdapter', { key, value: quoted, display: adapter.display }, at)
      const revision = stringAt(manifest, revKey)
      if (revision === undefined) {
        if (adapter?.sha) report('unpinned', { key, repo: quote(ref.repo), sha: adapter.sha }, at)
        continue
      }
      const revAt = where(manifest.doc, revKey)
      const rev = revisionRef(revision)
      const revQuoted = quote(revision)
      if (checked?.state === 'refused' && checked.refused.reason === 'revision')
        report('revisionNotFound', { key: revisionKey, value: revQuoted, repo: quote(ref.repo) }, revAt)
      else if (rev.kind === 'invalid')
        report('revisionInvalid', { key: revisionKey, value: revQuoted, why: rev.why }, revAt)
      else if (rev.kind === 'partial')
        report('partial', { key: revisionKey, value: revQuoted, length: rev.length }, revAt)
      else if (rev.kind === 'ref' && adapter?.sha)
        report('moving', { key: revisionKey, value: revQuoted, sha: adapter.sha }, revAt)
    }
  },
})
