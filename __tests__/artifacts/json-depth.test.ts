// JSON nested past what Python's json module loads is a finding of the file's own rule, found by an
// iterative scan before any parser runs: 100,000 nested `[` in any JSON file of a model (40 KB used to
// overflow jsonc-parser's stack and abort every target's report) or in a dataset row.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { jsonNesting, mayNestDeeperThan, PYTHON_JSON_MAX_DEPTH } from '../../src/common/json.js'
import { parseJsonDocument } from '../../src/artifacts/json-document.js'
import { runModelRules } from '../../src/engine/run-model.js'
import { datasetRules, modelRules } from '../../src/rules/registry.js'
import { memorySource, type MemoryEntry } from '../../src/sources/memory.js'
import { adapterConfig } from '../helpers/adapter.js'
import { configJson } from '../helpers/rule-tester.js'
import { runDataset } from '../helpers/dataset-tester.js'

const nested = (n: number) => '['.repeat(n) + ']'.repeat(n)
/** An object whose "deep" value is `n` arrays deep: `n + 1` levels in all. */
const withDeep = (n: number, base = '{}') =>
  base.replace(/^\s*\{/, `{"deep": ${nested(n)}${base.trim() === '{}' ? '' : ','}`)

describe('jsonNesting', () => {
  it('counts levels, not brackets inside strings, and finds where a limit is passed', () => {
    expect(jsonNesting('{"a": [1, {"b": "[[[{{{"}]}')).toEqual({ depth: 3, over: -1 })
    expect(jsonNesting('["\\"[[[", "\\\\", [[]]]')).toEqual({ depth: 3, over: -1 })
    expect(jsonNesting('[[[]]]', 2)).toEqual({ depth: 3, over: 2 })
    expect(jsonNesting('"unclosed [[[')).toEqual({ depth: 0, over: -1 })
    expect(jsonNesting('42')).toEqual({ depth: 0, over: -1 })
  })

  it('scans 1,000,000 nested brackets in a loop, not a stack', () => {
    expect(jsonNesting(nested(1_000_000), PYTHON_JSON_MAX_DEPTH)).toEqual({
      depth: 1_000_000,
      over: PYTHON_JSON_MAX_DEPTH,
    })
  })

  it('skips the scan of text with too few brackets to nest that deep', () => {
    expect(mayNestDeeperThan('x'.repeat(100_000), 10)).toBe(false)
    expect(mayNestDeeperThan('[[[]]]', 10)).toBe(false)
    expect(mayNestDeeperThan('[{'.repeat(6), 10)).toBe(true)
  })
})

describe("the limit is Python's", () => {
  // Measured: CPython 3.13 loads 9,998 levels (RecursionError at 9,999), 3.12 loads 1,497, 3.8 to
  // 3.11 load 994 at most. Whatever python3 is installed must load nothing this check refuses.
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' })
  const run = python.status === 0 ? it : it.skip
  if (python.status !== 0) process.stderr.write('json-depth: python3 not found; its limit is not measured\n')

  run('python3 refuses every depth the check refuses, so no file it loads is refused', () => {
    const script = `
import json, sys
def loads(n):
    try:
        json.loads('[' * n + ']' * n)
        return True
    except RecursionError:
        return False
lo, hi = 1, ${PYTHON_JSON_MAX_DEPTH + 1}
if loads(hi):
    print(hi)
    sys.exit()
while lo < hi:
    mid = (lo + hi) // 2
    if loads(mid): lo = mid + 1
    else: hi = mid
print(lo - 1)
`
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    const deepestLoaded = Number(r.stdout.trim())
    expect(deepestLoaded).toBeGreaterThan(900)
    expect(deepestLoaded).toBeLessThanOrEqual(PYTHON_JSON_MAX_DEPTH)
  })
})

describe('parseJsonDocument', () => {
  it('refuses 100,000 levels with the depth, the limit and where the limit is passed', () => {
    const text = `{\n  "a": 1,\n  "b": ${nested(100_000)}\n}\n`
    const r = parseJsonDocument('config.json', Buffer.from(text))
    expect(r).toEqual({
      ok: false,
      problem: {
        kind: 'too-deep',
        depth: 100_001,
        limit: PYTHON_JSON_MAX_DEPTH,
        at: { line: 3, column: 8 + PYTHON_JSON_MAX_DEPTH - 1 },
      },
    })
  })

  it('parses the deepest document Python loads, and says where its values are when shallow', () => {
    const deep = parseJsonDocument('x.json', Buffer.from(withDeep(PYTHON_JSON_MAX_DEPTH - 1)))
    expect(deep.ok).toBe(true)
    // Past the depth jsonc-parser can recurse to, values have no line rather than a stack overflow.
    expect(deep.ok && deep.doc.locate('/deep')).toBeUndefined()
    const shallow = parseJsonDocument('x.json', Buffer.from('{\n  "a": [[1]]\n}'))
    expect(shallow.ok && shallow.doc.locate('/a/0/0')).toEqual({ line: 2, column: 10 })
  })

  it('words a syntax error of a deep document from JSON.parse, without recursing', () => {
    const r = parseJsonDocument('x.json', Buffer.from(`{"a": ${'['.repeat(5_000)}1,]}`))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.problem.kind).toBe('syntax')
  })
})

