import type { Location } from '../engine/finding.js'
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
      const value = (doc.value as Record<string, unknown>)[key]
      const content =
        typeof value === 'string'
          ? value
          : typeof value === 'object' &&
              value !== null &&
              typeof (value as { content?: unknown }).content === 'string'
            ? (value as { content: string }).content
            : undefined
      if (content === undefined) continue
      const pos = doc.locate(`/${key}`)
      out.set(key, {
        key,
        content,
        location: pos
          ? { path: file.path, line: pos.line, column: pos.column, pointer: `/${key}` }
          : { path: file.path },
      })
    }
  }
  return out
}

/** The strings a template sees, by variable name. */
export function tokenStrings(tokens: ReadonlyMap<string, SpecialToken>): Record<string, string> {
  return Object.fromEntries([...tokens].map(([k, t]) => [k, t.content]))
}
