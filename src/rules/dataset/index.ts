// The explicit list of dataset rules, sorted by id (see src/rules/model/index.ts for why).
import type { DatasetRule } from '../dataset-rule.js'
import missingMessages from './missing-messages.js'
import datasetFiles from './dataset-files.js'
import invalidRow from './invalid-row.js'
import messageSchema from './message-schema.js'
import conversationShape from './conversation-shape.js'
import unusedKeys from './unused-keys.js'
import duplicateRows from './duplicate-rows.js'
import templateRender from './template-render.js'
import tokenLength from './token-length.js'
import baseModel from './base-model.js'

export const datasetRules: readonly DatasetRule[] = [
  missingMessages, // DS101
  datasetFiles, // DS102
  invalidRow, // DS201
  messageSchema, // DS202
  conversationShape, // DS203
  unusedKeys, // DS301
  duplicateRows, // DS302
  templateRender, // DS401
  tokenLength, // DS402
  baseModel, // DS403
]
