/**
 * Every syntax error our lexer, parser and compile-time checks report (src/templates/jinja-lexer.ts,
 * jinja-parser.ts, jinja-checks.ts), one case per kind: Jinja2 3.1.6's message, and the line and column
 * of the token it is about (1-based, in the template with its newlines normalised). Each offending token
 * sits past the first line and column, so a position that is merely "somewhere in the template" fails.
 * When python3 with jinja2 is installed, each case is checked to be an error in Jinja2 too, on the same
 * line wherever Jinja2 names the offending token's line.
 */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileTemplate } from '../../src/templates/render.js'
import { pythonAvailable } from '../helpers/jinja-reference.js'

/** [what, template, message (a string is the whole message), line, column] */
const CASES: [string, string, string | RegExp, number, number][] = [
  // the lexer
  ['a character no token starts with', 'a\n{{ x ! y }}', "unexpected char '!' at 7", 2, 6],
  ['a closing bracket with nothing open', 'a\n{{ x ) }}', "unexpected ')'", 2, 6],
  ['a closing bracket of the wrong kind', 'a\n{{ (x ] }}', "unexpected ']', expected ')'", 2, 7],
  ['a string never closed', "a\n  {{ 'abc }}", 'unexpected char "\'" at 7', 2, 6],
  ['a comment never closed', 'a\n  {# note\nmore', 'Missing end of comment tag', 2, 3],
  ['a raw block never closed', 'a\n  {% raw %}b', 'Missing end of raw directive', 2, 3],
  ['a character that cannot be in a name', 'a\n{{ x² }}', 'Invalid character in identifier', 2, 4],
  ['a truncated \\x escape', "a\n{{ 'ab\\x4' }}", 'truncated \\xXX escape', 2, 7],
  ['a truncated \\u escape', "a\n{{ '\\u12' }}", 'truncated \\uXXXX escape', 2, 5],
  ['a \\U escape past Unicode', "a\n{{ '\\U00110000' }}", 'illegal Unicode character', 2, 5],
  ['a malformed \\N escape', "a\n{{ '\\N' }}", 'malformed \\N character escape', 2, 5],
  ['a float of other digits', 'a\n{{ ١.٥ }}', "invalid character '١' (U+0661)", 2, 4],
  [
    'an integer of more digits than Python prints',
    `a\n{{ ${'9'.repeat(4301)} }}`,
    /^Exceeds the limit \(4300 digits\) for integer string conversion/,
    2,
    4,
  ],
  // the parser
  [
    'a tag cut off by the end',
    'a\n{{ x',
    "unexpected end of template, expected 'end of print statement'.",
    2,
    5,
  ],
  ['an unexpected token', 'a\n{{ x y }}', "expected token 'end of print statement', got 'y'", 2, 6],
  ['a tag without a name', 'a\n{% 1 %}', 'tag name expected', 2, 4],
  ['an unknown tag', 'a\n{% do x %}', "Encountered unknown tag 'do'.", 2, 4],
  [
    'an end tag that closes nothing open',
    'a\n{% if x %}\n{% endfor %}{% endif %}',
    "Encountered unknown tag 'endfor'. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if' (opened at line 2, column 1).",
    3,
    4,
  ],
  [
    'an end tag of an outer block',
    '{% for x in y %}\n  {% if x %}\n{% endfor %}',
    "Encountered unknown tag 'endfor'. You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if' (opened at line 2, column 3).",
    3,
    4,
  ],
  [
    'a block never closed',
    'a\n{% for x in y %}\nb',
    "Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for' (opened at line 2, column 1).",
    3,
    2,
  ],
  ['a token no expression starts with', 'a\n{{ x + * }}', "unexpected '*'", 2, 8],
  [
    'nothing where an expression belongs',
    'a\n{% if %}{% endif %}',
    "Expected an expression, got 'end of statement block'",
    2,
    7,
  ],
  ['a constant assigned to', 'a\n{% set none = 1 %}', "can't assign to 'const'", 2, 8],
  ['an expression assigned to', 'a\n{% set (x.y, z) = 1 %}', "can't assign to 'tuple'", 2, 8],
  ['a dot followed by neither a name nor a number', 'a\n{{ x.(1) }}', 'expected name or number', 2, 6],
  [
    'a positional argument after a keyword one',
    'a\n{{ f(x=1, 2) }}',
    'invalid syntax for function call expression',
    2,
    11,
  ],
  [
    'a parameter without a default after one with',
    'a\n{% macro m(a=1, b) %}{% endmacro %}',
    'non-default argument follows default argument',
    2,
    18,
  ],
  ['a call block without a call', 'a\n{% call  m %}{% endcall %}', 'expected call', 2, 10],
  ['two tests chained', 'a\n{{ x is defined is none }}', 'You cannot chain multiple tests with is', 2, 17],
  [
    'a block name with a hyphen',
    'a\n{% block a-b %}{% endblock %}',
    'Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead.',
    2,
    11,
  ],
  [
    'a required block with content',
    'a\n{% block b required %} x{% endblock %}',
    'Required blocks can only contain comments or whitespace',
    2,
    23,
  ],
  [
    'an underscore name imported',
    'a\n{% from "m" import _x %}',
    'names starting with an underline can not be imported',
    2,
    20,
  ],
  [
    'blocks nested past the limit',
    '{% if x %}'.repeat(100) + '\n  {% if x %}' + '{% endif %}'.repeat(101),
    'the template nests blocks, brackets or operators more than 100 levels deep',
    2,
    3,
  ],
  // the compiler's checks
  ['an unknown filter', 'a\n{{ x | nofilter }}', "No filter named 'nofilter'.", 2, 8],
  ['an unknown test', 'a\n{% for i in x %}{{ i is notest }}{% endfor %}', "No test named 'notest'.", 2, 25],
  [
    'a block defined twice',
    '{% block b %}{% endblock %}\n  {% block b %}{% endblock %}',
    "block 'b' defined twice",
    2,
    6,
  ],
  [
    'extends inside a loop',
    'a\n{% for i in x %}{% extends "b" %}{% endfor %}',
    'cannot use extend from a non top-level scope',
    2,
    20,
  ],
  [
    'a loop variable named loop',
    'a\n{% for x, loop in y %}{% endfor %}',
    "Can't assign to special loop variable in for-loop target",
    2,
    8,
  ],
  [
    'a caller parameter without a default',
    'a\n{% macro m(caller) %}{{ caller() }}{% endmacro %}',
    'When defining macros or call blocks the special "caller" argument must be omitted or be given a default.',
    2,
    12,
  ],
  ['break outside a loop', 'a\n{% for i in x %}{% endfor %} {% break %}', "'break' outside loop", 2, 33],
  [
    'continue in a macro inside a loop',
    'a\n{% for i in x %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %}',
    "'continue' not properly in loop",
    2,
    35,
  ],
  [
    'an expression nested past the limit',
    'a\n{{ 1' + '|string'.repeat(600) + ' }}',
    'the template nests an expression more than 500 levels deep',
    2,
    4,
  ],
]

