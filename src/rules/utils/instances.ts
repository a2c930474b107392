// The GPU instances a Friendli Dedicated Endpoint can run on, and which of them holds a given amount
// of weights. Pure data and arithmetic, so the sizing is tested for any model size without a file.
import type { Dtype } from '../../artifacts/safetensors.js'

export interface Gpu {
  name: string
  /** Memory per GPU in decimal bytes, as the GPU is sold ("80GB"). */
  memory: number
  /** Whether the GPU computes in FP8 (Ada, Hopper, Blackwell); an FP8 checkpoint needs it. */
  fp8: boolean
  /** The instance option id (instanceOptionId) of 1, 2, 4 and 8 of this GPU. */
  ids: Readonly<Record<number, string>>
}

/**
 * Friendli's Dedicated Endpoint instance types (1, 2, 4 or 8 of each GPU; the instance options of
 * https://friendli.ai/docs/openapi/dedicated/endpoint/create, from friendliai/friendli-openapi's
 * openapi.yaml of 2026-07-22, whose instanceOptionId lists "Available options: - 1x NVIDIA A100 80GB:
 * `ShbPuOs4tfGb` … - 8x NVIDIA B200: `drbc6G9FxJWZ`"). Sizes are the decimal GB each GPU is sold with, a
 * little below what the driver reports, so a fit is never overstated. NVIDIA sells B200 memory per
 * system, not per GPU: 180 GB is DGX B200's 1,440 GB over its 8 GPUs.
 */
const GPUS: readonly Gpu[] = [
  {
    name: 'A100 80GB',
    memory: 80e9,
    fp8: false,
    ids: { 1: 'ShbPuOs4tfGb', 2: 'mrAHuYt7T40o', 4: 'JkNob0NMdoF3', 8: 'sYH4kHmAcA5P' },
  },
  {
    name: 'H100 80GB',
    memory: 80e9,
    fp8: true,
    ids: { 1: 'TwD5AqnBSVN0', 2: 'zfTutSiLn0Hq', 4: 'lfkRz5G48REc', 8: 'GUA4qYFmsYz8' },
  },
  {
    name: 'H200 141GB',
    memory: 141e9,
    fp8: true,
    ids: { 1: 'LnK1wTaKc7WO', 2: 'Tu6GjBnfHPe4', 4: 'OhTzYtZuomzI', 8: 'ahBzWtOuomsI' },
  },
  {
    name: 'B200',
    memory: 180e9,
    fp8: true,
    ids: { 1: '8GiQTLKfJNOr', 2: 'brTZGIuYgVrs', 4: 'AFoZMFXZnAdD', 8: 'drbc6G9FxJWZ' },
  },
]

const GPU_COUNTS: readonly number[] = [1, 2, 4, 8]

/**
 * The weights must fit in this share of an instance's GPU memory. The rest is what a serving engine
 * needs beside the weights: the KV cache (which grows with context length and batch size), the
 * activations, and the CUDA context and buffers on each GPU. 20% is a rule of thumb for a usable
 * context at a small batch, not a guarantee; a long context or a large batch needs more.
 */
export const WEIGHT_SHARE = 0.8

/** Dtypes that need FP8 tensor cores to serve (Friendli: FP8 needs Ada, Hopper or Blackwell). */
export const FP8_DTYPES: ReadonlySet<Dtype> = new Set<Dtype>(['F8_E4M3', 'F8_E5M2'])

export interface Instance {
  gpu: Gpu
  count: number
  /** Total GPU memory of the instance, bytes. */
  memory: number
  /** Its instance option id, as the create-endpoint call takes it. */
  id: string
}

/** Every instance type, smallest total memory first (ties in GPUS order). */
export function instances(gpus: readonly Gpu[] = GPUS): Instance[] {
  return gpus
    .flatMap((gpu) =>
      GPU_COUNTS.map((count) => ({ gpu, count, memory: gpu.memory * count, id: gpu.ids[count]! })),
    )
    .sort((a, b) => a.memory - b.memory)
}

/** The instance of an instance option id (case-sensitive, as the API's ids are), or undefined. */
export function instanceById(id: string): Instance | undefined {
  return instances().find((i) => i.id === id)
}

/** "A100 80GB: 1× ShbPuOs4tfGb, 2× mrAHuYt7T40o, …; H100 80GB: …": every option, by GPU, for a message. */
export function instanceOptionList(): string {
  return GPUS.map((gpu) => `${gpu.name}: ${GPU_COUNTS.map((n) => `${n}× ${gpu.ids[n]}`).join(', ')}`).join(
    '; ',
  )
}

/**
 * The smallest instances whose memory holds `weightBytes` within WEIGHT_SHARE, or undefined when
 * none does. With `needsFp8`, GPUs without FP8 (A100) are not candidates.
 */
export function smallestFit(
  weightBytes: number,
  needsFp8: boolean,
  share: number = WEIGHT_SHARE,
): Instance[] | undefined {
  const candidates = instances(needsFp8 ? GPUS.filter((g) => g.fp8) : GPUS)
  const first = candidates.find((i) => weightBytes <= i.memory * share)
  return first && candidates.filter((i) => i.memory === first.memory)
}

/** The largest instance there is, whatever the dtype: what "does not fit anywhere" is measured against. */
export function largestInstance(): Instance {
  return instances().at(-1)!
}

/** "8× H200 141GB" */
export function instanceName(i: Instance): string {
  return `${i.count}× ${i.gpu.name}`
}

/** "1,128 GB": instance memory in whole decimal GB, as instance sizes are quoted. */
export function formatGb(bytes: number): string {
  return `${Math.round(bytes / 1e9).toLocaleString('en-US')} GB`
}
