// Deployment manifests checked end to end against the loopback fake Hub: one manifest per rule, each
// finding on its exact line; the model a manifest names checked once through the Hub at the revision the
// manifest gives, with the model's findings on the hfModelRepo line; a private model with and without
// the token (never printed); and the CLI, text and JSON, on a manifest.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, realpathSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkTargets, type Report } from '../src/check.js'
import { jsonReportChunks } from '../src/report/json.js'
import { formatSummary } from '../src/report/summary.js'
import { formatText } from '../src/report/text.js'
import { buildSarif } from '../src/report/sarif.js'
import { resolveSettings } from '../src/settings.js'
import { chatmlBase } from './helpers/chatml-base.js'
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js'
import { filesOf } from './helpers/hub-repo.js'
import { runCliIn } from './helpers/in-process.js'
import { rawInputs } from './helpers/raw-inputs.js'
import { llamaConfig, llamaTensors, sparseSafetensors, type LlamaDims } from './helpers/sparse-safetensors.js'

const REPO_ROOT = path.resolve(import.meta.dirname, '..')
const TOKEN = 'hf_manifest_secret_token_7'
const MAIN = '1'.repeat(40)
const DEV = '2'.repeat(40)
const PREFIX39 = 'abcdef0123456789abcdef0123456789abcdef0'
/** Llama-3.1-8B's shapes in BF16 (16.1 GB of weights), its context 131,072. */
const LLAMA_8B: LlamaDims = {
  layers: 32,
  hidden: 4096,
  intermediate: 14336,
  heads: 32,
  kvHeads: 8,
  vocab: 128256,
  dtype: 'BF16',
}

let hub: FakeHub
let tmp: string
let ws: string

const write = (rel: string, text: string) => {
  mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true })
  writeFileSync(path.join(ws, rel), text)
}

/** A create body naming `repo`, as YAML, lines 1-8 fixed (instanceOptionId on 3, hfModelRepo on 4), `extra` after. */
function manifest(extra = '', o: { repo?: string; revision?: string; instance?: string } = {}): string {
  return [
    'projectId: proj',
    'name: chat',
    `instanceOptionId: ${o.instance ?? 'TwD5AqnBSVN0'}`,
    `hfModelRepo: ${o.repo ?? 'org/llama-8b'}`,
    // Quoted: YAML reads an unquoted sha of digits as a number (EP103 says so).
    `hfModelRepoRevision: "${o.revision ?? MAIN}"`,
    'advanced:',
    '  tokenizer_skip_special_tokens: true',
    '  tokenizer_add_special_tokens: false',
    ...(extra ? [extra] : []),
    '',
  ].join('\n')
}

beforeAll(async () => {
  hub = await startFakeHub({
    repos: {
      'org/llama-8b': {
        sha: MAIN,
        branches: { dev: DEV, [PREFIX39]: MAIN },
        tags: { 'v1.0': DEV },
        files: {
          ...(chatmlBase() as Record<string, string>),
          'config.json': JSON.stringify(llamaConfig(LLAMA_8B), null, 2),
          'model.safetensors': sparseSafetensors(llamaTensors(LLAMA_8B)),
        },
      },
      'org/broken': { files: filesOf(path.join(REPO_ROOT, 'examples/broken-model')) },
      'org/gated': {
        files: filesOf(path.join(REPO_ROOT, 'examples/conforming-chat-model')),
        gated: 'manual',
      },
      'org/private': {
        files: filesOf(path.join(REPO_ROOT, 'examples/conforming-chat-model')),
        private: true,
        allowTokens: [TOKEN],
      },
    },
    validTokens: [TOKEN],
  })
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-manifest-')))
  ws = path.join(tmp, 'ws')
  mkdirSync(ws)
})
afterAll(async () => {
  await hub.close()
  rmSync(tmp, { recursive: true, force: true })
})

