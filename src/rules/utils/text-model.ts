// How the rules that compare the weights with config.json (MR311-MR315) read the text model's facts:
// which dtypes show a tensor's real width, and how a config key is named to users.
import type { Dtype } from '../../artifacts/safetensors.js'

/**
 * Dtypes whose last dimension is the real width. Wider integer dtypes and U8 can hold several packed
 * values per element (MLX stores 4-bit weights in U32, bitsandbytes flattens into U8).
 */
const UNPACKED: ReadonlySet<Dtype> = new Set<Dtype>([
  'F16',
  'BF16',
  'F32',
  'F64',
  'F8_E4M3',
  'F8_E5M2',
  'F8_E4M3FNUZ',
  'F8_E5M2FNUZ',
  'I8',
])

export function isUnpacked(dtype: Dtype): boolean {
  return UNPACKED.has(dtype)
}

/** `/text_config/vocab_size` → `text_config.vocab_size`, as a user reads a key of config.json. */
export function keyName(pointer: string): string {
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.')
}
