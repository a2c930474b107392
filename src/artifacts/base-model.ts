// What a dataset is checked against: the base model's chat template, special tokens, tokenizer and
// context length, read through the same artifact loader the model rules use.
import { Tokenizer as TokenizerClass } from '@huggingface/tokenizers'
import type { ChatTemplate } from './chat-templates.js'
import { docOf, MiB } from './json-file.js'
import { modelArtifactLoader } from './model-artifacts.js'
import { tokenStrings } from './special-tokens.js'
import { loadTokenizerJson } from './tokenizer-json.js'
import { tokensPerByte } from './token-bound.js'
import { fastByteLevel } from './byte-level-fast.js'
import { isObject } from '../common/json.js'
import { runEachWithin, TimeLimitExceeded } from '../common/time-limit.js'
import type { Source } from '../sources/source.js'
import { RenderBudget, type CompiledTemplate } from '../templates/render.js'

/**
 * The time limits of one dataset run against the base model. A dataset is as hostile as its pull request:
 * a row may take each limit, and all rows share a run's budget, so 10,000 slow rows cost the budget,
 * not 10,000 times the limit.
 */
export interface RunLimits {
  /** One row's rendering (ms). */
  renderRowMs: number
  /** All rows' rendering together (ms). */
  renderRunMs: number
  /** Tokenizing one row (ms). */
  tokenizeRowMs: number
  /** All rows' tokenizing together (ms). */
  tokenizeRunMs: number
}
export const RUN_LIMITS: RunLimits = {
  renderRowMs: 2000,
  renderRunMs: 60_000,
  tokenizeRowMs: 2000,
  tokenizeRunMs: 60_000,
}

/** A template rows are rendered with, and how that went in this run. */
export interface BaseTemplate {
  source: ChatTemplate
  compiled: CompiledTemplate
  /**
   * Set at the first row the template could not render within the limits (time, work, size, depth):
   * no later row is rendered with it in this run, and `skipped` counts the rows that were not (DS401).
   */
  stopped?: { row: number; path: string; message: string; skipped: number }
}

export interface BaseModel {
  /** How users name it: the model target's reference. */
  ref: string
  /** The template transformers would use for plain chat ("default"), when it parses. */
  template?: BaseTemplate
  /** The "tool_use" template, used for rows that carry tools, as transformers does. */
  toolTemplate?: BaseTemplate
  /** Why there is no usable template, in words. */
  noTemplate?: string
  specialTokens: Record<string, string>
  /** The time rendering rows may take: each row its own limit, all rows one budget. */
  renderLimits: { rowMs: number; budget: RenderBudget }
  /** The limits of this run, for worker threads that render and count rows too. */
  runLimits: RunLimits
  /**
   * Tokens of a text, as the base model's fast tokenizer counts them (no special tokens added); undefined
   * once the tokenizer has been stopped (`tokensStopped`): it is not used again.
   */
  countTokens?: (text: string) => number | undefined
  /** countTokens over many texts at once, faster (one hard stop for many); undefined where not counted. */
  countTokensMany?: (texts: readonly string[]) => (number | undefined)[]
  /**
   * At most this many tokens per UTF-8 byte of a text (artifacts/token-bound.ts), when tokenizer.json
   * allows a safe bound: DS402 skips rows that cannot exceed the context.
   */
  tokensPerByte?: number
  /** Why tokens are not counted. */
  noTokenizer?: string
  /**
   * Set when the tokenizer was stopped partway through the rows: a row took longer than its limit, the
   * rows used up their budget, or the tokenizer failed. Rows after that are not counted (DS402 says so).
   */
  tokensStopped?: { why: string; counted: number }
  /** Rows counted so far (here, or by the worker threads of a run: engine/row-pool.ts). */
  tokensCounted: number
  /** What the tokenizer is built from, for worker threads that count tokens too. */
  tokenizerInput?: TokenizerInput
  /** The longest sequence the model takes, and where that number comes from. */
  context?: { tokens: number; from: string }
}

/** What a tokenizer is built from: tokenizer.json and tokenizer_config.json, parsed. */
export interface TokenizerInput {
  json: Record<string, unknown>
  config: Record<string, unknown>
}

/** Where a token counter keeps what it counted and why it stopped: a BaseModel, or a worker's own. */
export type TokenState = Pick<BaseModel, 'tokensStopped' | 'tokensCounted'>

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

