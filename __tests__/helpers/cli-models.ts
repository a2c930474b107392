// Model folders on disk for the CLI bundle, and its JSON findings on them: shared by the end-to-end
// weights tests (__tests__/e2e/weights-bad-input.test.ts, __tests__/scale/e2e-weights.test.ts).
import { afterAll, beforeAll, expect } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runCli } from './run-bundle.js'

export type CliFinding = { ruleId: string; message: string; location: { path: string; line: number | null } }

const config = JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama' }, null, 2)

/** A safetensors index as save_pretrained writes it, with empty metadata. */
export const weightIndex = (map: Record<string, string>) =>
  JSON.stringify({ metadata: {}, weight_map: map }, null, 2)

/**
 * A temporary folder for the file's tests (made before all, removed after all, `prefix` names it) and
 * what the tests do in it. Call at the top level of a test file.
 */
export function cliModels(prefix: string) {
  let tmp = ''
  let counter = 0
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), prefix))
  })
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  return {
    /** A path in the temporary folder, outside every model folder, not given out before. */
    fresh: (name: string) => path.join(tmp, `${++counter}-${name}`),

    /** A new model folder: a Llama config.json and `files`; a null content makes a folder. */
    model: (files: Record<string, string | Uint8Array | null>): string => {
      const dir = path.join(tmp, `m${++counter}`)
      mkdirSync(dir, { recursive: true })
      for (const [rel, content] of Object.entries({ 'config.json': config, ...files })) {
        if (content === null) mkdirSync(path.join(dir, rel))
        else writeFileSync(path.join(dir, rel), content)
      }
      return dir
    },

    /** The CLI bundle `bin` on `dir` in JSON under --fail-on never: its exit status and findings. */
    check: (bin: string, dir: string): { status: number | null; findings: CliFinding[] } => {
      const r = runCli(bin, [dir, '--format', 'json', '--fail-on', 'never'], tmp)
      expect(r.stderr).toBe('')
      return { status: r.status, findings: JSON.parse(r.stdout).targets[0].findings }
    },
  }
}
