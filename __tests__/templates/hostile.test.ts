/**
 * Templates written to kill or stall the checker (the issue on hostile pull requests): each case is built
 * here, in code, and each bound is asserted as a count: the largest string a pad or repeat was asked to
 * build, the units of work a render spent (nodes visited by ==, repr, tojson...), the renders made. The
 * clock is frozen where a time bound could otherwise be what ends the render, so the count is what
 * holds. Where Python raises before allocating (a width past sys.maxsize), the error reads as Python's:
 * compared with Python Jinja2 itself when python3 and jinja2 are installed.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals'
import {
  compileTemplate,
  lastRender,
  renderTemplate,
  type RenderLimits,
  type RenderResult,
} from '../../src/templates/render.js'
import { CLOCK_EVERY } from '../../src/templates/jinja-values.js'
import { pythonAvailable, runReference } from '../helpers/jinja-reference.js'

const LIMIT = 1_000_000
const grew = { ok: false, kind: 'limit', message: 'the output grew past 1,000,000 characters' }

function render(source: string, limits?: RenderLimits): RenderResult {
  const c = compileTemplate(source)
  if (!c.ok) throw new Error(`does not compile: ${c.message}`)
  return renderTemplate(c.template, { messages: [], add_generation_prompt: false }, limits)
}

/**
 * `name` set to a list built by doubling: 41 lists, 2^40 paths from the top to the leaves. (Through a
 * namespace: a {% set %} inside a loop is local to the iteration, in Jinja2 as here.)
 */
const doubled = (name: string, times = 40) =>
  `{% set ns_${name} = namespace(v=[1]) %}{% for i in range(${times}) %}` +
  `{% set ns_${name}.v = [ns_${name}.v, ns_${name}.v] %}{% endfor %}{% set ${name} = ns_${name}.v %}`

// The clock stands still in every test here unless a test moves it: what ends a render is a count.
let clock: ReturnType<typeof jest.spyOn>
beforeEach(() => {
  clock = jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000)
})
afterEach(() => clock.mockRestore())

