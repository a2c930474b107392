import { escapePointer } from '../../common/json.js'
import { defineManifestRule } from '../manifest-rule.js'
import { keyName, valueAt, where } from '../utils/manifest.js'

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
    },
  },
  check({ manifest, report }) {
    if (!manifest) return
    for (const issue of manifest.issues) {
      if (issue.code !== 'invalid_type' || issue.path.length === 0) continue
      const pointer = `/${issue.path.map((s) => escapePointer(String(s))).join('/')}`
      if (valueAt(manifest.value, pointer) !== undefined) continue
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
  },
})
