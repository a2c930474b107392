// The template fuzzer's long run, by hand: random templates and contexts (__tests__/templates/fuzz/grammar.ts)
// rendered by our renderer and by Python Jinja2 set up as transformers sets it up (scripts/jinja2_reference.py),
// as __tests__/templates/fuzz.test.ts does for a fixed seed in CI. Each disagreement is shrunk (a smaller
// template and context that still disagree the same way) and printed with both results; --append adds the new
// ones to __tests__/templates/fuzz/regressions.json and lists them in known-differences.json under a "TODO"
// reason, which the test rejects until it is replaced by the cause (with the CI run's cases that shrank to
// them, when the seed is the CI run's).
//
//   npm run fuzz -- [--seed S] [--cases N] [--from I] [--shrink K] [--skip REGEX] [--append]
//   npm run fuzz -- --prune
//
// --seed: the run's seed (default: a random one, printed); --cases: how many (default 5000); --from: the
// index of the first case (a case is reproduced from its seed and index alone); --shrink: how many
// disagreements to shrink (default 40; the rest are counted); --skip: leave out the disagreements whose
// template matches this regular expression (a class already known, to look past it). --prune removes from
// known-differences.json the cases that agree now (fuzz.test.ts fails on them) and those that are no case
// of the CI run or the regressions any more (after a change to the grammar; then
// `npm run fuzz -- --seed 1 --cases 2000 --append` lists the CI run's new disagreements). Needs python3
// with jinja2.
// Exit 0 when nothing new disagrees, 1 when something does, 2 on a usage error.
import { randomInt } from 'node:crypto'
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { pythonAvailable } from '../__tests__/helpers/jinja-reference.js'
import {
  caseKey,
  CI_CASES,
  CI_SEED,
  compareAll,
  describeCase,
  describeResult,
  encodeContext,
  knownPath,
  readKnown,
  readRegressions,
  ReferenceSession,
  regressionsPath,
  signature,
  writeJson,
  type Compared,
  type KnownFile,
  type Pair,
} from '../__tests__/templates/fuzz/compare.js'
import { generateCases } from '../__tests__/templates/fuzz/grammar.js'
import { shrink } from '../__tests__/templates/fuzz/shrink.js'

const BATCH = 500

/** A shrunk candidate may chain powers (`2 ** 3 ** 3 ** 3`) that Python would compute for hours: skipped. */
const CHAINED_POWERS = /\*\*[^%}|,]*?\*\*/

/** Python Jinja2 in one bounded session, started again when a batch ends it (reported; the batch is left out). */
class Reference {
  private session = new ReferenceSession()
  left = 0
  async compare(cases: Pair[]): Promise<Compared[] | undefined> {
    try {
      return await compareAll(cases, this.session)
    } catch (e) {
      this.left += cases.length
      process.stderr.write(`\nfuzz: ${(e as Error).message}: ${cases.length} cases left out\n`)
      this.session.close()
      this.session = new ReferenceSession()
      return undefined
    }
  }
  close(): void {
    this.session.close()
  }
}

/**
 * Removes from known-differences.json the listed cases that agree now, and those that are no case any more
 * (the grammar changed, so the CI run's cases did: list the new ones with --seed 1 --cases 2000 --append).
 */
async function prune(known: KnownFile, pairs: Pair[]): Promise<number> {
  const results = await compareAll(pairs)
  const disagreeing = new Set(pairs.filter((_, i) => !results[i]!.agree).map((p) => caseKey(p)))
  let removed = 0
  for (const [reason, keys] of Object.entries(known.differences)) {
    const kept = keys.filter((k) => disagreeing.has(k))
    removed += keys.length - kept.length
    if (kept.length > 0) known.differences[reason] = kept
    else delete known.differences[reason]
  }
  await writeJson(knownPath, known)
  process.stdout.write(`fuzz: ${removed} listed cases agree now or are no case, removed from ${knownPath}\n`)
  return 0
}

