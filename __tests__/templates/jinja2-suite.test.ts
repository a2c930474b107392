/**
 * The differential suite built from Jinja2's own tests: the cases of pallets/jinja's test files that fit one
 * template rendered with a JSON context (jinja2-suite/cases.json, extracted by scripts/extract-jinja2-cases.py
 * from https://github.com/pallets/jinja/tree/3.1.6/tests), rendered by our renderer (src/templates/render.ts) and
 * by Python Jinja2 set up as transformers sets it up (scripts/jinja2_reference.py), in the same run. Each case
 * compares the text, whether it raises, the kind of error (the template's raise_exception or another error) and
 * when (compiling: Jinja2's syntax errors, or rendering). A disagreement fails unless
 * jinja2-suite/known-differences.json lists it with a reason, and a listed case that agrees fails too, so the
 * list only shrinks. `npm run jinja2-suite -- --update` (JINJA2_SUITE_UPDATE=1) rewrites the list from this
 * run's disagreements instead, keeping the reasons of the cases still listed; a new one gets a "TODO:" reason
 * that fails until it is replaced by a real one.
 *
 * The upstream expected output is not the reference (Jinja2's tests run in a plain Environment): it is in the
 * data for information. A case whose reference differs between the Jinja2 versions the extractor checked
 * (referenceVaries: the 3.1.3 to 3.1.6 security fixes, Debian's 3.1.2 with some of them) is compared only
 * under the Jinja2 and MarkupSafe the data was made with. Skips with a note when python3 with jinja2 is missing.
 */
import { describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RenderResult } from '../../src/templates/render.js'
import { IMPLICIT, renderOurs, type Ours } from './fuzz/compare.js'
import {
  agree,
  pythonAvailable,
  referenceVersions,
  runReference,
  type ReferenceVersions,
  type RefResult,
} from '../helpers/jinja-reference.js'

const suiteDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'jinja2-suite')
const casesPath = path.join(suiteDir, 'cases.json')
const knownPath = path.join(suiteDir, 'known-differences.json')
const updating = ['1', 'true', '--update'].includes(process.env.JINJA2_SUITE_UPDATE ?? '')

interface Case {
  id: string
  upstream: string
  tag: string
  template: string
  context: Record<string, unknown>
  expect: 'render' | 'render-error' | 'syntax-error' | 'compile'
  upstreamExpected?: string
  upstreamRaises?: string
  referenceVaries?: string[]
}
interface CaseFile {
  source: string
  tag: string
  referenceMadeWith: ReferenceVersions
  referenceCheckedWith: ReferenceVersions[]
  cases: Case[]
}
interface KnownFile {
  about: string[]
  /** reason → the ids of the cases it explains */
  differences: Record<string, string[]>
}
function same(ours: Ours, ref: RefResult): boolean {
  return agree(ours.result, ref) && (ours.result.ok || ours.compile === (ref.compile === true))
}

function verdict(r: RenderResult | RefResult, compile: boolean): string {
  if (r.ok) return 'renders'
  if (compile) return 'compile error'
  return r.kind === 'raise' ? 'raise_exception' : r.kind === 'limit' ? 'limit' : 'render error'
}

function describeOurs(o: Ours): string {
  const r = o.result
  return r.ok ? `ok ${JSON.stringify(r.text).slice(0, 200)}` : `${verdict(r, o.compile)}: ${r.message}`
}
function describeRef(r: RefResult): string {
  return r.ok
    ? `ok ${JSON.stringify(r.text).slice(0, 200)}`
    : `${verdict(r, r.compile === true)}: ${r.message}`
}
/** The reason a new disagreement gets in --update mode: it says what differs, and fails until replaced. */
function todoReason(ours: Ours, ref: RefResult): string {
  const o = verdict(ours.result, ours.compile)
  const j = verdict(ref, ref.compile === true)
  return `TODO: jinja2 ${j}, ours ${o === j ? (o === 'renders' ? 'renders other text' : `${o} too`) : o}`
}

async function writeKnown(about: string[], reasons: Map<string, string>): Promise<void> {
  const groups: Record<string, string[]> = {}
  for (const [id, reason] of [...reasons].sort(([a], [b]) => (a < b ? -1 : 1)))
    (groups[reason] ??= []).push(id)
  const differences = Object.fromEntries(
    Object.keys(groups)
      .sort()
      .map((k) => [k, groups[k]]),
  )
  const prettier = await import('prettier')
  const options = await prettier.resolveConfig(knownPath)
  const text = JSON.stringify({ about, differences }, null, 2)
  fs.writeFileSync(knownPath, await prettier.format(text, { ...options, filepath: knownPath }))
}

const havePython = pythonAvailable()
// Straight to stderr: jest drops the console output of a file whose tests are all skipped.
if (!havePython) process.stderr.write('note: Jinja2 suite skipped: python3 with jinja2 is not available\n')