/** Check the manifests named (relative to the workspace) against the fake hub. */
async function check(manifests: string[], env: NodeJS.ProcessEnv = {}): Promise<Report> {
  const settings = resolveSettings(
    rawInputs({ model: '', manifests: manifests.join('\n'), hubUrl: hub.url }),
    ws,
    env,
  )
  return checkTargets(settings, {})
}

/** "EP302@3" for each manifest rule's finding of the one target, sorted (the model's are tested apart). */
const where = (report: Report) =>
  report.targets[0]!.findings.filter((f) => f.ruleId.startsWith('EP'))
    .map((f) => `${f.ruleId}@${f.location.line}`)
    .sort()

describe('a manifest per rule, through the fake Hub: each finding on its exact line', () => {
  const cases: [string, string, string, string[]][] = [
    [
      'EP101 manifest-syntax',
      'ep101/friendli-endpoint.json',
      '{\n  "name": "chat",\n  // the model\n  "hfModelRepo": "org/llama-8b"\n}\n',
      ['EP101@3'],
    ],
    [
      'EP102 manifest-unknown-key',
      'ep102/friendli-endpoint.yaml',
      manifest('autoscalingPolicy:\n  maxReplicas: 3'),
      ['EP302@3', 'EP401@9', 'EP102@10'],
    ],
    [
      'EP103 manifest-value',
      'ep103/friendli-endpoint.json',
      JSON.stringify({ name: 'x', autoscalingPolicy: { minReplica: 1, maxReplica: '3' } }, null, 2),
      ['EP103@5'],
    ],
    [
      'EP104 manifest-required-field',
      'ep104/friendli-endpoint.yaml',
      'projectId: p\nname: n\n',
      ['EP104@1', 'EP104@1', 'EP104@1'],
    ],
    [
      'EP201 model-repo-id',
      'ep201/friendli-endpoint.yaml',
      manifest('', { repo: 'https://huggingface.co/org/llama-8b' }),
      ['EP201@4'],
    ],
    [
      'EP202 model-revision',
      'ep202/friendli-endpoint.yaml',
      manifest('', { revision: PREFIX39 }),
      ['EP202@5', 'EP302@3'],
    ],
    [
      'EP301 instance-option',
      'ep301/friendli-endpoint.yaml',
      manifest('', { instance: 'TwD5AqnBSVNO' }),
      ['EP301@3'],
    ],
    [
      'EP302 instance-fit',
      'ep302/friendli-endpoint.yaml',
      manifest('', { instance: 'ShbPuOs4tfGb' }),
      ['EP302@3'],
    ],
    [
      'EP401 endpoint-sleep',
      'ep401/friendli-endpoint.yaml',
      manifest('autoscalingPolicy:\n  minReplica: 0\n  maxReplica: 2'),
      ['EP302@3', 'EP401@10'],
    ],
    [
      'EP402 replica-range',
      'ep402/friendli-endpoint.yaml',
      manifest('autoscalingPolicy:\n  maxReplica: 2\n  minReplica: 3'),
      ['EP402@11', 'EP302@3'],
    ],
    [
      'EP403 scaling-mode',
      'ep403/friendli-endpoint.yaml',
      manifest('simplescale:\n  replicas: 1\nautoscalingPolicy:\n  minReplica: 1'),
      ['EP403@9', 'EP302@3'],
    ],
    [
      'EP404 context-length',
      'ep404/friendli-endpoint.yaml',
      manifest('  max_context_length: 200000'),
      ['EP404@9', 'EP302@3'],
    ],
  ]
  it.each(cases)('%s', async (_rule, file, text, expected) => {
    write(file, text)
    const report = await check([file])
    expect(report.targets).toHaveLength(1)
    expect(report.targets[0]).toMatchObject({ kind: 'manifest', ref: file, source: 'local' })
    expect(where(report)).toEqual([...expected].sort())
    // Every finding is on the manifest itself.
    expect(new Set(report.targets[0]!.findings.map((f) => f.location.path))).toEqual(
      new Set([path.basename(file)]),
    )
  })

  it('fetches nothing for a model it cannot name, and the revision the manifest gives', async () => {
    write('fetch/url.yaml', manifest('', { repo: 'https://huggingface.co/org/llama-8b' }))
    write('fetch/dev.yaml', manifest('', { revision: 'dev' }))
    const before = hub.log.length
    const report = await check(['fetch/url.yaml', 'fetch/dev.yaml'])
    const asked = hub.log.slice(before).map((r) => r.path)
    expect(
      asked
        .filter((p) => p.startsWith('/api/models/'))
        .every((p) => p.startsWith('/api/models/org/llama-8b/')),
    ).toBe(true)
    expect(asked).toContain('/api/models/org/llama-8b/revision/dev')
    expect(report.targets.map((t) => t.model ?? null)).toEqual([
      null,
      { ref: 'org/llama-8b', source: 'hub', revision: DEV },
    ])
  })
})