function number(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`fuzz: --${flag} takes a whole number, not ${value}\n`)
    process.exit(2)
  }
  return n
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      cases: { type: 'string' },
      from: { type: 'string' },
      shrink: { type: 'string' },
      skip: { type: 'string' },
      append: { type: 'boolean', default: false },
      prune: { type: 'boolean', default: false },
    },
  })
  const seed = number('seed', values.seed, randomInt(2 ** 31))
  const count = number('cases', values.cases, 5000)
  const from = number('from', values.from, 0)
  const maxShrinks = number('shrink', values.shrink, 40)
  const skip = values.skip === undefined ? undefined : new RegExp(values.skip)
  if (!pythonAvailable()) {
    process.stderr.write(
      'fuzz: needs python3 with jinja2 (apt-get install python3-jinja2, or pip install jinja2)\n',
    )
    return 2
  }

  const known = readKnown()
  const listed = new Set(Object.values(known.differences).flat())
  const regressions = readRegressions()
  const inRegressions = new Set(regressions.cases.map((c) => c.key))
  if (values.prune) return prune(known, [...generateCases(CI_SEED, CI_CASES), ...regressions.cases])

  const reference = new Reference()
  const disagreeing: Array<{ index: number; pair: Pair; compared: Compared }> = []
  let agreeing = 0
  for (let start = from; start < from + count; start += BATCH) {
    const cases = generateCases(seed, Math.min(BATCH, from + count - start), start)
    const results = (await reference.compare(cases)) ?? []
    results.forEach((c, i) => {
      if (c.agree) agreeing++
      else if (!listed.has(caseKey(cases[i]!)) && !skip?.test(cases[i]!.template))
        disagreeing.push({ index: start + i, pair: cases[i]!, compared: c })
    })
    process.stderr.write(`  ${start + cases.length - from} of ${count} cases\r`)
  }
  const left = reference.left > 0 ? ` (${reference.left} left out: Python failed on their batch)` : ''
  process.stdout.write(`fuzz: ${count} cases, seed ${seed}, ${agreeing} agree${left}\n`)

  // The shrunk disagreements, new ones by key, and the keys of the CI run's cases that shrank to each.
  const found = new Map<string, { pair: Pair; compared: Compared; index: number }>()
  const ciKeys = new Map<string, string[]>()
  let shrunk = 0
  for (const { index, pair, compared } of disagreeing.slice(0, maxShrinks)) {
    const wanted = signature(compared)
    const small = await shrink({ template: pair.template, context: pair.context }, async (candidates) => {
      const usable = candidates.map(
        (c) => !CHAINED_POWERS.test(c.template) || CHAINED_POWERS.test(pair.template),
      )
      const results = await reference.compare(candidates.filter((_, i) => usable[i]))
      if (results === undefined) return -1
      const hits = results.map((c) => !c.agree && signature(c) === wanted)
      let k = 0
      return usable.findIndex((u) => u && hits[k++] === true)
    })
    shrunk++
    const key = caseKey(small)
    if (seed === CI_SEED && index < CI_CASES) ciKeys.set(key, [...(ciKeys.get(key) ?? []), caseKey(pair)])
    if (found.has(key) || inRegressions.has(key)) continue
    const again = (await reference.compare([small]))?.[0]
    if (again === undefined) continue
    found.set(key, { pair: small, compared: again, index })
    process.stdout.write(
      `\ndisagreement ${found.size} (seed ${seed}, case ${index}, shrunk in ${small.steps} steps, key ${key}): ${wanted}\n` +
        describeCase(small, again, 2000) +
        '\n',
    )
  }
  reference.close()
  const rest = disagreeing.length - shrunk
  process.stdout.write(
    `\n${disagreeing.length} unlisted disagreements; ${shrunk} shrunk to ${found.size} new ones` +
      (rest > 0 ? `; ${rest} not shrunk (--shrink ${disagreeing.length} to shrink them all)` : '') +
      '\n',
  )

  if (values.append && (found.size > 0 || ciKeys.size > 0)) {
    const file = JSON.parse(fs.readFileSync(regressionsPath, 'utf8')) as { about: string[]; cases: unknown[] }
    const reasonOf = new Map<string, string>(
      Object.entries(known.differences).flatMap(([r, keys]) => keys.map((k) => [k, r] as const)),
    )
    const list = (reason: string, keys: string[]): void => {
      const listed = (known.differences[reason] ??= [])
      listed.push(...keys.filter((k) => !listed.includes(k)))
    }
    for (const [key, { pair, compared }] of found) {
      file.cases.push({
        key,
        template: pair.template,
        context: encodeContext(pair.context),
        found: {
          jinja2: describeResult(compared.ref, compared.ref.compile === true),
          ours: describeResult(compared.ours.result, compared.ours.compile),
        },
      })
      reasonOf.set(key, `TODO (as ${key}): ${signature(compared)}`)
      list(reasonOf.get(key)!, [key])
    }
    // A case of the CI run is listed beside the regression it shrank to, under its reason.
    for (const [key, keys] of ciKeys) list(reasonOf.get(key) ?? `TODO (as ${key})`, keys)
    await writeJson(regressionsPath, file)
    await writeJson(knownPath, known)
    process.stdout.write(
      `appended ${found.size} to ${regressionsPath} and listed them in ${knownPath}, with the CI run's cases ` +
        'that shrank to them: replace each TODO by the cause\n',
    )
  }
  return found.size > 0 ? 1 : 0
}

process.exitCode = await main()