describe('every JSON file of a model, nested 100,000 deep', () => {
  const model: Record<string, MemoryEntry> = {
    'config.json': configJson(),
    'tokenizer_config.json': '{"chat_template": "{{ messages }}"}',
    'tokenizer.json': '{"model": {"type": "BPE", "vocab": {}}, "added_tokens": []}',
  }
  const deep = nested(100_000)
  const cases: [string, string, Record<string, MemoryEntry>][] = [
    ['config.json', 'MR201', { ...model, 'config.json': deep }],
    ['tokenizer_config.json', 'MR402', { ...model, 'tokenizer_config.json': withDeep(100_000) }],
    ['tokenizer.json', 'MR404', { ...model, 'tokenizer.json': withDeep(100_000) }],
    [
      'model.safetensors.index.json',
      'MR305',
      { ...model, 'model.safetensors.index.json': withDeep(100_000, '{"weight_map": {}}') },
    ],
    ['adapter_config.json', 'MR601', { 'adapter_config.json': withDeep(100_000, adapterConfig()) }],
    // Read by special-tokens, stop-token and the chat-template rules: Python's json raises RecursionError.
    ['special_tokens_map.json', 'MR403', { ...model, 'special_tokens_map.json': withDeep(100_000) }],
    ['generation_config.json', 'MR504', { ...model, 'generation_config.json': withDeep(100_000) }],
    ['chat_template.json', 'MR508', { ...model, 'chat_template.json': withDeep(100_000) }],
    [
      'chat_template.json, the only template',
      'MR508',
      { ...model, 'tokenizer_config.json': '{}', 'chat_template.json': nested(100_000) },
    ],
  ]

  it.each(cases)(
    '%s: the finding of its rule, if it has one; no crash, no stack overflow',
    async (file, ruleId, files) => {
      const findings = await runModelRules(memorySource(files), modelRules, {
        levels: new Map(),
        settings: { extraArchitectures: [] },
        docsBase: 'https://docs.test/',
      })
      expect(findings.filter((f) => f.messageId === 'crashed').map((f) => f.message)).toEqual([])
      const about = findings.filter((f) => f.message.includes('levels deep'))
      if (!ruleId) return expect(about).toEqual([])
      const path = file.split(',')[0]
      expect(about.map((f) => [f.ruleId, f.location.path, f.location.line])).toEqual([[ruleId, path, 1]])
      expect(about[0]!.location.column).toBeGreaterThan(PYTHON_JSON_MAX_DEPTH)
      expect(about[0]!.message).toMatch(
        /nested 100,00[01] levels deep; Python's json module \(which transformers and datasets use\) stops at 9,998 \(level 9,999 opens at line 1, column \d+\)/,
      )
    },
  )
})

describe('dataset rows nested too deep', () => {
  const deepRow = `{"messages": [{"role": "user", "content": ${nested(100_000)}}]}`
  it.each([
    ['train.jsonl', `${deepRow}\n{"messages": []}\n`],
    ['train.json', `[\n${deepRow},\n{"messages": []}\n]\n`],
  ])('%s: an invalid-row finding, and the next row is read', async (file, text) => {
    const { findings, stats } = await runDataset(datasetRules, { [file]: text })
    const ds201 = findings.filter((f) => f.ruleId === 'DS201')
    expect(ds201.map((f) => [f.location.row, f.location.line])).toEqual([[1, file.endsWith('.json') ? 2 : 1]])
    expect(ds201[0]!.message).toMatch(/nested 100,003 levels deep; Python's json module .* stops at 9,998/)
    expect(stats).toMatchObject({ rows: 1, badRows: 1 })
    expect(findings.filter((f) => f.messageId === 'crashed')).toEqual([])
  })

  it('reads a row nested as deep as Python loads', async () => {
    const row = `{"messages": [{"role": "user", "content": ${nested(PYTHON_JSON_MAX_DEPTH - 3)}}]}`
    const { stats, findings } = await runDataset(datasetRules, { 'train.jsonl': row + '\n' })
    expect(stats).toMatchObject({ rows: 1, badRows: 0 })
    expect(findings.filter((f) => f.ruleId === 'DS201' || f.messageId === 'crashed')).toEqual([])
  })
})
