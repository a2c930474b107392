// An ESLint-style RuleTester: each case is a tiny repo in memory; each expected finding names the
// message it reports and where. The real runner runs the rule, so artifact loading is tested too.
import { describe, expect, it } from '@jest/globals'
import type { Finding, Severity } from '../../src/common/finding.js'
import type { ModelRule } from '../../src/rules/model-rule.js'
import { runModelRules } from '../../src/engine/run-model.js'
import { type RuleLevel } from '../../src/common/finding.js'
import { memorySource, type MemoryEntry } from '../../src/sources/memory.js'

export interface Case {
  name: string
  files: Record<string, MemoryEntry>
  extraArchitectures?: string[]
  level?: RuleLevel
}

export interface Expected {
  messageId: string
  path: string
  line?: number
  column?: number
  pointer?: string
  severity?: Severity
  /** A substring or pattern the message must contain: the real values the message should name. */
  message?: string | RegExp
}

export async function runRule(rule: ModelRule, c: Omit<Case, 'name'>): Promise<Finding[]> {
  const levels = new Map<string, RuleLevel>(c.level ? [[rule.meta.id, c.level]] : [])
  return runModelRules(memorySource(c.files), [rule], {
    levels,
    settings: { extraArchitectures: c.extraArchitectures ?? [] },
    docsBase: 'https://docs.test/',
  })
}

export function ruleTester(
  rule: ModelRule,
  cases: { valid: Case[]; invalid: (Case & { errors: Expected[] })[] },
): void {
  describe(`${rule.meta.id} ${rule.meta.name}`, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, async () => {
        expect((await runRule(rule, c)).map((f) => `${f.messageId}: ${f.message}`)).toEqual([])
      })
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, async () => {
        const findings = await runRule(rule, c)
        expect(findings.map((f) => f.messageId)).toEqual(c.errors.map((e) => e.messageId))
        c.errors.forEach((e, i) => {
          const f = findings[i]
          expect(f.location.path).toBe(e.path)
          // Line and column are asserted as absent when not given: a finding must never invent a line.
          expect(f.location.line).toBe(e.line)
          expect(f.location.column).toBe(e.column)
          expectFinding(f, e, rule.meta)
        })
      })
    }
    itExercisesEveryMessage(cases, rule.meta)
  })
}

/** A minimal valid config.json text, pretty-printed as save_pretrained writes it. */
export function configJson(overrides: Record<string, unknown> = {}): string {
  return (
    JSON.stringify(
      { architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 32000, ...overrides },
      null,
      2,
    ) + '\n'
  )
}

/** A rule's meta as the testers read it: its severity and each message's. */
interface TestedMeta {
  severity: Severity
  messages: Record<string, { severity?: Severity }>
}

/** What every rule tester asks of a finding beyond its place: pointer, severity, words, a hint. */
export function expectFinding(
  f: Finding,
  e: { messageId: string; pointer?: string; severity?: Severity; message?: string | RegExp },
  meta: TestedMeta,
): void {
  if (e.pointer !== undefined) expect(f.location.pointer).toBe(e.pointer)
  expect(f.severity).toBe(e.severity ?? meta.messages[e.messageId]!.severity ?? meta.severity)
  if (typeof e.message === 'string') expect(f.message).toContain(e.message)
  else if (e.message) expect(f.message).toMatch(e.message)
  // Every message is one sentence; every hint says what to do.
  expect(f.message).toMatch(/^[A-Z"a-z0-9(`].*\.$/s)
  expect(f.hint ?? '').not.toBe('')
}

/** The test every rule's cases get: a valid and an invalid case at least, and every message used. */
export function itExercisesEveryMessage(
  cases: { valid: readonly unknown[]; invalid: readonly { errors: readonly { messageId: string }[] }[] },
  meta: TestedMeta,
): void {
  it('has at least one valid and one invalid case, and exercises every message', () => {
    expect(cases.valid.length).toBeGreaterThan(0)
    expect(cases.invalid.length).toBeGreaterThan(0)
    const used = new Set(cases.invalid.flatMap((c) => c.errors.map((e) => e.messageId)))
    expect(Object.keys(meta.messages).filter((k) => !used.has(k))).toEqual([])
  })
}
