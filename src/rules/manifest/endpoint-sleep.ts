import { AUTOSCALING_DEFAULTS } from '../../artifacts/endpoint-body.js'
import { defineManifestRule } from '../manifest-rule.js'
import { has, intAt, objectAt, where } from '../utils/manifest.js'

export default defineManifestRule({
  meta: {
    id: 'EP401',
    name: 'endpoint-sleep',
    description:
      'Report an autoscaling policy that lets the endpoint sleep when idle, and that Friendli terminates an endpoint asleep for 48 hours',
    severity: 'info',
    reads: ['body'],
    messages: {
      sleeps: {
        text: (d: { minimum: string; cooldown: string }) =>
          `autoscalingPolicy.minReplica is ${d.minimum}, so the endpoint goes to sleep after ${d.cooldown} without requests; Friendli sends a notice after 24 hours of sleep and terminates the endpoint after 48 hours asleep unless it is reactivated.`,
        hint: () =>
          'Set autoscalingPolicy.minReplica to 1 or more to keep a replica running (it is billed while idle), or make sure the endpoint gets a request within 48 hours of going to sleep; a terminated endpoint has to be created again.',
      },
    },
  },
  check({ manifest, report }) {
    if (!manifest) return
    if (!objectAt(manifest, '/autoscalingPolicy')) return
    const written = has(manifest, '/autoscalingPolicy/minReplica')
    const minimum = written
      ? intAt(manifest, '/autoscalingPolicy/minReplica')
      : AUTOSCALING_DEFAULTS.minReplica
    if (minimum !== 0) return
    const cooldown = intAt(manifest, '/autoscalingPolicy/cooldownPeriod')
    report(
      'sleeps',
      {
        minimum: written ? '0' : '0 (its default: it is not set)',
        cooldown:
          cooldown === undefined
            ? `the cooldown period (${AUTOSCALING_DEFAULTS.cooldownPeriod} seconds by default)`
            : `the cooldown period of ${cooldown.toLocaleString('en-US')} seconds`,
      },
      where(manifest.doc, written ? '/autoscalingPolicy/minReplica' : '/autoscalingPolicy'),
    )
  },
})
