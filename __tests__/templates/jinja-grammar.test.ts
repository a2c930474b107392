/**
 * The grammar of Jinja2 3.1.6 as our lexer, parser and checks read it (src/templates/jinja-lexer.ts,
 * jinja-parser.ts, jinja-checks.ts) and our interpreter renders it: one case per construct, with what
 * Python Jinja2 3.1.6 does in transformers' environment (scripts/jinja2_reference.py) written down, so
 * the cases hold without Python; when python3 with jinja2 is installed, the written expectations are
 * checked against it too. A compile error is Jinja2's TemplateSyntaxError or TemplateAssertionError (or
 * Python's own SyntaxError on the code Jinja2 generates, for a misplaced break), an error one raised while
 * rendering.
 */
import { describe, expect, test } from '@jest/globals'
import { compileTemplate, renderTemplate } from '../../src/templates/render.js'
import { pythonAvailable, runReference } from '../helpers/jinja-reference.js'

type Expected =
  | { text: string }
  | { compile: string }
  /** `ours` when our message words the same error differently. */
  | { error: string; ours?: string }

const CASES: [string, string, Expected, Record<string, unknown>?][] = [
  [
    'number literals as Jinja2 reads them',
    '{{ 1e0 }}|{{ 1E2 }}|{{ 2.5e-1 }}|{{ 1_000.000_1 }}|{{ 12_34_56 }}|{{ 0x1f }}|{{ 0X1F }}|{{ 0o17 }}|{{ 0b101 }}|{{ 0_0 }}',
    { text: '1.0|100.0|0.25|1000.0001|123456|31|31|15|5|0' },
  ],
  [
    'an integer past 2^53 is exact',
    '{{ 123456789012345678901234567890 }}|{{ 0xffffffffffffffffff }}',
    { text: '123456789012345678901234567890|4722366482869645213695' },
  ],
  ['.5 is not a number', '{{ .5 }}', { compile: "unexpected '.'" }],
  [
    'a leading zero ends the number',
    '{{ 012 }}',
    { compile: "expected token 'end of print statement', got 'integer'" },
  ],
  [
    'an underscore must sit between digits',
    '{{ 1_ }}',
    { compile: "expected token 'end of print statement', got '_'" },
  ],
  [
    '1.5e is the float 1.5, then a name',
    '{{ 1.5e }}',
    { compile: "expected token 'end of print statement', got 'e'" },
  ],
  ['.0.1 after a name is item access, not a float', '{{ x.0.1 }}', { text: '2' }, { x: [[1, 2]] }],
  [
    'string escapes decoded as Python decodes them',
    "{{ 'a\\tb\\x41\\u00e9\\U0001F600\\101\\q\\'' }}|{{ \"it's\" }}|{{ 'a' \"b\" 'c' }}",
    { text: "a\tbAé😀A\\q'|it's|abc" },
  ],
  ['a backslash before a non-ASCII character', "{{ '\\é' }}", { text: '\\xe9' }],
  ['a truncated \\x escape', "{{ '\\x4' }}", { compile: 'truncated \\xXX escape' }],
  [
    'tests take one argument without parentheses',
    '{{ 6 is divisibleby 3 }}|{{ 1 is eq 1 }}|{{ 2 is gt 1 }}|{{ "o" is in "foo" }}|{{ false is sameas false }}|{{ 3 is not divisibleby 2 }}',
    { text: 'True|True|True|True|True|True' },
  ],
  [
    'a test argument stops before and / or / else',
    '{{ 1 is number and 2 }}|{{ 1 if 1 is odd else 2 }}|{{ [1] is sequence or 0 }}',
    { text: '2|1|True' },
  ],
  [
    'tests do not chain',
    '{{ x is defined is defined }}',
    { compile: 'You cannot chain multiple tests with is' },
  ],
  [
    'chained comparisons',
    '{{ 4 < 2 < 3 }}|{{ 1 < 2 < 3 }}|{{ 1 == 1 != 2 }}|{{ 1 in [1] in [True] }}|{{ 1 not in [2] }}',
    { text: 'False|True|True|False|True' },
  ],
  [
    'each operand of a chained comparison is evaluated once',
    '{% set ns = namespace(n=0) %}{% macro f() %}{% set ns.n = ns.n + 1 %}2{% endmacro %}{{ 1 < f()|int < 3 }}{{ ns.n }}',
    { text: 'True1' },
  ],
  [
    'tuple literals and trailing commas',
    '{{ () }}|{{ (1,) }}|{{ (1, 2,) }}|{{ [1,] }}|{{ {1: 2,} }}|{{ range(3,)|list }}',
    { text: '()|(1,)|(1, 2)|[1]|{1: 2}|[0, 1, 2]' },
  ],
  ['a bare comma makes a tuple', '{{ 1, 2 }}', { text: '(1, 2)' }],
  ['a subscript with a trailing comma', '{{ [1, 2][1,] }}', { compile: "unexpected ']'" }],
  [
    'an empty expression is no tuple',
    '{{ }}',
    { compile: "Expected an expression, got 'end of print statement'" },
  ],
  [
    'set unpacks tuples',
    '{% set a, b = 1, 2 %}{{ a }}{{ b }}|{% set (c, d) = [3, 4] %}{{ c }}{{ d }}',
    { text: '12|34' },
  ],
  [
    'for unpacks nested tuples',
    '{% for a, (b, c) in [(1, (2, 3))] %}{{ a }}{{ b }}{{ c }}{% endfor %}',
    { text: '123' },
  ],
  ['a constant is not assignable', '{% set true = 1 %}', { compile: "can't assign to 'const'" }],
  [
    'none is not assignable either',
    '{% for none in x %}{% endfor %}',
    { compile: "can't assign to 'const'" },
  ],
  [
    'a loop variable named loop',
    '{% for a, loop in x %}{% endfor %}',
    { compile: "Can't assign to special loop variable in for-loop target" },
  ],
  [
    'namespace attributes are assignable',
    '{% set ns = namespace(a=1) %}{% set ns.b = ns.a + 1 %}{{ ns.b }}',
    { text: '2' },
  ],
  [
    'only a namespace takes attributes',
    '{% set x = 1 %}{% set x.b = 1 %}',
    { error: 'cannot assign attribute on non-namespace object' },
  ],
  [
    'a conditional expression without else',
    '[{{ 1 if false }}]|{% set x = 1 if false %}{{ x is defined }}',
    { text: '[]|False' },
  ],
  [
    'using its undefined names the line',
    '\n{{ (1 if false) + 1 }}',
    { error: 'the inline if-expression on line 2 evaluated to false and no else section was defined.' },
  ],
  [
    'nested conditional expressions',
    '{{ 1 if true else 2 if false else 3 }}|{{ 1 if false if true else 2 }}',
    { text: '1|' },
  ],
  [
    'precedence and associativity',
    '{{ -1|abs }}|{{ -2 ** 2 }}|{{ 2 ** 3 ** 2 }}|{{ - - 1 }}|{{ not not 1 }}|{{ not 1 == 2 }}|{{ 1 + 2 * 3 - 4 / 2 // 1 % 3 }}|{{ 1 ~ 2 * 3 }}',
    { text: '1|4|64|1|True|True|5.0|16' },
  ],
  ['raw keeps tags as text', '{% raw %}{{ x }}{% if %}{% endraw %}', { text: '{{ x }}{% if %}' }],
  [
    'raw with whitespace control',
    '{%- raw -%}  x  {%- endraw -%}  y|  {% raw %}  a  {% endraw %}\nb',
    { text: 'xy|    a  b' },
  ],
  ['an unterminated raw block', 'a{% raw %}b', { compile: 'Missing end of raw directive' }],
  ['raw at the very end renders nothing more', 'a{% raw %}', { text: 'a' }],
  [
    'raw with a plus sign is not raw',
    '{% raw +%}x{% endraw %}',
    { compile: "Encountered unknown tag 'raw'." },
  ],
  ['trim_blocks and lstrip_blocks', '  {% if true %}\n  x\n  {% endif %}\ny', { text: '  x\ny' }],
  ['plus signs keep what trim and lstrip remove', '  {%+ if true +%}\nx{% endif %}', { text: '  \nx' }],
  [
    'minus signs strip all whitespace',
    'a  \n {%- if true -%}  \n b{% endif %}|{{- 1 -}} |',
    { text: 'ab|1|' },
  ],
  ['comments, trimmed and kept', 'a{# c #}\nb|  {#- c -#}  d|{# c +#}\ne', { text: 'ab|d|\ne' }],
  ['a comment left open at the very end', 'abc{#', { text: 'abc' }],
  ['a comment left open', '{# abc\nd', { compile: 'Missing end of comment tag' }],
  [
    'with binds in the enclosing scope, locally',
    '{% set a = 5 %}{% with a = 1, b = a %}{{ a }}{{ b }}{% endwith %}{{ a }}',
    { text: '155' },
  ],
  [
    'autoescape escapes output inside its block only',
    '{% autoescape true %}{{ "<b>" }}{{ "<"|safe }}{{ "a" ~ "<" }}{{ 1 }}{% endautoescape %}{{ "<b>" }}',
    { text: '&lt;b&gt;<a&lt;1<b>' },
  ],
  [
    'autoescape makes macros and set blocks Markup',
    '{% autoescape true %}{% macro m() %}<{% endmacro %}{{ m() }}{% set x %}<{% endset %}{{ x }}{% endautoescape %}',
    { text: '<<' },
  ],
  [
    'autoescape false and a variable',
    '{% autoescape false %}{{ "<" }}{% endautoescape %}{% autoescape x %}{{ "<" }}{% endautoescape %}',
    { text: '<<' },
    { x: 0 },
  ],
  ['blocks render in place', 'a{% block b %}B{% endblock %}c{{ self.b() }}', { text: 'aBcB' }],
  [
    'a block sees the template variables, not the loop ones',
    '{% set x = 1 %}{% for i in [2] %}{% block b %}{{ x }}{{ i }}{% endblock %}{% endfor %}',
    { text: '1' },
  ],
  [
    'a scoped block sees the loop ones',
    '{% for i in [2] %}{% block b scoped %}{{ i }}{% endblock %}{% endfor %}',
    { text: '2' },
  ],
  [
    'super() in a single template',
    '{% block b %}{{ super() }}{% endblock %}',
    { error: "there is no parent block called 'b'." },
  ],
  [
    'a block name defined twice',
    '{% block b %}{% endblock %}{% block b %}{% endblock %}',
    { compile: "block 'b' defined twice" },
  ],
  [
    'a required block',
    '{% block b required %} {# note #} {% endblock %}',
    { error: "Required block 'b' not found" },
  ],
  [
    'a required block with content',
    '{% block b required %}x{% endblock %}',
    { compile: 'Required blocks can only contain comments or whitespace' },
  ],
  ['the end tag may repeat the name', '{% block b %}x{% endblock b %}', { text: 'x' }],
  [
    'self names no other block',
    '{% block b %}{% endblock %}{{ self.c() }}',
    { error: "'jinja2.runtime.TemplateReference object' has no attribute 'c'" },
  ],
  [
    'recursive loops and their depth',
    '{% for i in x recursive %}<{{ loop.depth }}{{ loop.depth0 }}{{ i.n }}{% if i.c %}{{ loop(i.c) }}{% endif %}>{% endfor %}',
    { text: '<101<212<323>>><104>' },
    { x: [{ n: 1, c: [{ n: 2, c: [{ n: 3 }] }] }, { n: 4 }] },
  ],
  [
    'a loop that is not recursive cannot be called',
    '{% for i in [1] %}{{ loop([]) }}{% endfor %}',
    { error: "The loop must have the 'recursive' marker to be called recursively." },
  ],
  [
    'depth is 1 in a nested loop that is not recursive',
    '{% for a in [1] %}{% for b in [1] %}{{ loop.depth }}{% endfor %}{% endfor %}',
    { text: '1' },
  ],
  [
    'a recursive loop with a filter and an else',
    '{% for i in x if i.n != 2 recursive %}{{ i.n }}{{ loop(i.c or []) }}{% else %}E{% endfor %}',
    { text: '1E34E' },
    {
      x: [
        { n: 1, c: [{ n: 2 }] },
        { n: 3, c: [{ n: 4 }] },
      ],
    },
  ],
  [
    'filter sections with chained filters and arguments',
    "{% filter upper|replace('FOO', 'foo') %}foobar{% endfilter %}|{% filter lower|escape %}<A>{% endfilter %}",
    { text: 'fooBAR|&lt;a&gt;' },
  ],
  [
    'a filter section writes its value as is',
    '{% filter length %}abc{% endfilter %}',
    {
      error: 'sequence item 0: expected str instance, int found',
      ours: 'sequence item: expected str instance, int found',
    },
  ],
  [
    'set blocks, filtered',
    '{% set x | trim | length | string %} 42    {% endset %}{{ x }}|{% set y %}a{{ 1 }}{% endset %}{{ y }}',
    { text: '2|a1' },
  ],
  [
    'macro arguments, defaults, varargs and kwargs',
    '{% macro m(a, b=2) %}{{ a }}{{ b }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1) }}|{{ m(1, 3, 4, k=5) }}',
    { text: "12(){}|13(4,){'k': 5}" },
  ],
  [
    'a macro binds positional arguments first',
    '{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, a=2) }}',
    { error: "macro 'm' takes no keyword argument 'a'" },
  ],
  [
    'call blocks pass a caller, with arguments',
    '{% macro m() %}{{ caller(1, 2) }}{% endmacro %}{% call(x, y) m() %}[{{ x }}{{ y }}]{% endcall %}',
    { text: '[12]' },
  ],
  [
    'a macro without a caller',
    '{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}',
    { error: 'No caller defined' },
  ],
  [
    'a caller parameter needs a default',
    '{% macro m(caller) %}{{ caller() }}{% endmacro %}',
    {
      compile:
        'When defining macros or call blocks the special "caller" argument must be omitted or be given a default.',
    },
  ],
  ['call needs a call', '{% call m %}{% endcall %}', { compile: 'expected call' }],
  [
    'a default before a plain parameter',
    '{% macro m(a=1, b) %}{% endmacro %}',
    { compile: 'non-default argument follows default argument' },
  ],
  [
    'calls with *args and **kwargs',
    '{{ range(*[3])|list }}|{{ dict(a=1, **{"b": 2}) }}',
    { text: "[0, 1, 2]|{'a': 1, 'b': 2}" },
  ],
  [
    'a keyword argument before a positional one',
    '{{ f(x=1, 2) }}',
    { compile: 'invalid syntax for function call expression' },
  ],
  [
    'break and continue',
    '{% for i in [1, 2, 3, 4] %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}',
    { text: '13' },
  ],
  [
    'break in a set block leaves the loop',
    '{% for i in [1, 2] %}{% set x %}{% break %}{% endset %}{{ i }}{% endfor %}ok',
    { text: 'ok' },
  ],
  ['break outside a loop', '{% for i in [1] %}{% endfor %}{% break %}', { compile: "'break' outside loop" }],
  [
    'break in a macro inside a loop',
    '{% for i in [1] %}{% macro m() %}{% break %}{% endmacro %}{% endfor %}',
    { compile: "'break' outside loop" },
  ],
  [
    'continue in a for else',
    '{% for i in [1] %}{% else %}{% continue %}{% endfor %}',
    { compile: "'continue' not properly in loop" },
  ],
  ['do is not a tag here', '{% do x.append(1) %}', { compile: "Encountered unknown tag 'do'." }],
  ['print', '{% print 1, "a" %}{% print %}x', { text: '1ax' }],
  [
    'generation renders its body in a scope of its own',
    '{% for m in [1] %}{% generation %}{{ loop.index }}{% set x = 1 %}{% endgeneration %}{% endfor %}[{{ x }}]',
    { text: '1[]' },
  ],
  [
    'an unknown filter in a branch that does not run',
    '{% if false %}{{ x|nofilter }}{% elif false %}{{ x is notest }}{% else %}ok{% endif %}|{{ x|nofilter if false else 1 }}',
    { text: 'ok|1' },
  ],
  [
    'an unknown filter in a branch that runs',
    '{% if true %}{{ 1|nofilter }}{% endif %}',
    { error: "No filter named 'nofilter' found." },
  ],
  [
    'an unknown filter in a loop inside a branch is a compile error',
    '{% if false %}{% for i in [1] %}{{ i|nofilter }}{% endfor %}{% endif %}',
    { compile: "No filter named 'nofilter'." },
  ],
  [
    'an unknown test in a loop filter',
    '{% for i in [1] if i is notest %}{% endfor %}',
    { compile: "No test named 'notest'." },
  ],
  ['an unknown filter at the top level', '{{ 1|nofilter }}', { compile: "No filter named 'nofilter'." }],
  [
    'extends needs a loader',
    'a{% extends "base.html" %}',
    { error: 'no loader for this environment specified' },
  ],
  [
    'include needs a loader',
    '{% include "x.html" ignore missing with context %}',
    { error: 'no loader for this environment specified' },
  ],
  [
    'import needs a loader',
    '{% import "m.html" as m %}',
    { error: 'no loader for this environment specified' },
  ],
  [
    'from import needs a loader',
    '{% from "m.html" import a, b as c with context %}',
    { error: 'no loader for this environment specified' },
  ],
  [
    'an include in a branch that does not run',
    '{% if false %}{% include "x.html" %}{% endif %}ok',
    { text: 'ok' },
  ],
  [
    'extends below the top level',
    '{% for i in [1] %}{% extends "a" %}{% endfor %}',
    { compile: 'cannot use extend from a non top-level scope' },
  ],
  [
    'names starting with _ cannot be imported',
    '{% from "a" import _b %}',
    { compile: 'names starting with an underline can not be imported' },
  ],
  [
    'Unicode identifiers',
    '{% set été = 1 %}{% set き = 2 %}{% set 𝔘 = 3 %}{{ été }}{{ き }}{{ 𝔘 }}{{ a·b }}',
    { text: '123' },
  ],
  ['a character that cannot be in an identifier', '{{ x² }}', { compile: 'Invalid character in identifier' }],
  [
    'CRLF and CR are newlines; one trailing newline is dropped',
    '{% if true %}\r\n  A\r\n{% endif %}\rB\r\n',
    { text: '  A\nB' },
  ],
]

