import { defineManifestRule } from '../manifest-rule.js'
import { quote, stringAt, where } from '../utils/manifest.js'
import { revisionRef } from '../utils/model-repo.js'

const POINTER = '/hfModelRepoRevision'
const PIN =
  'Write the full 40-character commit sha of the model revision you deploy, as the Hub shows it under "Files and versions" → history.'

export default defineManifestRule({
  meta: {
    id: 'EP202',
    name: 'model-revision',
    description: 'Require hfModelRepoRevision to be a full commit sha of the model',
    severity: 'warning',
    reads: ['body', 'model'],
    messages: {
      partial: {
        text: (d: { value: string; length: number }) =>
          `hfModelRepoRevision is ${d.value}, ${d.length} hex characters: not a full commit sha (40). The Hub resolves a unique prefix of a commit, but a later commit can make it ambiguous, and the API documents a commit hash.`,
        hint: () => PIN,
      },
      uppercase: {
        text: (d: { value: string }) =>
          `hfModelRepoRevision is ${d.value}, a commit sha in capitals: git and the Hub write commit shas in lower case.`,
        hint: () => 'Write the sha in lower case.',
      },
      ref: {
        text: (d: { value: string }) =>
          `hfModelRepoRevision is ${d.value}, a branch or tag name rather than a commit sha: a branch moves, so the endpoint may not serve the revision this pull request checked, and the API documents a commit hash ("HF commit hash of the model.").`,
        hint: () => PIN,
      },
      moving: {
        text: (d: { value: string; sha: string }) =>
          `hfModelRepoRevision is ${d.value}, a branch or tag that the Hub resolves to ${d.sha} today: a branch or tag moves under the endpoint, so it may deploy a commit other than the one this check read, and the API documents a commit hash ("HF commit hash of the model.").`,
        hint: (d: { sha: string }) => `Pin the commit: write hfModelRepoRevision: "${d.sha}".`,
      },
      missing: {
        severity: 'info',
        text: (d: { repo: string; sha: string }) =>
          `hfModelRepoRevision is not set: the endpoint deploys whatever main of ${d.repo} is at deploy time, ${d.sha} today, and main moves.`,
        hint: (d: { sha: string }) => `Pin the commit: add hfModelRepoRevision: "${d.sha}".`,
      },
      notFound: {
        severity: 'error',
        text: (d: { value: string; repo: string }) =>
          `hfModelRepoRevision is ${d.value}, which ${d.repo} does not have on the Hub ("Revision Not Found"): no branch, tag or commit of the model has that name, so no endpoint can deploy it.`,
        hint: () => PIN,
      },
      invalid: {
        severity: 'error',
        text: (d: { value: string; why: string }) =>
          `hfModelRepoRevision is ${d.value}, which no Hub revision can be: ${d.why}.`,
        hint: () => PIN,
      },
    },
  },
  check({ manifest, model, refused, report }) {
    if (!manifest) return
    const value = stringAt(manifest, POINTER)
    if (value === undefined) {
      // Without a revision the endpoint takes main at deploy time: the model check read it at model.sha.
      if (model?.sha && stringAt(manifest, '/hfModelRepo') !== undefined)
        report('missing', { repo: model.repo, sha: model.sha }, where(manifest.doc, '/hfModelRepo'))
      return
    }
    const at = where(manifest.doc, POINTER)
    const ref = revisionRef(value)
    const quoted = quote(value)
    if (refused?.reason === 'revision') {
      const repo = stringAt(manifest, '/hfModelRepo')
      return report('notFound', { value: quoted, repo: quote(repo ?? '') }, at)
    }
    if (ref.kind === 'partial') report('partial', { value: quoted, length: ref.length }, at)
    else if (ref.kind === 'uppercase') report('uppercase', { value: quoted }, at)
    else if (ref.kind === 'ref' && model?.sha) report('moving', { value: quoted, sha: model.sha }, at)
    else if (ref.kind === 'ref') report('ref', { value: quoted }, at)
    else if (ref.kind === 'invalid') report('invalid', { value: quoted, why: ref.why }, at)
  },
})
