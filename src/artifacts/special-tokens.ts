import type { Location } from '../common/finding.js'
import { at } from './json-document.js'
import { docOf, type JsonFile } from './json-file.js'

/** The special tokens transformers passes to a chat template, by their variable names. */
export const SPECIAL_TOKEN_KEYS = [
  'bos_token',
  'eos_token',
  'unk_token',
  'sep_token',
  'pad_token',
  'cls_token',
  'mask_token',
] as const

export interface SpecialToken {
  key: string
  content: string
  location: Location
}

/**
 * The special tokens as transformers resolves them: tokenizer_config.json, then special_tokens_map.json
 * over it; each a string or an AddedToken object `{"content": …, "lstrip": …}`. null means unset.
 */
export function specialTokens(
  tokenizerConfig: JsonFile,
  specialTokensMap: JsonFile,
): Map<string, SpecialToken> {
  const out = new Map<string, SpecialToken>()
  for (const file of [tokenizerConfig, specialTokensMap]) {
    const doc = docOf(file)
    if (!doc || typeof doc.value !== 'object' || doc.value === null) continue
    for (const key of SPECIAL_TOKEN_KEYS) {
      const content = tokenContent((doc.value as Record<string, unknown>)[key])
      if (content === undefined) continue
      out.set(key, { key, content, location: at(doc, `/${key}`) })
    }
  }
  return out
}

/** A special token's string: the value itself, or an AddedToken object's "content"; else undefined. */
export function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  const content = (value as { content?: unknown } | null)?.content
  return typeof value === 'object' && typeof content === 'string' ? content : undefined
}

/** The strings a template sees, by variable name. */
export function tokenStrings(tokens: ReadonlyMap<string, SpecialToken>): Record<string, string> {
  return Object.fromEntries([...tokens].map(([k, t]) => [k, t.content]))
}