describe('pads, repeats, fills and widths are refused before they are built', () => {
  // The largest string each of String.prototype's builders was asked for while rendering.
  function largestRequest(source: string): { result: RenderResult; largest: number } {
    let largest = 0
    const note = (n: unknown) => void (largest = Math.max(largest, Number(n) || 0))
    const { repeat, padStart, padEnd } = String.prototype as {
      repeat: (this: string, n: number) => string
      padStart: (this: string, n: number, f?: string) => string
      padEnd: (this: string, n: number, f?: string) => string
    }
    const spies = [
      jest.spyOn(String.prototype, 'repeat').mockImplementation(function (this: string, n: number) {
        note(this.length * n)
        return repeat.call(this, n)
      }),
      jest.spyOn(String.prototype, 'padStart').mockImplementation(function (this: string, n, f) {
        note(n)
        return padStart.call(this, n, f)
      }),
      jest.spyOn(String.prototype, 'padEnd').mockImplementation(function (this: string, n, f) {
        note(n)
        return padEnd.call(this, n, f)
      }),
    ]
    try {
      return { result: render(source), largest }
    } finally {
      for (const s of spies) s.mockRestore()
    }
  }

  test.each([
    ['str.zfill', `{{ "1".zfill(200000000)[-1] }}`],
    ['str.center', `{{ "1".center(200000000) }}`],
    ['str.ljust', `{{ "1".ljust(200000000, "*") }}`],
    ['str.rjust', `{{ "1".rjust(200000000) }}`],
    ['the center filter', `{{ "1"|center(200000000) }}`],
    ['a printf width', `{{ '%200000000s'|format(1) }}`],
    ['a printf width after other output', `{{ ('x' * 900000 ~ '%200000s')|format(1) }}`],
    ['a printf precision', `{{ '%.200000000f'|format(1.5) }}`],
    ['a format-spec width', `{{ '{:>200000000}'.format(1) }}`],
    ['a format-spec precision', `{{ '{:.200000000f}'.format(1.5) }}`],
    ['the indent filter', `{{ "a\\nb"|indent(200000000) }}`],
    ['indentation on many lines', `{{ ("a\\n" * 400000)|indent(3) }}`],
    ['tojson indent', `{{ [[1]]|tojson(indent=200000000) }}`],
    ['str * int', `{{ 'x' * 200000000 }}`],
    ['int * str', `{{ 200000000 * 'xy' }}`],
    ['replace with an empty old', `{{ ('x' * 1000)|replace('', 'y' * 1000) }}`],
    ['str.join', `{{ ('x' * 1000).join(['y'] * 1001) }}`],
    ['expandtabs', `{{ ('\\t' * 200000).expandtabs() }}`],
    ['~ of two large strings', `{% set s = 'x' * 600000 %}{{ s ~ s }}`],
  ])('%s: a limit, and nothing past the bound was built', (_, source) => {
    const { result, largest } = largestRequest(source)
    expect(result).toEqual(grew)
    expect(largest).toBeLessThanOrEqual(LIMIT)
  })

  test.each([
    ['list * int', '{{ ([1] * 200000000)|length }}'],
    ['int * list', '{{ (200000000 * [1, 2])|length }}'],
    ["batch's fill", "{{ [1]|batch(200000000, 'x')|list|length }}"],
    ['list + list', '{% set l = [1] * 600000 %}{{ (l + l)|length }}'],
  ])('%s: a limit before the list is built', (_, source) => {
    expect(render(source)).toEqual(grew)
    // The refusal comes first: at most the loop's few steps were spent, not one per element.
    expect(lastRender.work).toBeLessThan(100_000)
  })

  test('within the bound the same calls still render', () => {
    expect(
      render(`{{ "1".zfill(5) }}|{{ "ab"|center(6) }}|{{ '%5s'|format(1) }}|{{ '{:>4}'.format(1) }}`),
    ).toEqual({ ok: true, text: '00001|  ab  |    1|   1' })
    expect(render(`{{ '%.102f'|format(0.5) }}`)).toEqual({ ok: true, text: '0.5' + '0'.repeat(101) })
    expect(render("{{ [1, 2, 3, 4]|batch(3, 'x')|list }}")).toEqual({
      ok: true,
      text: "[[1, 2, 3], [4, 'x', 'x']]",
    })
  })
})

