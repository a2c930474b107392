// The fold step on its own: which findings a root cause takes in, what its message then says, and
// what it never does (fold a finding more severe than the cause, fold findings about other files, or
// lose both sides of a loop); then the registered rules' declarations, and the cases they are for.
import { describe, expect, it } from '@jest/globals'
import {
  compareFindings,
  type Finding,
  type Location,
  type RuleLevel,
  type Severity,
} from '../../src/common/finding.js'
import { foldRootCauses, type Cause } from '../../src/engine/root-causes.js'
import { runModelRules } from '../../src/engine/run-model.js'
import { modelRules } from '../../src/rules/registry.js'
import { memorySource, type MemoryEntry } from '../../src/sources/memory.js'
import { configJson } from '../helpers/rule-tester.js'
import { makeSafetensors } from '../helpers/safetensors.js'

function f(
  ruleId: string,
  rule: string,
  location: Location = { path: '.' },
  severity: Severity = 'error',
): Finding {
  return {
    ruleId,
    rule,
    messageId: 'm',
    severity,
    message: `${rule} here.`,
    location,
    docsUrl: `https://d/${rule}.md`,
  }
}

const cause = (explains: string[], files?: string[]): Cause => ({
  explains: new Set(explains),
  ...(files ? { files: new Set(files) } : {}),
})
const summary = (findings: Finding[]) => findings.map((x) => `${x.ruleId} ${x.message}`)

describe('foldRootCauses', () => {
  it('folds every finding of the rules a cause explains, and says how many, by rule', () => {
    const root = f('MR102', 'missing-safetensors')
    const shards = [1, 2, 3].map((i) => f('MR306', 'missing-shard', { path: 'index.json', line: i }))
    const other = f('MR401', 'missing-tokenizer-json', { path: '.' }, 'warning')
    const out = foldRootCauses([root, ...shards, other], new Map([[root, cause(['missing-shard'])]]))
    expect(summary(out)).toEqual([
      'MR102 missing-safetensors here. It explains 3 more findings, folded into this one: MR306 missing-shard (3).',
      'MR401 missing-tokenizer-json here.',
    ])
  })

  it('never folds a crash report: a rule that crashed is a bug of ours, not a consequence', () => {
    const root = f('MR102', 'missing-safetensors')
    const crashed = { ...f('MR306', 'missing-shard'), messageId: 'crashed', message: 'Rule MR306 crashed.' }
    const out = foldRootCauses([root, crashed], new Map([[root, cause(['missing-shard'])]]))
    expect(summary(out)).toEqual(['MR102 missing-safetensors here.', 'MR306 Rule MR306 crashed.'])
  })

  it('leaves everything as it is when no cause explains a finding', () => {
    const root = f('MR102', 'missing-safetensors')
    const other = f('MR401', 'missing-tokenizer-json')
    const findings = [root, other]
    expect(foldRootCauses(findings, new Map([[root, cause(['missing-shard'])]]))).toEqual(findings)
  })

  it('with files, folds only the findings about those files', () => {
    const root = f('MR304', 'lfs-pointer-files')
    const onPointer = f('MR301', 'invalid-safetensors-header', { path: 'a.safetensors' })
    const onReal = f('MR301', 'invalid-safetensors-header', { path: 'b.safetensors' })
    const out = foldRootCauses(
      [root, onPointer, onReal],
      new Map([[root, cause(['invalid-safetensors-header'], ['a.safetensors', 'config.json'])]]),
    )
    expect(out.map((x) => x.location.path)).toEqual(['.', 'b.safetensors'])
    expect(out[0].message).toBe(
      'lfs-pointer-files here. It explains 1 more finding, folded into this one: MR301 invalid-safetensors-header.',
    )
  })

  it('never folds a finding more severe than its cause: the verdict stays the same', () => {
    const root = f('MR102', 'missing-safetensors', { path: '.' }, 'warning')
    const shard = f('MR306', 'missing-shard', { path: 'index.json' }, 'error')
    const info = f('MR306', 'missing-shard', { path: 'index.json' }, 'info')
    const out = foldRootCauses([root, shard, info], new Map([[root, cause(['missing-shard'])]]))
    expect(out.map((x) => x.severity)).toEqual(['warning', 'error'])
  })

  it('chains folds and counts them at the outermost cause', () => {
    const nested = f('MR103', 'nested-model', { path: 'sub/config.json' })
    const noWeights = f('MR102', 'missing-safetensors')
    const noConfig = f('MR101', 'missing-config')
    const shard = f('MR306', 'missing-shard', { path: 'model.safetensors.index.json' })
    const out = foldRootCauses(
      [noConfig, noWeights, nested, shard],
      new Map([
        [nested, cause(['missing-config', 'missing-safetensors'])],
        [noWeights, cause(['missing-shard'])],
      ]),
    )
    expect(summary(out)).toEqual([
      'MR103 nested-model here. It explains 3 more findings, folded into this one: MR101 missing-config, MR102 missing-safetensors and MR306 missing-shard.',
    ])
  })

  it('folds nothing of a loop (two rules that explain each other), rather than lose both', () => {
    const a = f('MR800', 'rule-a')
    const b = f('MR801', 'rule-b')
    const out = foldRootCauses(
      [a, b],
      new Map([
        [a, cause(['rule-b'])],
        [b, cause(['rule-a'])],
      ]),
    )
    expect(summary(out)).toEqual(['MR800 rule-a here.', 'MR801 rule-b here.'])
  })

  it('a cause never folds itself, nor another finding of its own rule unless it says so', () => {
    const one = f('MR304', 'lfs-pointer-files')
    const two = f('MR304', 'lfs-pointer-files', { path: 'x.json' })
    const out = foldRootCauses(
      [one, two],
      new Map([
        [one, cause(['invalid-config'])],
        [two, cause(['invalid-config'])],
      ]),
    )
    expect(out).toEqual([one, two])
  })
})

