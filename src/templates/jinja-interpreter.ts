/**
 * Our evaluator for the tree our parser builds (jinja-ast.ts), with Jinja2's semantics
 * (ImmutableSandboxedEnvironment as transformers sets it up): Python values and printing, Jinja2 scoping (a
 * fresh scope per loop iteration, macros closing over their definition scope, blocks seeing the template's
 * own variables), loop controls that keep the output already produced, recursive loops, {% autoescape %}
 * sections, the sandbox's attribute rules, and our own time / size / recursion bounds.
 */
import {
  readsName,
  type Args,
  type Escaping,
  type Expr,
  type Param,
  type Stmt,
  type Template,
} from './jinja-ast.js'
import { FILTERS, TESTS, type FilterEnv } from './jinja-filters.js'
import { getAttr, getItem } from './jinja-access.js'
import { getSlice, iterate } from './jinja-iteration.js'
import { binaryOp, unaryOp } from './jinja-operators.js'
import {
  checkSize,
  htmlEscape,
  isTuple,
  JinjaError,
  LimitError,
  Markup,
  MISSING,
  Namespace,
  PyCallable,
  pyRepr,
  pyStr,
  spend,
  truthy,
  tuple,
  typeName,
  Undef,
  Writer,
  type AttrHolder,
  type CallArgs,
  type Py,
} from './jinja-values.js'

export class Scope {
  readonly vars = new Map<string, Py>()
  constructor(readonly parent?: Scope) {}
  lookup(name: string): Py | typeof MISSING {
    const v = this.vars.get(name)
    if (v !== undefined) return v
    // Up the chain in a loop: a scope per nested loop, macro or block, never a recursion.
    for (let s = this.parent; s; s = s.parent) {
      const w = s.vars.get(name)
      if (w !== undefined) return w
    }
    return MISSING
  }
}

/**
 * {% break %} and {% continue %} unwind to their loop as exceptions. Errors, so every throw is one,
 * made once: throwing a prebuilt object costs no stack capture per iteration.
 */
class LoopControl extends Error {}
const BREAK = new LoopControl('break outside a loop')
const CONTINUE = new LoopControl('continue outside a loop')

/**
 * How deep macros, caller()s, recursive loops and self.block() calls may nest. Python stops them with a
 * RecursionError a few hundred calls deep; this stops them first, as a limit, before V8's stack does.
 */
const MAX_CALL_DEPTH = 200

type ForStmt = Stmt & { type: 'For' }
type BlockStmt = Stmt & { type: 'Block' }

/** Jinja2's LoopContext; callable (loop(items)) in a recursive loop. */
class LoopObj implements AttrHolder {
  readonly pyTypeName = 'LoopContext'
  index0 = 0
  private lastChanged: Py | typeof MISSING = MISSING
  constructor(
    readonly items: Py[],
    readonly depth0: number,
    /** Renders the loop's body over other items, one level deeper: set for a `recursive` loop. */
    readonly recurse?: (items: Py, depth0: number) => Py,
  ) {}
  call(a: CallArgs): Py {
    if (!this.recurse)
      throw new JinjaError("The loop must have the 'recursive' marker to be called recursively.")
    if (a.args.length !== 1 || a.kwargs.size > 0)
      throw new JinjaError(`__call__() takes 2 positional arguments but ${a.args.length + 1} were given`)
    return this.recurse(a.args[0]!, this.depth0 + 1)
  }
  getAttr(name: string): Py | typeof MISSING {
    const n = this.items.length
    const i = this.index0
    switch (name) {
      case 'index':
        return i + 1
      case 'index0':
        return i
      case 'revindex':
        return n - i
      case 'revindex0':
        return n - i - 1
      case 'first':
        return i === 0
      case 'last':
        return i === n - 1
      case 'length':
        return n
      case 'depth':
        return this.depth0 + 1
      case 'depth0':
        return this.depth0
      case 'previtem':
        return i > 0 ? this.items[i - 1]! : new Undef(undefined, MISSING, 'there is no previous item')
      case 'nextitem':
        return i < n - 1 ? this.items[i + 1]! : new Undef(undefined, MISSING, 'there is no next item')
      case 'cycle':
        return new PyCallable('cycle', ({ args }) => {
          if (args.length === 0) throw new JinjaError('no items for cycling given')
          return args[i % args.length]!
        })
      case 'changed':
        return new PyCallable('changed', ({ args }) => {
          const v = tuple(args)
          if (this.lastChanged !== MISSING && binaryOp('==', this.lastChanged, v) === true) return false
          this.lastChanged = v
          return true
        })
    }
    return MISSING
  }
  repr(): string {
    return `<LoopContext ${this.index0 + 1}/${this.items.length}>`
  }
}

