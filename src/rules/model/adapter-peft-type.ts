import { jsonType } from '../../artifacts/json-document.js'
import { docOf } from '../../artifacts/json-file.js'
import { defineModelRule } from '../model-rule.js'
import { at, field, hasField } from '../../artifacts/json-document.js'

export default defineModelRule({
  meta: {
    id: 'MR603',
    name: 'adapter-peft-type',
    description: 'Require adapter_config.json to declare a LoRA adapter with "peft_type": "LORA"',
    severity: 'error',
    artifacts: ['adapterConfig'],
    appliesTo: ['adapter'],
    messages: {
      missing: {
        text: () =>
          'adapter_config.json has no "peft_type", so neither PEFT nor Friendli can tell which kind of adapter it holds.',
        hint: () =>
          'Add "peft_type": "LORA" if the adapter was trained with LoraConfig; PeftModel.save_pretrained() always writes it.',
      },
      notString: {
        text: (d: { found: string }) =>
          `"peft_type" in adapter_config.json must be a string but is ${d.found}.`,
        hint: () => 'Write "peft_type": "LORA" for a LoRA adapter.',
      },
      lowercase: {
        // PEFT looks the type up in a dict keyed by its PeftType str-enum: "lora" is a KeyError.
        text: (d: { found: string }) =>
          `"peft_type" is ${d.found}, but PEFT matches the type case-sensitively and accepts only "LORA".`,
        hint: () => 'Write it in capitals: "peft_type": "LORA".',
      },
      notLora: {
        text: (d: { found: string }) =>
          `"peft_type" is ${d.found}, but Friendli serves LoRA adapters only ("peft_type": "LORA").`,
        hint: () =>
          'Train the adapter with peft.LoraConfig, or merge this adapter into the base model (merge_and_unload(), for methods that support it) and deploy the merged model.',
      },
    },
  },
  check({ artifacts: { adapterConfig }, report }) {
    const doc = docOf(adapterConfig)
    if (!doc) return
    const value = field(doc, 'peft_type')
    if (!hasField(doc, 'peft_type')) return report('missing', {}, { path: doc.path })
    if (value === null) return report('missing', {}, at(doc, '/peft_type'))
    if (typeof value !== 'string')
      return report('notString', { found: jsonType(value) }, at(doc, '/peft_type'))
    if (value === 'LORA') return
    const found = JSON.stringify(value)
    if (value.toUpperCase() === 'LORA') return report('lowercase', { found }, at(doc, '/peft_type'))
    report('notLora', { found }, at(doc, '/peft_type'))
  },
})
