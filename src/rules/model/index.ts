// The explicit list of model rules, sorted by id. No directory scanning: it breaks once bundled, and
// this table is where a reader sees every rule at once.
import type { ModelRule } from '../../engine/rule.js'
import missingConfig from './missing-config.js'
import missingSafetensors from './missing-safetensors.js'
import nestedModel from './nested-model.js'
import ignoredFiles from './ignored-files.js'
import linkOutsideModel from './link-outside-model.js'
import invalidConfig from './invalid-config.js'
import missingArchitectures from './missing-architectures.js'
import unsupportedArchitecture from './unsupported-architecture.js'
import missingModelType from './missing-model-type.js'
import missingTokenizerJson from './missing-tokenizer-json.js'
import tokenizerConfig from './tokenizer-config.js'
import missingChatTemplate from './missing-chat-template.js'

export const modelRules: readonly ModelRule[] = [
  missingConfig, // MR101
  missingSafetensors, // MR102
  nestedModel, // MR103
  ignoredFiles, // MR104
  linkOutsideModel, // MR105
  invalidConfig, // MR201
  missingArchitectures, // MR202
  unsupportedArchitecture, // MR203
  missingModelType, // MR204
  missingTokenizerJson, // MR401
  tokenizerConfig, // MR402
  missingChatTemplate, // MR501
]