/** `self` in a template: its blocks by name, each callable (jinja2.runtime.TemplateReference). */
class TemplateReference implements AttrHolder {
  readonly pyTypeName = 'jinja2.runtime.TemplateReference'
  constructor(private readonly renderer: Renderer) {}
  getAttr(name: string): Py | typeof MISSING {
    return this.renderer.blockReference(name) ?? MISSING
  }
  repr(): string {
    return '<TemplateReference None>'
  }
}

interface RunOptions {
  globals: Map<string, Py>
}

const NO_ARGS: CallArgs = { args: [], kwargs: new Map() }

/**
 * One render. Its bounds (size, work, time) are the meter's (jinja-values.ts), which renderTemplate sets:
 * every statement, loop iteration and call spends a unit of work there, as every value walk does.
 */
export class Renderer implements FilterEnv {
  private callDepth = 0
  /**
   * The render's eval context: autoescape as the {% autoescape %} sections being rendered set it (the
   * environment's default is off). What is escaped where is mostly decided while parsing (Escaping);
   * this decides the rest: 'volatile' nodes, and whether macros, callers and blocks return Markup.
   */
  private autoescape = false
  private template: Template = { body: [], blocks: new Map(), blockList: [] }
  /** The template's own variables (the context): what a block sees, wherever it stands. */
  private context = new Scope()

  constructor(private readonly opts: RunOptions) {}

  render(template: Template, scope: Scope): string {
    this.template = template
    this.context = scope
    const out = new Writer()
    this.block(template.body, scope, out)
    return out.toString()
  }

  // ------------------------------------------------------------------------------------------------------------
  // statements

  private tick(): void {
    spend(1)
  }

  /** What a body writes, as a value: Markup when `markup`, as Jinja2 returns it under autoescape. */
  private captured(stmts: Stmt[], scope: Scope, markup = this.autoescape): string | Markup {
    const out = new Writer()
    this.block(stmts, scope, out)
    const text = out.toString()
    return markup ? new Markup(text) : text
  }

  /** Whether a node marked `escape` escapes now. */
  private escapes(escape: Escaping | undefined): boolean {
    return escape === 'on' || (escape === 'volatile' && this.autoescape)
  }

  /** {{ v }}: str(v), or escape(v) where output is escaped. */
  private print(v: Py, escape: Escaping | undefined): string {
    if (!this.escapes(escape) || v instanceof Markup) return pyStr(v)
    return htmlEscape(pyStr(v))
  }

