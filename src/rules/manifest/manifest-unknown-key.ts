import { bodyKeys, NESTED_KEYS, type BodyKind } from '../../artifacts/endpoint-body.js'
import { escapePointer } from '../../common/json.js'
import { didYouMean } from '../../common/did-you-mean.js'
import { defineManifestRule } from '../manifest-rule.js'
import { keyName, quote, where } from '../utils/manifest.js'

/** Unknown keys reported one by one; past this, one finding counts the rest. */
const SHOWN = 50

const CALL: Record<BodyKind, string> = {
  create: 'the create-endpoint body (POST /dedicated/beta/endpoint)',
  update: 'the update-endpoint body (PUT /dedicated/beta/endpoint/{endpoint_id})',
}
const OTHER: Record<BodyKind, BodyKind> = { create: 'update', update: 'create' }

export default defineManifestRule({
  meta: {
    id: 'EP102',
    name: 'manifest-unknown-key',
    description:
      'Disallow keys the endpoint call does not have in a deployment manifest, naming the nearest known key',
    severity: 'warning',
    reads: ['body'],
    messages: {
      unknown: {
        text: (d: { key: string; place: string; body: BodyKind; near?: string }) =>
          `Unknown key ${d.key} ${d.place}${d.near ? ` (did you mean ${d.near}?)` : ''}: ${CALL[d.body]} has no such field, so the API ignores its value or refuses the body.`,
        hint: (d: { near?: string }) =>
          d.near ? `Rename it to ${d.near}.` : 'Remove it, or rename it to a field of the endpoint call.',
      },
      otherBody: {
        text: (d: { key: string; body: BodyKind }) =>
          `${d.key} is a field of ${CALL[OTHER[d.body]]}, not of ${CALL[d.body]}, which this manifest is (it ${d.body === 'create' ? 'has projectId' : 'has no projectId'}).`,
        hint: (d: { body: BodyKind }) =>
          d.body === 'create'
            ? "Remove it (initialVersionComment is the create body's comment), or drop projectId if the manifest is meant to update an endpoint."
            : "Remove it (newVersionComment is the update body's comment), or add projectId if the manifest is meant to create an endpoint.",
      },
      more: {
        text: (d: { count: number }) =>
          `${d.count.toLocaleString('en-US')} more unknown keys are not listed one by one.`,
        hint: () => 'Remove the keys the endpoint call does not have.',
      },
    },
  },
  check({ manifest, report }) {
    if (!manifest) return
    let shown = 0
    let more = 0
    for (const issue of manifest.issues) {
      if (issue.code !== 'unrecognized_keys') continue
      const path = issue.path.map((s) => escapePointer(String(s)))
      const parent = path.length ? `/${path.join('/')}` : ''
      const known = path.length === 0 ? bodyKeys(manifest.body) : (NESTED_KEYS[String(issue.path[0])] ?? [])
      for (const key of issue.keys) {
        if (shown >= SHOWN) {
          more++
          continue
        }
        shown++
        const at = where(manifest.doc, `${parent}/${escapePointer(key)}`)
        if (path.length === 0 && bodyKeys(OTHER[manifest.body]).includes(key)) {
          report('otherBody', { key, body: manifest.body }, at)
          continue
        }
        const near = didYouMean(key, known)
        report(
          'unknown',
          {
            key: quote(key),
            place: parent === '' ? 'at the top level' : `in ${keyName(parent)}`,
            body: manifest.body,
            ...(near ? { near: quote(near) } : {}),
          },
          at,
        )
      }
    }
    if (more > 0) report('more', { count: more }, { path: manifest.doc.path })
  },
})
