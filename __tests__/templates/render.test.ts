/**
 * Unit tests of the chat-template renderer (src/templates/render.ts): each fidelity fix (expected values produced
 * by Python Jinja2 3.1.6 under transformers' setup, scripts/jinja2_reference.py), the sandbox, our limits,
 * compile-time errors and odd inputs. The grammar: jinja-grammar.test.ts; syntax errors: jinja-syntax-errors.test.ts.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import {
  compileTemplate,
  referencedVariables,
  renderTemplate,
  type RenderLimits,
  type RenderResult,
} from '../../src/templates/render.js'
import { setFixedNow } from '../../src/templates/jinja-globals.js'

function render(
  source: string,
  vars: Record<string, unknown> = {},
  limits?: RenderLimits,
): RenderResult | { ok: false; kind: 'compile'; message: string } {
  const c = compileTemplate(source)
  if (!c.ok) return { ok: false, kind: 'compile', message: c.message }
  const { messages, ...extra } = vars
  return renderTemplate(c.template, { messages: messages ?? [], add_generation_prompt: false, extra }, limits)
}
const text = (source: string, vars: Record<string, unknown> = {}): string => {
  const r = render(source, vars)
  if (!r.ok) throw new Error(`${r.kind}: ${r.message}`)
  return r.text
}
const listContent = { messages: [{ role: 'user', content: [{ type: 'text' }] }] }

describe('fidelity fixes (expected values from Python Jinja2)', () => {
  test('str + list raises TypeError like Python', () => {
    expect(render("{{ 'a' + messages[0].content }}", listContent)).toEqual({
      ok: false,
      kind: 'error',
      message: 'can only concatenate str (not "list") to str',
    })
  })
  test('filters coerce None / undefined: None|trim is "None", undefined|upper is "", None|selectattr is empty', () => {
    expect(text("{{ none|trim }}|{{ nothing|upper }}|{{ none|selectattr('x')|list }}")).toBe('None||[]')
  })
  test('iterating a string yields code points, iterating undefined yields nothing', () => {
    expect(
      text("{% for c in 'héllo' %}{{ c }}.{% endfor %}{% for x in nothing %}X{% else %}empty{% endfor %}"),
    ).toBe('h.é.l.l.o.empty')
  })
  test('center/ljust/rjust take exactly one fill character, as Python does', () => {
    expect(text("{{ 'ab'.center(6, '*') }}|{{ 'ab'.ljust(4, '-') }}|{{ 'ab'.rjust(4) }}")).toBe(
      '**ab**|ab--|  ab',
    )
    // A longer fill would multiply the output past the width bound; Python refuses it.
    expect(render("{{ 'a'.center(1000000, 'xxxxxxxxxxxxxxxx') }}", {})).toMatchObject({
      ok: false,
      message: 'The fill character must be exactly one character long',
    })
    expect(render("{{ 'a'.ljust(5, 1) }}", {})).toMatchObject({
      ok: false,
      message: 'The fill character must be a unicode character, not int',
    })
  })
  test('string filters stringify lists', () => {
    expect(text("{{ [1, 'a']|trim }}|{{ ['x']|upper }}")).toBe("[1, 'a']|['X']")
  })
  test('lists, dicts, None, booleans and floats print as Python repr', () => {
    expect(
      text(
        "{{ [{'type': 'text', 'n': none, 'b': true, 'f': 1.0}] }}|{{ none }}|{{ true }}|{{ 10.0 ** 16 }}|{{ 0.0001 }}|{{ 0.00001 }}|{{ \"it's\" }}|{{ ['it\\'s', \"a\\nb\"] }}|{{ (1, 2) }}",
      ),
    ).toBe(
      "[{'type': 'text', 'n': None, 'b': True, 'f': 1.0}]|None|True|1e+16|0.0001|1e-05|it's|[\"it's\", 'a\\nb']|(1, 2)",
    )
  })
  test('dict literals with integer keys', () => {
    expect(text("{% set d = {1: 'one', 2: 'two'} %}{{ d[1] }}{{ d }}")).toBe("one{1: 'one', 2: 'two'}")
  })
  test('break / continue keep what the iteration already printed', () => {
    expect(
      text(
        '{% for i in [1,2,3] %}{% if i == 2 %}X{% continue %}{% endif %}B{% endfor %}|{% for i in [1,2,3] %}A{% if i == 2 %}Y{% break %}{% endif %}{% endfor %}',
      ),
    ).toBe('BXB|AAY')
  })
  test('undefined is iterable and a sequence, None is not iterable', () => {
    expect(
      text("{{ nothing is iterable }}{{ none is iterable }}{{ 'x' is iterable }}{{ nothing is sequence }}"),
    ).toBe('TrueFalseTrueTrue')
  })
  test("sequence repetition: '=' * 3, 2 * 'ab', [0] * 2", () => {
    expect(text("{{ '=' * 3 }}{{ 2 * 'ab' }}{{ [0] * 2 }}")).toBe('===abab[0, 0]')
  })
  test('tuple unpacking in for and set', () => {
    expect(
      text(
        "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}{% set x, y = [1, 2] %}{{ y }}",
      ),
    ).toBe('a=1;b=2;2')
  })
  test('undefined ~ str is the str; None ~ str prints None', () => {
    expect(text("{{ nothing ~ 'x' ~ none ~ 1 }}")).toBe('xNone1')
  })
  test("tojson is json.dumps(ensure_ascii=False) with ', ' and ': ', indent and sort_keys, no HTML escaping", () => {
    expect(
      text(
        "{{ {'a': [1, 'é', none, true], 'b': {'c': 1.5}}|tojson }}|{{ {'b': 1, 'a': 2}|tojson(indent=2, sort_keys=true) }}|{{ '</script>'|tojson }}",
      ),
    ).toBe('{"a": [1, "é", null, true], "b": {"c": 1.5}}|{\n  "a": 2,\n  "b": 1\n}|"</script>"')
  })
  test('CRLF templates: newlines normalised, trim_blocks / lstrip_blocks work across them', () => {
    expect(text('{% if true %}\r\n  A\r\n{% endif %}\r\nB\r\n')).toBe('  A\nB')
    expect(
      text('{%- for m in messages -%}\r\n  {{ m.content }}\r\n{%- endfor %}\r\n', {
        messages: [{ content: 'hi' }],
      }),
    ).toBe('hi')
  })
  test('select / selectattr return generators: |length on them is a TypeError', () => {
    expect(
      render("{{ messages|selectattr('role', 'equalto', 'user')|length }}", { messages: [{ role: 'user' }] }),
    ).toEqual({
      ok: false,
      kind: 'error',
      message: "object of type 'generator' has no len()",
    })
  })
  test('scoping: each loop iteration starts from the outer value', () => {
    expect(text('{% set x = 0 %}{% for i in [1,2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}{{ x }}')).toBe(
      '01020',
    )
  })
  test('Markup + str HTML-escapes the str; ~ does not', () => {
    expect(text("{{ 'a'|safe + '<b>' }}|{{ '<b>' ~ 'a'|safe }}")).toBe('a&lt;b&gt;|<b>a')
  })
  test('a missing key prints as empty; using it is an UndefinedError worded like Jinja2', () => {
    expect(text('[{{ messages[0].nothing }}][{{ none.x }}]', { messages: [{}] })).toBe('[][]')
    expect(render('{{ messages[0].content.strip() }}', { messages: [{}] })).toEqual({
      ok: false,
      kind: 'error',
      message: "'dict object' has no attribute 'content'",
    })
  })
  test('None|length is a TypeError', () => {
    expect(render('{{ none|length }}')).toEqual({
      ok: false,
      kind: 'error',
      message: "object of type 'NoneType' has no len()",
    })
  })
  test('namespace assignment inside loops', () => {
    expect(
      text(
        '{% set ns = namespace(a=1) %}{% for i in [1,2] %}{% set ns.a = ns.a + i %}{% endfor %}{{ ns.a }}',
      ),
    ).toBe('4')
  })
  test('Python str methods', () => {
    expect(
      text(
        "{{ '  a b  '.strip() }}|{{ 'a,b'.split(',') }}|{{ 'x'.startswith(('a','x')) }}|{{ 'Hello World'.title() }}|{{ 'abc'[::-1] }}|{{ 'a{}b'.format(1) }}",
      ),
    ).toBe("a b|['a', 'b']|True|Hello World|cba|a1b")
  })
  test('builtin filters', () => {
    expect(
      text(
        "{{ [3,1,2]|sort|join(',') }}|{{ {'b':1,'a':2}|dictsort }}|{{ 'ab\\ncd'|indent(2) }}|{{ [1,1,2]|unique|list }}|{{ 2.5|round }}|{{ '12'|int + 1 }}|{{ 'x'|default('y') }}{{ nothing|default('y') }}|{{ [1,2]|last }}|{{ [1,2]|first }}|{{ 'hello world'|capitalize }}",
      ),
    ).toBe("1,2,3|[('a', 2), ('b', 1)]|ab\n  cd|[1, 2]|2.0|13|xy|2|1|Hello world")
  })
  test('macros: defaults, varargs, too many arguments', () => {
    expect(
      text('{% macro m(a, b=2) %}{{ a }}-{{ b }}-{{ varargs }}{% endmacro %}{{ m(1) }}|{{ m(1, 3, 4) }}'),
    ).toBe('1-2-()|1-3-(4,)')
    expect(render('{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}')).toEqual({
      ok: false,
      kind: 'error',
      message: "macro 'm' takes not more than 1 argument(s)",
    })
  })
  test('arithmetic: true division gives floats, floor division and modulo like Python', () => {
    expect(text('{{ 7 / 2 }}|{{ 7 // 2 }}|{{ -7 % 3 }}|{{ 2 ** 10 }}|{{ 10 / 5 }}')).toBe('3.5|3|2|1024|2.0')
  })
  test('type errors in comparisons and membership', () => {
    expect(render("{{ 'a' < 1 }}")).toEqual({
      ok: false,
      kind: 'error',
      message: "'<' not supported between instances of 'str' and 'int'",
    })
    expect(render("{{ 1 in 'abc' }}")).toEqual({
      ok: false,
      kind: 'error',
      message: "'in <string>' requires string as left operand, not int",
    })
  })
  test('range', () => {
    expect(text('{{ range(3)|list }}{{ range(1, 10, 3)|list }}')).toBe('[0, 1, 2][1, 4, 7]')
  })
  describe('strftime_now', () => {
    beforeAll(() => setFixedNow(new Date('2024-07-26T09:05:03Z')))
    afterAll(() => setFixedNow(undefined))
    test('full C strftime', () => {
      expect(text("{{ strftime_now('%Y-%m-%d %H:%M:%S %a %A %b %B %j %-d %I %p') }}")).toBe(
        '2024-07-26 09:05:03 Fri Friday Jul July 208 26 09 AM',
      )
    })
  })
  test("raise_exception is kind 'raise' with the message verbatim", () => {
    expect(render("{{ raise_exception('Nope: ' ~ messages|length) }}", { messages: [1] })).toEqual({
      ok: false,
      kind: 'raise',
      message: 'Nope: 1',
    })
  })
})

describe('sandbox', () => {
  test('dunder attributes are unsafe undefineds: printing them is empty, using them is a SecurityError', () => {
    expect(text("{{ 'x'.__class__ }}|{{ messages.__class__ }}")).toBe('|')
    expect(render("{{ 'x'.__class__.__mro__ }}")).toEqual({
      ok: false,
      kind: 'error',
      message: "access to attribute '__class__' of 'str' object is unsafe.",
    })
  })
  test("|attr('__class__') gives no escape", () => {
    expect(render("{{ ('x'|attr('__class__')).__name__ }}")).toEqual({
      ok: false,
      kind: 'error',
      message: "access to attribute '__class__' of 'str' object is unsafe.",
    })
  })
  test('__init__ / __globals__ give no escape', () => {
    const r = render('{{ cycler.__init__.__globals__ }}')
    expect(r).toMatchObject({ ok: false, kind: 'error' })
    expect((r as { message: string }).message).toMatch(
      /^access to attribute '__init__' of '\w+' object is unsafe\.$/,
    )
    expect(text('{{ raise_exception.__globals__ }}')).toBe('')
  })
  test('mutating lists and dicts is unsafe', () => {
    expect(render('{{ messages.append(1) }}', { messages: [] })).toEqual({
      ok: false,
      kind: 'error',
      message: "access to attribute 'append' of 'list' object is unsafe.",
    })
    expect(render("{% set d = {} %}{{ d.update({'a': 1}) }}")).toEqual({
      ok: false,
      kind: 'error',
      message: "access to attribute 'update' of 'dict' object is unsafe.",
    })
  })
})

describe('limits', () => {
  test("range(10**9) is the sandbox's own error", () => {
    expect(render('{% for i in range(10**9) %}x{% endfor %}')).toEqual({
      ok: false,
      kind: 'error',
      message: 'Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).',
    })
  })
  test("a huge string built by nested loops or * is kind 'limit': the output bound, not the clock, ends it", () => {
    // The clock stands still, so the time bound can never fire: each render ends because the output
    // reached its 1,000,000 characters, which bounds the work done.
    const clock = jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000)
    const limit = { ok: false, kind: 'limit', message: 'the output grew past 1,000,000 characters' }
    try {
      expect(
        render(
          "{% set ns = namespace(s='') %}{% for i in range(100000) %}{% for j in range(100000) %}{% set ns.s = ns.s ~ 'xxxxxxxxxx' %}{% endfor %}{% endfor %}{{ ns.s|length }}",
        ),
      ).toEqual(limit)
      expect(
        render('{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}'),
      ).toEqual(limit)
      expect(render("{{ 'x' * 10**9 }}")).toEqual(limit)
      expect(
        render(
          '{% set ns = namespace(s=[1]) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}',
        ),
      ).toEqual(limit)
    } finally {
      clock.mockRestore()
    }
  })
  test('a long loop producing nothing hits the time bound at the first clock reading past it', () => {
    // A fake clock that moves 50 ms at each reading: the deadline is the first reading + 200 ms, so the
    // loop of 10^10 steps must stop at the sixth reading (the first later than the deadline).
    let now = 1_700_000_000_000
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => (now += 50))
    try {
      expect(
        render(
          '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}',
          {},
          { timeMs: 200 },
        ),
      ).toEqual({
        ok: false,
        kind: 'limit',
        message: 'rendering took longer than 0.2 s',
      })
      expect(clock).toHaveBeenCalledTimes(6)
    } finally {
      clock.mockRestore()
    }
  })
  test('maxOutputChars is honoured', () => {
    expect(render("{{ 'x' * 200 }}", {}, { maxOutputChars: 100 })).toEqual({
      ok: false,
      kind: 'limit',
      message: 'the output grew past 100 characters',
    })
  })
  test('deep macro recursion is a limit, not a crash', () => {
    expect(render('{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}')).toEqual({
      ok: false,
      kind: 'limit',
      message: 'macro, caller or loop recursion deeper than 200',
    })
  })
  test('deeply nested templates fail to compile instead of crashing', () => {
    expect(compileTemplate('{% if true %}'.repeat(5000) + 'x' + '{% endif %}'.repeat(5000)).ok).toBe(false)
    expect(compileTemplate('{{ ' + '('.repeat(20000) + '1' + ')'.repeat(20000) + ' }}').ok).toBe(false)
  })
  // A 5 MB template: __tests__/scale/templates.test.ts.
})

describe('compile-time errors', () => {
  test('an unknown filter or test fails compilation, like TemplateAssertionError', () => {
    expect(compileTemplate('{{ x|foo }}')).toEqual({
      ok: false,
      message: "No filter named 'foo'.",
      line: 1,
      column: 6,
    })
    expect(compileTemplate('{% for x in y %}{{ x is foo }}{% endfor %}')).toEqual({
      ok: false,
      message: "No test named 'foo'.",
      line: 1,
      column: 25,
    })
  })
  test('a syntax error fails compilation', () => {
    expect(compileTemplate('{% if x %}').ok).toBe(false)
  })
  test('{% generation %} renders its body', () => {
    expect(text('{% generation %}\nA{% endgeneration %}B')).toBe('AB')
  })
})

describe('inputs', () => {
  test('tools / documents undefined are None; special tokens are variables; extra overrides them', () => {
    const c = compileTemplate('{{ bos_token }}|{{ tools }}|{{ documents is none }}|{{ eos_token }}')
    if (!c.ok) throw new Error(c.message)
    expect(
      renderTemplate(c.template, {
        messages: [],
        add_generation_prompt: true,
        specialTokens: { bos_token: '<s>', eos_token: '</s>' },
        extra: { eos_token: 'E' },
      }),
    ).toEqual({ ok: true, text: '<s>|None|True|E' })
  })
  test('referencedVariables lists the free variables only', () => {
    const c = compileTemplate(
      "{% set sys = messages[0] %}{% macro m(x) %}{{ x }}{% endmacro %}{{ bos_token }}{% for m2 in messages %}{{ m2.content|trim }}{{ loop.index }}{% endfor %}{{ tools|tojson }}{{ raise_exception('x') if foo }}",
    )
    if (!c.ok) throw new Error(c.message)
    expect([...referencedVariables(c.template)].sort()).toEqual(['bos_token', 'foo', 'messages', 'tools'])
  })
})

describe('syntax errors name their line', () => {
  test.each([
    ["{% for m in messages %}\n{{ m['role'] }}:\n{% if m['content'] %}{{ m['content'] }}\n{% endfor %}", 4],
    ['a\n{{ messages[0] ', 2],
    ['a\nb\n{% if %}', 3],
    ['a\nb\n{{ x | nofilter }}', 3],
    ['{% for x in y %}\n\n{% endif %}', 3],
    ['{% if a %}\nx\n{% else %}\n{% else %}{% endif %}', 4],
    // The end of the template, where Jinja2 finds the block unclosed (the message names where it opened).
    ['line 1\n{% for x in y %}\nnever closed', 3],
    ['{{ ok }}\n{{ (1 + }}', 2],
    ['{{ a }}\r\n{{ b c }}', 2],
    // A tag named like an Object property is a tag like any other (it once crashed the line finder).
    ['a\n{% if x %}\n{% constructor %}\n{% endif %}', 3],
    ['{% toString %}', 1],
  ])('%j: line %s', (source, line) => {
    const r = compileTemplate(source)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.line).toBe(line)
  })
})
