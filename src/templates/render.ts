/**
 * Chat-template rendering with the verdicts of Python Jinja2 as transformers' apply_chat_template runs it
 * (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, {% generation %}, tojson as
 * json.dumps(ensure_ascii=False), raise_exception, strftime_now). Lexing, parsing and Jinja2's compile-time
 * checks are ours (jinja-lexer.ts, jinja-parser.ts, jinja-checks.ts), and so is evaluation
 * (jinja-interpreter.ts), so that syntax, values, printing, errors and the sandbox behave as in Python.
 */
import { HARD_STOP_WINDOW_MS, runWithin, TimeLimitExceeded } from '../common/time-limit.js'
import type { Expr, Stmt, Template } from './jinja-ast.js'
import { checkTemplate } from './jinja-checks.js'
import { makeGlobals } from './jinja-globals.js'
import { templateText, TemplateSyntaxError } from './jinja-lexer.js'
import { parseTemplate, position } from './jinja-parser.js'
import { Renderer, Scope } from './jinja-interpreter.js'
import {
  CLOCK_EVERY,
  fromJs,
  heapCeiling,
  JinjaError,
  LimitError,
  meter,
  RaisedError,
} from './jinja-values.js'

export interface RenderInput {
  messages: unknown
  add_generation_prompt: boolean
  tools?: unknown // undefined means Python None
  documents?: unknown // undefined means None
  /** bos_token, eos_token, ... already resolved to strings; only those that are set. */
  specialTokens?: Record<string, string>
  /** Any other keyword arguments (they override the special tokens, as in transformers). */
  extra?: Record<string, unknown>
}
export interface RenderLimits {
  /** This render's own time (default 2000 ms). */
  timeMs?: number
  /** The output, and every string or list built on the way, in characters (default 1,000,000). */
  maxOutputChars?: number
  /**
   * Units of work (statements, calls, nodes visited by ==, repr, tojson, sort, unique..., about one per
   * 64 characters a string operation handles) this render may spend (default 50,000,000, a few seconds
   * of work, so the clock usually ends a render first): a bound that holds as a count, whatever the
   * clock does.
   */
  maxWork?: number
  /** A time budget this render shares with others: it may take at most what is left of it. */
  budget?: RenderBudget
  /** How much the V8 heap may grow while rendering (default 512 MiB, less near the heap's own limit). */
  maxHeapGrowth?: number
}

/**
 * Time shared by several renders: the smoke renders of one template, or every row of a dataset. Each render
 * may take its own limit or what is left of the budget, whichever is less, and spends what it took. A
 * budget may sit inside a larger one (one template's renders inside all of a model's): spending counts
 * against both, and what is left is the lesser remainder.
 */
export class RenderBudget {
  private spentMs = 0
  constructor(
    readonly totalMs: number,
    /** Who shares it, for the message when it runs out: "that all rows share". */
    readonly sharedBy: string,
    readonly parent?: RenderBudget,
  ) {}
  private get ownLeftMs(): number {
    return Math.max(0, this.totalMs - this.spentMs)
  }
  get leftMs(): number {
    return this.parent ? Math.min(this.ownLeftMs, this.parent.leftMs) : this.ownLeftMs
  }
  spend(ms: number): void {
    this.spentMs += ms
    this.parent?.spend(ms)
  }
  /** What a render stopped by this budget says: the budget whose remainder was the smaller. */
  get message(): string {
    if (this.parent && this.parent.leftMs < this.ownLeftMs) return this.parent.message
    return `rendering used up the ${this.totalMs / 1000} s ${this.sharedBy}`
  }
}
export type RenderResult =
  | { ok: true; text: string }
  | { ok: false; kind: 'raise'; message: string } // the template's own raise_exception(msg): message is msg, verbatim
  | { ok: false; kind: 'error'; message: string } // what Jinja2 would raise otherwise
  | { ok: false; kind: 'limit'; message: string } // our own bounds: time, size, work, recursion depth
export interface CompiledTemplate {
  readonly source: string
}
export type CompileResult =
  { ok: true; template: CompiledTemplate } | { ok: false; message: string; line?: number; column?: number }

const DEFAULT_TIME_MS = 2000
const DEFAULT_MAX_OUTPUT = 1_000_000
const DEFAULT_MAX_WORK = 50_000_000
const DEFAULT_MAX_HEAP_GROWTH = 512 * 2 ** 20
/**
 * The hard stop behind the counted bounds: a render still running this long after its deadline is
 * terminated (common/time-limit.ts), whatever it is doing. Every loop and walk of the renderer spends
 * counted work, so this only catches what the counting missed.
 */
