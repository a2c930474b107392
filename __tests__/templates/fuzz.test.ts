/**
 * The template fuzzer in CI: random templates and contexts from a grammar of Jinja2's constructs
 * (fuzz/grammar.ts) with a fixed seed, rendered by our renderer (src/templates/render.ts) and by Python Jinja2
 * set up as transformers sets it up (scripts/jinja2_reference.py), and compared as the Jinja2 suite compares
 * (fuzz/compare.ts): the text, whether it raises, the kind of error and whether compiling or rendering raised.
 * Then the regression cases (fuzz/regressions.json), the shrunk disagreements the fuzzer found. A disagreement
 * fails unless fuzz/known-differences.json lists its key with a reason, and a listed case that agrees fails
 * too, so the list only shrinks. The budget is a count of cases; `npm run fuzz` runs longer
 * (scripts/fuzz-templates.ts). The differential tests skip with a note when python3 with jinja2 is missing.
 */
import { describe, expect, test } from '@jest/globals'
import { pythonAvailable } from '../helpers/jinja-reference.js'
import {
  caseKey,
  CI_CASES,
  CI_SEED,
  compareAll,
  describeCase,
  readKnown,
  readRegressions,
  type Compared,
  type Pair,
} from './fuzz/compare.js'
import { CONSTRUCTS, generateCase, generateCases, tokenize } from './fuzz/grammar.js'
import { shrink, structuralCuts } from './fuzz/shrink.js'

const SEED = CI_SEED
const CASES = CI_CASES
/** Each construct kind in at least this many of the CI cases. */
const MIN_PER_CONSTRUCT = 15

const cases = generateCases(SEED, CASES)

const havePython = pythonAvailable()
// Straight to stderr: jest drops the console output of a file whose tests are all skipped.
if (!havePython) process.stderr.write('note: template fuzzer skipped: python3 with jinja2 is not available\n')

/** The known differences: key → reason. */
function listed(): Map<string, string> {
  const out = new Map<string, string>()
  for (const [reason, keys] of Object.entries(readKnown().differences))
    for (const k of keys) out.set(k, reason)
  return out
}

/**
 * Compares the cases and fails on a disagreement that is not listed and on a listed case that agrees, printing
 * both.
 */
async function expectAgreement(pairs: readonly Pair[], what: string): Promise<Compared[]> {
  const known = listed()
  const results = await compareAll(pairs)
  expect(results).toHaveLength(pairs.length)
  const unexpected: string[] = []
  const nowAgreeing: string[] = []
  results.forEach((c, i) => {
    const pair = pairs[i]!
    const key = caseKey(pair)
    const reason = known.get(key)
    if (c.agree && reason !== undefined) nowAgreeing.push(`${key} (${reason})`)
    if (!c.agree && reason === undefined)
      unexpected.push(`${what} ${i}, key ${key}\n${describeCase(pair, c)}`)
  })
  const todo =
    what === 'case'
      ? `shrink them and list them with npm run fuzz -- --seed ${SEED} --cases ${CASES} --append`
      : 'list them in fuzz/known-differences.json with the cause'
  if (unexpected.length > 0)
    process.stderr.write(
      `unlisted disagreements (${unexpected.length}; ${todo}):\n${unexpected.slice(0, 20).join('\n')}\n`,
    )
  if (nowAgreeing.length > 0)
    process.stderr.write(
      `listed but now agreeing (remove them: npm run fuzz -- --prune):\n${nowAgreeing.join('\n')}\n`,
    )
  expect(unexpected).toEqual([])
  expect(nowAgreeing).toEqual([])
  return results
}

