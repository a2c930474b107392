// SARIF for code scanning, piece by piece: where each finding is placed in the repository, grouping,
// fingerprints, the per-run limits and the rules' help. Real folders on disk, since placing a finding
// depends on which files exist. Schema and upload checks on whole runs: sarif-upload.test.ts.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import type { TargetResult } from '../../src/check.js'
import type { Finding } from '../../src/common/finding.js'
import { allRules } from '../../src/rules/registry.js'
import { encodePath } from '../../src/report/paths.js'
import {
  buildSarif,
  FINGERPRINT_KEY,
  gitTopLevel,
  MAX_BYTES,
  MAX_MESSAGE,
  MAX_RESULTS,
  toSarif,
} from '../../src/report/sarif.js'
import {
  checkRuleHelp,
  main as generateDocs,
  REPO_ROOT,
  RULE_HELP_FILE,
  writeDocs,
  writeRuleHelp,
  writeSchema,
} from '../../scripts/generate-docs.js'
import { finding, report, target } from '../helpers/report.js'

let tmp: string
let ws: string
const write = (rel: string, content = '{}\n') => {
  mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true })
  writeFileSync(path.join(ws, rel), content)
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-sarif-'))
  ws = path.join(tmp, 'ws')
  write('models/m/config.json', '{\n  "architectures": ["X"],\n  "model_type": "x"\n}\n')
  write('models/m/tokenizer.json')
  mkdirSync(path.join(ws, 'models/m/outputs/final'), { recursive: true })
  mkdirSync(path.join(ws, 'models/bare'), { recursive: true })
  write('models/bare/README.md', '# no config\n')
  write(
    '.friendli-preflight.yml',
    'targets:\n  - model: models/m\n  - model: models/bare\n  - model: org/hub\n',
  )
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** A local target at models/<name> of the workspace. */
function local(findings: Finding[], name = 'm', over: Partial<TargetResult['spec']> = {}): TargetResult {
  return target(findings, {
    ref: `models/${name}`,
    rootInWorkspace: `models/${name}`,
    spec: {
      kind: 'model',
      ref: `models/${name}`,
      source: 'local',
      root: path.join(ws, 'models', name),
      ...over,
    },
  })
}

function hubTarget(findings: Finding[], origin?: { file: string; line: number }): TargetResult {
  return target(findings, {
    ref: 'org/hub',
    source: 'hub',
    revision: 'a'.repeat(40),
    rootInWorkspace: '',
    hub: { url: 'https://hub.test', repo: 'org/hub', sha: 'a'.repeat(40) },
    spec: {
      kind: 'model',
      ref: 'org/hub',
      source: 'hub',
      root: ws,
      hub: { repo: 'org/hub', revision: 'main' },
      ...(origin ? { origin } : {}),
    },
  })
}

const sarifOf = (targets: TargetResult[]) =>
  buildSarif(report(targets), '1.2.3', 'https://docs.test/rules/', { workspace: ws })
const locationOf = (r: any) => r.locations[0].physicalLocation

