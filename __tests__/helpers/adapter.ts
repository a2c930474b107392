// Shared by the adapter rule tests (MR6xx): an adapter_config.json as PEFT writes it, and the real
// adapters of the shared corpus run through the local source.
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import type { ModelRule } from '../../src/rules/model-rule.js'
import { runModelRules } from '../../src/engine/run-model.js'
import { openLocalSource } from '../../src/sources/local.js'
import { CORPUS_ROOT } from './corpus.js'

/** The fields a LoRA adapter_config.json of PEFT has that the adapter rules read. */
const BASE: Record<string, unknown> = {
  base_model_name_or_path: 'meta-llama/Llama-3.2-3B',
  layers_pattern: null,
  layers_to_transform: null,
  lora_alpha: 32,
  modules_to_save: null,
  peft_type: 'LORA',
  r: 8,
  rank_pattern: {},
  target_modules: ['q_proj', 'v_proj'],
  task_type: 'CAUSAL_LM',
}

/**
 * adapter_config.json text as PeftConfig.save_pretrained writes it: sorted keys, two-space indent,
 * no final newline. A field set to undefined is left out. With no overrides the lines are:
 *
 *    1 {                                            9   "rank_pattern": {},
 *    2   "base_model_name_or_path": "meta-llama/…" 10   "target_modules": [
 *    3   "layers_pattern": null,                   11     "q_proj",
 *    4   "layers_to_transform": null,              12     "v_proj"
 *    5   "lora_alpha": 32,                         13   ],
 *    6   "modules_to_save": null,                  14   "task_type": "CAUSAL_LM"
 *    7   "peft_type": "LORA",                      15 }
 *    8   "r": 8,
 */
export function adapterConfig(overrides: Record<string, unknown> = {}): string {
  const merged: Record<string, unknown> = { ...BASE, ...overrides }
  const sorted = Object.fromEntries(
    Object.keys(merged)
      .sort()
      .filter((k) => merged[k] !== undefined)
      .map((k) => [k, merged[k]]),
  )
  return JSON.stringify(sorted, null, 2)
}

/** The line of a top-level key in a text written by adapterConfig(), for cases that move lines. */
export function lineOf(text: string, key: string): number {
  const index = text.split('\n').findIndex((l) => l.startsWith(`  ${JSON.stringify(key)}:`))
  if (index === -1) throw new Error(`no line for ${key}`)
  return index + 1
}

export const CORPUS_MODELS = path.join(CORPUS_ROOT, 'models')

/** The corpus folders holding an adapter_config.json at their root, or [] with no corpus. */
export function corpusAdapters(): string[] {
  if (!existsSync(CORPUS_MODELS)) return []
  return readdirSync(CORPUS_MODELS)
    .filter((name) => existsSync(path.join(CORPUS_MODELS, name, 'adapter_config.json')))
    .sort()
}

/** Each finding of one rule on a corpus adapter, through the real local source, as `messageId @path:line`. */
export async function corpusFindings(rule: ModelRule, name: string): Promise<string[]> {
  const source = await openLocalSource(path.join(CORPUS_MODELS, name))
  const findings = await runModelRules(source, [rule], {
    levels: new Map(),
    settings: { extraArchitectures: [] },
    docsBase: 'https://docs.test/',
  })
  return findings.map(
    (f) => `${f.messageId} @${f.location.path}${f.location.line ? `:${f.location.line}` : ''}`,
  )
}
