/**
 * Jinja2's parser (jinja2/parser.py, 3.1.6) over our lexer (jinja-lexer.ts), building our syntax tree
 * (jinja-ast.ts), in transformers' environment: the built-in tags, loopcontrols ({% break %},
 * {% continue %}) and transformers' {% generation %}; no `do`, no i18n. The grammar, the precedences and
 * the error messages are Jinja2's; each error carries the offset of the token it is about.
 *
 * Recursion is bounded: nesting (a block inside a block, a bracket inside a bracket, a unary operator on
 * a unary operator) deeper than MAX_NESTING is a syntax error, reported before the parser's own stack
 * could run out. Jinja2 has no such count, but it cannot compile such templates either: CPython refuses
 * 100 levels of indentation (nested blocks), 20 nested loops, and its recursion limit is reached at
 * about 70 nested brackets. Real chat templates nest a handful of levels.
 */
import {
  nodeKind,
  type Args,
  type BinaryOp,
  type CompareOp,
  type Escaping,
  type Expr,
  type FilterExpr,
  type Param,
  type Stmt,
  type Template,
} from './jinja-ast.js'
import { isSpace, Lexer, TemplateSyntaxError, type Token } from './jinja-lexer.js'
import { pyRepr, truthy } from './jinja-values.js'

/** The deepest nesting of blocks, brackets and unary operators the parser follows (see above). */
export const MAX_NESTING = 100

const COMPARE_OPS = new Map<string, CompareOp>([
  ['eq', '=='],
  ['ne', '!='],
  ['lt', '<'],
  ['lteq', '<='],
  ['gt', '>'],
  ['gteq', '>='],
])
const MATH1 = new Map<string, BinaryOp>([
  ['add', '+'],
  ['sub', '-'],
])
const MATH2 = new Map<string, BinaryOp>([
  ['mul', '*'],
  ['div', '/'],
  ['floordiv', '//'],
  ['mod', '%'],
])
const OPERATOR_TEXT = new Map([
  ['add', '+'],
  ['sub', '-'],
  ['div', '/'],
  ['floordiv', '//'],
  ['mul', '*'],
  ['mod', '%'],
  ['pow', '**'],
  ['tilde', '~'],
  ['lbracket', '['],
  ['rbracket', ']'],
  ['lparen', '('],
  ['rparen', ')'],
  ['lbrace', '{'],
  ['rbrace', '}'],
  ['eq', '=='],
  ['ne', '!='],
  ['gt', '>'],
  ['gteq', '>='],
  ['lt', '<'],
  ['lteq', '<='],
  ['assign', '='],
  ['dot', '.'],
  ['colon', ':'],
  ['pipe', '|'],
  ['comma', ','],
  ['semicolon', ';'],
])
const TYPE_TEXT = new Map([
  ['block_begin', 'begin of statement block'],
  ['block_end', 'end of statement block'],
  ['variable_begin', 'begin of print statement'],
  ['variable_end', 'end of print statement'],
  ['data', 'template data / text'],
  ['eof', 'end of template'],
])

/** jinja2.lexer._describe_token_type */
function describeType(type: string): string {
  return OPERATOR_TEXT.get(type) ?? TYPE_TEXT.get(type) ?? type
}
/** jinja2.lexer.describe_token */
function describeToken(t: Token): string {
  return t.type === 'name' ? (t.value as string) : describeType(t.type)
}
/** jinja2.lexer.describe_token_expr: "name:endfor" is "endfor", a type its description. */
function describeExpr(expr: string): string {
  const colon = expr.indexOf(':')
  if (colon !== -1 && expr.slice(0, colon) === 'name') return expr.slice(colon + 1)
  return describeType(colon === -1 ? expr : expr.slice(0, colon))
}
/** "type:value" expressions split once: the parser tests a few dozen, at every token. */
const SPLIT = new Map<string, readonly [string, string] | undefined>()
/** Token.test: a type, or "type:value". */
function matches(t: Token, expr: string): boolean {
  if (t.type === expr) return true
  let split = SPLIT.get(expr)
  if (split === undefined && !SPLIT.has(expr)) {
    const colon = expr.indexOf(':')
    split = colon === -1 ? undefined : [expr.slice(0, colon), expr.slice(colon + 1)]
    SPLIT.set(expr, split)
  }
  return split !== undefined && t.value === split[1] && t.type === split[0]
}