  private block(stmts: Stmt[], scope: Scope, out: Writer): void {
    for (const st of stmts) {
      this.tick()
      switch (st.type) {
        case 'Text':
          out.push(st.value)
          break
        case 'Output':
          out.push(this.print(this.eval(st.expr, scope), st.escape))
          break
        case 'If': {
          let body = st.else
          for (const b of st.branches)
            if (truthy(this.eval(b.test, scope))) {
              body = b.body
              break
            }
          this.block(body, scope, out)
          break
        }
        case 'For':
          this.runLoop(st, scope, out, this.eval(st.iter, scope), 0)
          break
        case 'Set':
          this.assign(st.target, this.eval(st.value, scope), scope)
          break
        case 'SetBlock': {
          const inner = new Scope(scope)
          // Jinja2 declares the target before the body runs: inside, a name the template has not set
          // yet reads as undefined, not as the render's argument of that name.
          for (const name of targetNames(st.target))
            if (this.templateLookup(name, scope) === MISSING) inner.vars.set(name, new Undef(name))
          const body = this.captured(st.body, inner, st.filter ? this.escapes(st.escape) : false)
          const value = st.filter ? this.evalFilter(st.filter, inner, body) : body
          this.assign(
            st.target,
            this.autoescape && !(value instanceof Markup) ? new Markup(pyStr(value)) : value,
            scope,
          )
          break
        }
        case 'Macro':
          scope.vars.set(st.name, this.makeMacro(st.name, st.params, st.body, scope))
          break
        case 'CallBlock': {
          const caller = this.makeMacro('caller', st.params, st.body, scope)
          out.push(written(this.evalCall(st.call, scope, caller)))
          break
        }
        case 'Generation': {
          // transformers' AssistantTracker: a call block whose caller is called once, with no arguments.
          const caller = this.makeMacro('caller', [], st.body, scope)
          out.push(written(this.call(caller, NO_ARGS)))
          break
        }
        case 'FilterBlock': {
          const inner = new Scope(scope)
          const body = this.captured(st.body, inner, this.escapes(st.escape))
          out.push(written(this.evalFilter(st.filter, inner, body)))
          break
        }
        case 'With': {
          // The values are evaluated in the enclosing scope, all before any target is bound.
          const values = st.values.map((v) => this.eval(v, scope))
          const inner = new Scope(scope)
          st.targets.forEach((t, i) => this.assign(t, values[i]!, inner))
          this.block(st.body, inner, out)
          break
        }
        case 'Autoescape': {
          const inner = new Scope(scope)
          const saved = this.autoescape
          this.autoescape = truthy(this.eval(st.value, inner))
          try {
            this.block(st.body, inner, out)
          } finally {
            this.autoescape = saved
          }
          break
        }
        case 'Block':
          if (st.required)
            throw new JinjaError(`Required block ${pyRepr(st.name)} not found`, 'TemplateRuntimeError')
          out.push(this.renderBlock(st, st.scoped ? scope : this.context))
          break
        case 'Break':
          throw BREAK
        case 'Continue':
          throw CONTINUE
        case 'Extends':
        case 'Include':
        case 'Import':
        case 'FromImport':
          // Jinja2 evaluates the name, then asks the environment's loader, which chat templates have not.
          this.eval(st.template, scope)
          throw new JinjaError('no loader for this environment specified', 'TypeError')
      }
    }
  }

  /** A name as the template's own scopes hold it (up to its top level), not the render's arguments. */
  private templateLookup(name: string, scope: Scope): Py | typeof MISSING {
    for (let s: Scope | undefined = scope; s && s !== this.context.parent; s = s.parent) {
      const v = s.vars.get(name)
      if (v !== undefined) return v
    }
    return MISSING
  }

  /** A block rendered in place: a scope of its own over the template's variables (or the enclosing ones, `scoped`). */
  private renderBlock(b: BlockStmt, base: Scope): string {
    this.enterCall()
    try {
      const s = new Scope(base)
      // There is no parent template, so no parent block: super is an undefined that says so.
      s.vars.set('super', new Undef('super', MISSING, `there is no parent block called ${pyRepr(b.name)}.`))
      const out = new Writer()
      this.block(b.body, s, out)
      return out.toString()
    } finally {
      this.callDepth--
    }
  }

  /** self.name: the block, callable (jinja2.runtime.BlockReference). */
  blockReference(name: string): PyCallable | undefined {
    const b = this.template.blocks.get(name)
    if (!b) return undefined
    return new PyCallable(name, () => {
      const text = this.renderBlock(b, this.context)
      return this.autoescape ? new Markup(text) : text
    })
  }

  private enterCall(): void {
    if (this.callDepth >= MAX_CALL_DEPTH)
      throw new LimitError(`macro, caller or loop recursion deeper than ${MAX_CALL_DEPTH}`)
    this.callDepth++
  }