describe('the model a manifest names', () => {
  it("its findings land on hfModelRepo's line, each naming the model's file, line and commit", async () => {
    write(
      'broken/friendli-endpoint.yaml',
      manifest('', { repo: 'org/broken' }).replace(/^hfModelRepoRevision.*\n/m, ''),
    )
    const report = await check(['broken/friendli-endpoint.yaml'])
    const t = report.targets[0]!
    expect(t.status).toBe('fail')
    const sha = t.model!.revision!
    expect(sha).toMatch(/^[0-9a-f]{40}$/)
    const mr203 = t.findings.find((f) => f.ruleId === 'MR203')!
    expect(mr203.location).toMatchObject({
      path: 'friendli-endpoint.yaml',
      line: 4,
      column: 1,
      pointer: '/hfModelRepo',
    })
    expect(mr203.message).toMatch(
      new RegExp(
        `^hf://org/broken@${sha}/config\\.json:3:5: Architecture LlamaForCasualLM is not a model class`,
      ),
    )
    // A finding about the model folder names the model alone.
    expect(t.findings.find((f) => f.ruleId === 'MR401')!.message).toMatch(
      new RegExp(`^hf://org/broken@${sha}: tokenizer\\.json is missing`),
    )
    // MR701 sizes the model for an instance; the manifest names one, and EP302 sizes it there.
    expect(t.findings.some((f) => f.ruleId === 'MR701')).toBe(false)
  })

  it('is checked once however many manifests name it (counted requests)', async () => {
    for (const i of [1, 2, 3]) write(`many/m${i}.yaml`, manifest(`  max_batch_size: ${i}`))
    const before = hub.log.length
    const report = await check(['many/*.yaml'])
    expect(report.targets.map((t) => t.ref)).toEqual(['many/m1.yaml', 'many/m2.yaml', 'many/m3.yaml'])
    const infos = hub.log.slice(before).filter((r) => r.path === `/api/models/org/llama-8b/revision/${MAIN}`)
    expect(infos).toHaveLength(1)
    // One header read for the one safetensors file, never its data.
    const reads = hub.log.slice(before).filter((r) => r.path.endsWith('model.safetensors'))
    expect(reads.length).toBeLessThanOrEqual(2)
    expect(reads.reduce((a, r) => a + r.bytesSent, 0)).toBeLessThan(1024 * 1024)
  })

  it('a private model: read with the token, which no output holds', async () => {
    write(
      'private/friendli-endpoint.yaml',
      manifest('', { repo: 'org/private', revision: 'main', instance: 'ShbPuOs4tfGb' }),
    )
    const report = await check(['private/friendli-endpoint.yaml'], { HF_TOKEN: TOKEN })
    expect(report.targets[0]!.status).toBe('pass')
    expect(report.targets[0]!.findings.map((f) => f.ruleId)).toEqual(['EP202', 'EP302', 'MR104'])
    const outputs = [
      formatText(report),
      [...jsonReportChunks(report)].join(''),
      formatSummary(report, 'report.json'),
      JSON.stringify(buildSarif(report, '0.0.0', 'https://docs.test/', { workspace: ws, repoRoot: ws }).log),
    ]
    for (const out of outputs) expect(out).not.toContain(TOKEN)
  })

  it('without the token: could not check, saying which model and line, and the manifest findings kept', async () => {
    const report = await check(['private/friendli-endpoint.yaml'])
    const t = report.targets[0]!
    expect(report.result).toBe('error')
    expect(t.status).toBe('error')
    expect(t.error).toMatch(/^its model org\/private@main \(hfModelRepo, line 4\) could not be checked: /)
    expect(t.findings.map((f) => `${f.ruleId}@${f.location.line}`)).toEqual(['EP202@5'])
    const text = formatText(report)
    expect(text).toContain('private/friendli-endpoint.yaml: could not check: its model org/private@main')
    expect(text).toContain('private/friendli-endpoint.yaml:5:1 warning EP202 model-revision')
    expect(formatSummary(report, 'r.json')).toContain('EP202 model-revision')
  })
})