const CONSTANT_NAMES = new Set(['true', 'false', 'none', 'True', 'False', 'None'])
/** Node.can_assign */
function canAssign(e: Expr): boolean {
  if (e.type === 'Name') return !CONSTANT_NAMES.has(e.name)
  if (e.type === 'NSRef') return true
  if (e.type === 'Tuple') return e.items.every(canAssign)
  return false
}

interface TupleOptions {
  simplified?: boolean
  withCondexpr?: boolean
  extraEndRules?: string[]
  explicitParentheses?: boolean
  withNamespace?: boolean
}
const NO_OPTIONS: TupleOptions = {}

/** What a parse cost: the characters its lexer looked at and the tokens it made (see Lexer). */
export interface ParseStats {
  scanned: number
  tokens: number
}

/**
 * Parses a template (its text as templateText gives it) into our tree; throws TemplateSyntaxError.
 * `stats`, when given, receives what the parse cost, failed or not.
 */
export function parseTemplate(source: string, stats?: ParseStats): Template {
  const parser = new Parser(source)
  try {
    return parser.parse()
  } finally {
    if (stats) Object.assign(stats, parser.cost())
  }
}

class Parser {
  private current: Token
  private readonly pushed: Token[] = []
  private readonly lexer: Lexer
  /** The tags being parsed (their `{%`), innermost last: the error for an unclosed block names the innermost. */
  private readonly tagStack: { name: string; at: number }[] = []
  /** The end tags each open body waits for. */
  private readonly endTokenStack: string[][] = []
  private readonly blocks: (Stmt & { type: 'Block' })[] = []
  private depth = 0
  /** Escaping where the parser stands, as Jinja2's compiler decides it (see Escaping). */
  private escape: Escaping | undefined

  constructor(private readonly source: string) {
    this.lexer = new Lexer(source)
    this.current = this.lexer.next()
  }

  cost(): ParseStats {
    return { scanned: this.lexer.scanned, tokens: this.lexer.tokens }
  }

  parse(): Template {
    const body = this.subparse(undefined)
    const blocks = new Map<string, Stmt & { type: 'Block' }>()
    for (const b of this.blocks) if (!blocks.has(b.name)) blocks.set(b.name, b)
    return { body, blocks, blockList: this.blocks }
  }

  // ------------------------------------------------------------------------------------------------------
  // the token stream (jinja2.lexer.TokenStream)

  private next(): Token {
    const rv = this.current
    if (this.pushed.length > 0) this.current = this.pushed.shift()!
    else if (rv.type !== 'eof') this.current = this.lexer.next()
    return rv
  }

  private look(): Token {
    const old = this.next()
    const result = this.current
    this.pushed.push(result)
    this.current = old
    return result
  }

  private is(expr: string): boolean {
    return matches(this.current, expr)
  }

  /** Whether the current token is a comma (a method: a test of `current` here would narrow its type for good). */
  private atComma(): boolean {
    return this.current.type === 'comma'
  }

  private isAny(exprs: string[]): boolean {
    for (const e of exprs) if (matches(this.current, e)) return true
    return false
  }

  private skipIf(expr: string): boolean {
    if (!this.is(expr)) return false
    this.next()
    return true
  }

  private expect(expr: string): Token {
    if (!this.is(expr)) {
      const what = describeExpr(expr)
      if (this.current.type === 'eof')
        this.fail(`unexpected end of template, expected ${pyRepr(what)}.`, this.current.at)
      this.fail(`expected token ${pyRepr(what)}, got ${pyRepr(describeToken(this.current))}`, this.current.at)
    }
    return this.next()
  }

  /** The node, marked with the escaping where it stands. */
  private escaped<T extends Stmt | Expr>(node: T): T {
    if (this.escape) (node as { escape?: Escaping }).escape = this.escape
    return node
  }

  private fail(message: string, at: number = this.current.at): never {
    throw new TemplateSyntaxError(message, at)
  }

  /** One level deeper into the grammar's recursion; refused past MAX_NESTING. */
  private enter(at: number): void {
    if (++this.depth > MAX_NESTING)
      this.fail(`the template nests blocks, brackets or operators more than ${MAX_NESTING} levels deep`, at)
  }
  private leave(): void {
    this.depth--
  }

  // ------------------------------------------------------------------------------------------------------
  // errors about tags

