// Which deployment manifests a run checks, and the hostile ones: the default patterns and what they
// leave out (dot-folders, node_modules, links out of the workspace), the config file's patterns and
// local models, a repository of manifests only, a 50 MB manifest refused before it is read, a linked
// manifest leading out of the workspace, and planted workflow commands and control characters in a
// manifest's values, inert in every output format.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { MANIFEST_LIMITS } from '../src/artifacts/manifest.js'
import { checkTargets } from '../src/check.js'
import { FORMATS } from '../src/cli.js'
import { ConfigFileError, resolveSettings } from '../src/settings.js'
import { readFileWithin } from '../src/sources/local.js'
import { formatText } from '../src/report/text.js'
import { runCliIn } from './helpers/in-process.js'
import { INJECT } from './helpers/planted-commands.js'
import { rawInputs } from './helpers/raw-inputs.js'
import { executedCommands } from './helpers/runner-commands.js'

let tmp: string

const UPDATE = 'name: chat\nautoscalingPolicy:\n  minReplica: 1\n  maxReplica: 2\n'

/** Writes `files` under a fresh workspace named `name`; returns its path. */
function workspace(name: string, files: Record<string, string>): string {
  const ws = path.join(tmp, name)
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true })
    writeFileSync(path.join(ws, rel), text)
  }
  mkdirSync(ws, { recursive: true })
  return ws
}

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-manifest-inputs-')))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('the manifests a run checks', () => {
  it('by default: friendli-endpoint* anywhere and .friendli/endpoints/*, not in dot-folders, node_modules or links out', () => {
    const ws = workspace('defaults', {
      'deploy/friendli-endpoint.yaml': UPDATE,
      'deploy/staging/friendli-endpoint-staging.json': '{"name": "x"}',
      '.friendli/endpoints/chat.yml': UPDATE,
      '.friendli/endpoints/notes.txt': 'not a manifest',
      '.git/friendli-endpoint.yaml': UPDATE,
      '.venv/friendli-endpoint.yaml': UPDATE,
      'node_modules/pkg/friendli-endpoint.yaml': UPDATE,
      'deploy/endpoint.yaml': UPDATE,
    })
    writeFileSync(path.join(tmp, 'outside.yaml'), UPDATE)
    symlinkSync(path.join(tmp, 'outside.yaml'), path.join(ws, 'friendli-endpoint-linked.yaml'))
    const settings = resolveSettings(rawInputs(), ws, {})
    expect(settings.targets.map((t) => [t.kind, t.ref])).toEqual([
      ['manifest', '.friendli/endpoints/chat.yml'],
      ['manifest', 'deploy/friendli-endpoint.yaml'],
      ['manifest', 'deploy/staging/friendli-endpoint-staging.json'],
    ])
    // A repository of manifests only: the workspace itself is not checked as a model.
    expect(settings.implicitModel).toBeUndefined()
    expect(settings.notes).toEqual(['1 manifest file is a link leading outside the workspace, not read'])
  })

  it('a model named explicitly is checked alone; with --manifest, both', () => {
    const ws = workspace('explicit', { 'friendli-endpoint.yaml': UPDATE, 'm/config.json': '{}' })
    expect(resolveSettings(rawInputs({ model: 'm' }), ws, {}).targets.map((t) => t.kind)).toEqual(['model'])
    expect(
      resolveSettings(rawInputs({ model: 'm', manifests: 'friendli-endpoint.yaml' }), ws, {}).targets.map(
        (t) => t.kind,
      ),
    ).toEqual(['model', 'manifest'])
  })

  it("the config file's patterns, relative to it, and its local models", () => {
    const ws = workspace('config', {
      'ops/preflight.yml': 'manifests:\n  - endpoints/*.json\nlocal-models:\n  org/chat: ../models/chat\n',
      'ops/endpoints/a.json': '{}',
      'ops/endpoints/b.yaml': UPDATE,
      'friendli-endpoint.yaml': UPDATE,
    })
    const settings = resolveSettings(rawInputs({ config: 'ops/preflight.yml' }), ws, {})
    expect(settings.targets.map((t) => t.ref)).toEqual(['ops/endpoints/a.json'])
    expect([...settings.localModels!]).toEqual([['org/chat', path.join(ws, 'models/chat')]])
  })

  it.each([
    [
      'a pattern that cannot be used',
      'manifests:\n  - ok/*.yaml\n  - "deploy/{a,b"\n',
      3,
      'manifests[1] cannot be used: a "{" is not closed',
    ],
    [
      'a local model that is no repo id',
      'local-models:\n  https://huggingface.co/x: models/x\n',
      2,
      'is not a Hugging Face repo id',
    ],
  ])('%s: a mistake in the config file, on its line', (_name, text, line, reason) => {
    const ws = workspace(`bad-config-${line}`, { '.friendli-preflight.yml': text })
    let error: unknown
    try {
      resolveSettings(rawInputs(), ws, {})
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigFileError)
    expect((error as ConfigFileError).line).toBe(line)
    expect((error as ConfigFileError).reason).toContain(reason)
  })

  it('a local model stands for the Hub repo a manifest names: checked offline, findings on its line', async () => {
    const ws = workspace('local-model', {
      '.friendli-preflight.yml': 'local-models:\n  org/chat: models/chat\n',
      'models/chat/config.json': '{\n  "architectures": ["NoSuchForCausalLM"]\n}\n',
      'friendli-endpoint.yaml': 'name: x\nhfModelRepo: org/chat\n',
    })
    const report = await checkTargets(resolveSettings(rawInputs(), ws, {}), {})
    const t = report.targets[0]!
    expect(t.model).toEqual({ ref: 'models/chat', source: 'local', revision: null })
    const mr203 = t.findings.find((f) => f.ruleId === 'MR203')!
    expect(mr203.location).toMatchObject({ path: 'friendli-endpoint.yaml', line: 2 })
    expect(mr203.message).toMatch(/^models\/chat\/config\.json:2:21: Architecture NoSuchForCausalLM/)
  })
})