describe("Jinja2's own tests: ours vs Python Jinja2 (transformers setup)", () => {
  ;(havePython ? test : test.skip)(
    'every case agrees, or is a listed known difference',
    async () => {
      const data = JSON.parse(fs.readFileSync(casesPath, 'utf8')) as CaseFile
      const known = JSON.parse(fs.readFileSync(knownPath, 'utf8')) as KnownFile
      expect(data.cases.length).toBeGreaterThan(400)
      const refPromise = runReference(
        data.cases.map((c, id) => ({ id, template: c.template, context: { ...IMPLICIT, ...c.context } })),
      )
      const ours = renderOurs(data.cases)
      const ref = await refPromise
      expect(ref).toHaveLength(data.cases.length)

      const versions = referenceVersions()
      const made = data.referenceMadeWith
      const sameSetup = versions?.jinja2 === made.jinja2 && versions.markupsafe === made.markupsafe
      const checked = data.referenceCheckedWith.some(
        (v) => v.jinja2 === versions?.jinja2 && v.markupsafe === versions.markupsafe,
      )

      const listed = new Map<string, string>()
      const problems: string[] = []
      for (const [reason, ids] of Object.entries(known.differences)) {
        if (reason.trim() === '' || reason.startsWith('TODO')) problems.push(`give a reason: ${reason}`)
        for (const id of ids) {
          if (listed.has(id)) problems.push(`listed twice: ${id}`)
          listed.set(id, reason)
        }
      }
      const ids = new Set(data.cases.map((c) => c.id))
      for (const id of listed.keys()) if (!ids.has(id)) problems.push(`listed but not a case: ${id}`)

      const details = new Map<string, string>() // every disagreement: the case, Jinja2's result, ours
      const unexpected: string[] = []
      const nowAgreeing: string[] = []
      const reasons = new Map<string, string>() // what --update writes
      let compared = 0
      let agreeing = 0
      let skipped = 0
      data.cases.forEach((c, i) => {
        const o = ours[i]!
        const r = ref[i]!
        const reason = listed.get(c.id)
        if (!sameSetup && c.referenceVaries) {
          skipped++
          if (reason) reasons.set(c.id, reason)
          return
        }
        compared++
        if (same(o, r)) {
          agreeing++
          if (reason) nowAgreeing.push(`${c.id} (${reason})`)
          return
        }
        reasons.set(c.id, reason ?? todoReason(o, r))
        details.set(
          c.id,
          `${c.id}\n    template: ${JSON.stringify(c.template).slice(0, 300)}\n    context:  ${JSON.stringify(c.context).slice(0, 200)}` +
            `\n    jinja2:   ${describeRef(r)}\n    ours:     ${describeOurs(o)}`,
        )
        if (!reason) unexpected.push(details.get(c.id)!)
      })

      const pct = ((100 * agreeing) / compared).toFixed(1)
      const setup = versions
        ? `Jinja2 ${versions.jinja2}, MarkupSafe ${versions.markupsafe}, Python ${versions.python}`
        : 'Jinja2 of unknown version'
      const notes = [
        `Jinja2 suite: ${agreeing} of ${compared} cases agree, ${pct} % (${setup}; cases from pallets/jinja ${data.tag})`,
        `  known differences listed: ${listed.size}`,
      ]
      if (skipped > 0)
        notes.push(
          `  note: ${skipped} cases skipped: their reference differs between Jinja2 versions, and this is not ` +
            `Jinja2 ${made.jinja2} with MarkupSafe ${made.markupsafe}`,
        )
      if (!checked)
        notes.push(
          '  note: the extractor did not check this Jinja2 and MarkupSafe: a difference may be a version one',
        )
      process.stderr.write(notes.join('\n') + '\n')

      if (updating) {
        await writeKnown(known.about, reasons)
        process.stderr.write(
          `  ${path.relative(process.cwd(), knownPath)} rewritten: ${reasons.size} cases\n`,
        )
        const todo = [...reasons].filter(([, reason]) => reason.startsWith('TODO'))
        if (todo.length > 0)
          process.stderr.write(
            `give these a reason (${todo.length}):\n${todo.map(([id, reason]) => `${details.get(id) ?? id}\n    ${reason}`).join('\n')}\n`,
          )
        expect(todo.map(([id, reason]) => `${id}: ${reason}`)).toEqual([])
        return
      }
      if (unexpected.length > 0)
        process.stderr.write(
          `unlisted disagreements (${unexpected.length}; list them with npm run jinja2-suite -- --update):\n` +
            `${unexpected.slice(0, 80).join('\n')}\n`,
        )
      if (nowAgreeing.length > 0)
        process.stderr.write(`listed but now agreeing (remove them):\n${nowAgreeing.join('\n')}\n`)
      expect(problems).toEqual([])
      expect(unexpected).toEqual([])
      expect(nowAgreeing).toEqual([])
    },
    60_000,
  )
})