  private failUnknownOrEof(name: string | undefined, stack: string[][], at: number): never {
    const expected = new Set(stack.flatMap((exprs) => exprs.map(describeExpr)))
    const looking =
      stack.length > 0
        ? stack
            .at(-1)!
            .map((e) => pyRepr(describeExpr(e)))
            .join(' or ')
        : ''
    const message = [
      name === undefined ? 'Unexpected end of template.' : `Encountered unknown tag ${pyRepr(name)}.`,
    ]
    if (looking !== '') {
      if (name !== undefined && expected.has(name))
        message.push(
          `You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for ${looking}.`,
        )
      else message.push(`Jinja was looking for the following tags: ${looking}.`)
    }
    const open = this.tagStack.at(-1)
    if (open) {
      const { line, column } = position(this.source, open.at)
      message.push(
        `The innermost block that needs to be closed is ${pyRepr(open.name)} (opened at line ${line}, column ${column}).`,
      )
    }
    this.fail(message.join(' '), at)
  }

  // ------------------------------------------------------------------------------------------------------
  // statements

  private subparse(endTokens: string[] | undefined): Stmt[] {
    const body: Stmt[] = []
    if (endTokens) this.endTokenStack.push(endTokens)
    while (this.current.type !== 'eof') {
      const token = this.current
      if (token.type === 'data') {
        body.push({ type: 'Text', at: token.at, value: token.value as string })
        this.next()
      } else if (token.type === 'variable_begin') {
        this.next()
        body.push(
          this.escaped({
            type: 'Output',
            at: this.current.at,
            expr: this.parseTuple({ withCondexpr: true }),
          }),
        )
        this.expect('variable_end')
      } else {
        // block_begin: the lexer yields nothing else between tags
        this.next()
        if (endTokens && this.isAny(endTokens)) {
          this.endTokenStack.pop()
          return body
        }
        const rv = this.parseStatement(token.at)
        if (Array.isArray(rv)) body.push(...rv)
        else body.push(rv)
        this.expect('block_end')
      }
    }
    if (endTokens) this.endTokenStack.pop()
    return body
  }

  /** The tag after `{%` (at `begin`). */
  private parseStatement(begin: number): Stmt | Stmt[] {
    const token = this.current
    if (token.type !== 'name') this.fail('tag name expected', token.at)
    const name = token.value as string
    this.tagStack.push({ name, at: begin })
    let rv: Stmt | Stmt[]
    switch (name) {
      case 'for':
        rv = this.parseFor()
        break
      case 'if':
        rv = this.parseIf()
        break
      case 'block':
        rv = this.parseBlock()
        break
      case 'extends':
      case 'include':
      case 'import':
      case 'from':
        rv = this.parseLoad(name)
        break
      case 'print':
        rv = this.parsePrint()
        break
      case 'macro':
        rv = this.parseMacro()
        break
      case 'set':
        rv = this.parseSet()
        break
      case 'with':
        rv = this.parseWith()
        break
      case 'autoescape':
        rv = this.parseAutoescape()
        break
      case 'call':
        rv = this.parseCallBlock()
        break
      case 'filter':
        rv = this.parseFilterBlock()
        break
      // extensions of transformers' environment: jinja2.ext.loopcontrols and its AssistantTracker
      case 'break':
      case 'continue':
        rv = { type: name === 'break' ? 'Break' : 'Continue', at: this.next().at }
        break
      case 'generation': {
        const at = this.next().at
        rv = { type: 'Generation', at, body: this.parseStatements(['name:endgeneration'], true) }
        break
      }
      default:
        this.tagStack.pop()
        this.failUnknownOrEof(name, this.endTokenStack, token.at)
    }
    this.tagStack.pop()
    return rv
  }

  /** A tag's body up to one of `endTokens` (the end tag itself dropped when `dropNeedle`). */
  private parseStatements(endTokens: string[], dropNeedle = false): Stmt[] {
    this.skipIf('colon')
    this.expect('block_end')
    // One level deeper: past the limit, the error names the tag that opens the level.
    this.enter(this.tagStack.at(-1)?.at ?? this.current.at)
    const result = this.subparse(endTokens)
    this.leave()
    if (this.current.type === 'eof')
      this.failUnknownOrEof(undefined, [...this.endTokenStack, endTokens], this.current.at)
    if (dropNeedle) this.next()
    return result
  }

