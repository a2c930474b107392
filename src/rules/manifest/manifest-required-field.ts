import { escapePointer } from '../../common/json.js'
import { defineManifestRule } from '../manifest-rule.js'
import { keyName, valueAt, where } from '../utils/manifest.js'

/** Missing fields reported one by one; past this, one finding counts the rest. */
const SHOWN = 50

export default defineManifestRule({
  meta: {
    id: 'EP104',
    name: 'manifest-required-field',
    description: 'Require a deployment manifest to hold every field its endpoint call requires',
    severity: 'error',
    reads: ['body'],
    messages: {
      missing: {
        text: (d: { field: string; parent: string }) =>
          `${d.parent} requires ${d.field}, which is missing: the endpoint call's schema lists it as required.`,
        hint: (d: { field: string }) => `Add ${d.field}.`,
      },
      more: {
        text: (d: { count: number }) =>
          `${d.count.toLocaleString('en-US')} more required fields are missing and not listed one by one.`,
        hint: () => 'Add the fields the endpoint call requires.',
      },
    },
  },
  check({ manifest, report }) {
    if (!manifest) return
    let shown = 0
    let more = 0
    for (const issue of manifest.issues) {
      if (issue.code !== 'invalid_type' || issue.path.length === 0) continue
      const pointer = `/${issue.path.map((s) => escapePointer(String(s))).join('/')}`
      if (valueAt(manifest.value, pointer) !== undefined) continue
      // A list of thousands of entries without their required field is said in SHOWN findings and a count.
      if (shown >= SHOWN) {
        more++
        continue
      }
      shown++
      const parent = pointer.slice(0, pointer.lastIndexOf('/'))
      report(
        'missing',
        {
          field: String(issue.path.at(-1)),
          parent: parent === '' ? `The ${manifest.body} body` : keyName(parent),
        },
        where(manifest.doc, pointer),
      )
    }
    if (more > 0) report('more', { count: more }, { path: manifest.doc.path })
  },
})
