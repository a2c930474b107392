// Whole runs as SARIF, checked the way an upload is: against the official SARIF 2.1.0 schema (OASIS,
// vendored in __tests__/fixtures/sarif/, validated with ajv) and against what code scanning accepts
// (https://docs.github.com/en/code-security/reference/code-scanning/sarif-files/sarif-support-for-code-scanning,
// https://github.com/github/codeql-action/blob/main/src/upload-lib.ts): results per run, relative URIs
// that resolve to a file of the repository, fingerprints unique per result, the gzip size.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import AjvDraft04 from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { checkTargets } from '../../src/check.js'
import { main as cli } from '../../src/cli.js'
import { buildSarif, FINGERPRINT_KEY, gitTopLevel, MAX_RESULTS } from '../../src/report/sarif.js'
import { resolveSettings, type RawInputs } from '../../src/settings.js'
import { REPO_ROOT } from '../../scripts/generate-docs.js'
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js'
import { filesOf } from '../helpers/hub-repo.js'
import { rawInputs } from '../helpers/raw-inputs.js'
import { makeSafetensors } from '../helpers/safetensors.js'

const schema = JSON.parse(
  readFileSync(path.join(REPO_ROOT, '__tests__/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'),
) as object
const ajv = new AjvDraft04.default({ allErrors: true, strict: false })
addFormats.default(ajv)
const validSarif = ajv.compile(schema)

/** Everything that would make code scanning reject this log, or show a result nowhere; [] when none. */
function uploadProblems(log: unknown, repoRoot: string): string[] {
  const problems: string[] = []
  if (!validSarif(log))
    problems.push(...validSarif.errors!.map((e) => `schema: ${e.instancePath} ${e.message ?? ''}`))
  const json = JSON.stringify(log)
  if (gzipSync(json).length >= 10 * 1000 * 1000) problems.push('over 10 MB gzip-compressed')
  if (json.includes('hf://')) problems.push('an hf:// URI')
  const { runs } = log as { runs: any[] }
  if (runs.length > 20) problems.push(`${runs.length} runs (at most 20)`)
  const base = 'file:///repository/'
  for (const run of runs) {
    if (run.results.length > MAX_RESULTS) problems.push(`${run.results.length} results in a run`)
    if (!run.originalUriBaseIds?.['%SRCROOT%']) problems.push('no originalUriBaseIds for %SRCROOT%')
    for (const rule of run.tool.driver.rules) {
      if ((rule.properties?.tags ?? []).length > 20) problems.push(`${rule.id}: over 20 tags`)
      if (rule.name.length > 255) problems.push(`${rule.id}: name over 255 characters`)
      if (rule.shortDescription.text.length > 1024 || rule.fullDescription.text.length > 1024)
        problems.push(`${rule.id}: description over 1,024 characters`)
      if (!rule.help?.text) problems.push(`${rule.id}: no help.text`)
    }
    const fingerprints = new Set<string>()
    const lineHashes = new Map<string, Set<string | undefined>>()
    for (const r of run.results) {
      r.partialFingerprints ??= {}
      const fp = r.partialFingerprints[FINGERPRINT_KEY]
      if (!fp || fingerprints.has(fp)) problems.push(`fingerprint missing or repeated: ${fp}`)
      fingerprints.add(fp)
      if (r.locations.length < 1 || r.locations.length > 1000) problems.push('locations per result')
      const { artifactLocation, region } = r.locations[0].physicalLocation
      const { uri, uriBaseId } = artifactLocation
      if (uriBaseId !== '%SRCROOT%') problems.push(`${uri}: uriBaseId ${uriBaseId}`)
      if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')) problems.push(`${uri}: not relative`)
      if (!new URL(uri, base).href.startsWith(base)) problems.push(`${uri}: outside the repository`)
      let file: string
      try {
        file = path.join(repoRoot, decodeURIComponent(uri))
      } catch {
        problems.push(`${uri}: not percent-encoded right`)
        continue
      }
      // What code scanning can show: a regular file of the repository (not a folder, not a link),
      // and a line it has.
      if (!lstatSync(file, { throwIfNoEntry: false })?.isFile()) problems.push(`${uri}: not a file`)
      else if (region && region.startLine > readFileSync(file, 'utf8').split('\n').length)
        problems.push(`${uri}:${region.startLine}: past the end of the file`)
      // Code scanning tells alerts apart by primaryLocationLineHash (upload-sarif's is the line's text
      // hash): results of one rule on one line must carry distinct ones.
      const at = JSON.stringify([r.ruleId, uri, region?.startLine ?? 0])
      const hashes = lineHashes.get(at) ?? new Set()
      if (
        hashes.size > 0 &&
        (!r.partialFingerprints.primaryLocationLineHash ||
          hashes.has(r.partialFingerprints.primaryLocationLineHash))
      )
        problems.push(`${at}: two results, one alert`)
      hashes.add(r.partialFingerprints.primaryLocationLineHash)
      lineHashes.set(at, hashes)
    }
  }
  return problems
}

/** Check `raw` in `workspace` and return the SARIF with the notes, as the CLI and the action write it. */
async function sarifOfRun(raw: Partial<RawInputs>, workspace: string, env: NodeJS.ProcessEnv = {}) {
  const report = await checkTargets(resolveSettings(rawInputs(raw), workspace, env), {})
  const repoRoot = gitTopLevel(workspace)
  return {
    report,
    repoRoot,
    ...buildSarif(report, '1.0.0', 'https://docs.test/rules/', { workspace, repoRoot }),
  }
}

let tmp: string
let hub: FakeHub
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-sarif-upload-'))
  hub = await startFakeHub({
    repos: { 'org/broken': { files: filesOf(path.join(REPO_ROOT, 'examples/broken-model')) } },
  })
})
afterAll(async () => {
  await hub.close()
  rmSync(tmp, { recursive: true, force: true })
})

