/**
 * A seeded generator of random Jinja2 templates and JSON contexts, for the differential fuzzer
 * (__tests__/templates/fuzz.test.ts, scripts/fuzz-templates.ts): our renderer against Python Jinja2 set up
 * as transformers sets it up. The grammar follows Jinja2's template designer documentation
 * (https://jinja.palletsprojects.com/en/3.1.x/templates/) and its lexer and parser
 * (https://github.com/pallets/jinja/blob/3.1.6/src/jinja2/lexer.py, .../parser.py): expressions of every
 * kind, statements, whitespace control, and small syntax mutations so that errors are exercised too.
 *
 * Expressions are generated for a wanted type (str, int, list...) from literals, the context's values and
 * the variables in scope, so most templates render; a few ignore the type on purpose. Every loop runs over
 * a few items and every repetition (`*`, `**`, widths) takes a small literal, so no case is slow in either
 * engine. Each case is generated from its own seed (the run's seed and its index), with a PRNG of our own
 * (mulberry32: 32-bit integer arithmetic, the same on every Node version), so a case is reproduced from
 * its seed and index alone. Each case lists the constructs it contains (CONSTRUCTS), for the coverage test.
 *
 * CI checks against Debian's Jinja2 3.1.2 (with MarkupSafe 2.1), a developer's machine often against 3.1.6:
 * the grammar leaves out what gives them different verdicts (list.pop() and clear(), which 3.1.2's sandbox
 * lets through; reprs of Markup's methods), so that one list of known differences holds for both.
 */

export type Ty = 'str' | 'int' | 'float' | 'bool' | 'none' | 'list' | 'dict'

/** The context: JSON values, with integers past 2^53 as BigInt. */
export type Context = Record<string, unknown>

export interface FuzzCase {
  template: string
  context: Context
  /** The CONSTRUCTS the case contains. */
  constructs: string[]
}

/** Every construct kind the generator marks; the coverage test wants each in enough cases. */
export const CONSTRUCTS = [
  'text',
  'output',
  'comment',
  'ws-minus',
  'ws-plus',
  'int-literal',
  'hex-octal-binary',
  'underscore-number',
  'float-literal',
  'exponent',
  'big-int',
  'bad-number',
  'string-literal',
  'string-escape',
  'bool-none-literal',
  'list-literal',
  'tuple',
  'dict-literal',
  'trailing-comma',
  'name',
  'undefined-name',
  'attribute',
  'subscript',
  'slice',
  'add-sub',
  'mul',
  'truediv',
  'floordiv',
  'mod',
  'pow',
  'unary',
  'concat',
  'percent-format',
  'compare',
  'chained-compare',
  'and',
  'or',
  'not',
  'in',
  'not-in',
  'test',
  'test-args',
  'test-bare-arg',
  'not-test',
  'filter',
  'filter-args',
  'filter-kwargs',
  'filter-chain',
  'cond-expr',
  'cond-no-else',
  'str-method',
  'list-dict-method',
  'blocked-method',
  'global-call',
  'raise',
  'strftime',
  'if',
  'elif',
  'else',
  'for',
  'for-unpack',
  'for-else',
  'for-filter',
  'recursive',
  'loop-var',
  'loop-cycle',
  'loop-changed',
  'break',
  'continue',
  'set',
  'set-unpack',
  'namespace',
  'set-block',
  'set-block-filter',
  'with',
  'macro',
  'macro-call',
  'varargs-kwargs',
  'call-block',
  'call-args',
  'filter-section',
  'raw',
  'block',
  'generation',
  'mutation',
] as const
export type Construct = (typeof CONSTRUCTS)[number]

/** mulberry32 (public domain, Tommy Ettinger): a small PRNG on 32-bit integers. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed of one case: the run's seed and the case's index mixed (murmur3's finaliser). */
export function caseSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ index) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

class Rng {
  private readonly next: () => number
  constructor(seed: number) {
    this.next = mulberry32(seed)
  }
  /** 0 to n - 1 */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]! // xs is never empty
  }
  /** One of the options, by weight. */
  weighted<T>(options: ReadonlyArray<readonly [number, T]>): T {
    let x = this.next() * options.reduce((s, [w]) => s + w, 0)
    for (const [w, v] of options) {
      if (x < w) return v
      x -= w
    }
    return options[options.length - 1]![1]
  }
}

// ---- context values ----

const STRINGS = [
  '',
  ' ',
  'a',
  'abc',
  'Hello World',
  '  padded  ',
  'x,y,z',
  '42',
  '-7',
  '3.5',
  'é',
  'ß',
  'İstanbul',
  '日本語',
  '😀 smile',
  'a\nb',
  'tab\there',
  '\u00a0nbsp',
  '<b>&amp;</b>',
  "it's",
  'say "hi"',
  'UPPER',
  'MiXeD cAsE',
  'ﬁne',
  'e\u0301',
  'one two  three',
  'Ω',
  'zebra',
  'Apple',
]
const INTS: readonly (number | bigint)[] = [
  0,
  1,
  2,
  3,
  7,
  10,
  42,
  100,
  -1,
  -13,
  255,
  1234567,
  2 ** 31,
  2 ** 53 - 1,
  2n ** 53n + 1n,
  -(2n ** 63n),
  10n ** 20n,
]
// Never a whole number: the renderer takes a whole JS number as an int, Python takes 2.0 as a float.
const FLOATS = [0.5, -0.25, 1.5, 3.14159, 1e-7, 123.456, 2.675, 0.1, 0.30000000000000004, -2.5, 1.005]
const TOP_NAMES = ['a', 'b', 'c', 's', 'n', 'x', 'xs', 'user', 'flag', 'data', 'title', 'nums', 'words', 'pi']
// Never a dict method's name (d.items is the method in Jinja2, and printing it shows an address), never
// an integer-like key (JSON.parse puts those first in a JS object, Python keeps the document's order).
const KEYS = ['name', 'n', 'k', 'v', 'flag', 'id', 'text', 'x', 'role', 'key with space', 'é', '']

function tyOf(v: unknown): Ty {
  if (typeof v === 'string') return 'str'
  if (typeof v === 'bigint') return 'int'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float'
  if (typeof v === 'boolean') return 'bool'
  if (v === null) return 'none'
  return Array.isArray(v) ? 'list' : 'dict'
}

const IDENT = /^[A-Za-z_][A-Za-z_0-9]*$/
const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'is',
  'if',
  'else',
  'true',
  'false',
  'none',
  'True',
  'False',
  'None',
])

/** A variable or context value an expression can name, with its value when it is known. */
interface Ref {
  code: string
  ty: Ty
  value?: unknown
}

/** Macros defined so far: their parameter types, and whether they take caller() arguments. */
interface Macro {
  name: string
  params: Ty[]
  defaults: number
  catchAll: boolean
  caller: number | undefined
}

const MAX_STMT_DEPTH = 3
const MAX_EXPR_DEPTH = 3

class Gen {
  private readonly r: Rng
  private readonly used = new Set<Construct>()
  private scope: Ref[] = []
  private readonly macros: Macro[] = []
  private loopDepth = 0
  private caller: number | undefined // caller() arguments inside a macro that takes them
  private counter = 0
  private blocks = 0
  /** Blocks already closed: self.bN() names only these, so no block calls itself. */
  private readonly closedBlocks: string[] = []
  readonly context: Context = {}

