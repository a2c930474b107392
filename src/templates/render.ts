/**
 * Chat-template rendering with the verdicts of Python Jinja2 as transformers' apply_chat_template runs it
 * (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, {% generation %}, tojson as
 * json.dumps(ensure_ascii=False), raise_exception, strftime_now). Parsing is @huggingface/jinja's; evaluation is
 * ours (jinja-interpreter.ts) so that values, printing, errors and the sandbox behave as in Python.
 */
import { parse } from '@huggingface/jinja'
import { HARD_STOP_WINDOW_MS, runWithin, TimeLimitExceeded } from '../common/time-limit.js'
import { makeGlobals } from './jinja-globals.js'
import { tokenizeTemplate } from './lexer.js'
import { syntaxErrorLine } from './syntax-line.js'
import { FILTERS, TESTS } from './jinja-filters.js'
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

type Program = ReturnType<typeof parse>

/** The globals hold no state between calls, so one set serves every render. */
const GLOBALS = makeGlobals()

class Compiled implements CompiledTemplate {
  constructor(
    readonly source: string,
    readonly program: Program,
  ) {}
}

/** Jinja2 normalises every newline sequence to "\n" while lexing. */
function normalizeNewlines(source: string): string {
  return source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source
}

/** Filters and tests are resolved when Jinja2 compiles a template: an unknown one fails compilation. */
function checkNames(node: unknown): string | undefined {
  const stack: unknown[] = [node]
  while (stack.length > 0) {
    const n = stack.pop()
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x)
      continue
    }
    if (n instanceof Map) {
      for (const [k, v] of n) stack.push(k, v)
      continue
    }
    if (!n || typeof n !== 'object') continue
    const o = n as Record<string, any>
    if (o.type === 'FilterExpression' || o.type === 'FilterStatement') {
      const f = o.filter
      const name: string = f.type === 'Identifier' ? f.value : f.callee?.value
      if (!FILTERS.has(name)) return `No filter named '${name}'.`
    }
    if (o.type === 'TestExpression' && !TESTS.has(o.test.value)) return `No test named '${o.test.value}'.`
    for (const k of Object.keys(o)) if (k !== 'type') stack.push(o[k])
  }
  return undefined
}

export function compileTemplate(source: string): CompileResult {
  const text = normalizeNewlines(source)
  const failed = (message: string): CompileResult => {
    const line = syntaxErrorLine(text, message)
    return line === undefined ? { ok: false, message } : { ok: false, message, line }
  }
  try {
    const program = parse(tokenizeTemplate(text))
    const bad = checkNames(program)
    if (bad) return failed(bad)
    return { ok: true, template: new Compiled(source, program) }
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, message: 'the template is nested too deeply to parse' }
    return failed(e instanceof Error ? e.message : String(e))
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
    const root = new Scope()
    const set = (k: string, v: unknown): void => void root.vars.set(k, fromJs(v))
    for (const [k, v] of Object.entries(input.specialTokens ?? {})) set(k, v)
    set('messages', input.messages)
    set('tools', input.tools ?? null)
    set('documents', input.documents ?? null)
    set('add_generation_prompt', input.add_generation_prompt)
    for (const [k, v] of Object.entries(input.extra ?? {})) set(k, v)
    const renderer = new Renderer({ globals: GLOBALS })
    const text = renderer.render(compiled.program, root)
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

/** Names the template reads as variables (identifiers not bound by set/for/macro/namespace inside it), e.g. bos_token, eos_token, tools. */
export function referencedVariables(template: CompiledTemplate): Set<string> {
  const program = asCompiled(template).program
  const read = new Set<string>()
  const bound = new Set<string>(['loop', 'caller', 'varargs', 'kwargs'])
  const bindTarget = (t: any): void => {
    if (!t) return
    if (t.type === 'Identifier') bound.add(t.value)
    else if (t.type === 'TupleLiteral' || t.type === 'ArrayLiteral') t.value.forEach(bindTarget)
    else if (t.type === 'MemberExpression') visit(t.object)
  }
  const visit = (n: any): void => {
    if (Array.isArray(n)) return n.forEach(visit)
    if (!n || typeof n !== 'object') return
    switch (n.type) {
      case 'Identifier':
        read.add(n.value)
        return
      case 'Set':
        bindTarget(n.assignee)
        visit(n.value)
        visit(n.body)
        return
      case 'For':
        bindTarget(n.loopvar)
        visit(n.iterable)
        visit(n.body)
        visit(n.defaultBlock)
        return
      case 'Macro':
        bound.add(n.name.value)
        for (const p of n.args) {
          if (p.type === 'Identifier') bound.add(p.value)
          else {
            bound.add(p.key.value)
            visit(p.value)
          }
        }
        visit(n.body)
        return
      case 'CallStatement':
        for (const p of n.callerArgs ?? []) bound.add(p.type === 'Identifier' ? p.value : p.key.value)
        visit(n.call)
        visit(n.body)
        return
      case 'MemberExpression':
        visit(n.object)
        if (n.computed) visit(n.property)
        return
      case 'KeywordArgumentExpression':
        visit(n.value)
        return
      case 'FilterExpression':
        visit(n.operand)
        if (n.filter.type === 'CallExpression') visit(n.filter.args)
        return
      case 'FilterStatement':
        if (n.filter.type === 'CallExpression') visit(n.filter.args)
        visit(n.body)
        return
      case 'TestExpression':
        visit(n.operand)
        return
      case 'ObjectLiteral':
        for (const [k, v] of n.value as Map<unknown, unknown>) {
          visit(k)
          visit(v)
        }
        return
    }
    for (const k of Object.keys(n)) if (k !== 'type') visit(n[k])
  }
  visit(program)
  return new Set([...read].filter((x) => !bound.has(x) && !GLOBAL_NAMES.has(x)))
}
