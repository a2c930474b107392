import type { Listing, Prefetch, RepoEntry, Source } from '../sources/source.js'
import { findLfsPointers, isReadableFile, type LfsPointer } from '../sources/readable.js'
import { JINJA_FILE, loadChatTemplates, TEMPLATE_FILE_LIMIT, type ChatTemplates } from './chat-templates.js'
import { specialTokens, type SpecialToken } from './special-tokens.js'
import { smokeRenders, type SmokeRender } from './template-renders.js'
import { loadTokenizerJson, TOKENIZER_JSON, TOKENIZER_LIMIT, type TokenizerJson } from './tokenizer-json.js'
import { loadJsonFile, MiB, type JsonFile } from './json-file.js'
import { textConfig, type TextConfig } from './model-config.js'
import { weightMapOf, type WeightMap } from './shard-index.js'
import { tensorTable, type TensorTable } from './tensors.js'
import { textModel, type TextModel } from './text-model.js'
import { headerSizeHints, loadWeights, type Weights } from './weights.js'

/** A repo with adapter_config.json at its root is a (LoRA) adapter, checked by the adapter rules. */
export type TargetKind = 'model' | 'adapter'

/** Everything a model rule can look at, each parsed once per target and shared by all rules. */
export interface ModelArtifacts {
  files: Listing
  kind: TargetKind
  config: JsonFile
  tokenizerConfig: JsonFile
  chatTemplateJson: JsonFile
  shardIndex: JsonFile
  adapterConfig: JsonFile
  lfsPointers: LfsPointer[]
  weights: Weights
  /** The shard index's weight_map: its entries and each shard it names; undefined without a usable map. */
  weightMap: WeightMap | undefined
  /** Every tensor of the safetensors headers, and those a loader reads; undefined when incomplete. */
  tensors: TensorTable | undefined
  /** config.json's keys as the language model reads them (top level, then text_config, …). */
  textConfig: TextConfig | undefined
  /** The language model's layer stack, input embedding and lm_head among the loaded tensors. */
  textModel: TextModel | undefined
  generationConfig: JsonFile
  specialTokensMap: JsonFile
  tokenizerJson: TokenizerJson
  /** Every chat template and which one transformers would use, each parsed once. */
  chatTemplates: ChatTemplates
  /** bos_token, eos_token, … as transformers resolves them (special_tokens_map.json wins). */
  specialTokens: Map<string, SpecialToken>
  /** The used templates rendered on the smoke conversations. */
  templateRenders: SmokeRender[]
}

export type ModelArtifactName = keyof ModelArtifacts

/**
 * Size limits: a config.json is a few KB; far larger means something else was saved under the name,
 * and parsing it would only cost memory. tokenizer_config.json can carry large added-token tables,
 * and a shard index of a very large model maps many thousands of tensors.
 */
export const JSON_LIMITS = {
  config: 8 * MiB,
  tokenizerConfig: 64 * MiB,
  chatTemplateJson: 8 * MiB,
  shardIndex: 64 * MiB,
  adapterConfig: 8 * MiB,
  generationConfig: 8 * MiB,
  specialTokensMap: 8 * MiB,
}

/** The JSON files the loader reads, by artifact. */
const JSON_FILES = {
  config: 'config.json',
  tokenizerConfig: 'tokenizer_config.json',
  chatTemplateJson: 'chat_template.json',
  shardIndex: 'model.safetensors.index.json',
  adapterConfig: 'adapter_config.json',
  generationConfig: 'generation_config.json',
  specialTokensMap: 'special_tokens_map.json',
} as const

/**
 * The root files each artifact reads whole when they are there, and the artifacts it is built from,
 * as the loaders below read them: what a source may start fetching before its listing is in.
 * lfsPointers also reads the JSON files under 1 KB, which only the listing tells, so not here.
 */
const READS: { [K in ModelArtifactName]?: { files?: Prefetch[]; from?: ModelArtifactName[] } } = {
  ...Object.fromEntries(
    Object.entries(JSON_FILES).map(([name, path]) => [
      name,
      { files: [{ path, limit: JSON_LIMITS[name as keyof typeof JSON_FILES] }] },
    ]),
  ),
  tokenizerJson: { files: [{ path: TOKENIZER_JSON, limit: TOKENIZER_LIMIT }] },
  chatTemplates: {
    files: [{ path: JINJA_FILE, limit: TEMPLATE_FILE_LIMIT }],
    from: ['tokenizerConfig', 'chatTemplateJson'],
  },
  specialTokens: { from: ['tokenizerConfig', 'specialTokensMap'] },
  templateRenders: { from: ['chatTemplates', 'specialTokens'] },
  weights: { from: ['weightMap'] },
  weightMap: { from: ['shardIndex'] },
  tensors: { from: ['weights', 'shardIndex', 'weightMap'] },
  textConfig: { from: ['config'] },
  textModel: { from: ['tensors'] },
}