  constructor(seed: number) {
    this.r = new Rng(seed)
  }

  private mark(c: Construct): void {
    this.used.add(c)
  }
  private fresh(prefix: string): string {
    return `${prefix}${++this.counter}`
  }

  // ---- contexts ----

  value(depth: number): unknown {
    const r = this.r
    const kind = r.weighted<Ty>([
      [4, 'str'],
      [3, 'int'],
      [1.2, 'float'],
      [1, 'bool'],
      [0.6, 'none'],
      [depth > 0 ? 2 : 0, 'list'],
      [depth > 0 ? 1.6 : 0, 'dict'],
    ])
    switch (kind) {
      case 'str':
        return r.pick(STRINGS)
      case 'int':
        return r.pick(INTS)
      case 'float':
        return r.pick(FLOATS)
      case 'bool':
        return r.chance(0.5)
      case 'none':
        return null
      case 'list': {
        // Mostly one type, so sort, sum and join have something to work on.
        const one = r.chance(0.6) ? this.value(0) : undefined
        return Array.from({ length: r.int(5) }, () =>
          one !== undefined ? this.sameType(one) : this.value(depth - 1),
        )
      }
      case 'dict':
        return this.dict(depth - 1, r.int(4))
    }
  }

  private sameType(v: unknown): unknown {
    for (let i = 0; i < 8; i++) {
      const w = this.value(0)
      if (tyOf(w) === tyOf(v)) return w
    }
    return v
  }

  private dict(depth: number, size: number): Record<string, unknown> {
    const d: Record<string, unknown> = {}
    for (let i = 0; i < size; i++) d[this.r.pick(KEYS)] = this.value(depth)
    return d
  }

  /** Records: dicts with the same keys, for sort(attribute=), selectattr, groupby, map(attribute=). */
  private records(): unknown[] {
    const names = ['Ann', 'bob', 'Cy', 'ann', 'é', '']
    return Array.from({ length: 1 + this.r.int(4) }, () => ({
      name: this.r.pick(names),
      n: this.r.pick([0, 1, 2, 3, -1, 10]),
      flag: this.r.chance(0.5),
    }))
  }

  /** A tree for recursive loops: nodes with a name and children. */
  private tree(depth: number): unknown[] {
    return Array.from({ length: this.r.int(3) + (depth === 2 ? 1 : 0) }, () => ({
      name: this.r.pick(STRINGS.slice(1, 8)),
      children: depth > 0 ? this.tree(depth - 1) : [],
    }))
  }

  makeContext(): void {
    const names = TOP_NAMES.filter(() => this.r.chance(0.45))
    for (const name of names) this.context[name] = this.value(2)
    this.context.s ??= this.r.pick(STRINGS)
    this.context.n ??= this.r.pick(INTS)
    this.context.xs ??= this.value(2)
    if (this.r.chance(0.5)) this.context.rec = this.records()
    if (this.r.chance(0.35)) this.context.tree = this.tree(2)
    for (const [k, v] of Object.entries(this.context)) this.scope.push({ code: k, ty: tyOf(v), value: v })
  }

  // ---- references ----