  private parseSet(): Stmt {
    const at = this.next().at
    const target = this.parseAssignTarget({ withNamespace: true })
    if (this.skipIf('assign')) return { type: 'Set', at, target, value: this.parseTuple() }
    const filter = this.parseFilter(undefined)
    const body = this.parseStatements(['name:endset'], true)
    return this.escaped(
      filter ? { type: 'SetBlock', at, target, filter, body } : { type: 'SetBlock', at, target, body },
    )
  }

  private parseFor(): Stmt {
    const at = this.expect('name:for').at
    const target = this.parseAssignTarget({ extraEndRules: ['name:in'] })
    this.expect('name:in')
    const iter = this.parseTuple({ withCondexpr: false, extraEndRules: ['name:recursive'] })
    const test = this.skipIf('name:if') ? this.parseExpression() : undefined
    const recursive = this.skipIf('name:recursive')
    const body = this.parseStatements(['name:endfor', 'name:else'])
    const elseBody = this.next().value === 'endfor' ? [] : this.parseStatements(['name:endfor'], true)
    const node: Stmt = this.escaped({ type: 'For', at, target, iter, body, else: elseBody, recursive })
    if (test) node.test = test
    return node
  }

  private parseIf(): Stmt {
    const at = this.expect('name:if').at
    const branches: { test: Expr; body: Stmt[] }[] = []
    let elseBody: Stmt[] = []
    for (;;) {
      const test = this.parseTuple({ withCondexpr: false })
      branches.push({ test, body: this.parseStatements(['name:elif', 'name:else', 'name:endif']) })
      const token = this.next()
      if (matches(token, 'name:elif')) continue
      if (matches(token, 'name:else')) elseBody = this.parseStatements(['name:endif'], true)
      break
    }
    return { type: 'If', at, branches, else: elseBody }
  }

  private parseWith(): Stmt {
    const at = this.next().at
    const targets: Expr[] = []
    const values: Expr[] = []
    while (this.current.type !== 'block_end') {
      if (targets.length > 0) this.expect('comma')
      targets.push(this.parseAssignTarget())
      this.expect('assign')
      values.push(this.parseExpression())
    }
    return { type: 'With', at, targets, values, body: this.parseStatements(['name:endwith'], true) }
  }

  private parseAutoescape(): Stmt {
    const at = this.next().at
    const value = this.parseExpression()
    // A constant decides escaping while compiling; an expression leaves it to the render.
    const saved = this.escape
    this.escape = value.type !== 'Const' ? 'volatile' : truthy(value.value) ? 'on' : undefined
    const body = this.parseStatements(['name:endautoescape'], true)
    this.escape = saved
    return { type: 'Autoescape', at, value, body }
  }

  private parseBlock(): Stmt {
    const at = this.next().at
    const name = this.expect('name').value as string
    const scoped = this.skipIf('name:scoped')
    const required = this.skipIf('name:required')
    // Jinja2's hint for a Django habit: block names are identifiers, without hyphens.
    if (this.current.type === 'sub')
      this.fail(
        'Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead.',
      )
    // Jinja2 compiles a block apart from where it stands, with escaping off.
    const saved = this.escape
    this.escape = undefined
    const body = this.parseStatements(['name:endblock'], true)
    this.escape = saved
    if (required) {
      const bad = body.find((s) => s.type !== 'Text' || ![...s.value].every((c) => isSpace(c.charCodeAt(0))))
      if (bad) this.fail('Required blocks can only contain comments or whitespace', bad.at)
    }
    this.skipIf(`name:${name}`)
    const node = { type: 'Block' as const, at, name, scoped, required, body }
    this.blocks.push(node)
    return node
  }

  /** {% extends %}, {% include %}, {% import %}, {% from %}: parsed as Jinja2 parses them. */
  private parseLoad(tag: 'extends' | 'include' | 'import' | 'from'): Stmt {
    const at = this.next().at
    const template = this.parseExpression()
    const type = ({ extends: 'Extends', include: 'Include', import: 'Import', from: 'FromImport' } as const)[
      tag
    ]
    if (tag === 'include') {
      if (this.is('name:ignore') && matches(this.look(), 'name:missing')) {
        this.next()
        this.next()
      }
      this.parseImportContext()
    } else if (tag === 'import') {
      this.expect('name:as')
      this.parseAssignTarget({ nameOnly: true })
      this.parseImportContext()
    } else if (tag === 'from') this.parseFromNames()
    return { type, at, template }
  }

