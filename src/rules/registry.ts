import { datasetRules } from './dataset/index.js'
import { manifestRules } from './manifest/index.js'
import { modelRules } from './model/index.js'
import type { DatasetRule } from './dataset-rule.js'
import type { ManifestRule } from './manifest-rule.js'
import type { ModelRule } from './model-rule.js'

export type AnyRule = ModelRule | DatasetRule | ManifestRule

export { datasetRules, manifestRules, modelRules }

/**
 * Every rule, model rules (MR), dataset rules (DS), then deployment manifest rules (EP): the config
 * file, docs and index know them all.
 */
export const allRules: readonly AnyRule[] = [...modelRules, ...datasetRules, ...manifestRules]

/** A rule by id ('MR203', any case) or by name ('unsupported-architecture'). */
export function findRule(idOrName: string): AnyRule | undefined {
  const key = idOrName.trim().toLowerCase()
  return allRules.find((r) => r.meta.id.toLowerCase() === key || r.meta.name === key)
}

/** Where rule docs live. The action links to the docs of the exact version that ran. */
export function docsBase(env: NodeJS.ProcessEnv = process.env): string {
  const repo = env.GITHUB_ACTION_REPOSITORY
  const ref = env.GITHUB_ACTION_REF
  if (repo && ref) return `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${repo}/blob/${ref}/docs/rules/`
  return 'https://github.com/friendli-preflight/friendli-preflight/blob/main/docs/rules/'
}
