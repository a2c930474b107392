// config.json as the language model is built from it. Multimodal and composite configs keep the
// language model's sizes in a sub-config (Qwen2-VL's text_config, InternVL's llm_config, …): a key is
// looked up at the top level, then in each of those. The scopes are found once per target.
import type { JsonDocument } from './json-document.js'
import { docOf, type JsonFile } from './json-file.js'
import { escapePointer, isObject } from '../common/json.js'

const SUB_CONFIGS = ['text_config', 'llm_config', 'language_config', 'language_model_config']

export interface ConfigValue<T> {
  value: T
  /** RFC 6901 pointer of where it was found. */
  pointer: string
}

export interface TextConfig {
  /** config.json itself, to locate findings. */
  doc: JsonDocument
  /**
   * Every value of the first of `keys` present, at the top level and in each language sub-config, in
   * that order. Composite configs may carry a stale top-level copy next to the sub-config the
   * language model is built from; a value matching any of them is not a mismatch.
   */
  candidates(keys: readonly string[]): ConfigValue<unknown>[]
  /** The positive integers among `candidates`. */
  intCandidates(keys: readonly string[]): ConfigValue<number>[]
  /** The first candidate: the first of `keys` present at the top level, else in a sub-config. */
  value(keys: readonly string[]): ConfigValue<unknown> | undefined
  /** The first candidate when it is a positive integer (vocab_size, hidden_size, …). */
  int(keys: readonly string[]): ConfigValue<number> | undefined
  /** The first candidate when it is a string. */
  string(keys: readonly string[]): ConfigValue<string> | undefined
}

const isPositiveInt = (c: ConfigValue<unknown>): c is ConfigValue<number> =>
  Number.isSafeInteger(c.value) && (c.value as number) > 0
const isString = (c: ConfigValue<unknown>): c is ConfigValue<string> => typeof c.value === 'string'

/** The view of config.json, or undefined when it did not parse. */
export function textConfig(config: JsonFile): TextConfig | undefined {
  const doc = docOf(config)
  const root = doc?.value
  if (!doc || !isObject(root)) return undefined
  const scopes: [Record<string, unknown>, string][] = [[root, '']]
  for (const sub of SUB_CONFIGS) {
    const scope = root[sub]
    if (isObject(scope)) scopes.push([scope, `/${sub}`])
  }
  const candidates = (keys: readonly string[]) => {
    const out: ConfigValue<unknown>[] = []
    for (const [scope, prefix] of scopes) {
      const key = keys.find((k) => Object.prototype.hasOwnProperty.call(scope, k))
      if (key !== undefined) out.push({ value: scope[key], pointer: `${prefix}/${escapePointer(key)}` })
    }
    return out
  }
  const value = (keys: readonly string[]) => candidates(keys)[0]
  return {
    doc,
    candidates,
    intCandidates: (keys) => candidates(keys).filter(isPositiveInt),
    value,
    int(keys) {
      const found = value(keys)
      return found && isPositiveInt(found) ? found : undefined
    },
    string(keys) {
      const found = value(keys)
      return found && isString(found) ? found : undefined
    },
  }
}