describe('walks over values count their work', () => {
  test('tojson of a list doubled forty times stops at the size bound, having visited about as many nodes', () => {
    expect(render(`${doubled('a')}{{ a|tojson }}`)).toEqual(grew)
    // Every node visited writes at least one character, so the walk ends within ~1,000,000 nodes,
    // not 2^41.
    expect(lastRender.work).toBeLessThan(2 * LIMIT)
  })
  test.each([
    ['repr (printing it)', '{{ a }}'],
    ['string', '{{ a|string|length }}'],
    ['pprint', '{{ a|pprint|length }}'],
    ['join', '{{ [a, a]|join|length }}'],
    ['~', "{{ (a ~ '')|length }}"],
    ['str.format', "{{ '{}'.format(a)|length }}"],
    ['printf %r', "{{ '%r'|format(a)|length }}"],
  ])('%s of a list doubled forty times stops at the size bound', (_, expr) => {
    expect(render(`${doubled('a')}${expr}`)).toEqual(grew)
    expect(lastRender.work).toBeLessThan(2 * LIMIT)
  })

  test.each([
    ['==', '{{ a == b }}'],
    ['!=', '{{ a != b }}'],
    ['in', '{{ a in [b] }}'],
    ['sort', '{{ [a, b]|sort|length }}'],
    ['loop.changed', '{% for x in [a, b] %}{{ loop.changed(x) }}{% endfor %}'],
    ['list.count', '{{ [a].count(b) }}'],
    ['max', '{{ [a, b]|max|length }}'],
  ])('%s on two lists doubled forty times ends at the work bound', (_, expr) => {
    // Equal lists built apart: every one of 2^40 leaf pairs would be compared.
    expect(render(`${doubled('a')}${doubled('b')}${expr}`, { maxWork: 200_000 })).toEqual({
      ok: false,
      kind: 'limit',
      message: 'rendering took more than 200,000 steps',
    })
    expect(lastRender.work).toBeLessThanOrEqual(200_000 + CLOCK_EVERY)
  })

  test('the clock is read as the walk goes, not only between statements', () => {
    // A clock 10 ms later at each reading: one == over shared lists reaches the 2 s deadline by itself.
    let now = 1_700_000_000_000
    clock.mockImplementation(() => (now += 10))
    expect(render(`${doubled('a')}${doubled('b')}{{ a == b }}`)).toEqual({
      ok: false,
      kind: 'limit',
      message: 'rendering took longer than 2 s',
    })
    // 200 readings of 10 ms: about 200 * CLOCK_EVERY units, one reading per CLOCK_EVERY.
    expect(clock.mock.calls.length).toBeLessThan(205)
    expect(lastRender.work).toBeLessThan(205 * CLOCK_EVERY)
  })

  test('unique over range(100000) is one lookup per item, not a comparison with every item kept', () => {
    expect(render('{{ range(100000)|unique|list|length }}')).toEqual({ ok: true, text: '100000' })
    // Linear: a few units an item. Comparing with every kept item would be 5 * 10^9.
    expect(lastRender.work).toBeLessThan(1_000_000)
    expect(render("{{ (['a', 'A', 'b'] * 30000)|unique|list }}")).toEqual({ ok: true, text: "['a', 'b']" })
    expect(lastRender.work).toBeLessThan(1_000_000)
  })

  test('a long string is not walked one character a step for free', () => {
    // 100,000 reversals of a 100,000-character string: each costs its length, counted as work.
    expect(
      render("{% set s = 'x' * 100000 %}{% for i in range(100000) %}{{ s|reverse|first }}{% endfor %}", {
        maxWork: 2_000_000,
      }),
    ).toEqual({ ok: false, kind: 'limit', message: 'rendering took more than 2,000,000 steps' })
  })
})

describe('string algorithms stay linear on adversarial input', () => {
  test.each([
    // Each of these was quadratic: a regular expression that rescans, or a scan per character.
    ['striptags with many "<" and no ">"', "{{ ('x<' * 200000)|striptags|length }}", '400000'],
    ['striptags with many comments never closed', "{{ ('<!--' * 100000)|striptags|length }}", '400000'],
    ['int of a long digit run that is not a number', "{{ ('1' * 200000 ~ 'x')|int }}", '0'],
    ['float of the same', "{{ ('1' * 200000 ~ 'x')|float }}", '0.0'],
    ['strip with a long set of characters', "{{ ('a' * 200000).strip('b' * 200000 ~ 'a')|length }}", '0'],
    ['rsplit(None, n) of many words', "{{ ('a ' * 50000).rsplit(none, 49998)|length }}", '49999'],
  ])('%s', (_, source, text) => {
    clock.mockRestore() // these end by themselves: the test is that they do, within jest's timeout
    expect(render(source)).toEqual({ ok: true, text })
  })
})

describe('the hard stop behind the counts', () => {
  test('work the renderer cannot count is stopped a second after its deadline', () => {
    clock.mockRestore()
    // A JavaScript callable passed in as a variable: the renderer calls it and cannot count inside it.
    let spins = 0
    const spin = () => {
      while (spins >= 0) spins++
    }
    const c = compileTemplate('{{ spin() }}')
    if (!c.ok) throw new Error(c.message)
    expect(
      renderTemplate(
        c.template,
        { messages: [], add_generation_prompt: false, extra: { spin } },
        { timeMs: 50 },
      ),
    ).toEqual({ ok: false, kind: 'limit', message: 'rendering took longer than 0.05 s' })
    // The bounds were restored: the next render has its own.
    expect(render("{{ 'x' * 3 }}")).toEqual({ ok: true, text: 'xxx' })
    expect(render("{{ 'x' * 2000000 }}")).toEqual(grew)
  })
})

