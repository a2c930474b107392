/**
 * DS401's verdict must be transformers' verdict: every row of the corpus's conversation datasets, read by
 * our readers, rendered with every chat template of the corpus models, by us and by Python Jinja2 set up
 * as transformers does. A row Jinja2 renders must render here, and a row it cannot render (a raise, or a
 * type error) must fail here too; the text must match. Skips with a note without the corpus or jinja2.
 */
import { describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readRows } from '../../src/readers/read-rows.js'
import { findDataFiles } from '../../src/readers/splits.js'
import { openLocalSource } from '../../src/sources/local.js'
import { setFixedNow } from '../../src/templates/jinja-globals.js'
import { compileTemplate, renderTemplate } from '../../src/templates/render.js'
import { agree, FIXED_NOW, pythonAvailable, runReference } from '../helpers/jinja-reference.js'
import { loadCorpusTemplates } from './conversations.js'

const corpusRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus')
const datasets = path.join(corpusRoot, 'datasets', 'messages')
const present = fs.existsSync(datasets) && fs.existsSync(path.join(corpusRoot, 'models'))
const run = present && pythonAvailable()
// Straight to stderr: jest drops the console output of a file whose tests are all skipped.
if (!run)
  process.stderr.write(
    `note: dataset differential skipped: ${present ? 'python3 with jinja2 is not available' : `no corpus at ${corpusRoot}`}\n`,
  )

describe('dataset rows: ours vs Python Jinja2 (transformers setup)', () => {
  ;(run ? test : test.skip)(
    'every corpus row × every corpus model template reaches the same verdict and text',
    async () => {
      const source = await openLocalSource(datasets)
      const rows: { id: string; messages: unknown; tools: unknown }[] = []
      // Each file on its own: together, datasets' split rules would keep only the one named "training".
      const listing = await source.list()
      const files = listing.entries.flatMap((e) => findDataFiles({ ...listing, entries: [e] }).files)
      for (const file of files)
        for await (const e of readRows(source, file))
          if (e.kind === 'row') {
            const v = e.value as { messages?: unknown; tools?: unknown }
            rows.push({ id: `${file.path}:${e.row}`, messages: v.messages, tools: v.tools ?? null })
          }
      const templates = loadCorpusTemplates(corpusRoot).filter((t) => t.id.startsWith('models/'))
      expect(rows.length).toBeGreaterThan(100)
      expect(templates.length).toBeGreaterThan(10)

      const jobs = templates.flatMap((t, ti) =>
        rows.map((r, ri) => ({
          id: ti * rows.length + ri,
          template: t.source,
          context: {
            ...t.specialTokens,
            messages: r.messages,
            tools: r.tools,
            documents: null,
            add_generation_prompt: false,
          },
        })),
      )
      const reference = await runReference(jobs)
      setFixedNow(new Date(FIXED_NOW))
      const disagreements: string[] = []
      let rendered = 0
      let refused = 0
      templates.forEach((t, ti) => {
        const compiled = compileTemplate(t.source)
        if (!compiled.ok) throw new Error(`${t.id} does not compile: ${compiled.message}`)
        rows.forEach((r, ri) => {
          const ours = renderTemplate(compiled.template, {
            messages: r.messages,
            add_generation_prompt: false,
            tools: r.tools ?? undefined,
            specialTokens: t.specialTokens,
          })
          const ref = reference[ti * rows.length + ri]
          if (ref.ok) rendered++
          else refused++
          if (!agree(ours, ref))
            disagreements.push(
              `${t.id} × ${r.id}: ours ${ours.ok ? 'ok' : `${ours.kind}: ${ours.message}`}, Jinja2 ${ref.ok ? 'ok' : `${ref.kind}: ${ref.message}`}`,
            )
        })
      })
      console.log(
        `dataset differential: ${templates.length} templates × ${rows.length} rows = ${jobs.length} renders; Jinja2 rendered ${rendered}, refused ${refused}; disagreements ${disagreements.length}`,
      )
      expect(disagreements).toEqual([])
    },
    120_000,
  )
})
