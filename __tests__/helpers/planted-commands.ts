// The workflow commands a hostile repository plants wherever its text can reach the log, and the model
// folder that carries them: shared by the in-process run of the CLI (__tests__/cli-workflow-output.test.ts)
// and the run of the bundles (__tests__/e2e/hostile-output.test.ts).
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Each line is a command the runner would run if it reached the log as is. */
export const INJECT = [
  '::error file=README.md,line=1::planted annotation',
  '::set-output name=result::pass',
  '::add-mask::friendli',
  '::stop-commands::planted',
  'x ##[set-output name=result]pass',
].join('\n')

/**
 * Makes the folder `model` with a config.json whose architecture and model type are INJECT, and a
 * tokenizer_config.json whose chat template raises INJECT.
 */
export function writePlantedModel(model: string): void {
  mkdirSync(model, { recursive: true })
  writeFileSync(
    path.join(model, 'config.json'),
    JSON.stringify({ architectures: [INJECT], model_type: INJECT, vocab_size: 64 }, null, 2),
  )
  writeFileSync(
    path.join(model, 'tokenizer_config.json'),
    JSON.stringify({ eos_token: '</s>', chat_template: `{{ raise_exception(${JSON.stringify(INJECT)}) }}` }),
  )
}
