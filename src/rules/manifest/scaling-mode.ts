import { defineManifestRule } from '../manifest-rule.js'
import { objectAt, where } from '../utils/manifest.js'

export default defineManifestRule({
  meta: {
    id: 'EP403',
    name: 'scaling-mode',
    description: 'Disallow simplescale together with autoscalingPolicy in a deployment manifest',
    severity: 'error',
    reads: ['body'],
    messages: {
      both: {
        text: () =>
          'The manifest sets both simplescale (a fixed number of replicas) and autoscalingPolicy (replicas between a minimum and a maximum): an endpoint scales one way, and the call does not say which one wins.',
        hint: () =>
          'Keep simplescale for a fixed number of replicas, or autoscalingPolicy to scale with the load, and remove the other (or set it to null).',
      },
    },
  },
  check({ manifest, report }) {
    if (!manifest) return
    if (objectAt(manifest, '/simplescale') && objectAt(manifest, '/autoscalingPolicy'))
      report('both', {}, where(manifest.doc, '/simplescale'))
  },
})