describe('where each result goes', () => {
  it('a file with its line, a file without one, a folder on its config.json line 1 saying so', () => {
    const { log } = sarifOf([
      local([
        finding('error', { path: 'config.json', line: 3, column: 5 }),
        finding('warning', { path: 'tokenizer.json' }, 1),
        finding('info', { path: '.' }, 2),
      ]),
    ])
    const run = log.runs[0]
    expect(run.results.map((r) => [r.level, locationOf(r)])).toEqual([
      [
        'error',
        {
          artifactLocation: { uri: 'models/m/config.json', uriBaseId: '%SRCROOT%' },
          region: { startLine: 3, startColumn: 5 },
        },
      ],
      // No line is known: the file only, never an invented line 1.
      ['warning', { artifactLocation: { uri: 'models/m/tokenizer.json', uriBaseId: '%SRCROOT%' } }],
      // A folder is no place code scanning can show: its config.json, and the message says so.
      [
        'note',
        {
          artifactLocation: { uri: 'models/m/config.json', uriBaseId: '%SRCROOT%' },
          region: { startLine: 1 },
        },
      ],
    ])
    expect(run.results[2]!.message.text).toContain(
      '(This concerns the folder "models/m", not this line of config.json.)',
    )
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe(`file://${ws}/`)
  })

  it('a subfolder: its own config.json when it has one, else the target’s', () => {
    write('models/m/outputs/final/config.json')
    const { log } = sarifOf([
      local([finding('error', { path: 'outputs/final' }), finding('error', { path: 'outputs' }, 1)]),
    ])
    expect(
      log.runs[0].results.map((r) => [
        locationOf(r).artifactLocation.uri,
        r.message.text.match(/concerns (.*?),/)?.[1],
      ]),
    ).toEqual([
      ['models/m/outputs/final/config.json', 'the folder "models/m/outputs/final"'],
      ['models/m/config.json', 'the folder "models/m/outputs"'],
    ])
  })

  it('a folder without config.json: the config-file line naming it, else left out and said so', () => {
    const origin = { file: '.friendli-preflight.yml', line: 3 }
    const named = sarifOf([local([finding('error', { path: '.' })], 'bare', { origin })])
    expect(locationOf(named.log.runs[0].results[0])).toEqual({
      artifactLocation: { uri: '.friendli-preflight.yml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3 },
    })
    expect(named.log.runs[0].results[0]!.message.text).toContain(
      '(This concerns the folder "models/bare", named on this line.)',
    )
    expect(named.notes).toEqual([])

    const unnamed = sarifOf([
      local([finding('error', { path: '.' }), finding('warning', { path: 'gone.json' }, 1)], 'bare'),
    ])
    expect(unnamed.log.runs[0].results).toEqual([])
    expect(unnamed.notes).toEqual([
      expect.stringMatching(
        /^2 findings of model models\/bare \(1 error, 1 warning\) are not in this SARIF file: /,
      ),
    ])
    expect(unnamed.log.runs[0].invocations[0]!.toolExecutionNotifications).toEqual([
      { level: 'warning', message: { text: unnamed.notes[0] } },
    ])
  })

  it('a hub target: on the workflow or config line naming it, never an hf:// URI; else left out and said so', () => {
    const findings = [
      finding('error', { path: 'config.json', line: 7 }),
      finding('warning', { path: '.' }, 1),
    ]
    const named = sarifOf([hubTarget(findings, { file: '.github/workflows/ci.yml', line: 12 })])
    const results = named.log.runs[0].results
    expect(results.map(locationOf)).toEqual([
      {
        artifactLocation: { uri: '.github/workflows/ci.yml', uriBaseId: '%SRCROOT%' },
        region: { startLine: 12 },
      },
      {
        artifactLocation: { uri: '.github/workflows/ci.yml', uriBaseId: '%SRCROOT%' },
        region: { startLine: 12 },
      },
    ])
    expect(results[0]!.message.text).toContain(
      `(This concerns config.json line 7 of the Hub model org/hub at commit ${'a'.repeat(12)}, named on this line.)`,
    )
    // Two findings of different rules on one line are two alerts: their fingerprints differ.
    expect(new Set(results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])).size).toBe(2)
    expect(JSON.stringify(named.log)).not.toContain('hf://')

    const unnamed = sarifOf([hubTarget(findings)])
    expect(unnamed.log.runs[0].results).toEqual([])
    expect(unnamed.notes).toHaveLength(1)
    expect(unnamed.notes[0]).toMatch(
      /^2 findings of the Hub model org\/hub \(1 error, 1 warning\) are not in this SARIF file: its files are on the Hugging Face Hub/,
    )
    expect(JSON.stringify(unnamed.log)).not.toContain('hf://')
  })

  it('a config file outside the repository is no place for a result', () => {
    const { log, notes } = sarifOf([
      hubTarget([finding('error', { path: '.' })], { file: '/etc/preflight.yml', line: 2 }),
    ])
    expect(log.runs[0].results).toEqual([])
    expect(notes).toHaveLength(1)
  })

  it('a target that could not be checked is an error notification, and the run says it did not succeed', () => {
    const failed = { ...local([]), status: 'error' as const, error: 'it does not exist' }
    const { log } = sarifOf([failed])
    expect(log.runs[0].invocations[0]).toEqual({
      executionSuccessful: false,
      toolExecutionNotifications: [
        { level: 'error', message: { text: 'Could not check models/m: it does not exist' } },
      ],
    })
  })
})