  private parseImportContext(): boolean {
    if ((this.is('name:with') || this.is('name:without')) && matches(this.look(), 'name:context')) {
      this.next()
      this.next()
      return true
    }
    return false
  }

  private parseFromNames(): void {
    this.expect('name:import')
    let names = 0
    // Jinja2 compares the value alone here: a string 'with' followed by `context` counts too.
    const context = (): boolean => {
      const v = this.current.value
      if ((v === 'with' || v === 'without') && matches(this.look(), 'name:context')) {
        this.next()
        this.next()
        return true
      }
      return false
    }
    for (;;) {
      if (names > 0) this.expect('comma')
      if (this.current.type !== 'name') {
        this.expect('name')
        continue
      }
      if (context()) break
      const target = this.parseAssignTarget({ nameOnly: true }) as Expr & { type: 'Name' }
      if (target.name.startsWith('_'))
        this.fail('names starting with an underline can not be imported', target.at)
      if (this.skipIf('name:as')) this.parseAssignTarget({ nameOnly: true })
      names++
      if (context() || !this.atComma()) break
    }
  }

  private parseSignature(): Param[] {
    const params: Param[] = []
    this.expect('lparen')
    while (this.current.type !== 'rparen') {
      if (params.length > 0) this.expect('comma')
      const arg = this.parseAssignTarget({ nameOnly: true }) as Expr & { type: 'Name' }
      const param: Param = { name: arg.name, at: arg.at }
      if (this.skipIf('assign')) param.default = this.parseExpression()
      else if (params.some((p) => p.default)) this.fail('non-default argument follows default argument')
      params.push(param)
    }
    this.expect('rparen')
    return params
  }

  private parseCallBlock(): Stmt {
    const at = this.next().at
    const params = this.current.type === 'lparen' ? this.parseSignature() : []
    const start = this.current.at
    const call = this.parseExpression()
    if (call.type !== 'Call') this.fail('expected call', start)
    return { type: 'CallBlock', at, params, call, body: this.parseStatements(['name:endcall'], true) }
  }

  private parseFilterBlock(): Stmt {
    const at = this.next().at
    const filter = this.parseFilter(undefined, true)!
    return this.escaped({
      type: 'FilterBlock',
      at,
      filter,
      body: this.parseStatements(['name:endfilter'], true),
    })
  }

  private parseMacro(): Stmt {
    const at = this.next().at
    const name = (this.parseAssignTarget({ nameOnly: true }) as Expr & { type: 'Name' }).name
    const params = this.parseSignature()
    return { type: 'Macro', at, name, params, body: this.parseStatements(['name:endmacro'], true) }
  }

  private parsePrint(): Stmt[] {
    this.next()
    const out: Stmt[] = []
    while (this.current.type !== 'block_end') {
      if (out.length > 0) this.expect('comma')
      const at = this.current.at
      out.push(this.escaped({ type: 'Output', at, expr: this.parseExpression() }))
    }
    return out
  }

  private parseAssignTarget(
    opts: { withTuple?: boolean; nameOnly?: boolean; extraEndRules?: string[]; withNamespace?: boolean } = {},
  ): Expr {
    let target: Expr
    if (opts.nameOnly) {
      const token = this.expect('name')
      target = { type: 'Name', at: token.at, name: token.value as string }
    } else if (opts.withTuple ?? true)
      target = this.parseTuple({
        simplified: true,
        extraEndRules: opts.extraEndRules,
        withNamespace: opts.withNamespace,
      })
    else target = this.parsePrimary(opts.withNamespace)
    if (!canAssign(target)) this.fail(`can't assign to ${pyRepr(nodeKind(target))}`, target.at)
    return target
  }

  // ------------------------------------------------------------------------------------------------------
  // expressions

  private parseExpression(withCondexpr = true): Expr {
    return withCondexpr ? this.parseCondexpr() : this.parseOr()
  }