describe('SARIF that code scanning accepts', () => {
  it('the schema check finds planted mistakes', () => {
    const bad = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'x', rules: [] } },
          results: [
            {
              message: { text: 'm' },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'hf://o/n@1/config.json' },
                    region: { startLine: 0 },
                  },
                },
              ],
            },
          ],
        },
      ],
    }
    expect(uploadProblems(bad, tmp)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^schema: \/runs\/0\/results\/0\/locations\/0\/physicalLocation\/region\/startLine /,
        ),
        'an hf:// URI',
        'no originalUriBaseIds for %SRCROOT%',
        'fingerprint missing or repeated: undefined',
        'hf://o/n@1/config.json: not relative',
      ]),
    )
  })

  it('the examples (examples/friendli-preflight.yml)', async () => {
    const examples = path.join(REPO_ROOT, 'examples')
    const { log, repoRoot, report } = await sarifOfRun({ config: 'friendli-preflight.yml' }, examples)
    // Two models, a dataset, then the two deployment manifests.
    expect(report.targets.map((t) => t.status)).toEqual(['pass', 'fail', 'fail', 'fail', 'pass'])
    expect(uploadProblems(log, repoRoot)).toEqual([])
    const prefix = path.relative(repoRoot, examples).split(path.sep).join('/')
    const uris = new Set(
      log.runs[0].results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri),
    )
    expect([...uris].every((u) => u.startsWith(prefix ? `${prefix}/` : ''))).toBe(true)
    expect(uris).toContain(`${prefix ? `${prefix}/` : ''}broken-model/config.json`)
    expect(uris).toContain(`${prefix ? `${prefix}/` : ''}endpoints/broken-endpoint.json`)
  })

  it('a dataset of 30,000 bad rows: a handful of grouped results naming the counts', async () => {
    const ws = path.join(tmp, 'rows')
    mkdirSync(ws, { recursive: true })
    // Each row bad in one of three ways: a Python repr (DS201), no "messages" (DS101), an unknown role
    // and no assistant message (DS202, DS203); the last kind also repeats (DS302).
    const bad = [
      (i: number) => `{'messages': [{'role': 'user', 'content': '${i}'}]}`,
      (i: number) => JSON.stringify({ text: `row ${i}` }),
      () =>
        JSON.stringify({
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'bot', content: 'x' },
          ],
        }),
    ]
    const lines = Array.from({ length: 30_000 }, (_, i) => bad[i % 3]!(i))
    writeFileSync(path.join(ws, 'train.jsonl'), lines.join('\n') + '\n')
    const { log, repoRoot, report, notes } = await sarifOfRun({ dataset: 'train.jsonl' }, ws)
    const findings = report.targets[0]!.findings.length
    const omitted = (report.targets[0]!.omitted ?? []).reduce((n, o) => n + o.count, 0)
    expect(findings + omitted).toBeGreaterThanOrEqual(30_000)
    const results = log.runs[0].results
    expect(uploadProblems(log, repoRoot)).toEqual([])
    expect(results.length).toBeLessThanOrEqual(10)
    expect(notes).toEqual([])
    const ds201 = results.find((r) => r.ruleId === 'DS201')!
    expect(ds201.message.text).toMatch(
      / The first of 10,000 findings like it, in rows 1, 4, 7, 10, 13 and 995 more \(1,000 rows\); 9,000 of them past the cap/,
    )
    expect(ds201.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'train.jsonl', uriBaseId: '%SRCROOT%' },
      region: { startLine: 1, startColumn: 2 },
    })
  })

  it('a hub model: on the workflow line that names it, or on the config-file line; else left out and said so', async () => {
    const ws = path.join(tmp, 'hub')
    mkdirSync(path.join(ws, '.github/workflows'), { recursive: true })
    const workflow = [
      'on: pull_request',
      'jobs:',
      '  x:',
      '    steps:',
      '      - uses: friendli-preflight/friendli-preflight@v0',
      '        with:',
      '          model: org/broken',
      '',
    ]
    writeFileSync(path.join(ws, '.github/workflows/ci.yml'), workflow.join('\n'))
    const env = { GITHUB_WORKFLOW_REF: 'me/repo/.github/workflows/ci.yml@refs/heads/main' }
    const byWorkflow = await sarifOfRun({ model: 'org/broken', hubUrl: hub.url }, ws, env)
    expect(byWorkflow.report.targets[0]!.findings.length).toBeGreaterThan(0)
    expect(uploadProblems(byWorkflow.log, byWorkflow.repoRoot)).toEqual([])
    expect(byWorkflow.log.runs[0].results.length).toBeGreaterThan(0)
    expect(byWorkflow.log.runs[0].results.map((r) => r.locations[0]!.physicalLocation)).toEqual(
      byWorkflow.log.runs[0].results.map(() => ({
        artifactLocation: { uri: '.github/workflows/ci.yml', uriBaseId: '%SRCROOT%' },
        region: { startLine: 7 },
      })),
    )
    expect(byWorkflow.notes).toEqual([])

    writeFileSync(path.join(ws, 'preflight config.yml'), 'targets:\n  - model: org/broken\n')
    const byConfig = await sarifOfRun({ config: 'preflight config.yml', hubUrl: hub.url }, ws)
    expect(uploadProblems(byConfig.log, byConfig.repoRoot)).toEqual([])
    expect(byConfig.log.runs[0].results[0]!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'preflight%20config.yml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 2 },
    })

    const unnamed = await sarifOfRun({ model: 'org/broken', hubUrl: hub.url }, ws)
    expect(uploadProblems(unnamed.log, unnamed.repoRoot)).toEqual([])
    expect(unnamed.log.runs[0].results).toEqual([])
    expect(unnamed.notes).toEqual([expect.stringContaining('of the Hub model org/broken (')])
    expect(unnamed.log.runs[0].invocations[0]!.toolExecutionNotifications).toHaveLength(1)
  })

  it('file names with a space, %, #, |, non-ASCII: percent-encoded URIs that lead to the files', async () => {
    const ws = path.join(tmp, 'names')
    const folder = path.join(ws, 'models', 'my model 100% #1 | ü 日本')
    mkdirSync(folder, { recursive: true })
    // A config.json with a problem on a known line, and a shard whose header is not JSON (a finding on
    // a file without a line).
    writeFileSync(path.join(folder, 'config.json'), '{\n  "architectures": ["LlamaForCausalLM"]\n}\n')
    writeFileSync(
      path.join(folder, 'model #1 | 100%.safetensors'),
      makeSafetensors({ 'x.weight': { dtype: 'F16', shape: [2] } }),
    )
    writeFileSync(path.join(folder, 'weird: é.safetensors'), Buffer.from('not a safetensors header at all'))
    const { log, repoRoot, report } = await sarifOfRun({ model: 'models/my model 100% #1 | ü 日本' }, ws)
    expect(report.targets[0]!.findings.length).toBeGreaterThan(0)
    expect(uploadProblems(log, repoRoot)).toEqual([])
    const uris = log.runs[0].results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)
    expect(uris).toContain(
      'models/my%20model%20100%25%20%231%20%7C%20%C3%BC%20%E6%97%A5%E6%9C%AC/config.json',
    )
    expect(uris.every((u) => !/[ #|%](?![0-9A-F]{2})/.test(u) && /^[\x21-\x7e]+$/.test(u))).toBe(true)
  })

  it('the CLI: --format sarif prints the log relative to the git top-level, and on stderr what it left out', async () => {
    const top = path.join(tmp, 'cli')
    mkdirSync(path.join(top, '.git'), { recursive: true })
    mkdirSync(path.join(top, 'sub'), { recursive: true })
    writeFileSync(path.join(top, 'sub/train.jsonl'), "{'messages': []}\n")
    const cwd = process.cwd()
    let out = ''
    let err = ''
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true))
    try {
      process.chdir(path.join(top, 'sub'))
      expect(await cli(['--format', 'sarif', '--dataset', 'train.jsonl'], (s) => (out += s), {})).toBe(1)
      const log = JSON.parse(out)
      expect(uploadProblems(log, top)).toEqual([])
      expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(
        'sub/train.jsonl',
      )
      expect(err).toBe('')
      out = ''
      expect(
        await cli(['--format', 'sarif', 'org/broken', '--hub-url', hub.url], (s) => (out += s), {}),
      ).toBe(1)
      expect(JSON.parse(out).runs[0].results).toEqual([])
      expect(err).toMatch(
        /^friendli-preflight: \d+ findings of the Hub model org\/broken \(.*\) are not in this SARIF file: /,
      )
    } finally {
      process.chdir(cwd)
      stderr.mockRestore()
    }
  })
})
