/**
 * The syntax tree our Jinja2 parser (jinja-parser.ts) builds and our interpreter (jinja-interpreter.ts)
 * walks. It follows jinja2/nodes.py (3.1.6) closely, so that each construct keeps Jinja2's shape: a
 * chained comparison is one Compare with its operators, `~` is one Concat, `a + b + c` is left-nested as
 * Jinja2 nests it, a test negated with `is not` is a Not around the Test. Every node carries `at`, an
 * offset in the template's text (jinja-lexer.ts templateText) that an error about the node names: its
 * first token, or for a filter or a test its name, for an attribute, item or call the `.`, `[` or `(`.
 */
import type { Py } from './jinja-values.js'

/** Arguments of a call, a filter or a test: f(a, b, k=v, *args, **kwargs). */
export interface Args {
  args: Expr[]
  kwargs: { name: string; value: Expr }[]
  dynArgs?: Expr
  dynKwargs?: Expr
}

/**
 * Escaping as Jinja2's compiler decides it where a node stands: 'on' inside {% autoescape <true constant> %},
 * 'volatile' inside {% autoescape <expression> %} (decided while rendering), absent where it is off (the
 * environment's default, and in every {% block %}, which Jinja2 compiles apart).
 */
export type Escaping = 'on' | 'volatile'

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**'
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in'

export type Expr =
  | { type: 'Const'; at: number; value: Py }
  | { type: 'Name'; at: number; name: string }
  /** `ns.attr` as an assignment target: {% set ns.attr = 1 %}. */
  | { type: 'NSRef'; at: number; name: string; attr: string }
  | { type: 'Tuple'; at: number; items: Expr[] }
  | { type: 'List'; at: number; items: Expr[] }
  | { type: 'Dict'; at: number; items: { key: Expr; value: Expr }[] }
  | { type: 'Getattr'; at: number; node: Expr; attr: string }
  | { type: 'Getitem'; at: number; node: Expr; arg: Expr }
  | { type: 'Slice'; at: number; start?: Expr; stop?: Expr; step?: Expr }
  | ({ type: 'Call'; at: number; node: Expr } & Args)
  /** A filter; `node` is absent in a {% filter %} section or a {% set x | f %} block: the body is the value. */
  | ({ type: 'Filter'; at: number; node?: Expr; name: string } & Args)
  | ({ type: 'Test'; at: number; node: Expr; name: string } & Args)
  /** expr1 if test else expr2; `line` names it in the error an absent else gives. */
  | { type: 'CondExpr'; at: number; line: number; test: Expr; expr1: Expr; expr2?: Expr }
  | { type: 'BinOp'; at: number; op: BinaryOp; left: Expr; right: Expr }
  /** a ~ b ~ c; `escape` 'on': markup_join (a Markup among them escapes the others), else str_join. */
  | { type: 'Concat'; at: number; nodes: Expr[]; escape?: Escaping }
  | { type: 'Compare'; at: number; expr: Expr; ops: { op: CompareOp; expr: Expr }[] }
  | { type: 'And' | 'Or'; at: number; left: Expr; right: Expr }
  | { type: 'Not' | 'Neg' | 'Pos'; at: number; node: Expr }

export type FilterExpr = Expr & { type: 'Filter' }

export interface Param {
  name: string
  at: number
  default?: Expr
}

export type Stmt =
  | { type: 'Text'; at: number; value: string }
  | { type: 'Output'; at: number; expr: Expr; escape?: Escaping }
  /** {% if %} with its {% elif %} branches in order (a list, so a long elif chain nests nothing). */
  | { type: 'If'; at: number; branches: { test: Expr; body: Stmt[] }[]; else: Stmt[] }
  | {
      type: 'For'
      at: number
      target: Expr
      iter: Expr
      test?: Expr
      body: Stmt[]
      else: Stmt[]
      recursive: boolean
      /** Whether loop(...) returns Markup (a recursive loop's body is returned as its function's value). */
      escape?: Escaping
    }
  | { type: 'Set'; at: number; target: Expr; value: Expr }
  /** `escape`: whether the filter gets the body as Markup. */
  | { type: 'SetBlock'; at: number; target: Expr; filter?: FilterExpr; body: Stmt[]; escape?: Escaping }
  | { type: 'Macro'; at: number; name: string; params: Param[]; body: Stmt[] }
  | { type: 'CallBlock'; at: number; params: Param[]; call: Expr & { type: 'Call' }; body: Stmt[] }
  | { type: 'FilterBlock'; at: number; filter: FilterExpr; body: Stmt[]; escape?: Escaping }
  | { type: 'With'; at: number; targets: Expr[]; values: Expr[]; body: Stmt[] }
  | { type: 'Autoescape'; at: number; value: Expr; body: Stmt[] }
  | { type: 'Block'; at: number; name: string; scoped: boolean; required: boolean; body: Stmt[] }
  /** transformers' {% generation %}: a call block whose caller is called once, as its extension does. */
  | { type: 'Generation'; at: number; body: Stmt[] }
  | { type: 'Break' | 'Continue'; at: number }
  /** {% extends %}, {% include %}, {% import %}, {% from %}: they need a loader, which chat templates lack. */
  | { type: 'Extends' | 'Include' | 'Import' | 'FromImport'; at: number; template: Expr }

export interface Template {
  body: Stmt[]
  /** The blocks by name ({% block %}): what self.name() renders. */
  blocks: Map<string, Stmt & { type: 'Block' }>
  /** Every block in the order it appears, for the check that no name is defined twice. */
  blockList: (Stmt & { type: 'Block' })[]
}

/** Jinja2's node class name, lower-cased, as its "can't assign to ..." error names a target. */
export function nodeKind(e: Expr): string {
  if (e.type === 'BinOp')
    return { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '//': 'floordiv', '%': 'mod', '**': 'pow' }[e.op]
  return e.type.toLowerCase()
}

const namesRead = new WeakMap<object, Set<string>>()
/**
 * Whether a Name node reads `name` anywhere under the statements: a macro's `caller`, `varargs`,
 * `kwargs` (for the compile check and the call). Walked with a stack of its own (any depth), once per
 * body.
 */
export function readsName(body: Stmt[], name: string): boolean {
  let names = namesRead.get(body)
  if (!names) {
    names = new Set()
    const stack: unknown[] = [body]
    while (stack.length > 0) {
      const n = stack.pop()
      if (Array.isArray(n)) for (const x of n) stack.push(x)
      else if (n && typeof n === 'object') {
        const o = n as Record<string, unknown>
        if (o.type === 'Name') names.add(o.name as string)
        for (const k of Object.keys(o)) if (k !== 'type') stack.push(o[k])
      }
    }
    namesRead.set(body, names)
  }
  return names.has(name)
}
