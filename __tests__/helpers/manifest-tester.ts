// An ESLint-style RuleTester for deployment manifest rules: each case is a manifest's text (YAML or
// JSON by its file name) and, when the rule reads the model, the model hfModelRepo names as files in
// memory (safetensors files of any size as their headers: sparse-safetensors.ts). The real parser, the
// real model check and the real runner run, so positions and the model's sizing are tested too.
import { describe, expect, it } from '@jest/globals'
import { parseManifest } from '../../src/artifacts/manifest.js'
import type { Finding, RuleLevel, Severity } from '../../src/common/finding.js'
import { runManifestRules } from '../../src/engine/run-manifest.js'
import { runModelCheck } from '../../src/engine/run-model.js'
import type {
  ManifestAdapterCheck,
  ManifestModel,
  ManifestModelRefusal,
  ManifestRule,
  ManifestTemplateFile,
} from '../../src/rules/manifest-rule.js'
import type { MemoryEntry } from '../../src/sources/memory.js'
import { expectFinding, itExercisesEveryMessage } from './rule-tester.js'
import { headerOnlySource, type SparseSafetensors } from './sparse-safetensors.js'

export interface ManifestCase {
  name: string
  /** The manifest as written. */
  manifest: string | Uint8Array
  /** Its file name, which says its format; default friendli-endpoint.yaml. */
  file?: string
  /** The files of the model hfModelRepo names; absent: no model was checked. */
  model?: Record<string, MemoryEntry | SparseSafetensors>
  /** The commit the Hub resolved the revision to (a hub model); absent: a local folder. */
  sha?: string
  /** The Hub would not open the model: no model was checked. */
  refused?: ManifestModelRefusal
  /** The chat template file chatTemplate names, as the check found it. */
  template?: ManifestTemplateFile
  /** What each entry of adapters became (build a checked one with checkedAdapter). */
  adapters?: (ManifestAdapterCheck | Promise<ManifestAdapterCheck>)[]
  level?: RuleLevel
}

export interface ManifestExpected {
  messageId: string
  /** Asserted always: absent means the finding has no line. */
  line?: number
  /** Asserted when given. */
  column?: number
  pointer?: string
  severity?: Severity
  /** A substring or pattern the message must contain: the real values it should name. */
  message?: string | RegExp
}

/** The model a case names, checked by the model engine (no model rule: only its artifacts). */
export async function checkedModel(
  files: Record<string, MemoryEntry | SparseSafetensors>,
  display = 'hf://org/model@' + '0'.repeat(40),
): Promise<ManifestModel> {
  const { artifacts } = await runModelCheck(
    headerOnlySource(files),
    [],
    { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' },
    ['tensors', 'textConfig', 'tokenizerConfig'],
  )
  return { display, repo: 'org/model', ...artifacts }
}

/** An adapter an entry of adapters names, checked by the model engine (only its artifacts). */
export async function checkedAdapter(
  files: Record<string, MemoryEntry>,
  o: { display?: string; repo?: string; sha?: string } = {},
): Promise<ManifestAdapterCheck> {
  const { artifacts } = await runModelCheck(
    headerOnlySource(files),
    [],
    { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' },
    ['kind', 'adapterConfig'],
  )
  const repo = o.repo ?? 'org/adapter'
  return {
    state: 'checked',
    adapter: {
      display: o.display ?? `hf://${repo}@${'a'.repeat(40)}`,
      repo,
      ...(o.sha ? { sha: o.sha } : {}),
      ...artifacts,
    },
  }
}

export async function runManifestCase(rule: ManifestRule, c: Omit<ManifestCase, 'name'>): Promise<Finding[]> {
  const levels = new Map<string, RuleLevel>(c.level ? [[rule.meta.id, c.level]] : [])
  const bytes = typeof c.manifest === 'string' ? new TextEncoder().encode(c.manifest) : c.manifest
  const file = parseManifest(c.file ?? 'friendli-endpoint.yaml', bytes)
  const checked = c.model ? await checkedModel(c.model) : undefined
  const model = checked && c.sha ? { ...checked, sha: c.sha } : checked
  return runManifestRules(
    file,
    model,
    [rule],
    { levels, docsBase: 'https://docs.test/' },
    {
      refused: c.refused,
      template: c.template,
      adapters: c.adapters ? await Promise.all(c.adapters.map(async (a) => a)) : [],
    },
  )
}

export function manifestRuleTester(
  rule: ManifestRule,
  cases: { valid: ManifestCase[]; invalid: (ManifestCase & { errors: ManifestExpected[] })[] },
): void {
  describe(`${rule.meta.id} ${rule.meta.name}`, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, async () => {
        expect((await runManifestCase(rule, c)).map((f) => `${f.messageId}: ${f.message}`)).toEqual([])
      })
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, async () => {
        const findings = await runManifestCase(rule, c)
        expect(findings.map((f) => f.messageId)).toEqual(c.errors.map((e) => e.messageId))
        c.errors.forEach((e, i) => {
          const f = findings[i]!
          expect(f.location.path).toBe(c.file ?? 'friendli-endpoint.yaml')
          expect(f.location.line).toBe(e.line)
          if (e.column !== undefined) expect(f.location.column).toBe(e.column)
          expectFinding(f, e, rule.meta)
        })
      })
    }
    itExercisesEveryMessage(cases, rule.meta)
  })
}

/** A create body that every rule accepts, as YAML, with `extra` lines appended (indented as given). */
export function createYaml(extra = '', fields: Record<string, string> = {}): string {
  const base: Record<string, string> = {
    projectId: 'proj-123',
    name: 'chat-endpoint',
    instanceOptionId: 'TwD5AqnBSVN0',
    hfModelRepo: 'org/model',
    hfModelRepoRevision: 'a'.repeat(40),
    ...fields,
  }
  const lines = Object.entries(base)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}`)
  return [
    ...lines,
    'advanced:',
    '  tokenizer_skip_special_tokens: true',
    '  tokenizer_add_special_tokens: false',
    extra,
  ]
    .filter((l) => l !== '')
    .join('\n')
    .concat('\n')
}