/** One BaseModel serves one dataset run: it carries the run's budgets and what stopped. */
export async function loadBaseModel(
  source: Source,
  ref: string,
  limits: RunLimits = RUN_LIMITS,
): Promise<BaseModel> {
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
  const base: BaseModel = {
    ref,
    specialTokens: tokenStrings(tokens),
    tokensCounted: 0,
    runLimits: limits,
    renderLimits: {
      rowMs: limits.renderRowMs,
      budget: new RenderBudget(limits.renderRunMs, 'that all rows share'),
    },
  }
  if (!chosen)
    base.noTemplate = templates.used.length
      ? 'it has named chat templates but none is "default"'
      : 'it has no chat template'
  else if (chosen.tooLarge)
    base.noTemplate = `its chat template is ${(chosen.tooLarge.bytes / MiB).toFixed(1)} MiB, more than the ${chosen.tooLarge.limit / MiB} MiB a chat template is checked up to`
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

  const endless = tokenizerJson.state === 'ok' ? endlessPreTokenizer(tokenizerJson.json) : undefined
  if (endless) base.noTokenizer = endless
  else if (tokenizerJson.state === 'ok') {
    try {
      const input = { json: tokenizerJson.json!, config: tc && isObject(tc.value) ? tc.value : {} }
      const counter = tokenCounter(input, limits, base)
      base.tokenizerInput = input
      base.countTokens = counter.one
      base.countTokensMany = counter.many
      base.tokensPerByte = tokensPerByte(tokenizerJson.json)
    } catch (error) {
      // A tokenizer tokenizers.js cannot build: lengths are not counted, and the summary says so.
      base.noTokenizer = error instanceof Error ? error.message : String(error)
    }
  } else base.noTokenizer = 'it has no readable tokenizer.json'
  return base
}

/**
 * Counting tokens under a hard deadline (common/time-limit.ts). tokenizer.json comes from the pull
 * request: a pre-tokenizer or normalizer pattern like (a|aa)+$ backtracks for hours on one row, and
 * WordPiece or Unigram can be made quadratic by their settings; tokenizers.js has no deadline of its
 * own. Each row may take `tokenizeRowMs` and all rows `tokenizeRunMs`; the first row that does not
 * finish in time (or makes the tokenizer throw) stops it for the rest of the run, since a stopped
 * tokenizer's caches may be half-written: `tokensStopped` says why and DS402 reports it. Texts counted
 * together share one hard stop per window of rows (runEachWithin): starting one costs as much as
 * counting a short row.
 */
export function tokenCounter(
  input: TokenizerInput,
  limits: RunLimits,
  base: TokenState,
): { one: (text: string) => number | undefined; many: (texts: readonly string[]) => (number | undefined)[] } {
  const tokenizer = new Tokenizer(input.json, input.config)
  fastByteLevel(tokenizer)
  const count = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).ids.length
  let leftMs = limits.tokenizeRunMs
  const stop = (why: string) => void (base.tokensStopped ??= { why, counted: base.tokensCounted })
  const budgetWhy = () => `the rows used up the ${limits.tokenizeRunMs / 1000} s they share`
  const many = (texts: readonly string[]): (number | undefined)[] => {
    const results: (number | undefined)[] = Array.from({ length: texts.length }, () => undefined)
    if (base.tokensStopped || texts.length === 0) return results
    let ms = 0
    runEachWithin(
      texts.length,
      () => {
        ms = Math.min(limits.tokenizeRowMs, leftMs)
        if (ms > 0) return ms
        stop(budgetWhy())
        return undefined
      },
      (i) => {
        const started = Date.now()
        const tokens = count(texts[i]!)
        const took = Date.now() - started
        leftMs -= took
        // A row the hard stop did not catch (it started early in its window) still has its limit.
        if (took > ms) {
          stop(
            ms < limits.tokenizeRowMs
              ? budgetWhy()
              : `one row took longer than ${limits.tokenizeRowMs / 1000} s`,
          )
          return false
        }
        base.tokensCounted++
        results[i] = tokens
        return true
      },
      (error) => {
        if (error instanceof TimeLimitExceeded)
          stop(
            ms < limits.tokenizeRowMs
              ? budgetWhy()
              : `one row took longer than ${limits.tokenizeRowMs / 1000} s`,
          )
        else stop(`it failed on a row: ${error instanceof Error ? error.message : String(error)}`)
      },
    )
    return results
  }
  // The statistics and DS402 may both count a row: the second asks for the text just counted.
  let last: { text: string; tokens: number } | undefined
  const one = (text: string): number | undefined => {
    if (base.tokensStopped) return undefined
    if (last?.text === text) return last.tokens
    const tokens = many([text])[0]
    if (tokens !== undefined) last = { text, tokens }
    return tokens
  }
  return { one, many }
}

/**
 * A pre-tokenizer tokenizers.js would loop in forever, allocating: FixedLength steps through the text by
 * its `length` (for (i = 0; i < n; i += length)), so a length that is not a positive integer never ends
 * and fills memory faster than a deadline can stop it. The tokenizers library (Rust) refuses such a file.
 */
function endlessPreTokenizer(json: Record<string, unknown> | undefined): string | undefined {
  const stack: unknown[] = [json?.pre_tokenizer]
  while (stack.length > 0) {
    const p = stack.pop()
    if (!isObject(p)) continue
    if (Array.isArray(p.pretokenizers)) for (const q of p.pretokenizers as unknown[]) stack.push(q)
    if (p.type === 'FixedLength' && !(Number.isInteger(p.length) && (p.length as number) > 0))
      return `its FixedLength pre-tokenizer has length ${JSON.stringify(p.length) ?? 'undefined'}, which never moves through the text`
  }
  return undefined
}