  /** The scope's variables and what can be reached from those with known values, a few levels down. */
  private refs(): Ref[] {
    const out: Ref[] = []
    const walk = (ref: Ref, depth: number): void => {
      out.push(ref)
      if (depth === 0) return
      const v = ref.value
      if (Array.isArray(v)) {
        v.slice(0, 4).forEach((x, i) => walk({ code: `${ref.code}[${i}]`, ty: tyOf(x), value: x }, depth - 1))
        if (v.length > 0) walk({ code: `${ref.code}[-1]`, ty: tyOf(v.at(-1)), value: v.at(-1) }, depth - 1)
      } else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          const code =
            IDENT.test(k) && !KEYWORDS.has(k) && this.r.chance(0.6)
              ? `${ref.code}.${k}`
              : `${ref.code}[${pyString(k, "'")}]`
          walk({ code, ty: tyOf(x), value: x }, depth - 1)
        }
      }
    }
    for (const ref of this.scope) walk(ref, 3)
    return out
  }

  /** A variable or a value reached from one, of type ty when there is one. */
  private ref(ty: Ty): string | undefined {
    const all = this.refs()
    const fits = all.filter((x) => x.ty === ty)
    const chosen = fits.length > 0 ? this.r.pick(fits) : undefined
    if (!chosen) return undefined
    this.mark('name')
    if (chosen.code.includes('.')) this.mark('attribute')
    if (chosen.code.includes('[')) this.mark('subscript')
    return chosen.code
  }

  // ---- literals ----

  private intLit(): string {
    const r = this.r
    const form = r.weighted([
      [10, 'plain'],
      [1, 'base'],
      [1, 'underscore'],
      [0.7, 'big'],
      [0.25, 'bad'],
    ] as const)
    this.mark('int-literal')
    switch (form) {
      case 'plain':
        return r.pick(['0', '1', '2', '3', '4', '5', '7', '10', '42', '100'])
      case 'base':
        this.mark('hex-octal-binary')
        return r.pick(['0x1f', '0XFF', '0x_ff', '0o17', '0O7', '0b101', '0B1_0'])
      case 'underscore':
        this.mark('underscore-number')
        return r.pick(['12_34', '1_000_000', '0_0'])
      case 'big':
        this.mark('big-int')
        return r.pick(['12345678901234567890', '9007199254740993', '18446744073709551616'])
      case 'bad':
        this.mark('bad-number')
        return r.pick(['007', '1__2', '0x', '1_', '0b2', '.5', '1.', '1e'])
    }
  }

  private floatLit(): string {
    this.mark('float-literal')
    const s = this.r.pick([
      '1.5',
      '0.25',
      '3.0',
      '0.1',
      '2.675',
      '100.0',
      '1e0',
      '1E3',
      '2.5e-3',
      '1e+2',
      '1_0.5',
      '1.5e300',
      this.r.chance(0.1) ? '1e400' : '0.5',
    ])
    if (/e/i.test(s)) this.mark('exponent')
    if (s.includes('_')) this.mark('underscore-number')
    return s
  }

  private strLit(): string {
    this.mark('string-literal')
    const q = this.r.chance(0.7) ? "'" : '"'
    let s = pyString(this.r.pick(STRINGS), q)
    if (this.r.chance(0.2)) {
      this.mark('string-escape')
      const esc = this.r.pick([
        '\\n',
        '\\t',
        '\\\\',
        '\\x41',
        '\\u00e9',
        '\\U0001F600',
        '\\N{BULLET}',
        '\\101',
        '\\q',
        `\\${q}`,
        '\\r\\n',
      ])
      const chars = [...s] // by code point: an escape never splits a surrogate pair
      const at = this.r.int(chars.length - 1) + 1
      s = chars.slice(0, at).join('') + esc + chars.slice(at).join('')
    }
    return s
  }

  private smallInt(): string {
    return this.r.pick(['0', '1', '2', '3', '-1', '4'])
  }

  // ---- expressions ----

  private anyTy(): Ty {
    return this.r.weighted<Ty>([
      [4, 'str'],
      [3, 'int'],
      [1, 'float'],
      [1.5, 'bool'],
      [0.4, 'none'],
      [2, 'list'],
      [1, 'dict'],
    ])
  }

  expr(ty: Ty, d: number): string {
    if (d <= 0 || this.r.chance(0.3)) return this.atom(ty, d)
    if (this.r.chance(0.04)) ty = this.anyTy() // the wrong type on purpose, now and then
    if (this.r.chance(0.05)) return this.cond(ty, d)
    switch (ty) {
      case 'str':
        return this.strExpr(d)
      case 'int':
        return this.intExpr(d)
      case 'float':
        return this.floatExpr(d)
      case 'bool':
        return this.boolExpr(d)
      case 'none':
        return this.r.chance(0.5) ? this.atom('none', d) : `${this.primary('dict', d)}.get(${this.strLit()})`
      case 'list':
        return this.listExpr(d)
      case 'dict':
        return this.dictExpr(d)
    }
  }

  /** An operand: parenthesised unless it is simple, or now and then left bare to test precedence. */
  private sub(ty: Ty, d: number): string {
    const e = this.expr(ty, d - 1)
    return simple(e) || (this.r.chance(0.07) && !e.includes(' if ')) ? e : `(${e})`
  }

  /** The target of a method call, attribute, subscript or slice: parenthesised unless it is simple. */
  private primary(ty: Ty, d: number): string {
    const e = this.expr(ty, d - 1)
    return simple(e) ? e : `(${e})`
  }

  private atom(ty: Ty, d: number): string {
    const r = this.r
    if (r.chance(0.02)) {
      this.mark('undefined-name')
      return r.pick(['missing', 'user.missing', 'undefined_thing', 'xs.nope'])
    }
    if (r.chance(0.55)) {
      const ref = this.ref(ty)
      if (ref !== undefined) return ref
    }
    switch (ty) {
      case 'str':
        return this.strLit()
      case 'int':
        return this.intLit()
      case 'float':
        return this.floatLit()
      case 'bool':
      case 'none':
        this.mark('bool-none-literal')
        return ty === 'none' ? r.pick(['none', 'None']) : r.pick(['true', 'false', 'True', 'False'])
      case 'list':
        return this.listLit(d)
      case 'dict':
        return this.dictLit(d)
    }
  }

  private items(n: number, d: number, ty?: Ty): string[] {
    return Array.from({ length: n }, () => this.expr(ty ?? this.anyTy(), Math.min(d - 1, 1)))
  }

  private comma(): string {
    if (!this.r.chance(0.15)) return ''
    this.mark('trailing-comma')
    return ','
  }

  private listLit(d: number): string {
    const r = this.r
    const ty = r.chance(0.6) ? r.pick<Ty>(['int', 'str', 'float']) : undefined
    const xs = this.items(r.int(4), d, ty)
    if (r.chance(0.25)) {
      this.mark('tuple')
      if (xs.length === 1) return `(${xs[0]},)`
      return `(${xs.join(', ')}${xs.length > 0 ? this.comma() : ''})`
    }
    this.mark('list-literal')
    return `[${xs.join(', ')}${xs.length > 0 ? this.comma() : ''}]`
  }

  private dictLit(d: number): string {
    this.mark('dict-literal')
    const n = this.r.int(4)
    const parts = Array.from({ length: n }, () => {
      const key = this.r.chance(0.85) ? pyString(this.r.pick(KEYS), "'") : this.intLit()
      return `${key}: ${this.expr(this.anyTy(), Math.min(d - 1, 1))}`
    })
    return `{${parts.join(', ')}${n > 0 ? this.comma() : ''}}`
  }

  /** The test of an if: Jinja2 parses it without conditional expressions, so one is parenthesised. */
  private condition(d: number): string {
    const e = this.expr('bool', d)
    return e.includes(' if ') ? `(${e})` : e
  }

  private cond(ty: Ty, d: number): string {
    this.mark('cond-expr')
    const c = this.sub('bool', d)
    if (this.r.chance(0.25)) {
      this.mark('cond-no-else')
      return `${this.sub(ty, d)} if ${c}`
    }
    return `${this.sub(ty, d)} if ${c} else ${this.sub(ty, d)}`
  }

  /** One of the options, of which only the one picked is generated (and marks its constructs). */
  private lazy<T>(options: ReadonlyArray<() => T>): T {
    return this.r.pick(options)()
  }

  private filter(name: string, args = ''): string {
    this.mark('filter')
    if (args !== '') this.mark(args.includes('=') ? 'filter-kwargs' : 'filter-args')
    return args === '' ? `|${name}` : `|${name}(${args})`
  }

  private strExpr(d: number): string {
    const r = this.r
    const s = (): string => this.sub('str', d)
    const any = (): string => this.sub(this.anyTy(), d)
    const choice = r.weighted([
      [3, 'concat'],
      [1, 'plus'],
      [4, 'filter'],
      [1, 'chain'],
      [1.5, 'join'],
      [2, 'show'],
      [2.5, 'method'],
      [1, 'slice'],
      [0.6, 'index'],
      [1.2, 'percent'],
      [0.8, 'format'],
      [this.macros.length > 0 ? 2 : 0, 'macro'],
      [this.caller !== undefined ? 3 : 0, 'caller'],
      [this.loopDepth > 0 ? 1.5 : 0, 'cycle'],
      [0.3, 'strftime'],
      [0.3, 'raise'],
      [0.2, 'self'],
      [0.3, 'joiner'],
      [1, 'misc'],
    ] as const)
    switch (choice) {
      case 'concat':
        this.mark('concat')
        return `${any()} ~ ${any()}`
      case 'plus':
        this.mark('add-sub')
        return `${s()} + ${s()}`
      case 'filter':
        return s() + this.strFilter()
      case 'chain':
        this.mark('filter-chain')
        return s() + this.strFilter() + this.strFilter()
      case 'join':
        return this.sub('list', d) + this.filter('join', r.chance(0.7) ? this.strLit() : '')
      case 'show':
        return (
          any() +
          this.lazy([
            () => this.filter('string'),
            () => this.filter('tojson'),
            () => this.filter('tojson', 'indent=2'),
            () => this.filter('pprint'),
            () => this.filter('e'),
            () => this.filter('default', this.strLit()),
            () => this.filter('d', `${this.strLit()}, true`),
          ])
        )
      case 'misc':
        return this.lazy([
          () => this.sub('dict', d) + this.filter('xmlattr'),
          () => this.sub('int', d) + this.filter('filesizeformat', r.chance(0.5) ? 'true' : ''),
          () =>
            ('rec' in this.context ? 'rec' : this.sub('list', d)) +
            this.filter('join', "', ', attribute='name'"),
          () => this.sub(this.anyTy(), d) + this.filter('tojson', 'sort_keys=true'),
          () => this.sub('dict', d) + this.filter('attr', "'name'"),
        ])
      case 'method':
        return this.strMethod(this.primary('str', d))
      case 'slice':
        return `${this.primary('str', d)}[${this.slice()}]`
      case 'index':
        this.mark('subscript')
        return `${this.primary('str', d)}[${this.smallInt()}]`
      case 'percent': {
        this.mark('percent-format')
        const f = r.pick([
          "'%s!'",
          "'%d items'",
          "'%05.2f'",
          "'%-4s|'",
          "'%r'",
          "'%x'",
          "'%s and %s'",
          "'%(name)s'",
          "'%%'",
          "'%5.1f%%'",
        ])
        const arg =
          f === "'%s and %s'"
            ? `(${any()}, ${any()})`
            : f === "'%(name)s'"
              ? `{'name': ${any()}}`
              : f.includes('d') || f.includes('f') || f.includes('x')
                ? this.sub(r.chance(0.5) ? 'int' : 'float', d)
                : any()
        return `${f} % ${arg}`
      }
      case 'format': {
        this.mark('str-method')
        const f = r.pick(["'{} and {}'", "'{0:>5}|{0:<3}'", "'{a}!'", "'{:.2f}'", "'{!r}'", "'{0[0]}'"])
        const args = f === "'{a}!'" ? `a=${any()}` : f.includes('and') ? `${any()}, ${any()}` : any()
        return r.chance(0.7)
          ? `${f}.format(${args})`
          : `${f.replace(/\{[^}]*\}/g, '%s')}${this.filter('format', args)}`
      }
      case 'macro':
        return this.macroCall(r.pick(this.macros), d)
      case 'caller': {
        const args = Array.from({ length: this.caller ?? 0 }, () => this.expr(this.anyTy(), d - 1))
        return `caller(${args.join(', ')})`
      }
      case 'cycle':
        this.mark('loop-cycle')
        this.mark('loop-var')
        return `loop.cycle(${this.strLit()}, ${this.strLit()})`
      case 'strftime':
        this.mark('strftime')
        return `strftime_now(${r.pick(["'%Y-%m-%d'", "'%d %B %Y'", "'%H:%M'", "'%A %j'"])})`
      case 'raise':
        this.mark('raise')
        return `raise_exception(${this.strLit()})`
      case 'self':
        this.mark('block')
        return this.closedBlocks.length > 0 ? `self.${this.r.pick(this.closedBlocks)}()` : `self.nope()`
      case 'joiner':
        this.mark('global-call')
        return this.lazy([
          () => `joiner(${this.strLit()})()`,
          () => `cycler(${this.strLit()}, ${this.strLit()}).next()`,
          () => 'namespace(a=1).a|string',
        ])
    }
  }

  private strFilter(): string {
    const r = this.r
    const name = r.pick([
      'upper',
      'lower',
      'title',
      'capitalize',
      'trim',
      'striptags',
      'e',
      'escape',
      'forceescape',
      'string',
      'safe',
      'urlencode',
      'urlize',
      'reverse',
      'replace',
      'truncate',
      'center',
      'indent',
      'wordwrap',
      'default',
      'first',
      'last',
      'list',
    ])
    switch (name) {
      case 'replace':
        return this.filter(
          'replace',
          `${this.strLit()}, ${this.strLit()}${r.chance(0.3) ? ', 1' : ''}${this.comma()}`,
        )
      case 'truncate':
        return this.filter('truncate', r.pick(['5', '8, true', "3, false, '..'", '9, leeway=0']))
      case 'center':
        return this.filter('center', r.pick(['', '9', '12']))
      case 'indent':
        return this.filter('indent', r.pick(['', '2', '2, true', "width='> '", '1, first=true, blank=true']))
      case 'wordwrap':
        return this.filter('wordwrap', r.pick(['5', '3, false', "4, true, '|'"]))
      case 'trim':
        return this.filter('trim', r.chance(0.3) ? "'a '" : '')
      case 'default':
        return this.filter(r.pick(['default', 'd']), this.strLit())
      case 'first':
      case 'last':
      case 'list':
        return this.filter(name) + this.filter('string')
      default:
        return this.filter(name)
    }
  }

  private strMethod(target: string): string {
    const r = this.r
    const m = r.pick([
      'upper()',
      'lower()',
      'strip()',
      'lstrip()',
      "rstrip('a ')",
      'title()',
      'capitalize()',
      'swapcase()',
      "replace('a', 'o')",
      "replace(' ', '')",
      'ljust(6)',
      "rjust(5, '*')",
      'zfill(4)',
      'center(7)',
      "removeprefix('a')",
      "removesuffix('c')",
      'casefold()',
      "split(',')|join('/')",
      "partition(' ')|join('+')",
      "splitlines()|join('|')",
      "join(['1', '2'])",
      'expandtabs(2)',
      "encode('utf-8')",
    ])
    this.mark('str-method')
    if (m.includes('|')) this.mark('filter')
    return `${target}.${m}`
  }

  private slice(): string {
    this.mark('slice')
    return this.r.pick(['1:', ':2', '::-1', '1:3', '-2:', '::2', '0:4:2', ':', '3:1', '-1:0:-1'])
  }

  private intExpr(d: number): string {
    const r = this.r
    const i = (): string => this.sub('int', d)
    const choice = r.weighted([
      [3, 'arith'],
      [1, 'mul'],
      [1, 'floordiv'],
      [1, 'mod'],
      [0.8, 'pow'],
      [0.7, 'unary'],
      [2.5, 'length'],
      [1, 'sum'],
      [1.5, 'intf'],
      [0.5, 'abs'],
      [0.8, 'minmax'],
      [0.8, 'strm'],
      [this.loopDepth > 0 ? 3 : 0, 'loop'],
      [0.4, 'listm'],
    ] as const)
    switch (choice) {
      case 'arith':
        this.mark('add-sub')
        return `${i()} ${r.pick(['+', '-'])} ${i()}`
      case 'mul':
        this.mark('mul')
        return r.chance(0.5) ? `${i()} * ${this.smallInt()}` : `${this.smallInt()} * ${i()}`
      case 'floordiv':
        this.mark('floordiv')
        return `${i()} // ${r.chance(0.7) ? r.pick(['2', '3', '-2', '7']) : i()}`
      case 'mod':
        this.mark('mod')
        return `${i()} % ${r.chance(0.7) ? r.pick(['2', '3', '-3', '10']) : i()}`
      case 'pow':
        this.mark('pow')
        return `${i()} ** ${r.pick(['0', '1', '2', '3'])}`
      case 'unary':
        this.mark('unary')
        return `${r.pick(['-', '+', '- -'])}${i()}`
      case 'length':
        return (
          this.sub(r.pick<Ty>(['list', 'str', 'dict']), d) +
          this.filter(r.pick(['length', 'count', 'length']))
        )
      case 'sum':
        return (
          this.lazy([
            () => this.sub('list', d),
            () => '[1, 2, 3]',
            () => 'range(5)',
            () => 'range(2, 9, 3)',
            () => 'range(3, 0, -1)',
          ]) + this.filter('sum', r.pick(['', '', 'start=10']))
        )
      case 'intf':
        return (
          this.sub(r.pick<Ty>(['str', 'float', 'int', 'bool']), d) +
          this.filter('int', r.pick(['', '', '7', '0, 16', 'base=2']))
        )
      case 'abs':
        return i() + this.filter('abs')
      case 'minmax':
        return (
          this.lazy([() => this.sub('list', d), () => '[3, 1, 2]', () => 'rec']) +
          this.filter(r.pick(['min', 'max']), r.pick(['', '', "attribute='n'", 'case_sensitive=true']))
        )
      case 'strm':
        this.mark('str-method')
        return `${this.primary('str', d)}.${r.pick(["find('a')", "count('a')", "rfind(' ')", "index('a')"])}`
      case 'loop':
        this.mark('loop-var')
        return `loop.${r.pick(['index', 'index0', 'revindex', 'revindex0', 'length', 'depth', 'depth0'])}`
      case 'listm':
        this.mark('list-dict-method')
        return `${this.primary('list', d)}.${r.pick(['count(1)', 'index(1)', "count('a')"])}`
    }
  }

  private floatExpr(d: number): string {
    const r = this.r
    const n = (): string => this.sub(r.chance(0.5) ? 'int' : 'float', d)
    const choice = r.pick(['div', 'mul', 'float', 'round', 'pow', 'plus', 'mod', 'floordiv'] as const)
    switch (choice) {
      case 'div':
        this.mark('truediv')
        return `${n()} / ${r.chance(0.7) ? r.pick(['2', '3', '0.5', '-4']) : n()}`
      case 'mul':
        this.mark('mul')
        return `${this.sub('float', d)} * ${r.pick(['2', '0.5', '-1.5', '3'])}`
      case 'float':
        return (
          this.sub(r.pick<Ty>(['str', 'int', 'float']), d) + this.filter('float', r.chance(0.2) ? '1.5' : '')
        )
      case 'round':
        return n() + this.filter('round', r.pick(['', '1', "2, 'floor'", "0, 'ceil'", "method='common'"]))
      case 'pow':
        this.mark('pow')
        return `${n()} ** ${r.pick(['2', '0.5', '-1', '3'])}`
      case 'plus':
        this.mark('add-sub')
        return `${this.sub('float', d)} ${r.pick(['+', '-'])} ${n()}`
      case 'mod':
        this.mark('mod')
        return `${this.sub('float', d)} % ${r.pick(['1', '0.5', '-2'])}`
      case 'floordiv':
        this.mark('floordiv')
        return `${this.sub('float', d)} // ${r.pick(['1', '0.5', '-2'])}`
    }
  }

  private boolExpr(d: number): string {
    const r = this.r
    const choice = r.weighted([
      [3, 'compare'],
      [1, 'chained'],
      [2, 'in'],
      [1.5, 'and'],
      [1.5, 'or'],
      [1, 'not'],
      [3, 'test'],
      [0.8, 'method'],
      [this.loopDepth > 0 ? 1.5 : 0, 'loop'],
    ] as const)
    switch (choice) {
      case 'compare': {
        this.mark('compare')
        const ty = r.pick<Ty>(['int', 'float', 'str', 'int', 'list', 'bool'])
        const op = r.pick(['==', '!=', '<', '<=', '>', '>='])
        return `${this.sub(ty, d)} ${op} ${this.sub(ty === 'float' ? 'int' : ty, d)}`
      }
      case 'chained':
        this.mark('compare')
        this.mark('chained-compare')
        return `${this.sub('int', d)} ${r.pick(['<', '<=', '=='])} ${this.sub('int', d)} ${r.pick(['<', '!=', '>='])} ${this.sub('int', d)}`
      case 'in': {
        const not = r.chance(0.35)
        this.mark(not ? 'not-in' : 'in')
        const op = not ? 'not in' : 'in'
        const container = r.pick<Ty>(['list', 'str', 'dict'])
        const item = container === 'str' ? 'str' : container === 'dict' ? 'str' : this.anyTy()
        return `${this.sub(item, d)} ${op} ${this.sub(container, d)}`
      }
      case 'and':
      case 'or':
        this.mark(choice)
        // Any operands: and/or give an operand, not a bool.
        return `${this.sub(r.chance(0.6) ? 'bool' : this.anyTy(), d)} ${choice} ${this.sub(r.chance(0.6) ? 'bool' : this.anyTy(), d)}`
      case 'not':
        this.mark('not')
        return `not ${this.sub(r.chance(0.7) ? 'bool' : this.anyTy(), d)}`
      case 'test':
        return this.test(d)
      case 'method':
        this.mark('str-method')
        return `${this.primary('str', d)}.${r.pick(["startswith('a')", "endswith(('c', 'd'))", 'isdigit()', 'isupper()', 'isspace()', 'isalpha()', 'istitle()'])}`
      case 'loop':
        this.mark('loop-var')
        if (r.chance(0.3)) {
          this.mark('loop-changed')
          return `loop.changed(${this.expr(this.anyTy(), 0)})`
        }
        return `loop.${r.pick(['first', 'last', 'previtem is defined', 'nextitem is undefined'])}`
    }
  }

  private test(d: number): string {
    const r = this.r
    this.mark('test')
    const not = r.chance(0.25)
    if (not) this.mark('not-test')
    const is = not ? 'is not' : 'is'
    const form = r.weighted([
      [3, 'bare'],
      [2, 'parens'],
      [1, 'noparens'],
    ] as const)
    if (form === 'bare') {
      const name = r.pick([
        'defined',
        'undefined',
        'none',
        'number',
        'string',
        'sequence',
        'mapping',
        'iterable',
        'callable',
        'odd',
        'even',
        'lower',
        'upper',
        'true',
        'false',
        'boolean',
        'integer',
        'float',
        'escaped',
      ])
      const ty =
        name === 'odd' || name === 'even'
          ? 'int'
          : name === 'lower' || name === 'upper'
            ? 'str'
            : this.anyTy()
      return `${this.sub(ty, d)} ${is} ${name}`
    }
    this.mark('test-args')
    const name = r.pick(['divisibleby', 'eq', 'ne', 'lt', 'gt', 'ge', 'le', 'in', 'sameas', 'filter', 'test'])
    // 'filter' and 'test' take no argument: they ask whether the subject names a filter or a test.
    if (name === 'filter' || name === 'test') return `${r.pick(["'upper'", "'odd'", "'nope'"])} ${is} ${name}`
    const [ty, arg] =
      name === 'in'
        ? [this.anyTy(), this.sub('list', d)]
        : name === 'divisibleby'
          ? ['int' as const, r.pick(['3', '2', '0'])]
          : [r.pick<Ty>(['int', 'str', 'none']), this.expr(r.pick<Ty>(['int', 'str', 'none']), 0)]
    const subject = this.sub(ty, d)
    if (form === 'parens') return `${subject} ${is} ${name}(${arg})`
    this.mark('test-bare-arg')
    return `${subject} ${is} ${name} ${arg}`
  }

  private listExpr(d: number): string {
    const r = this.r
    const l = (): string => this.sub('list', d)
    const choice = r.weighted([
      [2, 'literal'],
      [1.5, 'range'],
      [1, 'plus'],
      [0.6, 'mul'],
      [1, 'slice'],
      [3, 'filter'],
      [1.5, 'rec'],
      [1.5, 'dict'],
      [1, 'split'],
      [0.2, 'blocked'],
    ] as const)
    switch (choice) {
      case 'literal':
        return this.listLit(d)
      case 'range':
        this.mark('global-call')
        return this.lazy([
          () => 'range(3)',
          () => 'range(0)',
          () => 'range(1, 4)',
          () => 'range(5, 0, -2)',
          () => `range(${this.smallInt()})`,
          () => 'range(2, 12, 4)|list',
        ])
      case 'plus':
        this.mark('add-sub')
        return `${l()} + ${l()}`
      case 'mul':
        this.mark('mul')
        return `${l()} * ${r.pick(['2', '0', '-1'])}`
      case 'slice':
        return `${this.primary('list', d)}[${this.slice()}]`
      case 'filter': {
        const f = this.lazy([
          () => this.filter('sort'),
          () => this.filter('sort', 'reverse=true'),
          () => this.filter('unique') + this.filter('list'),
          () => this.filter('reverse') + this.filter('list'),
          () => this.filter('map', "'upper'") + this.filter('list'),
          () => this.filter('map', "'string'") + this.filter('list'),
          () => this.filter('select', "'odd'") + this.filter('list'),
          () => this.filter('reject', "'none'") + this.filter('list'),
          () => this.filter('select') + this.filter('list'),
          () => this.filter('batch', '2') + this.filter('list'),
          () => this.filter('batch', "3, 'x'") + this.filter('list'),
          () => this.filter('slice', '2') + this.filter('list'),
          () => this.filter('list'),
          () => this.filter('unique', 'case_sensitive=true') + this.filter('list'),
          () => this.filter('map', "'int'") + this.filter('list'),
          () => this.filter('map', "'default', 0") + this.filter('list'),
        ])
        if (f.split('|').length > 2) this.mark('filter-chain')
        return l() + f
      }
      case 'rec': {
        const rec = 'rec' in this.context && this.r.chance(0.7) ? 'rec' : this.sub('list', d)
        const f = this.lazy([
          () => this.filter('sort', "attribute='n'"),
          () => this.filter('sort', "attribute='name,n'"),
          () => this.filter('selectattr', "'flag'") + this.filter('list'),
          () => this.filter('selectattr', "'n', 'gt', 1") + this.filter('list'),
          () => this.filter('rejectattr', "'name', 'equalto', 'Ann'") + this.filter('list'),
          () => this.filter('map', "attribute='name'") + this.filter('list'),
          () => this.filter('map', "attribute='zz', default='?'") + this.filter('list'),
          () =>
            this.filter('groupby', "'n'") + this.filter('map', "attribute='grouper'") + this.filter('list'),
          () =>
            this.filter('groupby', "'flag'") + this.filter('map', "attribute='list'") + this.filter('list'),
          () =>
            this.filter('sort', "attribute='name', case_sensitive=true") +
            this.filter('map', "attribute='name'") +
            this.filter('list'),
          () => this.filter('unique', "attribute='n'") + this.filter('list'),
        ])
        this.mark('filter-chain')
        return rec + f
      }
      case 'dict': {
        const dd = this.primary('dict', d)
        if (r.chance(0.5)) {
          this.mark('list-dict-method')
          return `${dd}.${r.pick(['items()', 'keys()', 'values()'])}${this.filter('list')}`
        }
        return (
          dd +
          this.lazy([
            () => this.filter('dictsort'),
            () => this.filter('dictsort', "by='value'"),
            () => this.filter('dictsort', 'reverse=true'),
            () => this.filter('items') + this.filter('list'),
            () => this.filter('list'),
          ])
        )
      }
      case 'split':
        this.mark('str-method')
        return `${this.primary('str', d)}.${r.pick(['split()', "split(',')", "rsplit(' ', 1)", 'splitlines()', "partition(' ')"])}`
      case 'blocked': {
        // Not pop() or clear(): Jinja2 3.1.2's sandbox (Debian's, which CI runs) let them through.
        this.mark('blocked-method')
        return `${this.primary('list', d)}.${r.pick(['append(1)', 'insert(0, 1)', 'sort()', 'extend([2])', 'reverse()'])}`
      }
    }
  }

  private dictExpr(d: number): string {
    const r = this.r
    const choice = r.pick(['literal', 'literal', 'call', 'copy', 'blocked'] as const)
    switch (choice) {
      case 'literal':
        return this.dictLit(d)
      case 'call':
        this.mark('global-call')
        return `dict(${this.lazy([() => '', () => 'a=1', () => `name=${this.expr('str', 0)}, n=2`, () => `k=${this.expr(this.anyTy(), 0)},`])})`
      case 'copy':
        this.mark('list-dict-method')
        return `${this.primary('dict', d)}.copy()`
      case 'blocked': {
        if (r.chance(0.7)) {
          this.mark('list-dict-method')
          return `${this.primary('dict', d)}.get('name', ${this.expr('str', 0)})`
        }
        this.mark('blocked-method')
        return `${this.primary('dict', d)}.${r.pick(["update({'a': 1})", "pop('a')", "setdefault('a', 1)"])}`
      }
    }
  }

  // ---- statements ----

  private ws(): [string, string] {
    const r = this.r
    const mod = (): string => {
      const m = r.weighted([
        [12, ''],
        [2, '-'],
        [1, '+'],
      ] as const)
      if (m === '-') this.mark('ws-minus')
      if (m === '+') this.mark('ws-plus')
      return m
    }
    return [mod(), mod()]
  }
  private tag(inner: string): string {
    const [l, r] = this.ws()
    const pre = this.r.chance(0.2) ? this.r.pick(['\n', '\n  ', '  ', '\t']) : ''
    return `${pre}{%${l} ${inner} ${r}%}`
  }
  private text(): string {
    this.mark('text')
    const pieces = [
      'a',
      'b',
      ' ',
      '\n',
      '  ',
      '\t',
      'Hi',
      ',',
      '.',
      ':',
      '-',
      '\n\n',
      '  \n',
      'x y',
      '\n    ',
      'é',
      '}',
      '#',
    ]
    return Array.from({ length: 1 + this.r.int(3) }, () => this.r.pick(pieces)).join('')
  }
  private output(d: number): string {
    this.mark('output')
    const [l, r] = this.ws()
    return `{{${l} ${this.expr(this.anyTy(), 1 + this.r.int(d))} ${r === '+' ? '' : r}}}`
  }

  body(d: number, n = 1 + this.r.int(3)): string {
    const mark = this.scope.length
    let out = ''
    for (let i = 0; i < n; i++) out += this.stmt(d)
    this.scope.length = mark
    return out
  }

  private stmt(d: number): string {
    const r = this.r
    const nest = d >= MAX_STMT_DEPTH ? 0 : d === 0 ? 1 : 0.6
    const choice = r.weighted([
      [3, 'text'],
      [5, 'output'],
      [0.7, 'comment'],
      [2 * nest, 'if'],
      [2 * nest, 'for'],
      [1.5, 'set'],
      [0.5 * nest, 'setblock'],
      [0.4 * nest, 'with'],
      [d === 0 ? 0.8 : 0, 'macro'],
      [this.macros.some((m) => m.caller !== undefined) ? 0.8 * nest : 0, 'call'],
      [0.4 * nest, 'filter'],
      [0.25, 'raw'],
      [0.3 * nest, 'block'],
      [this.loopDepth > 0 ? 0.8 : 0, 'loopctl'],
      [0.15 * nest, 'generation'],
      [d === 0 ? 0.5 : 0, 'namespace'],
    ] as const)
    switch (choice) {
      case 'text':
        return this.text()
      case 'output':
        return this.output(MAX_EXPR_DEPTH)
      case 'comment': {
        this.mark('comment')
        const [l, rr] = this.ws()
        return `{#${l === '+' ? '' : l} ${r.pick(['note', '{{ x }}', 'multi\nline', '{% if %}'])} ${rr === '+' ? '' : rr}#}`
      }
      case 'if': {
        this.mark('if')
        let out = this.tag(`if ${this.condition(2)}`) + this.body(d + 1)
        const elifs = r.int(3) === 0 ? 1 + r.int(2) : 0
        for (let i = 0; i < elifs; i++) {
          this.mark('elif')
          out += this.tag(`elif ${this.condition(2)}`) + this.body(d + 1)
        }
        if (r.chance(0.4)) {
          this.mark('else')
          out += this.tag('else') + this.body(d + 1)
        }
        return out + this.tag('endif')
      }
      case 'for':
        return this.forLoop(d)
      case 'set':
        return this.set()
      case 'setblock': {
        this.mark('set-block')
        const name = this.fresh('v')
        let filters = ''
        if (r.chance(0.4)) {
          this.mark('set-block-filter')
          filters = ' ' + this.strFilter() + (r.chance(0.3) ? this.strFilter() : '')
        }
        const out = this.tag(`set ${name}${filters}`) + this.body(d + 1) + this.tag('endset')
        this.scope.push({ code: name, ty: 'str' })
        return out
      }
      case 'with': {
        this.mark('with')
        const names = Array.from({ length: 1 + r.int(2) }, () => this.fresh('w'))
        const assigns = names.map((n) => {
          const ty = this.anyTy()
          return [n, ty, `${n} = ${this.expr(ty, 2)}`] as const
        })
        const mark = this.scope.length
        for (const [n, ty] of assigns) this.scope.push({ code: n, ty })
        const inner = this.body(d + 1)
        this.scope.length = mark
        return this.tag(`with ${assigns.map((a) => a[2]).join(', ')}`) + inner + this.tag('endwith')
      }
      case 'macro':
        return this.macro(d)
      case 'call':
        return this.callBlock(d)
      case 'filter': {
        this.mark('filter-section')
        const f = r.pick([
          'upper',
          'lower',
          'trim',
          'title',
          "replace('a', 'X')",
          'indent(2)',
          'trim|upper',
          'center(12)',
          'e',
          'wordcount',
          'length',
        ])
        return this.tag(`filter ${f}`) + this.body(d + 1) + this.tag('endfilter')
      }
      case 'raw': {
        this.mark('raw')
        const content = r.pick(['{{ x }}', '{% if %}', ' {# c #} ', 'plain', '{{', '%}', '\n{%- x -%}\n'])
        return this.tag('raw') + content + this.tag('endraw')
      }
      case 'block': {
        this.mark('block')
        const name = `b${++this.blocks}`
        const scoped = this.loopDepth > 0 && r.chance(0.5) ? ' scoped' : ''
        const inner = this.body(d + 1)
        this.closedBlocks.push(name)
        return (
          this.tag(`block ${name}${scoped}`) +
          inner +
          this.tag(r.chance(0.5) ? `endblock ${name}` : 'endblock')
        )
      }
      case 'loopctl': {
        const kind = r.pick(['break', 'continue'] as const)
        this.mark(kind)
        return r.chance(0.7)
          ? this.tag(`if ${this.condition(1)}`) + this.tag(kind) + this.tag('endif')
          : this.tag(kind)
      }
      case 'generation':
        this.mark('generation')
        return this.tag('generation') + this.body(d + 1) + this.tag('endgeneration')
      case 'namespace': {
        // The way chat templates count across loop iterations.
        this.mark('namespace')
        this.mark('set')
        const ns = this.fresh('ns')
        const init = this.tag(
          `set ${ns} = namespace(${r.pick(['n=0', "n=0, s=''", "s='', n=0, found=false", 'n=1'])})`,
        )
        this.scope.push({ code: `${ns}.n`, ty: 'int' })
        const loopVar = this.fresh('i')
        const iter = `(${this.expr('list', 1)})`
        const update = this.tag(`set ${ns}.n = ${ns}.n + ${r.pick(['1', `${loopVar}|length`, 'loop.index'])}`)
        this.mark('for')
        return (
          init +
          this.tag(`for ${loopVar} in ${iter}`) +
          update +
          this.tag('endfor') +
          this.tag(`set ${ns}.s = ${ns}.n|string`) +
          `{{ ${ns}.n }}`
        )
      }
    }
  }

  private set(): string {
    const r = this.r
    this.mark('set')
    if (r.chance(0.15)) {
      this.mark('set-unpack')
      const [a, b] = [this.fresh('p'), this.fresh('q')]
      const rhs = r.weighted([
        [3, () => `${this.expr('int', 1)}, ${this.expr('str', 1)}`],
        [3, () => `(${this.expr('str', 1)}, ${this.expr('int', 1)})`],
        [1, () => this.expr('list', 1)],
      ])()
      const out = this.tag(`set ${a}, ${b} = ${rhs}`)
      this.scope.push({ code: a, ty: 'str' }, { code: b, ty: 'int' })
      return out
    }
    const ty = this.anyTy()
    const existing = this.scope.filter((x) => IDENT.test(x.code) && x.ty === ty)
    const name = existing.length > 0 && r.chance(0.3) ? r.pick(existing).code : this.fresh('v')
    const out = this.tag(`set ${name} = ${this.expr(ty, MAX_EXPR_DEPTH)}`)
    this.scope.push({ code: name, ty })
    return out
  }

  private forLoop(d: number): string {
    const r = this.r
    this.mark('for')
    if (r.chance(0.15)) return this.recursiveLoop(d)
    const mark = this.scope.length
    let head: string
    if (r.chance(0.2)) {
      this.mark('for-unpack')
      const [k, v] = [this.fresh('k'), this.fresh('v')]
      const src = this.lazy([
        () => `${this.sub('dict', 2)}.items()`,
        () => `${this.sub('dict', 2)}|dictsort`,
        () => "[(1, 'a'), (2, 'b')]",
        () => `${this.sub('list', 2)}|batch(2)`,
      ])
      head = `${k}, ${v} in ${src}`
      this.scope.push({ code: k, ty: 'str' }, { code: v, ty: this.anyTy() })
    } else {
      const x = this.fresh('x')
      const src = this.iterable()
      head = `${x} in ${src.code.includes(' if ') ? `(${src.code})` : src.code}`
      const sample = Array.isArray(src.value) ? src.value[0] : undefined
      this.scope.push(
        sample !== undefined
          ? { code: x, ty: tyOf(sample), value: sample }
          : { code: x, ty: src.ty === 'str' ? 'str' : this.anyTy() },
      )
    }
    if (r.chance(0.2)) {
      this.mark('for-filter')
      head += ` if (${this.expr('bool', 1)})`
    }
    this.loopDepth++
    let out = this.tag(`for ${head}`) + this.body(d + 1)
    this.loopDepth--
    this.scope.length = mark
    if (r.chance(0.25)) {
      this.mark('for-else')
      out += this.tag('else') + this.body(d + 1)
    }
    return out + this.tag('endfor')
  }

  private iterable(): Ref {
    const lists = this.refs().filter(
      (x) => x.ty === 'list' || x.ty === 'dict' || (x.ty === 'str' && this.r.chance(0.2)),
    )
    if (lists.length > 0 && this.r.chance(0.6)) {
      const ref = this.r.pick(lists)
      this.mark('name')
      return ref
    }
    return { code: this.expr('list', 2), ty: 'list' }
  }

  /** A recursive loop over the tree or a nested list, with loop() on the children. */
  private recursiveLoop(d: number): string {
    this.mark('recursive')
    this.mark('loop-var')
    const x = this.fresh('node')
    const mark = this.scope.length
    this.loopDepth++
    let head: string
    let children: string
    if ('tree' in this.context && this.r.chance(0.7)) {
      head = `for ${x} in tree recursive`
      children = `{% if ${x}.children %}[{{ loop(${x}.children) }}]{% endif %}`
      this.scope.push({ code: `${x}.name`, ty: 'str' })
    } else {
      head = `for ${x} in ${this.r.pick(['[1, [2, [3, 4]], 5]', "['a', ['b'], []]", 'xs', '[[[]]]'])} recursive`
      children = `{% if ${x} is iterable and ${x} is not string %}({{ loop(${x}) }}){% else %}{{ ${x} }}{% endif %}`
    }
    const before = this.body(d + 1, this.r.int(2))
    const out =
      this.tag(head) +
      before +
      `{{ loop.depth }}` +
      children +
      this.body(d + 1, this.r.int(2)) +
      this.tag('endfor')
    this.loopDepth--
    this.scope.length = mark
    return out
  }

  private macro(d: number): string {
    const r = this.r
    this.mark('macro')
    const name = this.fresh('m')
    const params = Array.from({ length: r.int(3) }, () => r.pick<Ty>(['str', 'int', 'list', 'str']))
    const defaults = params.length > 0 && r.chance(0.4) ? 1 : 0
    const catchAll = r.chance(0.25)
    const caller = r.chance(0.3) ? r.int(2) : undefined
    const names = params.map((_, i) => `p${i}`)
    const sig = names.map((n, i) => (i >= params.length - defaults ? `${n}=${this.atom(params[i]!, 0)}` : n))
    const saved = { scope: this.scope, caller: this.caller, loop: this.loopDepth }
    // A macro sees its parameters and the template's globals, not the caller's loop.
    this.scope = [
      ...this.scope.filter((x) => x.value !== undefined),
      ...names.map((n, i) => ({ code: n, ty: params[i]! })),
    ]
    this.caller = caller
    this.loopDepth = 0
    let inner = this.body(d + 1)
    if (caller !== undefined)
      inner += `{{ caller(${Array.from({ length: caller }, () => this.expr('str', 1)).join(', ')}) }}`
    if (catchAll) inner += '{{ varargs }}{{ kwargs }}'
    this.scope = saved.scope
    this.caller = saved.caller
    this.loopDepth = saved.loop
    const macro = { name, params, defaults, catchAll, caller }
    this.macros.push(macro)
    const definition = this.tag(`macro ${name}(${sig.join(', ')})`) + inner + this.tag('endmacro')
    // Used right away, mostly: a macro defined last in a template would go uncalled.
    if (r.chance(0.3)) return definition
    if (caller !== undefined && r.chance(0.7)) return definition + this.callBlock(d, macro)
    return definition + `{{ ${this.macroCall(macro, 2)} }}`
  }

  private macroCall(m: Macro, d: number): string {
    const r = this.r
    this.mark('macro-call')
    const args = m.params.slice(0, m.params.length - r.int(m.defaults + 1)).map((t) => this.expr(t, d - 1))
    if (m.catchAll && r.chance(0.5)) {
      this.mark('varargs-kwargs')
      args.push(r.chance(0.5) ? this.expr('str', 0) : `extra=${this.expr('int', 0)}`)
    }
    return `${m.name}(${args.join(', ')})`
  }

  private callBlock(d: number, m = this.r.pick(this.macros.filter((x) => x.caller !== undefined))): string {
    this.mark('call-block')
    const args = m.params.slice(0, m.params.length - m.defaults).map((t) => this.expr(t, 1))
    const mark = this.scope.length
    let head = 'call '
    if (m.caller !== undefined && m.caller > 0) {
      this.mark('call-args')
      const names = Array.from({ length: m.caller }, () => this.fresh('c'))
      for (const n of names) this.scope.push({ code: n, ty: 'str' })
      head = `call(${names.join(', ')}) `
    }
    const inner = this.body(d + 1)
    this.scope.length = mark
    return this.tag(`${head}${m.name}(${args.join(', ')})`) + inner + this.tag('endcall')
  }

  /** One small syntax mutation: drop, double or swap a token. */
  mutate(template: string): string {
    const r = this.r
    const toks = tokenize(template)
    if (toks.length === 0) return template
    this.mark('mutation')
    const i = r.int(toks.length)
    const kind = r.pick(['drop', 'drop', 'double', 'swap-delimiter', 'insert'] as const)
    if (kind === 'drop') toks.splice(i, 1)
    else if (kind === 'double') toks.splice(i, 0, toks[i]!)
    else if (kind === 'insert')
      toks.splice(i, 0, r.pick(['}}', '%}', '{%', '{{', ')', '(', ',', '|', 'endif', '=', '.', ':']))
    else {
      const swap: Record<string, string> = {
        '{{': '{%',
        '{%': '{{',
        '}}': '%}',
        '%}': '}}',
        '{#': '{{',
        '#}': '}}',
      }
      const at = toks.findIndex((t, j) => j >= i && swap[t.replace(/[-+]/g, '')] !== undefined)
      const t = toks[at]
      if (t !== undefined) toks[at] = swap[t.replace(/[-+]/g, '')]!
    }
    return toks.join('')
  }

  get constructs(): string[] {
    return CONSTRUCTS.filter((c) => this.used.has(c))
  }
}

