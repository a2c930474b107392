import type { Listing, RepoEntry, Source } from '../sources/source.js'
import { loadJsonFile, MiB, type JsonFile } from './json-file.js'
import { findLfsPointers, type LfsPointer } from './lfs.js'
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
}

/** The JSON files the loader reads, by artifact. */
const JSON_FILES = {
  config: 'config.json',
  tokenizerConfig: 'tokenizer_config.json',
  chatTemplateJson: 'chat_template.json',
  shardIndex: 'model.safetensors.index.json',
  adapterConfig: 'adapter_config.json',
} as const

const isReadableRootFile = (e: RepoEntry | undefined) =>
  !!e && e.type === 'file' && e.link !== 'outside' && e.link !== 'broken'

/** Loads artifacts on demand, each once, so a run reads only what its enabled rules declare. */
export function modelArtifactLoader(source: Source) {
  const cache = new Map<ModelArtifactName, Promise<unknown>>()
  let byPath: Promise<Map<string, RepoEntry>> | undefined

  const entries = () =>
    (byPath ??= load('files').then((listing) => new Map(listing.entries.map((e) => [e.path, e]))))
  const json = async (path: string, limit: number) => loadJsonFile(source, await entries(), path, limit)

  const loaders: { [K in ModelArtifactName]: () => Promise<ModelArtifacts[K]> } = {
    files: () => source.list(),
    kind: async () =>
      isReadableRootFile((await entries()).get('adapter_config.json')) ? 'adapter' : 'model',
    config: () => json(JSON_FILES.config, JSON_LIMITS.config),
    tokenizerConfig: () => json(JSON_FILES.tokenizerConfig, JSON_LIMITS.tokenizerConfig),
    chatTemplateJson: () => json(JSON_FILES.chatTemplateJson, JSON_LIMITS.chatTemplateJson),
    shardIndex: () => json(JSON_FILES.shardIndex, JSON_LIMITS.shardIndex),
    adapterConfig: () => json(JSON_FILES.adapterConfig, JSON_LIMITS.adapterConfig),
    lfsPointers: async () => findLfsPointers(source, await load('files'), new Set(Object.values(JSON_FILES))),
    weights: async () =>
      loadWeights(
        source,
        await load('files'),
        await load('lfsPointers'),
        headerSizeHints(await load('shardIndex')),
      ),
  }

  function load<K extends ModelArtifactName>(name: K): Promise<ModelArtifacts[K]> {
    let p = cache.get(name)
    if (!p) cache.set(name, (p = loaders[name]()))
    return p as Promise<ModelArtifacts[K]>
  }
  return load
}