describe('hostile manifests', () => {
  it('a 50 MB manifest: one EP101 finding, refused by its size before a byte is read', async () => {
    const ws = workspace('huge', {})
    const file = path.join(ws, 'friendli-endpoint.yaml')
    writeFileSync(file, '')
    truncateSync(file, 50 * 1024 * 1024) // sparse: no 50 MB on disk or in memory
    // The read says "too large" from the size alone, for any limit below it.
    expect(await readFileWithin(file, 'f', ws, MANIFEST_LIMITS.bytes)).toEqual({ tooLarge: 52_428_800 })
    const report = await checkTargets(resolveSettings(rawInputs(), ws, {}), {})
    expect(report.targets[0]!.findings.map((f) => [f.ruleId, f.messageId, f.location.line])).toEqual([
      ['EP101', 'tooLarge', undefined],
    ])
    expect(report.targets[0]!.findings[0]!.message).toContain('52,428,800 bytes, more than the 64.0 KiB')
  })

  it('a manifest named in a workflow that links out of the workspace: could not check, nothing of it shown', async () => {
    const ws = workspace('linked', {})
    writeFileSync(path.join(tmp, 'secret.yaml'), 'name: SECRET-OUTSIDE\nmaxReplicas: 1\n')
    symlinkSync(path.join(tmp, 'secret.yaml'), path.join(ws, 'friendli-endpoint.yaml'))
    const settings = resolveSettings(rawInputs({ manifests: 'friendli-endpoint.yaml' }), ws, {
      GITHUB_ACTIONS: 'true',
    })
    const report = await checkTargets(settings, {})
    expect(report.targets[0]).toMatchObject({ status: 'error', findings: [] })
    expect(report.targets[0]!.error).toMatch(/leads outside the workspace/)
    expect(formatText(report)).not.toContain('SECRET')
  })

  describe('workflow commands and control characters in values, through the CLI in a workflow step', () => {
    let ws: string
    beforeAll(() => {
      ws = workspace('planted', {
        'friendli-endpoint.json': JSON.stringify(
          {
            projectId: INJECT,
            name: 5,
            instanceOptionId: `${INJECT}\u001b[2J`,
            hfModelRepo: `https://huggingface.co/${INJECT}`,
            hfModelRepoRevision: `\u202e${INJECT}`,
            advanced: { tokenizer_skip_special_tokens: true, tokenizer_add_special_tokens: true },
            [INJECT]: 1,
          },
          null,
          2,
        ),
      })
    })
    const run = (argv: string[]) => runCliIn(ws, argv, { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ws })

    it.each(FORMATS.filter((f) => f !== 'github'))('--format %s runs no command', async (format) => {
      const r = await run(['--format', format])
      expect(r.status).toBe(1)
      expect(executedCommands(r.stdout)).toEqual([])
      expect(executedCommands(r.stderr)).toEqual([])
      expect(r.stdout).toContain('planted annotation')
      // No raw escape or bidi character reaches the terminal or the log.
      expect(r.stdout).not.toContain('\u001b')
      expect(r.stdout).not.toContain('\u202e')
      if (format === 'json') {
        const report = JSON.parse(r.stdout)
        expect(report.targets[0].findings.map((f: { ruleId: string }) => f.ruleId).sort()).toEqual([
          'EP102',
          'EP103',
          'EP201',
          'EP202',
          'EP301',
        ])
      }
    })

    it('--format github runs only its own annotations, on the manifest', async () => {
      const r = await run(['--format', 'github'])
      expect(r.status).toBe(1)
      const commands = executedCommands(r.stdout)
      expect(commands.length).toBe(5)
      for (const c of commands) {
        expect(['error', 'warning', 'notice']).toContain(c.name)
        expect(c.props.file).toBe('friendli-endpoint.json')
        expect(c.props.title).toMatch(/^EP\d{3} [a-z-]+$/)
      }
    })
  })
})