describe('paths', () => {
  it('percent-encodes each segment: space, %, #, |, ?, :, non-ASCII, a lone surrogate', () => {
    expect(encodePath('a b/100%/#1|x?.json')).toBe('a%20b/100%25/%231%7Cx%3F.json')
    expect(encodePath('café/日本.json')).toBe('caf%C3%A9/%E6%97%A5%E6%9C%AC.json')
    // A first segment with a colon would read as a URI scheme.
    expect(encodePath('c:/x')).toBe('c%3A/x')
    expect(encodePath('bad\ud800.json')).toBe('bad%EF%BF%BD.json')
  })

  it('is relative to the repository root: the git top-level above the workspace', () => {
    const top = path.join(tmp, 'repo')
    mkdirSync(path.join(top, '.git'), { recursive: true })
    mkdirSync(path.join(top, 'sub/models/m'), { recursive: true })
    writeFileSync(path.join(top, 'sub/models/m/config.json'), '{}')
    expect(gitTopLevel(path.join(top, 'sub'))).toBe(top)
    expect(gitTopLevel(ws)).toBe(ws) // no .git above it (the temp folder): the workspace itself
    const t = target([finding('error', { path: 'config.json', line: 1 })], {
      spec: { kind: 'model', ref: 'models/m', source: 'local', root: path.join(top, 'sub/models/m') },
    })
    const log = toSarif(report([t]), '1', 'https://docs.test/', {
      workspace: path.join(top, 'sub'),
      repoRoot: gitTopLevel(path.join(top, 'sub')),
    })
    expect(locationOf(log.runs[0].results[0]).artifactLocation.uri).toBe('sub/models/m/config.json')
    expect(log.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe(`file://${top}/`)
  })

  it('a local target outside the repository (a CLI argument ../x) is left out, not given a ../ URI', () => {
    const t = target([finding('error', { path: 'config.json', line: 2 })], {
      rootInWorkspace: '../elsewhere',
    })
    const { log, notes } = sarifOf([t])
    expect(log.runs[0].results).toEqual([])
    expect(notes).toHaveLength(1)
  })
})

describe('grouping and fingerprints', () => {
  const row = (n: number): Finding => ({
    ruleId: 'DS201',
    rule: 'invalid-row',
    messageId: 'pythonRepr',
    severity: 'error',
    message: 'This row cannot be read: a Python dict repr, not JSON.',
    hint: 'Write rows with json.dumps.',
    location: { path: 'train.jsonl', line: n, column: 2, row: n },
    docsUrl: '',
  })

  it('one result per group of rows, naming the count, the first rows and those past the cap', () => {
    write('data/train.jsonl', 'x\n'.repeat(10))
    const t = target(
      Array.from({ length: 1_000 }, (_, i) => row(i + 1)),
      {
        kind: 'dataset',
        ref: 'data',
        rootInWorkspace: 'data',
        spec: { kind: 'dataset', ref: 'data', source: 'local', root: path.join(ws, 'data') },
        omitted: [
          { ruleId: 'DS201', rule: 'invalid-row', path: 'train.jsonl', severity: 'error', count: 29_000 },
        ],
      },
    )
    const results = sarifOf([t]).log.runs[0].results
    expect(results).toHaveLength(1)
    expect(results[0]!.message.text).toBe(
      'This row cannot be read: a Python dict repr, not JSON. The first of 30,000 findings like it, in rows 1, 2, 3, 4, 5 and 995 more (1,000 rows); 29,000 of them past the cap of findings kept per rule and file, counted only.\nWrite rows with json.dumps.',
    )
    expect(locationOf(results[0])).toMatchObject({
      artifactLocation: { uri: 'data/train.jsonl' },
      region: { startLine: 1 },
    })
  })

  it('two findings of one rule on one line are two alerts; fingerprints are the same on the next run', () => {
    const a = {
      ...finding('error', { path: 'config.json', line: 2, pointer: '/architectures/0' }),
      messageId: 'unknown',
    }
    const b = { ...a, message: 'Another message.', location: { ...a.location, pointer: '/architectures/1' } }
    const c = finding('error', { path: 'config.json', line: 3 }, 1)
    const results = sarifOf([local([a, b, c])]).log.runs[0].results
    const again = sarifOf([local([a, b, c])]).log.runs[0].results
    expect(results.map((r) => r.partialFingerprints)).toEqual(again.map((r) => r.partialFingerprints))
    const keys = results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])
    expect(new Set(keys).size).toBe(3)
    // Code scanning matches alerts by primaryLocationLineHash only: the two on one line carry their own,
    // distinct; the third is left to upload-sarif, which hashes the line's text.
    expect(results.map((r) => r.partialFingerprints.primaryLocationLineHash)).toEqual([
      keys[0],
      keys[1],
      undefined,
    ])
    // Fingerprints do not depend on the other findings around (only identical findings are counted).
    expect(sarifOf([local([b])]).log.runs[0].results[0]!.partialFingerprints[FINGERPRINT_KEY]).toBe(keys[1])
  })

  it('identical findings still get distinct fingerprints, by occurrence', () => {
    const a = finding('warning', { path: 'config.json', line: 2 })
    const results = sarifOf([local([a, { ...a }])]).log.runs[0].results
    const [x, y] = results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]!)
    expect(x).not.toBe(y)
    expect(x!.replace(/:\d+$/, '')).toBe(y!.replace(/:\d+$/, ''))
  })
})