  /** One run of a for loop over `iterable`; a recursive loop's loop(items) runs it again, one level deeper. */
  private runLoop(st: ForStmt, scope: Scope, out: Writer, iterable: Py, depth0: number): void {
    let items = iterate(iterable)
    if (st.test) {
      const test = st.test
      items = items.filter((item) => {
        const s = new Scope(scope)
        this.assign(st.target, item, s)
        return truthy(this.eval(test, s))
      })
    }

    const recurse = st.recursive
      ? (next: Py, depth: number): Py => {
          this.enterCall()
          try {
            const w = new Writer()
            this.runLoop(st, scope, w, next, depth)
            const text = w.toString()
            return this.escapes(st.escape) ? new Markup(text) : text
          } finally {
            this.callDepth--
          }
        }
      : undefined
    const loop = new LoopObj(items, depth0, recurse)
    // The else runs when no iteration ran to the end of the body: Jinja2 clears its flag there, so a
    // loop whose every iteration ends in {% break %} or {% continue %} renders its else too.
    let completed = false
    for (let i = 0; i < items.length; i++) {
      this.tick()
      loop.index0 = i
      const s = new Scope(scope)
      s.vars.set('loop', loop)
      this.assign(st.target, items[i]!, s)
      try {
        this.block(st.body, s, out)
        completed = true
      } catch (e) {
        if (e === BREAK) break
        if (e === CONTINUE) continue
        throw e
      }
    }
    if (!completed && st.else.length > 0) this.block(st.else, new Scope(scope), out)
  }

  private assign(target: Expr, value: Py, scope: Scope): void {
    if (target.type === 'Name') {
      scope.vars.set(target.name, value)
      return
    }
    if (target.type === 'Tuple') {
      if (value instanceof Undef) value.fail()
      const items = iterate(value)
      const n = target.items.length
      if (items.length > n) throw new JinjaError(`too many values to unpack (expected ${n})`, 'ValueError')
      if (items.length < n)
        throw new JinjaError(`not enough values to unpack (expected ${n}, got ${items.length})`, 'ValueError')
      target.items.forEach((t, i) => this.assign(t, items[i]!, scope))
      return
    }
    if (target.type === 'NSRef') {
      const ns = this.lookup(target.name, scope)
      if (!(ns instanceof Namespace))
        throw new JinjaError('cannot assign attribute on non-namespace object', 'TemplateRuntimeError')
      ns.attrs.set(target.attr, value)
      return
    }
    // The parser accepts no other target.
    throw new JinjaError(`can't assign to ${target.type}`, 'TemplateSyntaxError')
  }

  /**
   * A macro (or a call block's caller), called as jinja2.runtime.Macro binds its arguments: positional
   * first, then keywords for the rest; `caller`, `varargs` and `kwargs` exist when the body uses them.
   */
  private makeMacro(name: string, params: Param[], body: Stmt[], defScope: Scope): PyCallable {
    const names = params.map((p) => p.name)
    const usesCaller = readsName(body, 'caller') && !names.includes('caller')
    const usesVarargs = readsName(body, 'varargs') && !names.includes('varargs')
    const usesKwargs = readsName(body, 'kwargs') && !names.includes('kwargs')
    return new PyCallable(
      name,
      ({ args, kwargs }) => {
        const s = new Scope(defScope)
        const kw = new Map(kwargs)
        for (let i = 0; i < params.length; i++) {
          const p = params[i]!
          let v: Py | typeof MISSING = MISSING
          if (i < args.length) v = args[i]!
          else if (args.length < params.length && kw.has(p.name)) {
            v = kw.get(p.name)!
            kw.delete(p.name)
          }
          if (v === MISSING)
            v = p.default
              ? this.eval(p.default, s)
              : new Undef(p.name, MISSING, `parameter ${pyRepr(p.name)} was not provided`)
          s.vars.set(p.name, v)
        }
        if (usesCaller) {
          const caller = kw.get('caller')
          kw.delete('caller')
          s.vars.set('caller', caller ?? new Undef('caller', MISSING, 'No caller defined'))
        }
        if (usesKwargs) s.vars.set('kwargs', new Map<Py, Py>(kw))
        else if (kw.size > 0) {
          if (kw.has('caller'))
            throw new JinjaError(
              `macro ${pyRepr(name)} was invoked with two values for the special caller argument. This is most likely a bug.`,
            )
          throw new JinjaError(`macro ${pyRepr(name)} takes no keyword argument ${pyRepr([...kw.keys()][0])}`)
        }
        if (usesVarargs) s.vars.set('varargs', tuple(args.slice(params.length)))
        else if (args.length > params.length)
          throw new JinjaError(`macro ${pyRepr(name)} takes not more than ${params.length} argument(s)`)
        this.enterCall()
        try {
          return this.captured(body, s)
        } finally {
          this.callDepth--
        }
      },
      'macro',
    )
  }

