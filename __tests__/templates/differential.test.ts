/**
 * Differential test: our renderer (src/templates/render.ts) against Python Jinja2 set up as transformers'
 * apply_chat_template (scripts/jinja2_reference.py), over every template of the shared corpus × the conversation
 * grid. Compares per pair the verdict (ok vs error), for errors the kind (raise vs error), for raise the message
 * and for ok the exact text. Disagreements must be listed in known-differences.json, and listed pairs must still
 * disagree. Skips with a note when the corpus or python3 + jinja2 is missing.
 */
import { describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileTemplate, renderTemplate, type RenderResult } from '../../src/templates/render.js'
import { setFixedNow } from '../../src/templates/jinja-globals.js'
import {
  agree,
  FIXED_NOW,
  pythonAvailable,
  runReference,
  type RefResult,
} from '../helpers/jinja-reference.js'
import {
  conversations,
  loadCorpusTemplates,
  type CorpusTemplate,
  type GridConversation,
} from './conversations.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '../..')
const corpusRoot = path.resolve(repoRoot, '../shared/corpus')

interface Known {
  template: string
  conversation: string
  reason: string
}
function contextOf(t: CorpusTemplate, c: GridConversation): Record<string, unknown> {
  return {
    ...t.specialTokens,
    messages: c.messages,
    add_generation_prompt: c.add_generation_prompt,
    tools: c.tools ?? null,
    documents: c.documents ?? null,
  }
}

function describeResult(r: RenderResult | RefResult): string {
  if (r.ok) return `ok ${JSON.stringify((r as { text: string }).text).slice(0, 300)}`
  return `${r.kind}: ${r.message}`
}

const corpusPresent =
  fs.existsSync(path.join(corpusRoot, 'templates')) && fs.existsSync(path.join(corpusRoot, 'models'))
const haveAll = corpusPresent && pythonAvailable()
// Straight to stderr: jest drops the console output of a file whose tests are all skipped.
if (!haveAll)
  process.stderr.write(
    `note: differential test skipped: ${corpusPresent ? 'python3 with jinja2 is not available' : `no corpus at ${corpusRoot}`}\n`,
  )

describe('chat templates: ours vs Python Jinja2 (transformers setup)', () => {
  ;(haveAll ? test : test.skip)(
    'every corpus template × conversation agrees, or is a listed known difference',
    async () => {
      const templates = loadCorpusTemplates(corpusRoot)
      expect(templates.length).toBeGreaterThan(50)
      const jobs: Array<{ id: number; template: string; context: unknown }> = []
      const pairs: Array<{ t: CorpusTemplate; c: GridConversation }> = []
      for (const t of templates)
        for (const c of conversations) {
          jobs.push({ id: jobs.length, template: t.source, context: contextOf(t, c) })
          pairs.push({ t, c })
        }
      const refPromise = runReference(jobs)

      setFixedNow(new Date(FIXED_NOW + 'Z'))
      const ours: RenderResult[] = []
      try {
        for (const t of templates) {
          const compiled = compileTemplate(t.source)
          for (const c of conversations) {
            if (!compiled.ok) {
              ours.push({ ok: false, kind: 'error', message: `compile: ${compiled.message}` })
              continue
            }
            ours.push(
              renderTemplate(compiled.template, {
                messages: c.messages,
                add_generation_prompt: c.add_generation_prompt,
                tools: c.tools,
                documents: c.documents,
                specialTokens: t.specialTokens,
              }),
            )
          }
        }
      } finally {
        setFixedNow(undefined)
      }
      const ref = await refPromise
      expect(ref).toHaveLength(jobs.length)

      const known: Known[] = JSON.parse(
        fs.readFileSync(path.join(here, 'known-differences.json'), 'utf8'),
      ) as Known[]
      const knownKey = (template: string, conversation: string): string => `${template}\u0000${conversation}`
      const knownSet = new Map(known.map((k) => [knownKey(k.template, k.conversation), k]))

      const unexpected: string[] = []
      const nowAgreeing: string[] = []
      const templateAgrees = new Map<string, boolean>()
      let agreeing = 0
      let verdictAgreeing = 0
      for (let i = 0; i < pairs.length; i++) {
        const { t, c } = pairs[i]!
        const r = ref[i]!
        const o = ours[i]!
        const same = agree(o, r)
        if (same) agreeing++
        if (o.ok === r.ok && (o.ok || o.kind === r.kind)) verdictAgreeing++
        templateAgrees.set(t.id, (templateAgrees.get(t.id) ?? true) && same)
        const listed = knownSet.has(knownKey(t.id, c.id)) || knownSet.has(knownKey(t.id, '*'))
        if (!same && !listed)
          unexpected.push(
            `${t.id} × ${c.id}\n    jinja2: ${describeResult(r)}\n    ours:   ${describeResult(o)}`,
          )
        if (same && knownSet.has(knownKey(t.id, c.id))) nowAgreeing.push(`${t.id} × ${c.id}`)
      }
      for (const k of known.filter((k) => k.conversation === '*')) {
        const ids = pairs.map((p, i) => (p.t.id === k.template ? i : -1)).filter((i) => i >= 0)
        if (ids.every((i) => agree(ours[i]!, ref[i]!))) nowAgreeing.push(`${k.template} × *`)
      }
      const templatesAgreeing = [...templateAgrees.values()].filter(Boolean).length
      const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(1)} %`
      console.log(
        [
          `differential: ${templates.length} templates × ${conversations.length} conversations = ${pairs.length} pairs`,
          `  pairs agreeing exactly: ${agreeing}/${pairs.length} (${pct(agreeing, pairs.length)})`,
          `  pairs agreeing on the verdict: ${verdictAgreeing}/${pairs.length} (${pct(verdictAgreeing, pairs.length)})`,
          `  templates agreeing on every conversation: ${templatesAgreeing}/${templates.length} (${pct(templatesAgreeing, templates.length)})`,
          `  known differences listed: ${known.length}`,
        ].join('\n'),
      )
      if (unexpected.length > 0)
        console.log(`unlisted disagreements (${unexpected.length}):\n${unexpected.slice(0, 60).join('\n')}`)
      if (nowAgreeing.length > 0)
        console.log(`listed but now agreeing (remove them):\n${nowAgreeing.join('\n')}`)
      expect(unexpected).toEqual([])
      expect(nowAgreeing).toEqual([])
    },
    60_000,
  )
})
