// A worker thread of a dataset run (engine/row-pool.ts): it renders rows with the base model's chat
// template and counts their tokens, the two costly parts of a row, and sends the results back. The rules
// themselves run on the main thread, in the order the rows were read, so a run's findings do not depend
// on how many workers it had. The worker knows no rule: it is told which rows need their tokens.
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import {
  tokenCounter,
  type RunLimits,
  type TokenizerInput,
  type TokenState,
} from '../artifacts/base-model.js'
import { fitsContext } from '../artifacts/token-bound.js'
import { heapRelief } from '../common/heap-relief.js'
import { MAX_ROW_BYTES } from '../readers/rows.js'
import {
  compileTemplate,
  RenderBudget,
  renderRows,
  type CompiledTemplate,
  type RenderResult,
} from '../templates/render.js'

/** workerData's `role`: a thread started with it serves rows. */
export const ROW_WORKER_ROLE = 'friendli-preflight-rows'

/** What a worker is started with: the base model's parts, as plain data. */
export interface WorkerBase {
  templates: { default?: string; tool?: string }
  specialTokens: Record<string, string>
  limits: RunLimits
  tokenizer?: TokenizerInput
  /**
   * Count the tokens of every row that may be longer than this (DS402): its bound (tokens per byte)
   * cannot settle it. Unset when no enabled rule reads tokens.
   */
  longer?: { context: number; perByte?: number }
}

/** One row to work on: which template renders it, what it renders, and whether its tokens are wanted. */
export interface WorkRow {
  tool: boolean
  messages: unknown[]
  tools: unknown
}

export interface WorkResult {
  /** null: not rendered, its template stopped in this worker after an earlier row's limit. */
  render: RenderResult | null
  tokens?: number
}

export type WorkRequest =
  { id: number; kind: 'rows'; rows: WorkRow[] } | { id: number; kind: 'count'; texts: string[] }
export type WorkReply =
  | {
      id: number
      kind: 'rows'
      results: WorkResult[]
      /** The tokenizer stopped: why, and the first row of the request it did not count (0: none). */
      tokensStopped?: { why: string; from: number }
    }
  | { id: number; kind: 'count'; counts: (number | undefined)[]; tokensStopped?: TokenState['tokensStopped'] }

/** The work of one thread: its own templates, tokenizer and budgets, built from `base`. */
export function rowWorker(base: WorkerBase): (request: WorkRequest) => WorkReply {
  const compile = (
    source: string | undefined,
  ): { compiled: CompiledTemplate; stopped: boolean } | undefined => {
    const r = source === undefined ? undefined : compileTemplate(source)
    return r?.ok ? { compiled: r.template, stopped: false } : undefined
  }
  const templates = { default: compile(base.templates.default), tool: compile(base.templates.tool) }
  const limits = {
    timeMs: base.limits.renderRowMs,
    maxOutputChars: 4 * MAX_ROW_BYTES,
    budget: new RenderBudget(base.limits.renderRunMs, 'that all rows share'),
  }
  const state: TokenState = { tokensCounted: 0 }
  const counter = base.tokenizer ? tokenCounter(base.tokenizer, base.limits, state) : undefined
  const count = (texts: string[]) => counter?.many(texts) ?? texts.map(() => undefined)

  return (request) => {
    if (request.kind === 'count')
      return {
        id: request.id,
        kind: 'count',
        counts: count(request.texts),
        tokensStopped: state.tokensStopped,
      }
    const { rows } = request
    const results: WorkResult[] = rows.map(() => ({ render: null }))
    const templateOf = (row: WorkRow) => (row.tool && templates.tool ? templates.tool : templates.default)
    renderRows(
      rows.length,
      (i) => {
        const row = rows[i]!
        const template = templateOf(row)
        if (!template || template.stopped) return undefined
        return {
          template: template.compiled,
          input: {
            messages: row.messages,
            add_generation_prompt: false,
            tools: row.tools ?? undefined,
            specialTokens: base.specialTokens,
          },
        }
      },
      limits,
      (i, result) => {
        results[i]!.render = result
        // As on the main thread: after its first limit, a template renders no more rows.
        if (!result.ok && result.kind === 'limit') templateOf(rows[i]!)!.stopped = true
      },
    )
    // The rows whose tokens are wanted, counted together (one hard stop for many).
    const wanted: number[] = []
    rows.forEach((_, i) => {
      const r = results[i]!.render
      if (!r?.ok) return
      const longer = base.longer
      const mayBeLonger =
        longer !== undefined &&
        (longer.perByte === undefined || !fitsContext(r.text, longer.perByte, longer.context))
      if (mayBeLonger) wanted.push(i)
    })
    const counts = count(wanted.map((i) => (results[i]!.render as { text: string }).text))
    let from: number | undefined
    wanted.forEach((i, k) => {
      const n = counts[k]
      if (n !== undefined) results[i]!.tokens = n
      else from ??= i
    })
    const stopped = state.tokensStopped
    return {
      id: request.id,
      kind: 'rows',
      results,
      ...(stopped ? { tokensStopped: { why: stopped.why, from: from ?? rows.length } } : {}),
    }
  }
}

// A thread started by the pool serves requests until the pool ends it. The single-file bundle starts
// workers on itself, so this module's code runs in every thread: only a thread with the role serves.
if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === ROW_WORKER_ROLE) {
  const port = parentPort
  const serve = rowWorker((workerData as { base: WorkerBase }).base)
  // As on the reading thread: a full collection now and then keeps this thread's heap near its live set.
  const relief = heapRelief()
  port.on('message', (request: WorkRequest) => {
    relief.relieve()
    port.postMessage(serve(request))
  })
  // Built and listening: from here on, a thread that stops has stopped on the rows it was given.
  port.postMessage({ kind: 'ready' })
}
