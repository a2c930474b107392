// What a dataset is checked against: the base model's chat template, special tokens, tokenizer and
// context length, read through the same artifact loader the model rules use.
import { Tokenizer as TokenizerClass } from '@huggingface/tokenizers'
import type { ChatTemplate } from './chat-templates.js'
import { docOf } from './json-file.js'
import { modelArtifactLoader } from './model-artifacts.js'
import { tokenStrings } from './special-tokens.js'
import { loadTokenizerJson } from './tokenizer-json.js'
import { isObject } from '../common/json.js'
import type { Source } from '../sources/source.js'
import type { CompiledTemplate } from '../templates/render.js'

export interface BaseModel {
  /** How users name it: the model target's reference. */
  ref: string
  /** The template transformers would use for plain chat ("default"), when it parses. */
  template?: { source: ChatTemplate; compiled: CompiledTemplate }
  /** The "tool_use" template, used for rows that carry tools, as transformers does. */
  toolTemplate?: { source: ChatTemplate; compiled: CompiledTemplate }
  /** Why there is no usable template, in words. */
  noTemplate?: string
  specialTokens: Record<string, string>
  /** Tokens of a text, as the base model's fast tokenizer counts them (no special tokens added). */
  countTokens?: (text: string) => number
  /** Why tokens are not counted. */
  noTokenizer?: string
  /** The longest sequence the model takes, and where that number comes from. */
  context?: { tokens: number; from: string }
}

/**
 * The part of tokenizers.js's Tokenizer used here. The package's index.d.ts re-exports the class from
 * an extensionless path ("./core/Tokenizer"), which NodeNext resolution does not follow, so the import
 * arrives without a type: this gives it one.
 */
interface Tokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] }
}
const Tokenizer = TokenizerClass as unknown as new (tokenizer: object, config: object) => Tokenizer

/** transformers writes this for "no limit" (int(1e30)) and a few other huge sentinels. */
const NO_LIMIT = 1e18

export async function loadBaseModel(source: Source, ref: string): Promise<BaseModel> {
  const load = modelArtifactLoader(source)
  const entries = new Map((await load('files')).entries.map((e) => [e.path, e]))
  const [templates, tokens, config, tokenizerConfig, tokenizerJson] = await Promise.all([
    load('chatTemplates'),
    load('specialTokens'),
    load('textConfig'),
    load('tokenizerConfig'),
    loadTokenizerJson(source, entries, true),
  ])
  const chosen = templates.used.find((t) => t.name === 'default')
  const base: BaseModel = { ref, specialTokens: tokenStrings(tokens) }
  if (!chosen)
    base.noTemplate = templates.used.length
      ? 'it has named chat templates but none is "default"'
      : 'it has no chat template'
  else if (!chosen.compiled.ok)
    base.noTemplate = `its chat template does not parse: ${chosen.compiled.message}`
  else base.template = { source: chosen, compiled: chosen.compiled.template }
  const tools = templates.used.find((t) => t.name === 'tool_use')
  if (tools?.compiled.ok) base.toolTemplate = { source: tools, compiled: tools.compiled.template }

  // The context: max_position_embeddings, or the tokenizer's model_max_length when it is smaller.
  const positions = config?.int(['max_position_embeddings', 'n_positions', 'seq_length'])
  const tc = docOf(tokenizerConfig)
  const maxLength = tc && isObject(tc.value) ? tc.value.model_max_length : undefined
  const candidates: { tokens: number; from: string }[] = []
  if (positions)
    candidates.push({ tokens: positions.value, from: `config.json ${positions.pointer.slice(1)}` })
  if (typeof maxLength === 'number' && maxLength > 0 && maxLength < NO_LIMIT)
    candidates.push({ tokens: maxLength, from: 'tokenizer_config.json model_max_length' })
  base.context = candidates.sort((a, b) => a.tokens - b.tokens)[0]

  if (tokenizerJson.state === 'ok') {
    try {
      const tokenizer = new Tokenizer(tokenizerJson.json!, tc && isObject(tc.value) ? tc.value : {})
      base.countTokens = (text) => tokenizer.encode(text, { add_special_tokens: false }).ids.length
    } catch (error) {
      // A tokenizer tokenizers.js cannot build: lengths are not counted, and the summary says so.
      base.noTokenizer = error instanceof Error ? error.message : String(error)
    }
  } else base.noTokenizer = 'it has no readable tokenizer.json'
  return base
}
