/**
 * Our evaluator for the AST @huggingface/jinja parses, with Jinja2's semantics (ImmutableSandboxedEnvironment as
 * transformers sets it up) instead of the library's Interpreter: Python values and printing, Jinja2 scoping (a
 * fresh scope per loop iteration, macros closing over their definition scope), loop controls that keep the
 * output already produced, the sandbox's attribute rules, and our own time / size / recursion bounds.
 */
import { FILTERS, TESTS, type FilterEnv } from './jinja-filters.js'
import { getAttr, getItem } from './jinja-access.js'
import { getSlice, iterate } from './jinja-iteration.js'
import { binaryOp } from './jinja-operators.js'
import {
  isTuple,
  JinjaError,
  LimitError,
  MISSING,
  Namespace,
  PyCallable,
  PyFloat,
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

type Node = any

export class Scope {
  readonly vars = new Map<string, Py>()
  constructor(readonly parent?: Scope) {}
  lookup(name: string): Py | typeof MISSING {
    const v = this.vars.get(name)
    if (v !== undefined) return v
    return this.parent ? this.parent.lookup(name) : MISSING
  }
}

/**
 * {% break %} and {% continue %} unwind to their loop as exceptions. Errors, so every throw is one,
 * made once: throwing a prebuilt object costs no stack capture per iteration.
 */
class LoopControl extends Error {}
const BREAK = new LoopControl('break outside a loop')
const CONTINUE = new LoopControl('continue outside a loop')

const CONSTANTS = new Map<string, Py>([
  ['true', true],
  ['false', false],
  ['none', null],
  ['True', true],
  ['False', false],
  ['None', null],
])

const MAX_MACRO_DEPTH = 200

class LoopObj implements AttrHolder {
  readonly pyTypeName = 'LoopContext'
  index0 = 0
  private lastChanged: Py | typeof MISSING = MISSING
  constructor(
    readonly items: Py[],
    readonly depth0: number,
  ) {}
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

interface RunOptions {
  globals: Map<string, Py>
}

/**
 * One render. Its bounds (size, work, time) are the meter's (jinja-values.ts), which renderTemplate sets:
 * every statement, loop iteration and call spends a unit of work there, as every value walk does.
 */
export class Renderer implements FilterEnv {
  private macroDepth = 0
  private loopDepth = 0

  constructor(private readonly opts: RunOptions) {}

  // ------------------------------------------------------------------------------------------------------------
  // statements

  render(program: Node, scope: Scope): string {
    const out = new Writer()
    this.block(program.body, scope, out)
    return out.toString()
  }

  private tick(): void {
    spend(1)
  }

  private blockToString(stmts: Node[], scope: Scope): string {
    const out = new Writer()
    this.block(stmts, scope, out)
    return out.toString()
  }

  private block(stmts: Node[], scope: Scope, out: Writer): void {
    for (const st of stmts) {
      this.tick()
      switch (st.type) {
        case 'StringLiteral':
          out.push(st.value)
          break
        case 'Comment':
          break
        case 'If':
          this.block(truthy(this.eval(st.test, scope)) ? st.body : st.alternate, scope, out)
          break
        case 'For':
          this.execFor(st, scope, out)
          break
        case 'Set':
          this.execSet(st, scope)
          break
        case 'Macro':
          scope.vars.set(st.name.value, this.makeMacro(st.name.value, st.args, st.body, scope))
          break
        case 'Break':
          throw BREAK
        case 'Continue':
          throw CONTINUE
        case 'CallStatement': {
          const caller = this.makeMacro('caller', st.callerArgs ?? [], st.body, scope)
          const v = this.evalCall(st.call, scope, caller)
          const text = pyStr(v)
          out.push(text)
          break
        }
        case 'FilterStatement': {
          const body = this.blockToString(st.body, scope)
          const v = this.applyFilter(body, st.filter, scope)
          const text = pyStr(v)
          out.push(text)
          break
        }
        default: {
          const text = pyStr(this.eval(st, scope))
          out.push(text)
        }
      }
    }
  }

  private execFor(st: Node, scope: Scope, out: Writer): void {
    let iterNode = st.iterable
    let filter: Node // a node, or undefined when the loop has no `if`
    if (iterNode.type === 'SelectExpression') {
      filter = iterNode.test
      iterNode = iterNode.lhs
    }
    let items = iterate(this.eval(iterNode, scope))
    if (filter) {
      items = items.filter((item) => {
        const s = new Scope(scope)
        this.assign(st.loopvar, item, s)
        return truthy(this.eval(filter, s))
      })
    }
    if (items.length === 0) {
      this.block(st.defaultBlock, new Scope(scope), out)
      return
    }
    const loop = new LoopObj(items, this.loopDepth)
    this.loopDepth++
    try {
      for (let i = 0; i < items.length; i++) {
        this.tick()
        loop.index0 = i
        const s = new Scope(scope)
        s.vars.set('loop', loop)
        this.assign(st.loopvar, items[i]!, s)
        try {
          this.block(st.body, s, out)
        } catch (e) {
          if (e === BREAK) break
          if (e === CONTINUE) continue
          throw e
        }
      }
    } finally {
      this.loopDepth--
    }
  }

  private assign(target: Node, value: Py, scope: Scope): void {
    if (target.type === 'Identifier') {
      scope.vars.set(target.value, value)
      return
    }
    if (target.type === 'TupleLiteral' || target.type === 'ArrayLiteral') {
      const names: Node[] = target.value
      if (value instanceof Undef) value.fail()
      const items = iterate(value)
      if (items.length > names.length)
        throw new JinjaError(`too many values to unpack (expected ${names.length})`, 'ValueError')
      if (items.length < names.length)
        throw new JinjaError(
          `not enough values to unpack (expected ${names.length}, got ${items.length})`,
          'ValueError',
        )
      names.forEach((n, i) => this.assign(n, items[i]!, scope))
      return
    }
    if (target.type === 'MemberExpression' && !target.computed) {
      const obj = this.eval(target.object, scope)
      if (!(obj instanceof Namespace))
        throw new JinjaError('cannot assign attribute on non-namespace object', 'TemplateRuntimeError')
      obj.attrs.set(target.property.value, value)
      return
    }
    throw new JinjaError(`can't assign to ${target.type}`, 'TemplateSyntaxError')
  }

  private execSet(st: Node, scope: Scope): void {
    const value = st.value === null ? this.blockToString(st.body, scope) : this.eval(st.value, scope)
    this.assign(st.assignee, value, scope)
  }

  private makeMacro(name: string, params: Node[], body: Node[], defScope: Scope): PyCallable {
    const names: string[] = []
    const defaults = new Map<string, Node>()
    for (const p of params) {
      if (p.type === 'Identifier') names.push(p.value)
      else {
        names.push(p.key.value)
        defaults.set(p.key.value, p.value)
      }
    }
    const usesVarargs = referencesName(body, 'varargs')
    const usesKwargs = referencesName(body, 'kwargs')
    const usesCaller = referencesName(body, 'caller')
    return new PyCallable(
      name,
      ({ args, kwargs }) => {
        if (this.macroDepth >= MAX_MACRO_DEPTH)
          throw new LimitError(`macro recursion deeper than ${MAX_MACRO_DEPTH}`)
        const s = new Scope(defScope)
        const kw = new Map(kwargs)
        for (let i = 0; i < names.length; i++) {
          const n = names[i]!
          if (i < args.length) {
            if (kw.has(n)) throw new JinjaError(`macro '${name}' got multiple values for argument '${n}'`)
            s.vars.set(n, args[i]!)
          } else if (kw.has(n)) {
            s.vars.set(n, kw.get(n)!)
            kw.delete(n)
          } else if (defaults.has(n)) s.vars.set(n, this.eval(defaults.get(n), s))
          else s.vars.set(n, new Undef(undefined, MISSING, `parameter ${pyRepr(n)} was not provided`))
        }
        if (kw.has('caller') && usesCaller) {
          s.vars.set('caller', kw.get('caller')!)
          kw.delete('caller')
        }
        if (args.length > names.length && !usesVarargs)
          throw new JinjaError(`macro '${name}' takes not more than ${names.length} argument(s)`)
        if (usesVarargs) s.vars.set('varargs', tuple(args.slice(names.length)))
        if (kw.size > 0 && !usesKwargs)
          throw new JinjaError(`macro '${name}' takes no keyword argument '${[...kw.keys()][0]}'`)
        if (usesKwargs) s.vars.set('kwargs', new Map<Py, Py>(kw))
        this.macroDepth++
        try {
          return this.blockToString(body, s)
        } finally {
          this.macroDepth--
        }
      },
      'macro',
    )
  }

  // ------------------------------------------------------------------------------------------------------------
  // expressions

  eval(node: Node, scope: Scope): Py {
    switch (node.type) {
      case 'StringLiteral':
        return node.value
      case 'IntegerLiteral':
        return node.value
      case 'FloatLiteral':
        return new PyFloat(node.value)
      case 'Identifier': {
        const c = CONSTANTS.get(node.value)
        if (c !== undefined) return c
        const v = scope.lookup(node.value)
        if (v !== MISSING) return v
        const g = this.opts.globals.get(node.value)
        if (g !== undefined) return g
        return new Undef(node.value)
      }
      case 'ArrayLiteral':
        return node.value.map((e: Node) => this.eval(e, scope))
      case 'TupleLiteral':
        return tuple(node.value.map((e: Node) => this.eval(e, scope)))
      case 'ObjectLiteral': {
        const m = new Map<Py, Py>()
        for (const [k, v] of node.value as Map<Node, Node>) {
          const key = this.eval(k, scope)
          if (Array.isArray(key) && !isTuple(key)) throw new JinjaError("unhashable type: 'list'")
          if (key instanceof Map) throw new JinjaError("unhashable type: 'dict'")
          m.set(key, this.eval(v, scope))
        }
        return m
      }
      case 'MemberExpression': {
        const obj = this.eval(node.object, scope)
        if (!node.computed) {
          if (node.property.type === 'IntegerLiteral') return getItem(obj, node.property.value)
          return getAttr(obj, node.property.value)
        }
        if (node.property.type === 'SliceExpression') {
          const p = node.property
          const ev = (x: Node): Py => (x === undefined ? null : this.eval(x, scope)) // x may be undefined
          return getSlice(obj, ev(p.start), ev(p.stop), ev(p.step))
        }
        return getItem(obj, this.eval(node.property, scope))
      }
      case 'CallExpression':
        return this.evalCall(node, scope)
      case 'BinaryExpression': {
        const op: string = node.operator.value
        if (op === 'and') {
          const l = this.eval(node.left, scope)
          return truthy(l) ? this.eval(node.right, scope) : l
        }
        if (op === 'or') {
          const l = this.eval(node.left, scope)
          return truthy(l) ? l : this.eval(node.right, scope)
        }
        return binaryOp(op, this.eval(node.left, scope), this.eval(node.right, scope))
      }
      case 'UnaryExpression': {
        const v = this.eval(node.argument, scope)
        const op: string = node.operator.value
        if (op === 'not') return !truthy(v)
        if (v instanceof Undef) v.fail()
        if (typeof v === 'number' || typeof v === 'boolean') return op === '-' ? -Number(v) : Number(v)
        if (v instanceof PyFloat) return new PyFloat(op === '-' ? -v.v : v.v)
        throw new JinjaError(`bad operand type for unary ${op}: '${typeName(v)}'`)
      }
      case 'FilterExpression':
        return this.applyFilter(this.eval(node.operand, scope), node.filter, scope)
      case 'TestExpression': {
        const v = this.eval(node.operand, scope)
        const r = this.callTest(node.test.value, v, { args: [], kwargs: new Map() })
        return node.negate ? !r : r
      }
      case 'SelectExpression':
        return truthy(this.eval(node.test, scope))
          ? this.eval(node.lhs, scope)
          : new Undef(
              undefined,
              MISSING,
              'the inline if-expression evaluated to false and no else section was defined.',
            )
      case 'Ternary':
        return truthy(this.eval(node.condition, scope))
          ? this.eval(node.trueExpr, scope)
          : this.eval(node.falseExpr, scope)
    }
    throw new JinjaError(`unsupported expression ${node.type}`, 'TemplateSyntaxError')
  }

  private evalArgs(argNodes: Node[], scope: Scope): CallArgs {
    const args: Py[] = []
    const kwargs = new Map<string, Py>()
    for (const a of argNodes) {
      if (a.type === 'KeywordArgumentExpression') kwargs.set(a.key.value, this.eval(a.value, scope))
      else if (a.type === 'SpreadExpression') args.push(...iterate(this.eval(a.argument, scope)))
      else if (a.type === 'KeywordSpreadExpression') {
        const d = this.eval(a.argument, scope)
        if (!(d instanceof Map))
          throw new JinjaError(`argument after ** must be a mapping, not ${typeName(d)}`)
        for (const [k, v] of d) kwargs.set(pyStr(k), v)
      } else args.push(this.eval(a, scope))
    }
    return { args, kwargs }
  }

  private evalCall(node: Node, scope: Scope, caller?: PyCallable): Py {
    const fn = this.eval(node.callee, scope)
    const a = this.evalArgs(node.args, scope)
    if (caller) a.kwargs.set('caller', caller)
    return this.call(fn, a)
  }

  call(fn: Py, a: CallArgs): Py {
    this.tick()
    if (fn instanceof PyCallable) return fn.fn(a)
    if (fn instanceof Undef) fn.fail()
    throw new JinjaError(`'${typeName(fn)}' object is not callable`)
  }

  private applyFilter(value: Py, filterNode: Node, scope: Scope): Py {
    let name: string
    let a: CallArgs
    if (filterNode.type === 'Identifier') {
      name = filterNode.value
      a = { args: [], kwargs: new Map() }
    } else {
      name = filterNode.callee.value
      a = this.evalArgs(filterNode.args, scope)
    }
    return this.callFilter(name, value, a)
  }

  callFilter(name: string, value: Py, a: CallArgs): Py {
    const f = FILTERS.get(name)
    if (!f) throw new JinjaError(`No filter named '${name}'.`, 'TemplateAssertionError')
    return f(value, a, this)
  }

  callTest(name: string, value: Py, a: CallArgs): boolean {
    const t = TESTS.get(name)
    if (!t) throw new JinjaError(`No test named '${name}'.`, 'TemplateAssertionError')
    return t(value, a, this)
  }
}

const refCache = new WeakMap<object, Set<string>>()
/** Whether an identifier appears anywhere in the nodes (used for varargs / kwargs / caller). */
function referencesName(body: Node[], name: string): boolean {
  let names = refCache.get(body)
  if (!names) {
    names = new Set()
    collectIdentifiers(body, names)
    refCache.set(body, names)
  }
  return names.has(name)
}

function collectIdentifiers(node: unknown, into: Set<string>): void {
  const stack: unknown[] = [node]
  while (stack.length > 0) {
    const n = stack.pop()
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x)
    } else if (n instanceof Map) {
      for (const [k, v] of n) stack.push(k, v)
    } else if (n && typeof n === 'object') {
      const o = n as Node
      if (o.type === 'Identifier') into.add(o.value)
      for (const k of Object.keys(o)) if (k !== 'type') stack.push(o[k])
    }
  }
}
