// The explicit list of model rules, sorted by id. No directory scanning: it breaks once bundled, and
// this table is where a reader sees every rule at once.
import type { ModelRule } from '../model-rule.js'
import missingConfig from './missing-config.js'
import missingSafetensors from './missing-safetensors.js'
import nestedModel from './nested-model.js'
import ignoredFiles from './ignored-files.js'
import linkOutsideModel from './link-outside-model.js'
import invalidConfig from './invalid-config.js'
import missingArchitectures from './missing-architectures.js'
import unsupportedArchitecture from './unsupported-architecture.js'
import missingModelType from './missing-model-type.js'
import requiresRemoteCode from './requires-remote-code.js'
import invalidSafetensorsHeader from './invalid-safetensors-header.js'
import invalidTensorLayout from './invalid-tensor-layout.js'
import safetensorsMetadataFormat from './safetensors-metadata-format.js'
import lfsPointerFiles from './lfs-pointer-files.js'
import invalidShardIndex from './invalid-shard-index.js'
import missingShard from './missing-shard.js'
import shardNumbering from './shard-numbering.js'
import shardIndexMismatch from './shard-index-mismatch.js'
import shardIndexTotalSize from './shard-index-total-size.js'
import ambiguousWeights from './ambiguous-weights.js'
import vocabSizeMismatch from './vocab-size-mismatch.js'
import tiedEmbeddingsMismatch from './tied-embeddings-mismatch.js'
import layerCountMismatch from './layer-count-mismatch.js'
import hiddenSizeMismatch from './hidden-size-mismatch.js'
import dtypeMismatch from './dtype-mismatch.js'
import quantization from './quantization.js'
import missingTokenizerJson from './missing-tokenizer-json.js'
import tokenizerConfig from './tokenizer-config.js'
import specialTokens from './special-tokens.js'
import tokenizerJson from './tokenizer-json.js'
import tokenizerVocabSize from './tokenizer-vocab-size.js'
import missingChatTemplate from './missing-chat-template.js'
import chatTemplateSyntax from './chat-template-syntax.js'
import chatTemplateRender from './chat-template-render.js'
import stopToken from './stop-token.js'
import undefinedSpecialToken from './undefined-special-token.js'
import chatTemplateLimits from './chat-template-limits.js'
import chatTemplateLocation from './chat-template-location.js'
import chatTemplateFormat from './chat-template-format.js'
import generationBlocks from './generation-blocks.js'
import invalidAdapterConfig from './invalid-adapter-config.js'
import adapterWeights from './adapter-weights.js'
import adapterPeftType from './adapter-peft-type.js'
import adapterBaseModel from './adapter-base-model.js'
import adapterTargetModules from './adapter-target-modules.js'
import adapterRankPatterns from './adapter-rank-patterns.js'
import gpuFit from './gpu-fit.js'

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
  requiresRemoteCode, // MR205
  invalidSafetensorsHeader, // MR301
  invalidTensorLayout, // MR302
  safetensorsMetadataFormat, // MR303
  lfsPointerFiles, // MR304
  invalidShardIndex, // MR305
  missingShard, // MR306
  shardNumbering, // MR307
  shardIndexMismatch, // MR308
  shardIndexTotalSize, // MR309
  ambiguousWeights, // MR310
  vocabSizeMismatch, // MR311
  tiedEmbeddingsMismatch, // MR312
  layerCountMismatch, // MR313
  hiddenSizeMismatch, // MR314
  dtypeMismatch, // MR315
  quantization, // MR316
  missingTokenizerJson, // MR401
  tokenizerConfig, // MR402
  specialTokens, // MR403
  tokenizerJson, // MR404
  tokenizerVocabSize, // MR405
  missingChatTemplate, // MR501
  chatTemplateSyntax, // MR502
  chatTemplateRender, // MR503
  stopToken, // MR504
  undefinedSpecialToken, // MR505
  chatTemplateLimits, // MR506
  chatTemplateLocation, // MR507
  chatTemplateFormat, // MR508
  generationBlocks, // MR509
  invalidAdapterConfig, // MR601
  adapterWeights, // MR602
  adapterPeftType, // MR603
  adapterBaseModel, // MR604
  adapterTargetModules, // MR605
  adapterRankPatterns, // MR606
  gpuFit, // MR701
]
