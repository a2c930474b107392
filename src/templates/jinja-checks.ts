/**
 * What Jinja2's compiler (jinja2/compiler.py, 3.1.6) refuses after parsing, checked on our tree:
 *
 * - an unknown filter or test (TemplateAssertionError), except inside an {% if %} or a conditional
 *   expression, where Jinja2 3 compiles it to a stub that fails only if it runs ("soft frames": the
 *   compiler's Frame.soft(), reset by every construct that opens a frame of its own: a loop body, a
 *   macro, a block, a {% set %} block, a {% filter %} section, a {% with %}, an {% autoescape %});
 * - a block name defined twice; {% extends %} below the top level; a loop variable named `loop`;
 *   a `caller` parameter without a default in a macro that uses caller;
 * - {% break %} / {% continue %} outside a loop of the same function (Python's own SyntaxError on the
 *   code Jinja2 generates: a macro, a call block or a block body is a function; a loop's else is not in
 *   the loop);
 * - an expression nested deeper than MAX_EXPRESSION_DEPTH: the left-nested chains the parser builds in a
 *   loop (a + b + ..., x|f|g|..., a.b.c...) are as deep as they are long. Jinja2 itself fails on them
 *   with a RecursionError from about 330 filters or 490 operators on; the bound keeps every later walk
 *   of the tree (rendering included) well inside the stack.
 *
 * The walk keeps its own stack, so a tree of any depth is checked without recursion.
 */
import { readsName, type Args, type Expr, type Stmt, type Template } from './jinja-ast.js'
import { FILTERS, TESTS } from './jinja-filters.js'
import { TemplateSyntaxError } from './jinja-lexer.js'
import { pyRepr } from './jinja-values.js'

/** The deepest expression accepted (see above): well past Jinja2's own failures, well inside V8's stack. */
export const MAX_EXPRESSION_DEPTH = 500

/**
 * Where a node stands, as bits: SOFT inside an {% if %} or a conditional expression (unknown filters and
 * tests fail only when run), LOOP when a loop of the same function encloses it ({% break %} allowed), TOP
 * at the template's top level or in an {% if %} there ({% extends %} allowed).
 */
const SOFT = 1
const LOOP = 2
const TOP = 4