/** A name, a literal or a path of them: an operand that needs no parentheses. */
function simple(e: string): boolean {
  return /^[\w.'"[\]-]+$/.test(e) && !/^-|\.$/.test(e)
}

/** A Python string literal of s in the given quote. */
function pyString(s: string, q: string): string {
  return q + s.replace(/\\/g, '\\\\').replaceAll(q, `\\${q}`) + q
}

/** Case `index` of the run with this seed. */
export function generateCase(seed: number, index: number): FuzzCase {
  const g = new Gen(caseSeed(seed, index))
  g.makeContext()
  let template = g.body(0, 1 + Math.floor(mulberry32(caseSeed(seed, index) ^ 1)() * 5))
  if (mulberry32(caseSeed(seed, index) ^ 2)() < 0.08) template = g.mutate(template)
  return { template, context: g.context, constructs: g.constructs }
}

export function generateCases(seed: number, count: number, from = 0): FuzzCase[] {
  return Array.from({ length: count }, (_, i) => generateCase(seed, from + i))
}

/**
 * A template cut into the tokens the mutations and the shrinker work on: delimiters with their whitespace
 * modifiers, names, numbers, string literals, operators, runs of whitespace, single characters (code
 * points: a surrogate pair is never split). Joining the tokens gives the template back.
 */
export function tokenize(template: string): string[] {
  return (
    template.match(
      /\{[{%#][-+]?|[-+]?[}%#]\}|\s+|[A-Za-z_][A-Za-z_0-9]*|\d[\w.]*|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|\*\*|\/\/|[=!<>]=|[\s\S]/gu,
    ) ?? []
  )
}