describe('each syntax error names the line and column of its token', () => {
  test.each(CASES)('%s', (_, source, message, line, column) => {
    const r = compileTemplate(source)
    expect(r.ok).toBe(false)
    if (r.ok) return
    if (typeof message === 'string') expect(r.message).toBe(message)
    else expect(r.message).toMatch(message)
    expect({ line: r.line, column: r.column }).toEqual({ line, column })
  })

  test('CRLF line ends count as one: the line and column are those an editor shows', () => {
    expect(compileTemplate('a\r\nb\r\n  {{ x ) }}\r\n')).toMatchObject({ line: 3, column: 8 })
  })
})

describe('Jinja2 refuses the same templates', () => {
  const have = pythonAvailable()
  if (!have)
    process.stderr.write(
      'note: syntax errors not checked against Jinja2: python3 with jinja2 is not available\n',
    )
  // The errors Jinja2 places elsewhere: the end of a template (Jinja2: the last token's line), Python's
  // own SyntaxError on generated code (its line), and the nesting and depth limits (Jinja2 fails on
  // those with CPython's IndentationError or RecursionError, which name no template line).
  const elsewhere =
    /end of template|outside loop|not properly in loop|levels deep|Exceeds the limit|invalid character '/
  ;(have ? test : test.skip)(
    'each case fails to compile in Jinja2, at the same line when Jinja2 names it',
    () => {
      const script = [
        'import sys, json',
        `sys.path.insert(0, ${JSON.stringify(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts'))})`,
        'from jinja2_reference import make_env',
        'env = make_env()',
        'out = []',
        'for source in json.load(sys.stdin):',
        '    try:',
        '        env.from_string(source)',
        '        out.append(None)',
        '    except Exception as e:',
        '        out.append(getattr(e, "lineno", 0) or 0)',
        'print(json.dumps(out))',
      ].join('\n')
      const r = spawnSync('python3', ['-c', script], {
        input: JSON.stringify(CASES.map(([, source]) => source)),
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      })
      const lines = JSON.parse(r.stdout) as (number | null)[]
      const problems = CASES.flatMap(([what, , message, line], i) => {
        if (lines[i] === null) return [`${what}: Jinja2 compiles it`]
        if (elsewhere.test(String(message)) || lines[i] === line) return []
        return [`${what}: Jinja2 names line ${lines[i]}, we name line ${line}`]
      })
      expect(problems).toEqual([])
    },
  )
})