/** Throws the first error Jinja2's compiler would raise for the template, if any. */
export function checkTemplate(t: Template): void {
  const seen = new Set<string>()
  for (const b of t.blockList) {
    if (seen.has(b.name)) throw new TemplateSyntaxError(`block ${pyRepr(b.name)} defined twice`, b.at)
    seen.add(b.name)
  }
  // Python compiles the generated code after Jinja2 is done: a misplaced break is reported last.
  let loopError: TemplateSyntaxError | undefined
  // The stack, as three arrays (no object per node): the node; its frame bits and, for an expression,
  // its depth (frame + 8 * depth; 0 for a statement); the statement an expression belongs to, whose
  // place a too-deep expression is reported at.
  const nodes: (Stmt | Expr)[] = []
  const infos: number[] = []
  const ats: number[] = []
  const stmts = (list: Stmt[], frame: number): void => {
    for (let i = list.length - 1; i >= 0; i--) {
      nodes.push(list[i]!)
      infos.push(frame)
      ats.push(0)
    }
  }
  const expr = (e: Expr | undefined, frame: number, depth: number, at: number): void => {
    if (!e) return
    nodes.push(e)
    infos.push(frame + 8 * depth)
    ats.push(at)
  }
  stmts(t.body, TOP)
  while (nodes.length > 0) {
    const node = nodes.pop()!
    const info = infos.pop()!
    const at = ats.pop()!
    const frame = info & 7
    const depth = info >> 3
    if (depth > 0) {
      const e = node as Expr
      if (depth > MAX_EXPRESSION_DEPTH)
        throw new TemplateSyntaxError(
          `the template nests an expression more than ${MAX_EXPRESSION_DEPTH} levels deep`,
          at,
        )
      if (e.type === 'Filter' && !FILTERS.has(e.name) && !(frame & SOFT))
        throw new TemplateSyntaxError(`No filter named ${pyRepr(e.name)}.`, e.at)
      if (e.type === 'Test' && !TESTS.has(e.name) && !(frame & SOFT))
        throw new TemplateSyntaxError(`No test named ${pyRepr(e.name)}.`, e.at)
      const inner = e.type === 'CondExpr' ? frame | SOFT : frame
      const kids = children(e)
      for (let i = kids.length - 1; i >= 0; i--) expr(kids[i], inner, depth + 1, at)
      continue
    }
    const s = node as Stmt
    // A frame of its own: not soft, not top level; a function (macro, caller, block) is outside any loop.
    const inner = frame & LOOP
    const fn = 0
    switch (s.type) {
      case 'Text':
        break
      case 'Output':
        expr(s.expr, frame, 1, s.at)
        break
      case 'If': {
        const soft = frame | SOFT
        stmts(s.else, soft)
        for (let i = s.branches.length - 1; i >= 0; i--) {
          stmts(s.branches[i]!.body, soft)
          expr(s.branches[i]!.test, soft, 1, s.at)
        }
        break
      }
      case 'For':
        if (assignsLoop(s.target))
          throw new TemplateSyntaxError(
            "Can't assign to special loop variable in for-loop target",
            s.target.at,
          )
        stmts(s.else, s.recursive ? 0 : inner)
        stmts(s.body, LOOP)
        // Popped in Jinja2's order of compiling: the loop's filter, the iterable, the body, the else.
        expr(s.iter, frame, 1, s.at)
        expr(s.test, inner, 1, s.at)
        break
      case 'Set':
        expr(s.value, frame, 1, s.at)
        break
      case 'SetBlock':
      case 'FilterBlock':
        stmts(s.body, inner)
        expr(s.filter, inner, 1, s.at)
        break
      case 'Macro':
      case 'CallBlock':
        checkCaller(s.params, s.body)
        if (s.type === 'CallBlock') expr(s.call, frame, 1, s.at) // compiled after the caller's body
        stmts(s.body, fn)
        for (let i = s.params.length - 1; i >= 0; i--) expr(s.params[i]!.default, fn, 1, s.at)
        break
      case 'With':
        stmts(s.body, inner)
        for (let i = s.values.length - 1; i >= 0; i--) expr(s.values[i], frame, 1, s.at)
        break
      case 'Autoescape':
        stmts(s.body, inner)
        expr(s.value, inner, 1, s.at)
        break
      case 'Block':
      case 'Generation':
        stmts(s.body, fn)
        break
      case 'Break':
      case 'Continue':
        if (!(frame & LOOP))
          loopError ??= new TemplateSyntaxError(
            s.type === 'Break' ? "'break' outside loop" : "'continue' not properly in loop",
            s.at,
          )
        break
      case 'Extends':
        if (!(frame & TOP))
          throw new TemplateSyntaxError('cannot use extend from a non top-level scope', s.at)
        expr(s.template, frame, 1, s.at)
        break
      case 'Include':
      case 'Import':
      case 'FromImport':
        expr(s.template, frame, 1, s.at)
        break
    }
  }
  if (loopError) throw loopError
}

/** The expressions directly inside an expression, in source order. */
function children(e: Expr): (Expr | undefined)[] {
  switch (e.type) {
    case 'Const':
    case 'Name':
    case 'NSRef':
      return []
    case 'Tuple':
    case 'List':
      return e.items
    case 'Dict':
      return e.items.flatMap((i) => [i.key, i.value])
    case 'Getattr':
      return [e.node]
    case 'Getitem':
      return [e.node, e.arg]
    case 'Slice':
      return [e.start, e.stop, e.step]
    case 'Call':
      return [e.node, ...args(e)]
    case 'Filter':
    case 'Test':
      return [e.node, ...args(e)]
    case 'CondExpr':
      return [e.expr1, e.test, e.expr2]
    case 'BinOp':
    case 'And':
    case 'Or':
      return [e.left, e.right]
    case 'Concat':
      return e.nodes
    case 'Compare':
      return [e.expr, ...e.ops.map((o) => o.expr)]
    case 'Not':
    case 'Neg':
    case 'Pos':
      return [e.node]
  }
}

function args(a: Args): (Expr | undefined)[] {
  return [...a.args, ...a.kwargs.map((k) => k.value), a.dynArgs, a.dynKwargs]
}

function assignsLoop(target: Expr): boolean {
  if (target.type === 'Name') return target.name === 'loop'
  if (target.type === 'Tuple') return target.items.some(assignsLoop)
  return false
}

/** A `caller` parameter must have a default when the body uses caller (jinja2.compiler macro_body). */
function checkCaller(params: { name: string; default?: Expr; at: number }[], body: Stmt[]): void {
  const p = params.find((x) => x.name === 'caller')
  if (!p || p.default || !readsName(body, 'caller')) return
  throw new TemplateSyntaxError(
    'When defining macros or call blocks the special "caller" argument must be omitted or be given a default.',
    p.at,
  )
}