describe('the template generator', () => {
  test('is deterministic: a seed gives the same cases, and case i is the same generated alone', () => {
    expect(generateCases(SEED, 30)).toEqual(cases.slice(0, 30))
    expect(generateCase(SEED, 17)).toEqual(cases[17])
    const other = generateCases(SEED + 1, 30).map((c) => c.template)
    expect(other.filter((t, i) => t === cases[i]!.template).length).toBeLessThan(3)
  })

  test(`covers every construct kind in at least ${MIN_PER_CONSTRUCT} of the ${CASES} CI cases`, () => {
    const counts = new Map<string, number>(CONSTRUCTS.map((c) => [c, 0]))
    for (const c of cases) for (const k of c.constructs) counts.set(k, (counts.get(k) ?? 0) + 1)
    const short = [...counts].filter(([, n]) => n < MIN_PER_CONSTRUCT).map(([k, n]) => `${k}: ${n}`)
    expect(short).toEqual([])
  })

  test('makes templates of bounded size', () => {
    expect(Math.max(...cases.map((c) => c.template.length))).toBeLessThan(20_000)
    expect(
      Math.max(...cases.map((c) => JSON.stringify(c.context, (_, v: unknown) => String(v)).length)),
    ).toBeLessThan(20_000)
  })

  test('tokenizes a template into pieces that join back to it', () => {
    for (const c of cases.slice(0, 200)) expect(tokenize(c.template).join('')).toBe(c.template)
    expect(tokenize("{%- if x|d('a b') -%}")).toEqual([
      '{%-',
      ' ',
      'if',
      ' ',
      'x',
      '|',
      'd',
      '(',
      "'a b'",
      ')',
      ' ',
      '-%}',
    ])
  })
})

describe('the shrinker', () => {
  test('keeps what makes a case fail and removes the rest, asking a bounded number of batches', async () => {
    // "Fails" when the template still prints both names and the context still has `k`.
    let asked = 0
    const small = await shrink(
      {
        template: '{% if a %}x{{ a }}{% endif %} {% for i in b %}{{ i|upper }}{{ c }}{% endfor %}{{ d }}',
        context: { k: [1, { z: 'long text' }], other: 'x', more: [1, 2, 3] },
      },
      (candidates) => {
        asked++
        return Promise.resolve(
          candidates.findIndex(
            (c) => c.template.includes('{{ a }}') && c.template.includes('{{ c }}') && 'k' in c.context,
          ),
        )
      },
    )
    expect(small.template).toBe('{{ a }}{{ c }}')
    expect(small.context).toEqual({ k: [] })
    expect(small.steps).toBe(asked)
    expect(asked).toBeLessThan(60)
  })

  test('cuts whole blocks, unwraps them and removes parentheses', () => {
    expect(structuralCuts("{% if a %}({{ 'x' }}){% else %}y{% endif %}")).toEqual([
      '',
      "({{ 'x' }})y",
      "{% if a %}({{ '' }}){% else %}y{% endif %}",
      "{% if a %}{{ 'x' }}{% else %}y{% endif %}",
    ])
  })
})

describe('the template fuzzer: ours vs Python Jinja2 (transformers setup)', () => {
  test('every listed known difference has a reason and is a case of this run or a regression', () => {
    const keys = new Set([...cases, ...readRegressions().cases].map((c) => caseKey(c)))
    const problems: string[] = []
    const seen = new Set<string>()
    for (const [reason, listedKeys] of Object.entries(readKnown().differences)) {
      if (reason.trim() === '' || reason.startsWith('TODO')) problems.push(`give a reason: ${reason}`)
      for (const k of listedKeys) {
        if (seen.has(k)) problems.push(`listed twice: ${k}`)
        if (!keys.has(k)) problems.push(`listed but not a case: ${k}`)
        seen.add(k)
      }
    }
    expect(problems).toEqual([])
  })

  test('every regression case has the key of its template and context', () => {
    const wrong = readRegressions()
      .cases.filter((c) => c.key !== caseKey(c))
      .map((c) => `${c.key}: ${caseKey(c)}`)
    expect(wrong).toEqual([])
  })

  ;(havePython ? test : test.skip)(
    `${CASES} random cases of seed ${SEED}: each agrees, or is a listed known difference`,
    async () => {
      const results = await expectAgreement(cases, 'case')
      const agreeing = results.filter((c) => c.agree).length
      process.stderr.write(`fuzz: ${CASES} cases, seed ${SEED}, ${agreeing} agree\n`)
      // Mostly valid templates, so that the constructs are exercised, not only the errors.
      expect(results.filter((c) => c.ref.ok).length).toBeGreaterThan(CASES * 0.55)
      expect(results.filter((c) => c.ref.compile === true).length).toBeLessThan(CASES * 0.15)
    },
    120_000,
  )
  ;(havePython ? test : test.skip)(
    'every regression case agrees, or is a listed known difference',
    async () => {
      const regressions = readRegressions().cases
      const agreeing = (await expectAgreement(regressions, 'regression')).filter((c) => c.agree).length
      process.stderr.write(`fuzz regressions: ${regressions.length} cases, ${agreeing} agree\n`)
    },
    60_000,
  )
})
