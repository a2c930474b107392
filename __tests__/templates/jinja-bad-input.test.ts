/**
 * Templates written to break the parser or the renderer (src/templates/jinja-parser.ts, jinja-checks.ts,
 * jinja-interpreter.ts): nesting ten thousand deep, chains ten thousand long, raw blocks never closed,
 * loops that recurse without end, names in every script. Each ends in a result (a syntax error with its
 * position, a limit, a render), never in a JavaScript stack overflow or a hang, and each bound is shown
 * by a count: the nesting the parser reached, the work a render spent. Templates of 5 MB:
 * __tests__/scale/jinja-lexer.test.ts.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals'
import { MAX_EXPRESSION_DEPTH } from '../../src/templates/jinja-checks.js'
import { MAX_NESTING } from '../../src/templates/jinja-parser.js'
import {
  compileTemplate,
  lastRender,
  renderTemplate,
  type RenderLimits,
  type RenderResult,
} from '../../src/templates/render.js'

function render(
  source: string,
  vars: Record<string, unknown> = {},
  limits?: RenderLimits,
): RenderResult | { compile: string } {
  const c = compileTemplate(source)
  if (!c.ok) return { compile: c.message }
  return renderTemplate(c.template, { messages: [], add_generation_prompt: false, extra: vars }, limits)
}

// The clock stands still here: what ends a render is a count, not a time.
let clock: ReturnType<typeof jest.spyOn>
beforeEach(() => {
  clock = jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000)
})
afterEach(() => clock.mockRestore())

const N = 10_000
const nested = 'the template nests blocks, brackets or operators more than 100 levels deep'

describe('nesting ten thousand deep is a syntax error at the level past the limit', () => {
  test.each([
    ['if blocks', '{% if x %}'.repeat(N) + '{% endif %}'.repeat(N), MAX_NESTING * 10 + 1],
    ['for loops', '{% for x in y %}'.repeat(N) + '{% endfor %}'.repeat(N), MAX_NESTING * 16 + 1],
    ['macros', '{% macro m() %}'.repeat(N) + '{% endmacro %}'.repeat(N), MAX_NESTING * 15 + 1],
    ['set blocks', '{% set x %}'.repeat(N) + '{% endset %}'.repeat(N), MAX_NESTING * 11 + 1],
    [
      'generation blocks',
      '{% generation %}'.repeat(N) + '{% endgeneration %}'.repeat(N),
      MAX_NESTING * 16 + 1,
    ],
    ['parentheses', `{{ ${'('.repeat(N)}1${')'.repeat(N)} }}`, MAX_NESTING + 4],
    ['lists', `{{ ${'['.repeat(N)}${']'.repeat(N)} }}`, MAX_NESTING + 4],
    ['dicts', `{{ ${'{1: '.repeat(N)}1${'}'.repeat(N)} }}`, MAX_NESTING * 4 + 4],
    ['calls', `{{ ${'f('.repeat(N)}${')'.repeat(N)} }}`, MAX_NESTING * 2 + 5],
    ['subscripts', `{{ ${'x['.repeat(N)}0${']'.repeat(N)} }}`, MAX_NESTING * 2 + 5],
    ['unary minus', `{{ ${'-'.repeat(N)}1 }}`, MAX_NESTING + 4],
    ['not', `{{ ${'not '.repeat(N)}1 }}`, MAX_NESTING * 4 + 4],
    ['else branches', `{{ 1${' if x else 1'.repeat(N)} }}`, (MAX_NESTING + 1) * 12 + 4],
  ])('%s', (_, source, column) => {
    const r = compileTemplate(source)
    expect(r).toEqual({ ok: false, message: nested, line: 1, column })
  })

  test('a depth real templates use renders, as in Jinja2: 30 ifs, 10 loops and 20 parentheses deep', () => {
    const source =
      '{% if true %}'.repeat(30) +
      '{% for i in [1] %}'.repeat(10) +
      `{{ ${'('.repeat(20)}1${')'.repeat(20)} }}` +
      '{% endfor %}'.repeat(10) +
      '{% endif %}'.repeat(30)
    expect(render(source)).toEqual({ ok: true, text: '1' })
  })
})

describe('chains ten thousand long', () => {
  test('10,000 filters: a syntax error (Jinja2 gives up with a RecursionError), no stack overflow', () => {
    expect(compileTemplate(`{{ 'x'${'|string'.repeat(N)} }}`)).toEqual({
      ok: false,
      message: `the template nests an expression more than ${MAX_EXPRESSION_DEPTH} levels deep`,
      line: 1,
      column: 4,
    })
  })

  test('a long chain within the bound renders, filters applied in order', () => {
    expect(render(`{{ 'x'${'|string'.repeat(MAX_EXPRESSION_DEPTH - 2)}|upper }}`)).toEqual({
      ok: true,
      text: 'X',
    })
  })

  test.each([
    ['additions', `{{ 1${' + 1'.repeat(N)} }}`],
    ['attribute lookups', `{{ x${'.a'.repeat(N)} }}`],
    ['calls of calls', `{{ f${'()'.repeat(N)} }}`],
    ['and', `{{ 1${' and 1'.repeat(N)} }}`],
  ])('10,000 %s: a syntax error, no stack overflow', (_, source) => {
    expect(compileTemplate(source)).toMatchObject({ ok: false, message: /nests an expression more than 500/ })
  })

  test.each([
    ['~ concatenations', `{{ 1${' ~ 1'.repeat(N)} }}`, '1'.repeat(N + 1)],
    ['chained comparisons', `{{ 1${' < 2'.repeat(N)} }}`, 'False'],
    ['elif branches', `{% if false %}${'{% elif false %}'.repeat(N)}{% else %}e{% endif %}`, 'e'],
    ['tuple items', `{{ (${'1, '.repeat(N)})|length }}`, String(N)],
  ])('10,000 %s are flat, as in Jinja2: they render', (_, source, text) => {
    expect(render(source)).toEqual({ ok: true, text })
  })
})

describe('raw blocks never closed', () => {
  test("Jinja2's error, at the raw tag", () => {
    expect(compileTemplate('a\n  {% raw %}{{ x }}\n{% endraw x %}\n{%- endraw -+%}')).toEqual({
      ok: false,
      message: 'Missing end of raw directive',
      line: 2,
      column: 3,
    })
  })
  test('one at the very end of the template closes nothing and renders nothing, as in Jinja2', () => {
    expect(render('a{% raw %}')).toEqual({ ok: true, text: 'a' })
    expect(render('a{%- raw -%}  \n ')).toEqual({ ok: true, text: 'a' })
  })
})

describe('recursion without a base case ends at a limit', () => {
  test.each([
    ['a recursive loop', '{% for i in [1] recursive %}{{ loop([i]) }}{% endfor %}'],
    ['a recursive loop over a growing list', '{% for i in [[1]] recursive %}{{ loop([i, i]) }}{% endfor %}'],
    ['a macro', '{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}'],
    ['a block rendering itself', '{% block b %}{{ self.b() }}{% endblock %}'],
    [
      'a call block calling the macro it is in',
      '{% macro m() %}{{ caller() }}{% endmacro %}{% macro c() %}{% call m() %}{{ c() }}{% endcall %}{% endmacro %}{{ c() }}',
    ],
  ])('%s', (_, source) => {
    expect(render(source)).toEqual({
      ok: false,
      kind: 'limit',
      message: 'macro, caller or loop recursion deeper than 200',
    })
    // Stopped by the count of nested calls: a few units of work each, not the clock.
    expect(lastRender.work).toBeLessThan(10_000)
  })

  test('a recursive loop a few levels deep but wide is stopped by the work bound', () => {
    // 100 items a level, 10 levels: 10^20 iterations were it not for the bound on work.
    const r = render(
      '{% for i in range(100) recursive %}{% if loop.depth < 10 %}{{ loop(range(100)) }}{% endif %}{% endfor %}',
      {},
      { maxWork: 1_000_000 },
    )
    expect(r).toEqual({ ok: false, kind: 'limit', message: 'rendering took more than 1,000,000 steps' })
    expect(lastRender.work).toBeLessThan(1_000_000 + 2048)
  })
})

describe('names in every script', () => {
  test('letters of any script, combining marks and middle dots are names, as Python identifiers', () => {
    expect(
      render(
        '{% set été = 1 %}{% set き = 2 %}{% set 𝔘 = 3 %}{% set café_ = 4 %}{{ été }}{{ き }}{{ 𝔘 }}{{ café_ }}{{ été·x }}',
      ),
    ).toEqual({ ok: true, text: '1234' })
    expect(render('{{ names.ñame }}', { names: { ñame: 'n' } })).toEqual({ ok: true, text: 'n' })
  })
  test.each([
    ['a superscript digit', '{{ x² }}'],
    ['a name starting with a digit of another script', '{{ ٣x }}'],
    ['a name starting with a combining mark', '{{ \u0301x }}'],
  ])('%s is not an identifier', (_, source) => {
    expect(compileTemplate(source)).toMatchObject({ ok: false, message: 'Invalid character in identifier' })
  })
  test('digits of other scripts are read as Python reads them', () => {
    expect(render('{{ 1٣ }}|{{ 0x١f }}')).toEqual({ ok: true, text: '13|31' })
  })
})