describe('the revision against the Hub: each finding on its exact line', () => {
  /** The manifest rule findings as "EP202@5 warning message". */
  const eps = (report: Report) =>
    report.targets[0]!.findings.filter((f) => f.ruleId.startsWith('EP2')).map(
      (f) => `${f.ruleId}@${f.location.line} ${f.severity} ${f.message}`,
    )

  it('a branch: a warning naming the commit it resolves to today', async () => {
    write('rev/branch.yaml', manifest('', { revision: 'dev' }))
    const report = await check(['rev/branch.yaml'])
    const [f] = eps(report)
    expect(eps(report)).toHaveLength(1)
    expect(f).toMatch(
      /^EP202@5 warning hfModelRepoRevision is "dev", a branch or tag that the Hub resolves to /,
    )
    expect(f).toContain(`resolves to ${DEV} today: a branch or tag moves under the endpoint`)
    expect(report.targets[0]!.findings.find((x) => x.ruleId === 'EP202')!.hint).toBe(
      `Pin the commit: write hfModelRepoRevision: "${DEV}".`,
    )
  })

  it('a tag: the same, with the tagged commit', async () => {
    write('rev/tag.yaml', manifest('', { revision: 'v1.0' }))
    const report = await check(['rev/tag.yaml'])
    expect(eps(report)).toEqual([
      expect.stringMatching(new RegExp(`^EP202@5 warning .*"v1\\.0".* resolves to ${DEV} today`)),
    ])
  })

  it('no revision: an info on hfModelRepo naming the commit main is today', async () => {
    write('rev/none.yaml', manifest().replace(/^hfModelRepoRevision.*\n/m, ''))
    const report = await check(['rev/none.yaml'])
    expect(eps(report)).toEqual([
      `EP202@4 info hfModelRepoRevision is not set: the endpoint deploys whatever main of org/llama-8b is at deploy time, ${MAIN} today, and main moves.`,
    ])
  })

  it('a full sha: nothing to say', async () => {
    write('rev/sha.yaml', manifest())
    expect(eps(await check(['rev/sha.yaml']))).toEqual([])
  })

  it('a revision the Hub does not have: an error on its line, not "could not check"', async () => {
    write('rev/unknown.yaml', manifest('', { revision: 'no-such-branch' }))
    const before = hub.log.length
    const report = await check(['rev/unknown.yaml'])
    const t = report.targets[0]!
    expect(t.error).toBeUndefined()
    expect(t.status).toBe('fail')
    expect(eps(report)).toEqual([
      'EP202@5 error hfModelRepoRevision is "no-such-branch", which "org/llama-8b" does not have on the Hub ("Revision Not Found"): no branch, tag or commit of the model has that name, so no endpoint can deploy it.',
    ])
    // One question to the Hub, and no file read.
    const asked = hub.log.slice(before).map((r) => `${r.status} ${r.path}`)
    expect(asked).toEqual(['404 /api/models/org/llama-8b/revision/no-such-branch'])
  })

  it('a repository the Hub does not have (with a token): an error on hfModelRepo', async () => {
    write('rev/norepo.yaml', manifest('', { repo: 'org/nowhere' }))
    const report = await check(['rev/norepo.yaml'], { HF_TOKEN: TOKEN })
    const t = report.targets[0]!
    expect(t.error).toBeUndefined()
    expect(t.status).toBe('fail')
    expect(eps(report)).toEqual([
      expect.stringMatching(
        /^EP201@4 error hfModelRepo is "org\/nowhere", which the Hub does not show: org\/nowhere@1{40}: repository not found/,
      ),
    ])
    expect(formatText(report)).not.toContain(TOKEN)
  })

  it("a gated model without a token: could not check, in the words of Friendli's FAQ, no token printed", async () => {
    write('rev/gated.yaml', manifest('', { repo: 'org/gated', revision: 'main' }))
    const report = await check(['rev/gated.yaml'])
    const t = report.targets[0]!
    expect(t.status).toBe('error')
    expect(t.error).toMatch(/^its model org\/gated@main \(hfModelRepo, line 4\) could not be checked: /)
    expect(t.error).toContain(
      `"please make sure the token has view permission for the repository you'd like to use." (https://friendli.ai/docs/guides/dedicated_endpoints/faq)`,
    )
    expect(t.error).toContain('the hf-token input of the action, or HF_TOKEN for the CLI')
    const private_ = await check(['private/friendli-endpoint.yaml'])
    expect(private_.targets[0]!.error).toContain('view permission for org/private')
    for (const out of [formatText(report), [...jsonReportChunks(report)].join('')]) {
      expect(out).toContain('view permission')
      expect(out).not.toContain(TOKEN)
    }
  })
})

