// The explicit list of deployment manifest rules, sorted by id (see src/rules/model/index.ts for why).
import type { ManifestRule } from '../manifest-rule.js'
import manifestSyntax from './manifest-syntax.js'
import manifestUnknownKey from './manifest-unknown-key.js'
import manifestValue from './manifest-value.js'
import manifestRequiredField from './manifest-required-field.js'
import modelRepoId from './model-repo-id.js'
import modelRevision from './model-revision.js'
import instanceOption from './instance-option.js'
import instanceFit from './instance-fit.js'
import endpointSleep from './endpoint-sleep.js'
import replicaRange from './replica-range.js'
import scalingMode from './scaling-mode.js'
import contextLength from './context-length.js'
import chatTemplateFile from './chat-template-file.js'
import adapterRepo from './adapter-repo.js'
import adapterModelMatch from './adapter-model-match.js'

export const manifestRules: readonly ManifestRule[] = [
  manifestSyntax, // EP101
  manifestUnknownKey, // EP102
  manifestValue, // EP103
  manifestRequiredField, // EP104
  modelRepoId, // EP201
  modelRevision, // EP202
  instanceOption, // EP301
  instanceFit, // EP302
  endpointSleep, // EP401
  replicaRange, // EP402
  scalingMode, // EP403
  contextLength, // EP404
  chatTemplateFile, // EP501
  adapterRepo, // EP601
  adapterModelMatch, // EP602
]