/**
 * For Source.prefetch: the files the artifacts `wanted` for the target's kind will read, the kind
 * told by the root files the source knows of (an adapter has adapter_config.json, as `kind` says).
 */
export function filesToPrefetch(
  wanted: (kind: TargetKind) => readonly ModelArtifactName[],
): (has: (path: string) => boolean) => Prefetch[] {
  return (has) => {
    const files = new Map<string, Prefetch>()
    const seen = new Set<ModelArtifactName>()
    const visit = (name: ModelArtifactName) => {
      if (seen.has(name)) return
      seen.add(name)
      for (const f of READS[name]?.files ?? []) files.set(f.path, f)
      for (const from of READS[name]?.from ?? []) visit(from)
    }
    for (const name of wanted(has(JSON_FILES.adapterConfig) ? 'adapter' : 'model')) visit(name)
    return [...files.values()].filter((f) => has(f.path))
  }
}

/**
 * Loads artifacts on demand, each once, so a run reads only what its enabled rules declare. `preset`
 * artifacts are taken as given (a manifest's chat template beside its model's tokenizer), and the ones
 * derived from them (the template's smoke renders) are built from them.
 */
export function modelArtifactLoader(source: Source, preset: Partial<ModelArtifacts> = {}) {
  const cache = new Map<ModelArtifactName, Promise<unknown>>(
    Object.entries(preset).map(([name, value]) => [name as ModelArtifactName, Promise.resolve(value)]),
  )
  let byPath: Promise<Map<string, RepoEntry>> | undefined

  const entries = () =>
    (byPath ??= load('files').then((listing) => new Map(listing.entries.map((e) => [e.path, e]))))
  const json = async (path: string, limit: number) => loadJsonFile(source, await entries(), path, limit)

  const loaders: { [K in ModelArtifactName]: () => Promise<ModelArtifacts[K]> } = {
    files: () => source.list(),
    kind: async () => (isReadableFile((await entries()).get('adapter_config.json')) ? 'adapter' : 'model'),
    config: () => json(JSON_FILES.config, JSON_LIMITS.config),
    tokenizerConfig: () => json(JSON_FILES.tokenizerConfig, JSON_LIMITS.tokenizerConfig),
    chatTemplateJson: () => json(JSON_FILES.chatTemplateJson, JSON_LIMITS.chatTemplateJson),
    shardIndex: () => json(JSON_FILES.shardIndex, JSON_LIMITS.shardIndex),
    adapterConfig: () => json(JSON_FILES.adapterConfig, JSON_LIMITS.adapterConfig),
    generationConfig: () => json(JSON_FILES.generationConfig, JSON_LIMITS.generationConfig),
    specialTokensMap: () => json(JSON_FILES.specialTokensMap, JSON_LIMITS.specialTokensMap),
    tokenizerJson: async () => loadTokenizerJson(source, await entries()),
    chatTemplates: async () =>
      loadChatTemplates(
        source,
        await entries(),
        await load('tokenizerConfig'),
        await load('chatTemplateJson'),
      ),
    specialTokens: async () => specialTokens(await load('tokenizerConfig'), await load('specialTokensMap')),
    templateRenders: async () => smokeRenders(await load('chatTemplates'), await load('specialTokens')),
    lfsPointers: async () => findLfsPointers(source, await load('files'), new Set(Object.values(JSON_FILES))),
    weights: async () =>
      loadWeights(
        source,
        await load('files'),
        await load('lfsPointers'),
        headerSizeHints(await load('weightMap')),
      ),
    weightMap: async () => weightMapOf(await load('shardIndex')),
    tensors: async () =>
      tensorTable(await load('weights'), await load('shardIndex'), await load('weightMap')),
    textConfig: async () => textConfig(await load('config')),
    textModel: async () => textModel(await load('tensors')),
  }

  function load<K extends ModelArtifactName>(name: K): Promise<ModelArtifacts[K]> {
    let p = cache.get(name)
    if (!p) cache.set(name, (p = loaders[name]()))
    return p as Promise<ModelArtifacts[K]>
  }
  return load
}
