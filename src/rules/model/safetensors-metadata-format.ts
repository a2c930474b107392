import { defineModelRule } from '../model-rule.js'

export default defineModelRule({
  meta: {
    id: 'MR303',
    name: 'safetensors-metadata-format',
    description: 'Require __metadata__.format "pt" in safetensors headers, as transformers expects',
    severity: 'warning',
    artifacts: ['weights'],
    appliesTo: ['model', 'adapter'],
    messages: {
      missing: {
        text: (d: { file: string; metadataPresent: boolean }) =>
          d.metadataPresent
            ? `The __metadata__ of ${d.file} has no "format" key; transformers refuses to load such a file.`
            : `${d.file} has no __metadata__ with "format": "pt", which transformers writes and checks.`,
        hint: () =>
          'Save with save_pretrained(), or safetensors.torch.save_file(tensors, path, metadata={"format": "pt"}).',
      },
      unsupported: {
        text: (d: { file: string; format: string }) =>
          `The __metadata__ of ${d.file} gives "format": "${d.format}"; transformers loads only "pt", "tf", "flax" and "mlx".`,
        hint: () => 'Save PyTorch weights with metadata={"format": "pt"}.',
      },
    },
  },
  check({ artifacts: { weights }, report }) {
    for (const f of weights.files) {
      for (const p of f.parse?.problems ?? []) {
        if (p.code === 'metadata-format-missing')
          report('missing', { file: f.path, metadataPresent: p.metadataPresent }, { path: f.path })
        if (p.code === 'metadata-format-unsupported')
          report('unsupported', { file: f.path, format: p.format }, { path: f.path })
      }
    }
  },
})