const HARD_STOP_GRACE_MS = 1000

/** What the last render spent, for tests and bench/ (counts, not times). */
export const lastRender = { work: 0 }

/** The globals hold no state between calls, so one set serves every render. */
const GLOBALS = makeGlobals()

class Compiled implements CompiledTemplate {
  constructor(
    readonly source: string,
    readonly program: Template,
  ) {}
}

/**
 * Parses the template and runs Jinja2's compile-time checks. A template Jinja2 refuses to compile gives its
 * message and the line and column (1-based, in the template with its newlines normalised) of the token it
 * is about.
 */
export function compileTemplate(source: string): CompileResult {
  const text = templateText(source)
  try {
    const program = parseTemplate(text)
    checkTemplate(program)
    return { ok: true, template: new Compiled(source, program) }
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return { ok: false, message: e.message, ...position(text, e.at) }
    // The parser and the checks bound their own depth; this is the last defence, never a crash.
    if (e instanceof RangeError) return { ok: false, message: 'the template is nested too deeply to parse' }
    throw e
  }
}

function asCompiled(template: CompiledTemplate): Compiled {
  if (template instanceof Compiled) return template
  const r = compileTemplate(template.source)
  if (!r.ok) throw new JinjaError(r.message, 'TemplateSyntaxError')
  return r.template as Compiled
}

export function renderTemplate(
  template: CompiledTemplate,
  input: RenderInput,
  limits?: RenderLimits,
): RenderResult {
  let result: RenderResult | undefined
  renderRows(
    1,
    () => ({ template, input }),
    limits,
    (_, r) => (result = r),
  )
  return result!
}

/** One row of renderRows: the template and what it renders. */
export interface RenderJob {
  template: CompiledTemplate
  input: RenderInput
}

/**
 * Renders `count` rows in order, each under its own limits as renderTemplate gives them, calling `done`
 * with each result as it comes. Rows share one hard stop per window (common/time-limit.ts,
 * HARD_STOP_WINDOW_MS): starting one costs as much as rendering a short chat. `job(i)` is asked right before row i renders, so it sees the results of
 * the rows before it (a caller that stops rendering after a limit returns undefined: row i is skipped).
 */
export function renderRows(
  count: number,
  job: (i: number) => RenderJob | undefined,
  limits: RenderLimits | undefined,
  done: (i: number, result: RenderResult) => void,
): void {
  let i = 0
  while (i < count) {
    const first = job(i)
    if (!first) {
      i++
      continue
    }
    const row = rowLimits(limits)
    if ('over' in row) {
      done(i++, row.over)
      continue
    }
    const saved = { ...meter }
    let current: { started: number; lateMessage: string } | undefined
    try {
      // Rows go one after another under one hard stop; `current` is the row under way when it fires.
      runWithin(HARD_STOP_WINDOW_MS + row.timeMs + HARD_STOP_GRACE_MS, () => {
        let windowStart: number | undefined
        let next: RenderJob | undefined = first
        for (;;) {
          const own = next === first ? row : rowLimits(limits)
          if ('over' in own) done(i, own.over)
          else {
            current = { started: Date.now(), lateMessage: own.lateMessage }
            windowStart ??= current.started
            done(i, renderOne(next, limits, own, current.started))
            current = undefined
          }
          i++
          if (i >= count || Date.now() - windowStart! >= HARD_STOP_WINDOW_MS) return
          next = job(i)
          while (!next && ++i < count) next = job(i)
          if (!next) return
        }
      })
    } catch (e) {
      if (!(e instanceof TimeLimitExceeded) || !current) throw e
      // The hard stop ended row i: what renderOne would have restored and spent, done here.
      lastRender.work = meter.work
      Object.assign(meter, saved)
      limits?.budget?.spend(Date.now() - current.started)
      done(i++, { ok: false, kind: 'limit', message: current.lateMessage })
    }
  }
}

/** A row's own time: its limit, or what is left of the budget when that is less. */
function rowLimits(
  limits: RenderLimits | undefined,
): { timeMs: number; lateMessage: string } | { over: RenderResult } {
  const ownMs = limits?.timeMs ?? DEFAULT_TIME_MS
  const budget = limits?.budget
  if (budget && budget.leftMs <= 0) return { over: { ok: false, kind: 'limit', message: budget.message } }
  const byBudget = budget !== undefined && budget.leftMs < ownMs
  return {
    timeMs: byBudget ? budget.leftMs : ownMs,
    lateMessage: byBudget ? budget.message : `rendering took longer than ${ownMs / 1000} s`,
  }
}