  // ------------------------------------------------------------------------------------------------------------
  // expressions

  private lookup(name: string, scope: Scope): Py {
    const v = scope.lookup(name)
    if (v !== MISSING) return v
    const g = this.opts.globals.get(name)
    if (g !== undefined) return g
    if (name === 'self') return new TemplateReference(this)
    return new Undef(name)
  }

  eval(node: Expr, scope: Scope): Py {
    switch (node.type) {
      case 'Const':
        return node.value
      case 'Name':
        return this.lookup(node.name, scope)
      case 'List':
        return node.items.map((e) => this.eval(e, scope))
      case 'Tuple':
        return tuple(node.items.map((e) => this.eval(e, scope)))
      case 'Dict': {
        const m = new Map<Py, Py>()
        for (const { key: k, value: v } of node.items) {
          const key = this.eval(k, scope)
          if (Array.isArray(key) && !isTuple(key)) throw new JinjaError("unhashable type: 'list'")
          if (key instanceof Map) throw new JinjaError("unhashable type: 'dict'")
          m.set(key, this.eval(v, scope))
        }
        return m
      }
      case 'Getattr':
        return getAttr(this.eval(node.node, scope), node.attr)
      case 'Getitem': {
        const obj = this.eval(node.node, scope)
        const arg = node.arg
        if (arg.type === 'Slice') {
          const ev = (x: Expr | undefined): Py => (x === undefined ? null : this.eval(x, scope))
          return getSlice(obj, ev(arg.start), ev(arg.stop), ev(arg.step))
        }
        return getItem(obj, this.eval(arg, scope))
      }
      case 'Slice':
        throw new JinjaError("unhashable type: 'slice'")
      case 'Call':
        return this.evalCall(node, scope)
      case 'Filter':
        return this.evalFilter(node, scope)
      case 'Test': {
        const test = TESTS.get(node.name)
        const v = this.eval(node.node, scope)
        const a = this.evalArgs(node, scope)
        // Known at compile time, except inside an if or a conditional expression: then only when it runs.
        if (!test) throw new JinjaError(`No test named ${pyRepr(node.name)} found.`, 'TemplateRuntimeError')
        return test(v, a, this)
      }
      case 'CondExpr':
        if (truthy(this.eval(node.test, scope))) return this.eval(node.expr1, scope)
        if (node.expr2) return this.eval(node.expr2, scope)
        return new Undef(
          undefined,
          MISSING,
          `the inline if-expression on line ${node.line} evaluated to false and no else section was defined.`,
        )
      case 'BinOp':
        return binaryOp(node.op, this.eval(node.left, scope), this.eval(node.right, scope))
      case 'Concat':
        return this.concat(
          node.nodes.map((e) => this.eval(e, scope)),
          node.escape === 'on',
        )
      case 'Compare': {
        // a < b < c: each operand evaluated once, and the chain stops at the first false comparison.
        let left = this.eval(node.expr, scope)
        const ops = node.ops
        if (ops.length === 1) return binaryOp(ops[0]!.op, left, this.eval(ops[0]!.expr, scope))
        for (const { op, expr } of ops) {
          const right = this.eval(expr, scope)
          if (binaryOp(op, left, right) !== true) return false
          left = right
        }
        return true
      }
      case 'And': {
        const l = this.eval(node.left, scope)
        return truthy(l) ? this.eval(node.right, scope) : l
      }
      case 'Or': {
        const l = this.eval(node.left, scope)
        return truthy(l) ? l : this.eval(node.right, scope)
      }
      case 'Not':
        return !truthy(this.eval(node.node, scope))
      case 'Neg':
      case 'Pos':
        return unaryOp(node.type === 'Neg' ? '-' : '+', this.eval(node.node, scope))
      case 'NSRef':
        return getAttr(this.lookup(node.name, scope), node.attr)
    }
  }

