// Deployment manifests checked end to end against the loopback fake Hub: one manifest per rule, each
// finding on its exact line; the model a manifest names checked once through the Hub at the revision the
// manifest gives, with the model's findings on the hfModelRepo line; a private model with and without
// the token (never printed); and the CLI, text and JSON, on a manifest.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs'
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
import {
  llamaConfig,
  llamaTensors,
  sparseSafetensors,
  TINY_LLAMA,
  type LlamaDims,
} from './helpers/sparse-safetensors.js'

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

/** A tiny Llama in BF16, without eos_token_id in config.json (the ChatML tokenizer's eos_token stops it). */
const SMALL: LlamaDims = { ...TINY_LLAMA, vocab: 1100 }
const LORA = '3'.repeat(40)

/** A LoRA adapter repository on `base`, targeting `modules`. */
function lora(base: string, modules = ['q_proj', 'v_proj']) {
  return {
    'adapter_config.json': JSON.stringify(
      { peft_type: 'LORA', base_model_name_or_path: base, r: 8, lora_alpha: 16, target_modules: modules },
      null,
      2,
    ),
    'adapter_model.safetensors': sparseSafetensors([
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', { dtype: 'BF16', shape: [8, 4096] }],
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight', { dtype: 'BF16', shape: [4096, 8] }],
    ]),
  }
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
      // A ChatML model: eos_token <|im_end|>, whose tokenizer has no <|eot_id|>.
      'org/chatml': {
        sha: MAIN,
        files: {
          ...(chatmlBase() as Record<string, string>),
          'config.json': JSON.stringify({
            ...llamaConfig(SMALL),
            bos_token_id: undefined,
            eos_token_id: undefined,
          }),
          'model.safetensors': sparseSafetensors(llamaTensors(SMALL)),
        },
      },
      'org/lora': { sha: LORA, files: lora('org/llama-8b') },
      'org/lora-other': { files: lora('meta-llama/Llama-3.1-8B', ['Wqkv']) },
      'org/gated-lora': { files: lora('org/llama-8b'), gated: 'manual' },
      'org/lora-head': { sha: LORA, files: lora('org/llama-8b', ['q_proj', 'lm_head']) },
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

describe('a chat template beside the manifest (chatTemplate)', () => {
  /** The findings of one target as "EP501@9 message" or "MR504@9 message". */
  const found = (report: Report, prefix = '') =>
    report.targets[0]!.findings.filter((f) => f.ruleId.startsWith(prefix)).map(
      (f) => `${f.ruleId}@${f.location.line} ${f.message}`,
    )

  it("checked by the model's template rules with the model's tokenizer: each finding on the chatTemplate line, led by the template's file", async () => {
    write(
      'tpl/ok/friendli-endpoint.yaml',
      manifest('chatTemplate: templates/chat.jinja', { repo: 'org/chatml', instance: 'ShbPuOs4tfGb' }),
    )
    // Each turn ends with <|eot_id|>, which is no stop token of the model and no token of its tokenizer.
    write(
      'tpl/ok/templates/chat.jinja',
      "{% for m in messages %}{{ '<|start|>' + m['role'] + '\\n' + m['content'] + '<|eot_id|>' }}{% endfor %}\n{% if add_generation_prompt %}{{ '<|start|>assistant\\n' }}{% endif %}\n",
    )
    const report = await check(['tpl/ok/friendli-endpoint.yaml'])
    const t = report.targets[0]!
    expect(t.error).toBeUndefined()
    const mr5 = t.findings.filter((f) => f.ruleId === 'MR504' || f.ruleId === 'MR505')
    expect(mr5.map((f) => `${f.ruleId}@${f.location.line}:${f.location.column}`).sort()).toEqual([
      'MR504@9:1',
      'MR505@9:1',
    ])
    for (const f of mr5)
      expect(f.location).toMatchObject({ path: 'friendli-endpoint.yaml', pointer: '/chatTemplate' })
    expect(mr5.find((f) => f.ruleId === 'MR504')!.message).toMatch(
      new RegExp(
        `^hf://org/chatml@${MAIN}/tokenizer_config\\.json(:\\d+:\\d+)?: Generation will not stop: the chat template \\(templates/chat\\.jinja\\) ends an assistant turn with "<\\|eot_id\\|>", but the stop tokens are eos_token "<\\|im_end\\|>"`,
      ),
    )
    expect(mr5.find((f) => f.ruleId === 'MR505')!.message).toMatch(
      /^templates\/chat\.jinja(:\d+)?: .*"<\|eot_id\|>"/,
    )
    // The model's own template is fine: its findings are not repeated for the manifest's.
    expect(found(report, 'EP5')).toEqual([])
  })

  it('a syntax error: on the chatTemplate line, naming the line of the template', async () => {
    write('tpl/bad/friendli-endpoint.yaml', manifest('chatTemplate: chat.jinja', { repo: 'org/chatml' }))
    write('tpl/bad/chat.jinja', '{% for m in messages %}\n{{ m.content }\n{% endfor %}\n')
    const report = await check(['tpl/bad/friendli-endpoint.yaml'])
    expect(found(report, 'MR502')).toEqual([expect.stringMatching(/^MR502@9 chat\.jinja:2(:\d+)?: /)])
  })

  it('without its model (a URL): the template still parsed, nothing fetched', async () => {
    write(
      'tpl/nomodel/friendli-endpoint.yaml',
      manifest('chatTemplate: chat.jinja', { repo: 'https://huggingface.co/org/chatml' }),
    )
    write('tpl/nomodel/chat.jinja', '{{ messages[0].content }\n')
    const before = hub.log.length
    const report = await check(['tpl/nomodel/friendli-endpoint.yaml'])
    expect(hub.log.length).toBe(before)
    expect(found(report, 'MR')).toEqual([expect.stringMatching(/^MR502@9 chat\.jinja:1(:\d+)?: /)])
  })

  it('a path out of the repository, absolute, through a link, missing, a folder, huge, binary: EP501 on its line, nothing read', async () => {
    const outside = path.join(tmp, 'secret.jinja')
    writeFileSync(outside, 'SECRET {{ messages }}')
    mkdirSync(path.join(ws, 'tpl/hostile/dir'), { recursive: true })
    symlinkSync(outside, path.join(ws, 'tpl/hostile/link.jinja'))
    writeFileSync(
      path.join(ws, 'tpl/hostile/binary.jinja'),
      Buffer.from([0x7b, 0x7b, 0xff, 0xfe, 0x7d, 0x7d]),
    )
    writeFileSync(path.join(ws, 'tpl/hostile/nul.jinja'), 'a\0b')
    // 17 MiB, sparse: refused by its size, never read.
    truncateSync(
      (writeFileSync(path.join(ws, 'tpl/hostile/huge.jinja'), ''), path.join(ws, 'tpl/hostile/huge.jinja')),
      17 * 1024 * 1024,
    )
    const cases: [string, string][] = [
      ['../../../secret.jinja', 'which leads (by "..") outside the repository, so it was not read'],
      ['../../../../../../etc/passwd', 'which leads (by "..") outside the repository'],
      ['/etc/passwd', 'an absolute path'],
      ['"C:\\\\Windows\\\\win.ini"', 'an absolute path'],
      ['link.jinja', 'which is a link that leads outside the repository'],
      ['missing.jinja', '"missing.jinja" does not exist beside the manifest'],
      ['dir', '"dir" is not a regular file'],
      ['huge.jinja', '"huge.jinja" is 17.0 MiB, more than the 16 MiB'],
      ['binary.jinja', '"binary.jinja" is not UTF-8 text (byte 3)'],
      ['nul.jinja', '"nul.jinja" is binary data (a NUL byte at byte 2)'],
    ]
    const files = cases.map(([value], i) => {
      const file = `tpl/hostile/m${i}.yaml`
      write(file, manifest(`chatTemplate: ${value}`, { repo: 'https://huggingface.co/org/x' }))
      return file
    })
    const report = await check(files)
    report.targets.forEach((t, i) => {
      const ep = t.findings.filter((f) => f.ruleId === 'EP501')
      expect(ep.map((f) => f.location.line)).toEqual([9])
      expect(ep[0]!.message).toContain(cases[i]![1])
      // No template rule ran on what was not read, and nothing of the secret file is in any output.
      expect(t.findings.some((f) => f.ruleId.startsWith('MR5'))).toBe(false)
    })
    expect(formatText(report)).not.toContain('SECRET')
    expect([...jsonReportChunks(report)].join('')).not.toContain('SECRET')
  })
})

describe('LoRA adapters a manifest names (adapters)', () => {
  const eps = (report: Report) =>
    report.targets[0]!.findings.filter((f) => /^(EP6|MR6)/.test(f.ruleId)).map(
      (f) => `${f.ruleId}@${f.location.line} ${f.severity} ${f.message}`,
    )
  const adapters = (...lines: string[]) => ['adapters:', ...lines].join('\n')

  it('a pinned adapter of the model: checked once on the Hub, nothing to say; three manifests, one check', async () => {
    for (const i of [1, 2, 3])
      write(
        `lora/ok/m${i}.yaml`,
        manifest(adapters('  - hfAdapterRepo: org/lora', `    hfAdapterRepoRevision: "${LORA}"`)),
      )
    const before = hub.log.length
    const report = await check(['lora/ok/*.yaml'])
    for (const t of report.targets) {
      expect(t.error).toBeUndefined()
      expect(t.findings.filter((f) => /^(EP6|MR6)/.test(f.ruleId))).toEqual([])
    }
    const asked = hub.log.slice(before).map((r) => r.path)
    expect(asked.filter((p) => p === `/api/models/org/lora/revision/${LORA}`)).toHaveLength(1)
    expect(asked.filter((p) => p.endsWith('/adapter_config.json'))).toHaveLength(1)
  })

  it('trained on another model, targeting modules it lacks: EP602 on the entry; no revision: EP601 names the commit', async () => {
    write('lora/other/friendli-endpoint.yaml', manifest(adapters('  - hfAdapterRepo: org/lora-other')))
    const report = await check(['lora/other/friendli-endpoint.yaml'])
    const sha = hub.log.find((r) => r.path.startsWith('/api/models/org/lora-other/revision/'))
    expect(sha).toBeDefined()
    expect(eps(report)).toEqual([
      expect.stringMatching(
        /^EP602@10 error adapters\[0\]: .* targets "Wqkv", and hf:\/\/org\/llama-8b@1{40} has no module of that name/,
      ),
      expect.stringMatching(
        /^EP602@10 warning adapters\[0\]: hf:\/\/org\/lora-other@[0-9a-f]{40}\/adapter_config\.json:3 was trained on "meta-llama\/Llama-3\.1-8B"/,
      ),
      expect.stringMatching(/^EP601@10 info adapters\[0\]\.hfAdapterRepo has no hfAdapterRepoRevision/),
    ])
  })

  it("the adapter rules' findings: on the entry's line, led by the adapter's file, line and commit", async () => {
    write(
      'lora/head/friendli-endpoint.yaml',
      manifest(adapters('  - hfAdapterRepo: org/lora-head', `    hfAdapterRepoRevision: "${LORA}"`)),
    )
    const report = await check(['lora/head/friendli-endpoint.yaml'])
    expect(eps(report)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^MR605@10 warning hf://org/lora-head@${LORA}/adapter_config\\.json:\\d+:\\d+: "target_modules" includes "lm_head"`,
        ),
      ),
    ])
    expect(report.targets[0]!.findings.find((f) => f.ruleId === 'MR605')!.location).toMatchObject({
      path: 'friendli-endpoint.yaml',
      line: 10,
      pointer: '/adapters/0/hfAdapterRepo',
    })
  })

  it('a URL, and a revision the Hub does not have: findings on their lines, the URL never fetched', async () => {
    write(
      'lora/bad/friendli-endpoint.yaml',
      manifest(
        adapters(
          '  - hfAdapterRepo: https://huggingface.co/org/lora',
          '  - hfAdapterRepo: org/lora',
          '    hfAdapterRepoRevision: no-such-branch',
        ),
      ),
    )
    const before = hub.log.length
    const report = await check(['lora/bad/friendli-endpoint.yaml'])
    expect(report.targets[0]!.error).toBeUndefined()
    expect(eps(report)).toEqual([
      expect.stringMatching(
        /^EP601@10 error adapters\[0\]\.hfAdapterRepo is "https:\/\/huggingface\.co\/org\/lora", a link/,
      ),
      expect.stringMatching(
        /^EP601@12 error adapters\[1\]\.hfAdapterRepoRevision is "no-such-branch", which "org\/lora" does not have on the Hub/,
      ),
    ])
    const asked = hub.log.slice(before).map((r) => `${r.status} ${r.path}`)
    expect(asked.filter((p) => p.includes('org/lora'))).toEqual([
      '404 /api/models/org/lora/revision/no-such-branch',
    ])
  })

  it("a gated adapter without a token: could not check, naming the entry and its line, in the FAQ's words; no token printed", async () => {
    write(
      'lora/gated/friendli-endpoint.yaml',
      manifest(adapters('  - hfAdapterRepo: org/gated-lora', '    hfAdapterRepoRevision: main')),
    )
    const report = await check(['lora/gated/friendli-endpoint.yaml'])
    const t = report.targets[0]!
    expect(t.status).toBe('error')
    expect(t.error).toMatch(
      /^its adapter org\/gated-lora@main \(adapters\[0\]\.hfAdapterRepo, line 10\) could not be checked: /,
    )
    expect(t.error).toContain('view permission for org/gated-lora')
    const withToken = await check(['lora/gated/friendli-endpoint.yaml'], { HF_TOKEN: TOKEN })
    expect(withToken.targets[0]!.error).toBeDefined() // the token is not granted this gated repo
    expect(formatText(withToken)).not.toContain(TOKEN)
  })

  it('10,000 entries: EP103 says what is wrong with 50, EP601 that only 20 are checked; nothing fetched', async () => {
    write('lora/many/friendli-endpoint.yaml', manifest(`adapters: [${Array(10_000).fill('0').join(',')}]`))
    const before = hub.log.length
    const report = await check(['lora/many/friendli-endpoint.yaml'])
    const f = report.targets[0]!.findings
    expect(f.filter((x) => x.ruleId === 'EP103')).toHaveLength(51)
    expect(f.filter((x) => x.ruleId === 'EP601').map((x) => x.message)).toEqual([
      'adapters lists 10,000 adapters: the first 20 were checked, the other 9,980 were not (a run checks at most 20 adapters of one manifest).',
    ])
    expect(
      hub.log.slice(before).some((r) => r.path.includes('/api/models/') && !r.path.includes('llama-8b')),
    ).toBe(false)
  })
})