/** One row under the counted bounds (the caller holds the hard stop). */
function renderOne(
  job: RenderJob,
  limits: RenderLimits | undefined,
  own: { timeMs: number; lateMessage: string },
  started: number,
): RenderResult {
  const maxChars = limits?.maxOutputChars ?? DEFAULT_MAX_OUTPUT
  const saved = { ...meter }
  Object.assign(meter, {
    maxChars,
    maxWork: limits?.maxWork ?? DEFAULT_MAX_WORK,
    work: 0,
    deadline: started + own.timeMs,
    lateMessage: own.lateMessage,
    nextClock: CLOCK_EVERY,
    ...heapCeiling(limits?.maxHeapGrowth ?? DEFAULT_MAX_HEAP_GROWTH),
  })
  try {
    return renderWith(job.template, job.input, maxChars)
  } finally {
    lastRender.work = meter.work
    Object.assign(meter, saved)
    limits?.budget?.spend(Date.now() - started)
  }
}

function renderWith(template: CompiledTemplate, input: RenderInput, maxChars: number): RenderResult {
  try {
    const compiled = asCompiled(template)
    // The render's arguments (Jinja2's context) in a scope of their own, under the template's variables.
    const context = new Scope()
    const set = (k: string, v: unknown): void => void context.vars.set(k, fromJs(v))
    for (const [k, v] of Object.entries(input.specialTokens ?? {})) set(k, v)
    set('messages', input.messages)
    set('tools', input.tools ?? null)
    set('documents', input.documents ?? null)
    set('add_generation_prompt', input.add_generation_prompt)
    for (const [k, v] of Object.entries(input.extra ?? {})) set(k, v)
    const renderer = new Renderer({ globals: GLOBALS })
    const text = renderer.render(compiled.program, new Scope(context))
    if (text.length > maxChars)
      return {
        ok: false,
        kind: 'limit',
        message: `the output grew past ${maxChars.toLocaleString('en-US')} characters`,
      }
    return { ok: true, text }
  } catch (e) {
    if (e instanceof RaisedError) return { ok: false, kind: 'raise', message: e.message }
    if (e instanceof LimitError) return { ok: false, kind: 'limit', message: e.message }
    if (e instanceof JinjaError) return { ok: false, kind: 'error', message: e.message }
    if (e instanceof RangeError)
      return { ok: false, kind: 'limit', message: 'the template nests calls or values too deeply to render' }
    return { ok: false, kind: 'error', message: e instanceof Error ? e.message : String(e) }
  }
}

const GLOBAL_NAMES = new Set([...GLOBALS.keys(), 'true', 'false', 'none', 'True', 'False', 'None'])

/** Names the template reads as variables (identifiers not bound by set/for/macro/with inside it), e.g. bos_token, eos_token, tools. */
export function referencedVariables(template: CompiledTemplate): Set<string> {
  const program = asCompiled(template).program
  const read = new Set<string>()
  const bound = new Set<string>(['loop', 'caller', 'varargs', 'kwargs', 'self', 'super'])
  const bind = (t: Expr): void => {
    if (t.type === 'Name') bound.add(t.name)
    else if (t.type === 'Tuple') t.items.forEach(bind)
    else if (t.type === 'NSRef') read.add(t.name)
  }
  // The checks bound the tree's depth (jinja-checks.ts), so this walk may recurse.
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit)
    if (!n || typeof n !== 'object' || !('type' in n)) {
      if (n && typeof n === 'object') for (const v of Object.values(n)) visit(v)
      return
    }
    const node = n as Expr | Stmt
    switch (node.type) {
      case 'Name':
        read.add(node.name)
        return
      case 'Set':
      case 'SetBlock':
      case 'For':
        bind(node.target)
        break
      case 'With':
        node.targets.forEach(bind)
        break
      case 'Macro':
        bound.add(node.name)
        node.params.forEach((p) => bound.add(p.name))
        break
      case 'CallBlock':
        node.params.forEach((p) => bound.add(p.name))
        break
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'target' && k !== 'targets') visit(v)
  }
  visit(program.body)
  return new Set([...read].filter((x) => !bound.has(x) && !GLOBAL_NAMES.has(x)))
}
