import { defineModelRule } from '../model-rule.js'
import { baseName, isOtherWeights, notReadableWhat, rootEntries } from '../utils/files.js'
import { isReadableFile, whyNotReadable } from '../../sources/readable.js'
import { listNames } from '../../common/wording.js'

/** The one file PEFT (and vLLM) load an adapter's weights from in safetensors format. */
const WEIGHTS = 'adapter_model.safetensors'

/** One file: point at it; several: at the folder, since a finding has one place. */
const placeOf = (paths: readonly string[]) => ({ path: paths.length === 1 ? paths[0] : '.' })

export default defineModelRule({
  meta: {
    id: 'MR602',
    name: 'adapter-weights',
    description: 'Require the weights of a LoRA adapter in adapter_model.safetensors at its root',
    severity: 'error',
    artifacts: ['files'],
    appliesTo: ['adapter'],
    messages: {
      notSafetensors: {
        text: (d: { found: string[] }) =>
          `The adapter has no adapter_model.safetensors; its weights are only in ${listNames(d.found)}, ${d.found.length === 1 ? 'a format' : 'formats'} Friendli does not load.`,
        hint: () =>
          'Load the adapter with PeftModel.from_pretrained(base_model, path) and save it again with PeftModel.save_pretrained(path, safe_serialization=True), then remove the old file.',
      },
      otherName: {
        text: (d: { found: string[] }) =>
          `The adapter has no adapter_model.safetensors, only ${listNames(d.found)}: PEFT loads an adapter's weights from adapter_model.safetensors and no other name.`,
        hint: () =>
          'Rename the file to adapter_model.safetensors if it holds the LoRA weights (keys such as base_model.model.…lora_A.weight), or save the adapter again with PeftModel.save_pretrained(path).',
      },
      nested: {
        text: (d: { found: string[] }) =>
          `adapter_model.safetensors is not at the root of the adapter but in ${listNames(d.found)}, and Friendli reads only the top level.`,
        hint: () =>
          'Move the adapter_config.json and adapter_model.safetensors of the checkpoint you want to serve to the root, or point the check at that subfolder.',
      },
      notFile: {
        text: (d: { what: string }) =>
          `adapter_model.safetensors is ${d.what}, not the adapter's weight file.`,
        hint: () =>
          'Replace it with the real adapter_model.safetensors that PeftModel.save_pretrained() writes.',
      },
      missing: {
        text: () => 'The adapter has no weights: adapter_model.safetensors is missing from its root.',
        hint: () =>
          'Save the trained adapter with PeftModel.save_pretrained(path): it writes adapter_config.json and adapter_model.safetensors side by side.',
      },
    },
  },
  check({ artifacts: { files }, report }) {
    const root = rootEntries(files)
    const weights = root.find((e) => e.path === WEIGHTS)
    const why = weights && whyNotReadable(weights)
    if (weights && !why) return
    if (why) return report('notFile', { what: notReadableWhat(why, 'adapter') }, { path: WEIGHTS })

    const others = root.filter(isOtherWeights).map((e) => e.path)
    if (others.length > 0) return report('notSafetensors', { found: others }, placeOf(others))
    const renamed = root
      .filter((e) => isReadableFile(e) && e.path.endsWith('.safetensors'))
      .map((e) => e.path)
    if (renamed.length > 0) return report('otherName', { found: renamed }, placeOf(renamed))
    const nested = files.entries
      .filter((e) => e.path.includes('/') && baseName(e.path) === WEIGHTS && isReadableFile(e))
      .map((e) => e.path.slice(0, -WEIGHTS.length))
    if (nested.length > 0) return report('nested', { found: nested }, placeOf(nested.map((f) => f + WEIGHTS)))
    report('missing', {}, { path: '.' })
  },
})