  private parseCondexpr(): Expr {
    let { at, line } = this.current
    let expr1 = this.parseOr()
    while (this.skipIf('name:if')) {
      const test = this.parseOr()
      let expr2: Expr | undefined
      if (this.skipIf('name:else')) {
        this.enter(this.current.at)
        expr2 = this.parseCondexpr()
        this.leave()
      }
      expr1 = expr2
        ? { type: 'CondExpr', at, line, test, expr1, expr2 }
        : { type: 'CondExpr', at, line, test, expr1 }
      ;({ at, line } = this.current)
    }
    return expr1
  }

  private parseOr(): Expr {
    const at = this.current.at
    let left = this.parseAnd()
    while (this.skipIf('name:or')) left = { type: 'Or', at, left, right: this.parseAnd() }
    return left
  }

  private parseAnd(): Expr {
    const at = this.current.at
    let left = this.parseNot()
    while (this.skipIf('name:and')) left = { type: 'And', at, left, right: this.parseNot() }
    return left
  }

  private parseNot(): Expr {
    if (!this.is('name:not')) return this.parseCompare()
    const at = this.next().at
    this.enter(at)
    const node = this.parseNot()
    this.leave()
    return { type: 'Not', at, node }
  }

  private parseCompare(): Expr {
    const at = this.current.at
    const expr = this.parseMath1()
    const ops: { op: CompareOp; expr: Expr }[] = []
    for (;;) {
      const op = COMPARE_OPS.get(this.current.type)
      if (op) {
        this.next()
        ops.push({ op, expr: this.parseMath1() })
      } else if (this.skipIf('name:in')) ops.push({ op: 'in', expr: this.parseMath1() })
      else if (this.is('name:not') && matches(this.look(), 'name:in')) {
        this.next()
        this.next()
        ops.push({ op: 'not in', expr: this.parseMath1() })
      } else break
    }
    return ops.length === 0 ? expr : { type: 'Compare', at, expr, ops }
  }

  private parseMath1(): Expr {
    const at = this.current.at
    let left = this.parseConcat()
    for (let op = MATH1.get(this.current.type); op; op = MATH1.get(this.current.type)) {
      this.next()
      left = { type: 'BinOp', at, op, left, right: this.parseConcat() }
    }
    return left
  }

  private parseConcat(): Expr {
    const at = this.current.at
    const nodes = [this.parseMath2()]
    while (this.current.type === 'tilde') {
      this.next()
      nodes.push(this.parseMath2())
    }
    return nodes.length === 1 ? nodes[0]! : this.escaped({ type: 'Concat', at, nodes })
  }

  private parseMath2(): Expr {
    const at = this.current.at
    let left = this.parsePow()
    for (let op = MATH2.get(this.current.type); op; op = MATH2.get(this.current.type)) {
      this.next()
      left = { type: 'BinOp', at, op, left, right: this.parsePow() }
    }
    return left
  }

  private parsePow(): Expr {
    const at = this.current.at
    let left = this.parseUnary()
    while (this.current.type === 'pow') {
      this.next()
      left = { type: 'BinOp', at, op: '**', left, right: this.parseUnary() }
    }
    return left
  }

  private parseUnary(withFilter = true): Expr {
    const { type, at } = this.current
    let node: Expr
    if (type === 'sub' || type === 'add') {
      this.next()
      this.enter(at)
      node = { type: type === 'sub' ? 'Neg' : 'Pos', at, node: this.parseUnary(false) }
      this.leave()
    } else node = this.parsePrimary()
    node = this.parsePostfix(node)
    return withFilter ? this.parseFilterExpr(node) : node
  }

  private parsePrimary(withNamespace = false): Expr {
    const token = this.current
    const at = token.at
    if (token.type === 'name') {
      this.next()
      const name = token.value as string
      if (name === 'true' || name === 'True') return { type: 'Const', at, value: true }
      if (name === 'false' || name === 'False') return { type: 'Const', at, value: false }
      if (name === 'none' || name === 'None') return { type: 'Const', at, value: null }
      if (withNamespace && this.current.type === 'dot') {
        this.next()
        return { type: 'NSRef', at, name, attr: this.expect('name').value as string }
      }
      return { type: 'Name', at, name }
    }
    if (token.type === 'string') {
      // Adjacent string literals are one string, as in Python.
      this.next()
      let value = token.value as string
      while (this.current.type === 'string') value += this.next().value as string
      return { type: 'Const', at, value }
    }
    if (token.type === 'integer' || token.type === 'float') {
      this.next()
      return { type: 'Const', at, value: token.value }
    }
    if (token.type === 'lparen') {
      this.next()
      this.enter(at)
      const node = this.parseTuple({ explicitParentheses: true })
      this.leave()
      this.expect('rparen')
      // A tuple in parentheses starts at its parenthesis.
      return node.type === 'Tuple' ? { ...node, at } : node
    }
    if (token.type === 'lbracket') return this.parseList()
    if (token.type === 'lbrace') return this.parseDict()
    this.fail(`unexpected ${pyRepr(describeToken(token))}`, at)
  }

