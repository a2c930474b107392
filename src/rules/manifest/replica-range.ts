import { AUTOSCALING_DEFAULTS } from '../../artifacts/endpoint-body.js'
import { defineManifestRule } from '../manifest-rule.js'
import { has, intAt, objectAt, where } from '../utils/manifest.js'

export default defineManifestRule({
  meta: {
    id: 'EP402',
    name: 'replica-range',
    description: 'Require autoscalingPolicy.minReplica to be at most maxReplica',
    severity: 'error',
    reads: ['body'],
    messages: {
      minAboveMax: {
        text: (d: { min: number; max: string }) =>
          `autoscalingPolicy.minReplica is ${d.min}, above maxReplica ${d.max}: no number of replicas is both at least the minimum and at most the maximum.`,
        hint: (d: { min: number }) =>
          `Raise maxReplica to at least ${d.min} (at most 10), or lower minReplica.`,
      },
    },
  },
  check({ manifest, report }) {
    if (!manifest || !objectAt(manifest, '/autoscalingPolicy')) return
    const min = intAt(manifest, '/autoscalingPolicy/minReplica')
    const maxWritten = has(manifest, '/autoscalingPolicy/maxReplica')
    const max = maxWritten
      ? intAt(manifest, '/autoscalingPolicy/maxReplica')
      : AUTOSCALING_DEFAULTS.maxReplica
    if (min === undefined || max === undefined || min <= max) return
    report(
      'minAboveMax',
      { min, max: maxWritten ? String(max) : `${max} (its default: it is not set)` },
      where(manifest.doc, '/autoscalingPolicy/minReplica'),
    )
  },
})