describe('limits of code scanning', () => {
  it(`keeps at most ${MAX_RESULTS.toLocaleString('en-US')} results, errors first, and says what it left out`, () => {
    const warnings = Array.from({ length: 3_000 }, (_, i) =>
      finding('warning', { path: 'config.json', line: i + 1 }),
    )
    const errors = Array.from({ length: 3_000 }, (_, i) =>
      finding('error', { path: 'config.json', line: i + 1 }, 1),
    )
    const { log, notes } = sarifOf([local([...warnings, ...errors])])
    const results = log.runs[0].results
    expect(results).toHaveLength(MAX_RESULTS)
    expect(results.filter((r) => r.level === 'error')).toHaveLength(3_000)
    expect(notes).toEqual([
      '1,000 results (1,000 warnings) left out of this SARIF file: code scanning keeps at most 5,000 results of a run (and 10 MB), so the most severe are kept. The JSON report lists each finding, up to 1,000 per rule and file, and counts the rest.',
    ])
    expect(log.runs[0].invocations[0]!.toolExecutionNotifications).toContainEqual({
      level: 'warning',
      message: { text: notes[0] },
    })
  })

  it('keeps the file under the upload size: messages clipped, results stopped at the byte budget', () => {
    // Control characters take 6 bytes each in JSON: the worst case for size, and gzip's too.
    const controls = Array.from({ length: 31 }, (_, j) => String.fromCharCode(j + 1)).join('')
    const huge = Array.from({ length: 4_000 }, (_, i) => ({
      ...finding('error', { path: 'config.json', line: i + 1 }),
      message: `${i} ${controls.repeat(100)}`,
    }))
    const { log, notes } = sarifOf([local(huge)])
    const results = log.runs[0].results
    expect(Math.max(...results.map((r) => r.message.text.length))).toBeLessThanOrEqual(MAX_MESSAGE)
    const json = JSON.stringify(log)
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_BYTES + 64 * 1024)
    expect(gzipSync(json).length).toBeLessThan(10 * 1000 * 1000)
    expect(results.length).toBeLessThan(4_000)
    expect(notes[0]).toMatch(/^\d[\d,]* results \([\d,]+ errors\) left out of this SARIF file/)
  })
})

describe('rules', () => {
  it('every rule with descriptions, help from its doc page (links made absolute) and its page as helpUri', () => {
    const { driver } = toSarif(report([]), '1.2.3', 'https://docs.test/rules/').runs[0].tool
    expect(driver).toMatchObject({ name: 'friendli-preflight', version: '1.2.3' })
    expect(driver.rules).toHaveLength(allRules.length)
    for (const rule of driver.rules) {
      expect(rule.shortDescription.text).not.toBe('')
      expect(rule.fullDescription.text.length).toBeLessThanOrEqual(1024)
      expect(rule.helpUri).toBe(`https://docs.test/rules/${rule.name}.md`)
      expect(rule.help.markdown).toContain('### What it checks')
      expect(rule.help.markdown).toContain('### How to fix')
      expect(rule.help.markdown).not.toMatch(/\]\((?!https?:)/)
      expect(rule.help.text).not.toContain('](')
      expect(rule.properties.tags.length).toBeLessThanOrEqual(20)
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level)
    }
    const mr101 = driver.rules.find((r) => r.id === 'MR101')!
    const page = readFileSync(path.join(REPO_ROOT, 'docs/rules/missing-config.md'), 'utf8')
    expect(mr101.help.markdown).toContain(
      page.split('## How to fix\n')[1]!.split('\n## ')[0]!.trim().split('\n')[0],
    )
    expect(mr101.help.markdown).toContain('[nested-model](https://docs.test/rules/nested-model.md)')
  })

  it(`${RULE_HELP_FILE} is what npm run docs writes from the pages, and --check fails when it is stale`, () => {
    expect(checkRuleHelp()).toEqual([])
    const root = mkdtempSync(path.join(os.tmpdir(), 'fp-help-'))
    try {
      writeDocs(root)
      expect(checkRuleHelp(root)).toEqual([{ file: RULE_HELP_FILE, problem: 'missing' }])
      expect(writeRuleHelp(root)).toEqual([RULE_HELP_FILE])
      expect(checkRuleHelp(root)).toEqual([])
      writeSchema(root) // the manifest's JSON Schema, which --check covers too
      expect(generateDocs(['--check'], root)).toBe(0)
      const page = path.join(root, 'docs/rules/missing-config.md')
      writeFileSync(
        page,
        readFileSync(page, 'utf8').replace('## How to fix\n', '## How to fix\n\nA new first step.\n'),
      )
      expect(checkRuleHelp(root)).toEqual([{ file: RULE_HELP_FILE, problem: 'out of date' }])
      const quiet = [process.stdout, process.stderr].map((s) => jest.spyOn(s, 'write').mockReturnValue(true))
      try {
        expect(generateDocs(['--check'], root)).toBe(1)
        expect(generateDocs([], root)).toBe(0)
      } finally {
        for (const spy of quiet) spy.mockRestore()
      }
      const help = JSON.parse(readFileSync(path.join(root, RULE_HELP_FILE), 'utf8'))
      expect(help.rules.MR101.fix).toMatch(/^A new first step\./)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