function ours(source: string, context: Record<string, unknown> = {}): Expected {
  const c = compileTemplate(source)
  if (!c.ok) return { compile: c.message }
  const r = renderTemplate(c.template, { messages: [], add_generation_prompt: false, extra: context })
  if (r.ok) return { text: r.text }
  return { error: `${r.kind}: ${r.message}` }
}

describe("Jinja2's grammar, rendered as Jinja2 renders it", () => {
  // A rest parameter: a row without a context must not make jest take the fourth parameter for `done`.
  test.each(CASES)('%s', (...[, source, expected, context]) => {
    const got = ours(source, context)
    if ('error' in expected) expect(got).toEqual({ error: `error: ${expected.ours ?? expected.error}` })
    else expect(got).toEqual(expected)
  })
})

describe('the expectations above are what Python Jinja2 does', () => {
  const have = pythonAvailable()
  if (!have)
    process.stderr.write(
      'note: grammar expectations not checked against Jinja2: python3 with jinja2 is not available\n',
    )
  ;(have ? test : test.skip)("every case, rendered by Jinja2 in transformers' environment", async () => {
    const ref = await runReference(
      CASES.map(([, template, , context], id) => ({
        id,
        template,
        context: { messages: [], add_generation_prompt: false, tools: null, documents: null, ...context },
      })),
    )
    const got = ref.map((r): Expected => {
      if (r.ok) return { text: r.text! }
      // Python's SyntaxError names a line of the code Jinja2 generated, not of the template.
      const message = r.message!.replace(/ \(<template>, line \d+\)$/, '')
      return r.compile ? { compile: message } : { error: message }
    })
    expect(got).toEqual(CASES.map(([, , e]) => ('error' in e ? { error: e.error } : e)))
  })
})