describe('errors Python raises before allocating read as Python', () => {
  // Widths past sys.maxsize: Python refuses them as OverflowError or ValueError, before any memory.
  const cases: Array<[string, string]> = [
    ['{{ "1".zfill(99999999999999999999) }}', 'Python int too large to convert to C ssize_t'],
    ['{{ "1".center(99999999999999999999) }}', 'Python int too large to convert to C ssize_t'],
    ['{{ "1".ljust(99999999999999999999) }}', 'Python int too large to convert to C ssize_t'],
    ['{{ "1"|center(99999999999999999999) }}', 'Python int too large to convert to C ssize_t'],
    ["{{ 'x' * 99999999999999999999 }}", "cannot fit 'int' into an index-sized integer"],
    ['{{ [1] * 99999999999999999999 }}', "cannot fit 'int' into an index-sized integer"],
    ['{{ "x"|indent(99999999999999999999) }}', "cannot fit 'int' into an index-sized integer"],
    ["{{ '%99999999999999999999s'|format(1) }}", 'width too big'],
    ["{{ '{:>99999999999999999999}'.format(1) }}", 'Too many decimal digits in format string'],
    ['{{ [[1], [1]]|unique|list }}', "unhashable type: 'list'"],
    ["{{ [{'a': 1}]|unique|list }}", "unhashable type: 'dict'"],
  ]
  test.each(cases)('%s', (source, message) => {
    expect(render(source)).toEqual({ ok: false, kind: 'error', message })
  })

  // The reshaped filters against Python itself, on small inputs.
  const same = [
    ...cases.map(([source]) => source),
    '{{ [1, 2, 3]|batch(0)|list }}',
    '{{ [1, 2, 3]|batch(-1)|list }}',
    "{{ [1, 2, 3, 4]|batch(3, 'x')|list }}",
    "{{ [1, 1.0, True, 'a', 'A', none, (1, 2), (1, 2)]|unique|list }}",
    "{{ [1, 1.0, True, 'a', 'A']|unique(case_sensitive=true)|list }}",
    "{{ '  a b  c  '.rsplit(none, 1) }}|{{ '  a b  c  '.rsplit(none, 0) }}|{{ ''.rsplit(none, 1) }}",
    "{{ 'a b c  '.split(none, 1) }}|{{ '  a  '.split(none, 0) }}",
    "{{ '%.120f'|format(0.1) }}|{{ '%.1005f'|format(2 ** -1000) }}|{{ '{:.105f}'.format(2.5) }}",
    "{{ '<a<b>c<!-- x -->d<!-->e'|striptags }}",
    "{{ 'abc'.strip('cab') }}|{{ 'xxaxx'.strip('x') }}",
    '{{ "a\\n\\nb"|indent(2, true) }}|{{ "a\\n\\nb"|indent(2, blank=true) }}',
  ]
  ;(pythonAvailable() ? test : test.skip)('each as Python Jinja2 renders it', async () => {
    clock.mockRestore()
    const ref = await runReference(same.map((template, id) => ({ id, template, context: {} })))
    const ours = same.map((source) => render(source))
    const shown = (r: { ok: boolean; text?: string; message?: string }) =>
      r.ok ? `ok ${r.text}` : `error ${r.message}`
    expect(ours.map(shown)).toEqual(ref.map(shown))
  })
})

describe('many bounded values kept', () => {
  test('a list of 1 MB strings grown in a loop ends when the heap has grown past its allowance', () => {
    // Each string is within the size bound; thousands of them kept would fill the heap and abort the
    // process. (V8 builds 'x' * n as a rope; reading a character makes it one flat 1 MB string.) The
    // allowance here is 64 MiB: the render ends after about 64 of them, not 100,000.
    const source =
      "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set s = 'x' * 999000 ~ i %}" +
      '{% if s[0] %}{% set ns.l = ns.l + [s] %}{% endif %}{% endfor %}{{ ns.l|length }}'
    const r = render(source, { maxHeapGrowth: 64 * 2 ** 20 })
    expect(r).toEqual({ ok: false, kind: 'limit', message: 'rendering used more than 64 MiB of memory' })
  })
})
