import { didYouMean } from '../../common/did-you-mean.js'
import { defineManifestRule } from '../manifest-rule.js'
import { instanceOptionList, instances } from '../utils/instances.js'
import { quote, stringAt, where } from '../utils/manifest.js'

const POINTER = '/instanceOptionId'

export default defineManifestRule({
  meta: {
    id: 'EP301',
    name: 'instance-option',
    description: 'Require instanceOptionId to be one of the instance options Friendli lists',
    severity: 'error',
    reads: ['body'],
    messages: {
      unknown: {
        text: (d: { value: string; near?: string }) =>
          `instanceOptionId is ${d.value}, which is not one of Friendli's 16 instance options${d.near ? ` (did you mean ${d.near}?)` : ''}: ${instanceOptionList()}.`,
        hint: (d: { near?: string }) =>
          d.near
            ? `Write ${d.near}: instance option ids are case-sensitive.`
            : 'Write the id of the GPU type and count you want, from the list (the create-endpoint call lists them too).',
      },
    },
  },
  check({ manifest, report }) {
    if (!manifest) return
    const value = stringAt(manifest, POINTER)
    if (value === undefined) return
    const ids = instances().map((i) => i.id)
    if (ids.includes(value)) return
    const near = didYouMean(value, ids)
    report('unknown', { value: quote(value), ...(near ? { near } : {}) }, where(manifest.doc, POINTER))
  },
})