  private parseTuple(opts: TupleOptions = NO_OPTIONS): Expr {
    const at = this.current.at
    if (this.isTupleEnd(opts.extraEndRules)) {
      // Nothing where an expression belongs is not an empty tuple, unless written as ().
      if (!opts.explicitParentheses)
        this.fail(`Expected an expression, got ${pyRepr(describeToken(this.current))}`)
      return { type: 'Tuple', at, items: [] }
    }
    const first = this.parseTupleItem(opts)
    // One expression and no comma, as nearly always: no list, no tuple.
    if (this.current.type !== 'comma') return first
    const items: Expr[] = [first]
    // At the comma after an item: a tuple, however it ends (`1,` is one).
    for (;;) {
      this.expect('comma')
      if (this.isTupleEnd(opts.extraEndRules)) break
      items.push(this.parseTupleItem(opts))
      if (this.current.type !== 'comma') break
    }
    return { type: 'Tuple', at, items }
  }

  private parseTupleItem(opts: TupleOptions): Expr {
    return opts.simplified
      ? this.parsePrimary(opts.withNamespace)
      : this.parseExpression(opts.withCondexpr ?? true)
  }

  private isTupleEnd(extraEndRules: string[] | undefined): boolean {
    const t = this.current.type
    if (t === 'variable_end' || t === 'block_end' || t === 'rparen') return true
    return extraEndRules !== undefined && this.isAny(extraEndRules)
  }

  private parseList(): Expr {
    const at = this.expect('lbracket').at
    this.enter(at)
    const items: Expr[] = []
    while (this.current.type !== 'rbracket') {
      if (items.length > 0) this.expect('comma')
      if (this.current.type === 'rbracket') break
      items.push(this.parseExpression())
    }
    this.expect('rbracket')
    this.leave()
    return { type: 'List', at, items }
  }

  private parseDict(): Expr {
    const at = this.expect('lbrace').at
    this.enter(at)
    const items: { key: Expr; value: Expr }[] = []
    while (this.current.type !== 'rbrace') {
      if (items.length > 0) this.expect('comma')
      if (this.current.type === 'rbrace') break
      const key = this.parseExpression()
      this.expect('colon')
      items.push({ key, value: this.parseExpression() })
    }
    this.expect('rbrace')
    this.leave()
    return { type: 'Dict', at, items }
  }

  private parsePostfix(node: Expr): Expr {
    for (;;) {
      const t = this.current.type
      if (t === 'dot' || t === 'lbracket') node = this.parseSubscript(node)
      else if (t === 'lparen') node = this.parseCall(node)
      else return node
    }
  }

  private parseFilterExpr(node: Expr): Expr {
    for (;;) {
      const t = this.current.type
      if (t === 'pipe') node = this.parseFilter(node)!
      else if (this.is('name:is')) node = this.parseTest(node)
      else if (t === 'lparen') node = this.parseCall(node)
      else return node
    }
  }

  private parseSubscript(node: Expr): Expr {
    const token = this.next()
    if (token.type === 'dot') {
      const attr = this.next()
      if (attr.type === 'name') return { type: 'Getattr', at: token.at, node, attr: attr.value as string }
      if (attr.type !== 'integer') this.fail('expected name or number', attr.at)
      return { type: 'Getitem', at: token.at, node, arg: { type: 'Const', at: attr.at, value: attr.value } }
    }
    // lbracket
    this.enter(token.at)
    const args: Expr[] = []
    while (this.current.type !== 'rbracket') {
      if (args.length > 0) this.expect('comma')
      args.push(this.parseSubscribed())
    }
    this.expect('rbracket')
    this.leave()
    const arg: Expr = args.length === 1 ? args[0]! : { type: 'Tuple', at: token.at, items: args }
    return { type: 'Getitem', at: token.at, node, arg }
  }