describe('the CLI on a manifest, end to end (in process)', () => {
  it('text: the findings on their lines and the summary line; exit 1', async () => {
    write(
      'cli/friendli-endpoint.yaml',
      manifest('  max_context_length: 200000', { instance: 'TwD5AqnBSVNO' }),
    )
    const r = await runCliIn(ws, ['--manifest', 'cli/friendli-endpoint.yaml', '--hub-url', hub.url])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(1)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'cli/friendli-endpoint.yaml:3:1 error EP301',
      'cli/friendli-endpoint.yaml:9:3 error EP404',
      'fail: 1 target',
    ])
    expect(lines[1]).toContain(
      `more than hf://org/llama-8b@${MAIN} can attend to: 131,072 tokens (config.json max_position_embeddings)`,
    )
    expect(lines.at(-1)).toBe('fail: 1 target checked: 2 errors, 0 warnings, 0 infos (fail-on: error)')
  })

  it('JSON: kind manifest, the model it names, every finding with its location', async () => {
    const r = await runCliIn(ws, [
      '--manifest',
      'cli/friendli-endpoint.yaml',
      '--hub-url',
      hub.url,
      '--format',
      'json',
    ])
    expect(r.status).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report.targets).toHaveLength(1)
    expect(report.targets[0]).toMatchObject({
      kind: 'manifest',
      ref: 'cli/friendli-endpoint.yaml',
      source: 'local',
      revision: null,
      status: 'fail',
      model: { ref: 'org/llama-8b', source: 'hub', revision: MAIN },
    })
    expect(report.targets[0].findings[0]).toEqual({
      ruleId: 'EP301',
      rule: 'instance-option',
      severity: 'error',
      message: expect.stringContaining('instanceOptionId is "TwD5AqnBSVNO"'),
      hint: 'Write TwD5AqnBSVN0: instance option ids are case-sensitive.',
      location: {
        path: 'friendli-endpoint.yaml',
        line: 3,
        column: 1,
        pointer: '/instanceOptionId',
        row: null,
      },
      docsUrl: expect.stringMatching(/\/instance-option\.md$/),
    })
    expect(report.summary).toEqual({ errors: 2, warnings: 0, infos: 0, result: 'fail' })
  })

  it('a --manifest that does not exist is a usage error (exit 2)', async () => {
    const r = await runCliIn(ws, ['--manifest', 'nowhere.yaml'])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('friendli-preflight: manifests: the manifest "nowhere.yaml" does not exist\n')
  })
})
