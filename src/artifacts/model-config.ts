import type { JsonDocument } from './json-document.js'
import { escapePointer, isObject } from '../common/json.js'

/**
 * Multimodal and composite configs keep the language model's sizes in a sub-config (Qwen2-VL's
 * text_config, InternVL's llm_config, …): look there when the top level lacks the key.
 */
export const SUB_CONFIGS = ['text_config', 'llm_config', 'language_config', 'language_model_config']

export interface ConfigValue<T> {
  value: T
  /** RFC 6901 pointer of where it was found. */
  pointer: string
}

/** The first of `keys` present at the top level, then in each sub-config. */
export function configValue(doc: JsonDocument, keys: readonly string[]): ConfigValue<unknown> | undefined {
  const root = doc.value
  if (!isObject(root)) return undefined
  const scopes: [Record<string, unknown>, string][] = [[root, '']]
  for (const sub of SUB_CONFIGS)
    if (isObject(root[sub])) scopes.push([root[sub] as Record<string, unknown>, `/${sub}`])
  for (const [scope, prefix] of scopes) {
    for (const key of keys) {
      if (Object.prototype.hasOwnProperty.call(scope, key))
        return { value: scope[key], pointer: `${prefix}/${escapePointer(key)}` }
    }
  }
  return undefined
}

/** A positive integer config value (vocab_size, hidden_size, …), or undefined. */
export function configInt(doc: JsonDocument, keys: readonly string[]): ConfigValue<number> | undefined {
  const found = configValue(doc, keys)
  return found && Number.isSafeInteger(found.value) && (found.value as number) > 0
    ? (found as ConfigValue<number>)
    : undefined
}

export function configString(doc: JsonDocument, keys: readonly string[]): ConfigValue<string> | undefined {
  const found = configValue(doc, keys)
  return found && typeof found.value === 'string' ? (found as ConfigValue<string>) : undefined
}