  private parseSubscribed(): Expr {
    const at = this.current.at
    let start: Expr | undefined
    if (this.current.type === 'colon') this.next()
    else {
      const node = this.parseExpression()
      if (this.current.type !== 'colon') return node
      this.next()
      start = node
    }
    const endsPart = () => this.current.type === 'rbracket' || this.current.type === 'comma'
    let stop: Expr | undefined
    if (this.current.type !== 'colon' && !endsPart()) stop = this.parseExpression()
    let step: Expr | undefined
    if (this.current.type === 'colon') {
      this.next()
      if (!endsPart()) step = this.parseExpression()
    }
    const slice: Expr & { type: 'Slice' } = { type: 'Slice', at }
    if (start) slice.start = start
    if (stop) slice.stop = stop
    if (step) slice.step = step
    return slice
  }

  private parseCallArgs(): Args {
    const open = this.expect('lparen').at
    this.enter(open)
    const out: Args = { args: [], kwargs: [] }
    const ensure = (ok: boolean): void => {
      if (!ok) this.fail('invalid syntax for function call expression')
    }
    let requireComma = false
    while (this.current.type !== 'rparen') {
      if (requireComma) {
        this.expect('comma')
        if (this.current.type === 'rparen') break // a trailing comma
      }
      if (this.current.type === 'mul') {
        ensure(out.dynArgs === undefined && out.dynKwargs === undefined)
        this.next()
        out.dynArgs = this.parseExpression()
      } else if (this.current.type === 'pow') {
        ensure(out.dynKwargs === undefined)
        this.next()
        out.dynKwargs = this.parseExpression()
      } else if (this.current.type === 'name' && this.look().type === 'assign') {
        ensure(out.dynKwargs === undefined)
        const name = this.next().value as string
        this.next()
        out.kwargs.push({ name, value: this.parseExpression() })
      } else {
        ensure(out.dynArgs === undefined && out.dynKwargs === undefined && out.kwargs.length === 0)
        out.args.push(this.parseExpression())
      }
      requireComma = true
    }
    this.expect('rparen')
    this.leave()
    return out
  }

  private parseCall(node: Expr): Expr {
    const at = this.current.at
    return { type: 'Call', at, node, ...this.parseCallArgs() }
  }

  /** `|name(args)` filters, as many as follow; `startInline` when the first has no pipe ({% filter %}). */
  private parseFilter(node: Expr | undefined, startInline = false): FilterExpr | undefined {
    let filter: FilterExpr | undefined
    while (this.current.type === 'pipe' || startInline) {
      if (!startInline) this.next()
      const token = this.expect('name')
      let name = token.value as string
      while (this.current.type === 'dot') {
        this.next()
        name += '.' + (this.expect('name').value as string)
      }
      const args: Args = this.current.type === 'lparen' ? this.parseCallArgs() : { args: [], kwargs: [] }
      filter = { type: 'Filter', at: token.at, name, ...args }
      if (node) filter.node = node
      node = filter
      startInline = false
    }
    return filter
  }

  private parseTest(node: Expr): Expr {
    const isAt = this.next().at
    const negated = this.skipIf('name:not')
    const nameToken = this.expect('name')
    const at = nameToken.at
    let name = nameToken.value as string
    while (this.current.type === 'dot') {
      this.next()
      name += '.' + (this.expect('name').value as string)
    }
    let args: Args = { args: [], kwargs: [] }
    const t = this.current.type
    if (t === 'lparen') args = this.parseCallArgs()
    else if (
      ['name', 'string', 'integer', 'float', 'lbracket', 'lbrace'].includes(t) &&
      !this.is('name:else') &&
      !this.is('name:or') &&
      !this.is('name:and')
    ) {
      // A test takes one argument without parentheses: `x is divisibleby 3`, `a is sameas false`.
      if (this.is('name:is')) this.fail('You cannot chain multiple tests with is')
      args.args.push(this.parsePostfix(this.parsePrimary()))
    }
    const test: Expr = { type: 'Test', at, node, name, ...args }
    return negated ? { type: 'Not', at: isAt, node: test } : test
  }
}

/** The 1-based line and column (in UTF-16 units, as editors and SARIF count) of an offset. */
export function position(source: string, at: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = source.indexOf('\n'); i !== -1 && i < at; i = source.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: at - lineStart + 1 }
}