// The same cases on the registered rules, through the engine: what a user sees.
const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' }
const run = async (files: Record<string, MemoryEntry>, levels = new Map<string, RuleLevel>()) =>
  (await runModelRules(memorySource(files), modelRules, { ...options, levels })).sort(compareFindings)
const errors = (findings: Finding[]) => findings.filter((x) => x.severity === 'error')

const POINTER = (size: number) =>
  `version https://git-lfs.github.com/spec/v1\noid sha256:${'5'.repeat(64)}\nsize ${size}\n`
const shardName = (i: number, n: number) =>
  `model-${String(i).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`
/** An index of `n` shards, one tensor each, as save_pretrained writes it, and the shards themselves. */
function shardedModel(n: number) {
  const map: Record<string, string> = {}
  const shards: Record<string, MemoryEntry> = {}
  for (let i = 1; i <= n; i++) {
    map[`model.layers.${i}.weight`] = shardName(i, n)
    shards[shardName(i, n)] = makeSafetensors({ [`model.layers.${i}.weight`]: { dtype: 'BF16', shape: [2] } })
  }
  return { index: JSON.stringify({ metadata: {}, weight_map: map }, null, 2) + '\n', shards }
}
const config = configJson()

describe('root causes on the registered rules', () => {
  it('declares only registered rules, never itself, and no loop', () => {
    const names = new Set(modelRules.map((r) => r.meta.name))
    const explains = new Map(modelRules.map((r) => [r.meta.name, r.meta.rootCause?.explains ?? []]))
    const problems: string[] = []
    for (const [rule, list] of explains) {
      for (const name of list) {
        if (!names.has(name)) problems.push(`${rule} explains "${name}", which is not a model rule`)
        if (name === rule) problems.push(`${rule} explains itself`)
      }
      // Follow what it explains: reaching the rule again is a loop.
      const seen = new Set<string>()
      const walk = (name: string) => {
        for (const next of explains.get(name) ?? []) {
          if (next === rule) problems.push(`${rule} explains itself through ${name}`)
          else if (!seen.has(next)) {
            seen.add(next)
            walk(next)
          }
        }
      }
      walk(rule)
    }
    expect(problems).toEqual([])
    expect(modelRules.filter((r) => r.meta.rootCause).map((r) => r.meta.name)).toEqual([
      'missing-config',
      'missing-safetensors',
      'nested-model',
      'lfs-pointer-files',
    ])
  })

  it('no weights at the root, an index of 8 shards: one missing-safetensors, no missing-shard', async () => {
    const { index } = shardedModel(8)
    const findings = await run({ 'config.json': config, 'model.safetensors.index.json': index })
    expect(summary(errors(findings))).toEqual([
      'MR102 No safetensors weights (*.safetensors) at the root of the model; model.safetensors.index.json names 8 shards, and none is there. It explains 1 more finding, folded into this one: MR306 missing-shard.',
    ])
  })

  it('every shard of the index missing, other weights there: one missing-shard naming the count', async () => {
    const { index } = shardedModel(30)
    const findings = await run({
      'config.json': config,
      'model.safetensors.index.json': index,
      'extra.safetensors': makeSafetensors({ x: { dtype: 'BF16', shape: [2] } }),
    })
    expect(
      errors(findings).map((x) => `${x.ruleId} ${x.location.path}:${x.location.line} ${x.message}`),
    ).toEqual([
      'MR306 model.safetensors.index.json:3 All 30 shards listed in model.safetensors.index.json are missing: model-00001-of-00030.safetensors, model-00002-of-00030.safetensors, model-00003-of-00030.safetensors, model-00004-of-00030.safetensors, model-00005-of-00030.safetensors and 25 more.',
    ])
  })

  it('some shards missing: one missing-shard each, on its line', async () => {
    const { index, shards } = shardedModel(8)
    const present = Object.fromEntries(Object.entries(shards).slice(0, 5))
    const findings = await run({ 'config.json': config, 'model.safetensors.index.json': index, ...present })
    expect(errors(findings).map((x) => `${x.ruleId} ${x.messageId} ${x.location.line}`)).toEqual([
      'MR306 missing 9',
      'MR306 missing 10',
      'MR306 missing 11',
    ])
  })

  it('Git LFS pointers: the pointer finding alone, nothing about the content of those files', async () => {
    const { shards } = shardedModel(3)
    const pointers = {
      'config.json': POINTER(700),
      'tokenizer_config.json': POINTER(2_000),
      'tokenizer.json': POINTER(9_000_000),
      'chat_template.jinja': POINTER(900),
      'model.safetensors.index.json': POINTER(20_000),
      ...Object.fromEntries(Object.keys(shards).map((s) => [s, POINTER(5_000_000_000)])),
    }
    const findings = await run({ ...pointers, 'README.md': '# model\n' })
    expect(findings.filter((x) => x.location.path in pointers)).toEqual([])
    expect(summary(errors(findings))).toEqual([
      'MR304 8 files are Git LFS pointers, not the content (15.0 GB behind them): chat_template.jinja, config.json, model-00001-of-00003.safetensors, model-00002-of-00003.safetensors, model-00003-of-00003.safetensors, model.safetensors.index.json, tokenizer_config.json and tokenizer.json. It explains 1 more finding, folded into this one: MR508 chat-template-format.',
    ])
  })

  it('a nested model: nested-model first, and the findings that restate it folded into it', async () => {
    const { index, shards } = shardedModel(3)
    const nested = Object.fromEntries(Object.entries(shards).map(([k, v]) => [`model/${k}`, v]))
    const findings = await run({
      'README.md': '# model\n',
      'model/config.json': config,
      'model/model.safetensors.index.json': index,
      ...nested,
    })
    expect(findings[0]).toMatchObject({ ruleId: 'MR103', location: { path: 'model/config.json' } })
    expect(findings[0].message).toMatch(
      / It explains 2 more findings, folded into this one: MR101 missing-config and MR102 missing-safetensors\.$/,
    )
    expect(findings.filter((x) => ['MR101', 'MR102', 'MR306'].includes(x.ruleId))).toEqual([])
    // What the check cannot tie to the nesting stays, after it: the root has no tokenizer either.
    expect(findings.slice(1).map((x) => x.ruleId)).toEqual(expect.arrayContaining(['MR401', 'MR402']))
  })

  it('a root cause the user turned down to a warning folds no error: the verdict is unchanged', async () => {
    const { index } = shardedModel(3)
    const findings = await run(
      { 'config.json': config, 'model.safetensors.index.json': index },
      new Map([['MR102', 'warning']]),
    )
    expect(findings.filter((x) => ['MR102', 'MR306'].includes(x.ruleId)).map((x) => x.ruleId)).toEqual([
      'MR306',
      'MR102',
    ])
  })
})

describe('compareFindings', () => {
  it('puts root causes first within a severity, never before a more severe finding', () => {
    const detail = f('MR201', 'invalid-config', { path: 'config.json', line: 2 })
    const root = { ...f('MR103', 'nested-model', { path: 'z/config.json' }), rootCause: true as const }
    const warnRoot = {
      ...f('MR304', 'lfs-pointer-files', { path: '.' }, 'warning'),
      rootCause: true as const,
    }
    expect([detail, warnRoot, root].sort(compareFindings).map((x) => x.ruleId)).toEqual([
      'MR103',
      'MR201',
      'MR304',
    ])
  })
})