  /** a ~ b ~ c: str_join, or markup_join (`markupJoin`) when one of them is Markup. */
  private concat(values: Py[], markupJoin: boolean): string | Markup {
    const parts = values.map((v) => (v instanceof Markup ? v : pyStr(v)))
    checkSize(parts.reduce((n, p) => n + String(p).length, 0))
    const markup = markupJoin && parts.some((p) => p instanceof Markup)
    // Joined with + (V8 keeps a rope, not a copy): `{% set s = s ~ x %}` in a loop stays linear.
    let out = ''
    for (const p of parts) out += p instanceof Markup ? p.s : markup ? htmlEscape(p) : p
    return markup ? new Markup(out) : out
  }

  private evalArgs(node: Args, scope: Scope): CallArgs {
    const args = node.args.map((a) => this.eval(a, scope))
    const kwargs = new Map<string, Py>()
    for (const { name, value } of node.kwargs) kwargs.set(name, this.eval(value, scope))
    if (node.dynArgs) args.push(...iterate(this.eval(node.dynArgs, scope)))
    if (node.dynKwargs) {
      const d = this.eval(node.dynKwargs, scope)
      if (!(d instanceof Map)) throw new JinjaError(`argument after ** must be a mapping, not ${typeName(d)}`)
      for (const [k, v] of d) {
        const key = pyStr(k)
        if (kwargs.has(key)) throw new JinjaError(`got multiple values for keyword argument ${pyRepr(key)}`)
        kwargs.set(key, v)
      }
    }
    return { args, kwargs }
  }

  private evalCall(node: Expr & { type: 'Call' }, scope: Scope, caller?: PyCallable): Py {
    const fn = this.eval(node.node, scope)
    const a = this.evalArgs(node, scope)
    if (caller) a.kwargs.set('caller', caller)
    return this.call(fn, a)
  }

  call(fn: Py, a: CallArgs): Py {
    this.tick()
    if (fn instanceof PyCallable) return fn.fn(a)
    if (fn instanceof LoopObj) return fn.call(a)
    if (fn instanceof Undef) fn.fail()
    throw new JinjaError(`'${typeName(fn)}' object is not callable`)
  }

  /** A filter; without an operand ({% filter %}, {% set x | f %}) it filters `body`. */
  private evalFilter(node: Expr & { type: 'Filter' }, scope: Scope, body?: Py): Py {
    const f = FILTERS.get(node.name)
    // The filters of a chain nest: the innermost one of a section's chain has the body for its operand.
    const inner = node.node
    const value = inner
      ? inner.type === 'Filter'
        ? this.evalFilter(inner, scope, body)
        : this.eval(inner, scope)
      : body!
    const a = this.evalArgs(node, scope)
    // Known at compile time, except inside an if or a conditional expression: then only when it runs.
    if (!f) throw new JinjaError(`No filter named ${pyRepr(node.name)} found.`, 'TemplateRuntimeError')
    return f(value, a, this)
  }

  /** environment.call_filter, for filters that call filters by name (map, select...). */
  callFilter(name: string, value: Py, a: CallArgs): Py {
    const f = FILTERS.get(name)
    if (!f) throw new JinjaError(`No filter named ${pyRepr(name)}.`, 'TemplateRuntimeError')
    return f(value, a, this)
  }

  callTest(name: string, value: Py, a: CallArgs): boolean {
    const t = TESTS.get(name)
    if (!t) throw new JinjaError(`No test named ${pyRepr(name)}.`, 'TemplateRuntimeError')
    return t(value, a, this)
  }
}

function targetNames(target: Expr): string[] {
  if (target.type === 'Name') return [target.name]
  if (target.type === 'Tuple') return target.items.flatMap(targetNames)
  return []
}

/**
 * What a {% filter %} section or a {% call %} block writes: its value as it is, unescaped and not made a
 * str, so anything but a str fails as Jinja2's "".join of the output fails on it.
 */
function written(v: Py): string {
  if (typeof v === 'string') return v
  if (v instanceof Markup) return v.s
  throw new JinjaError(`sequence item: expected str instance, ${typeName(v)} found`)
}
