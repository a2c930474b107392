import type { Listing, RepoEntry, Source } from '../sources/source.js'
import { loadJsonFile, MiB, type JsonFile } from './json-file.js'

/** Everything a model rule can look at, each parsed once per target and shared by all rules. */
export interface ModelArtifacts {
  files: Listing
  config: JsonFile
  tokenizerConfig: JsonFile
  chatTemplateJson: JsonFile
}

export type ModelArtifactName = keyof ModelArtifacts

/**
 * Size limits: a config.json is a few KB; far larger means something else was saved under the name,
 * and parsing it would only cost memory. tokenizer_config.json can carry large added-token tables.
 */
export const JSON_LIMITS = { config: 8 * MiB, tokenizerConfig: 64 * MiB, chatTemplateJson: 8 * MiB }

/** Loads artifacts on demand, each once, so a run reads only what its enabled rules declare. */
export function modelArtifactLoader(source: Source) {
  const cache = new Map<ModelArtifactName, Promise<unknown>>()
  let byPath: Promise<Map<string, RepoEntry>> | undefined

  const entries = () =>
    (byPath ??= load('files').then((listing) => new Map(listing.entries.map((e) => [e.path, e]))))

  const loaders: { [K in ModelArtifactName]: () => Promise<ModelArtifacts[K]> } = {
    files: () => source.list(),
    config: async () => loadJsonFile(source, await entries(), 'config.json', JSON_LIMITS.config),
    tokenizerConfig: async () =>
      loadJsonFile(source, await entries(), 'tokenizer_config.json', JSON_LIMITS.tokenizerConfig),
    chatTemplateJson: async () =>
      loadJsonFile(source, await entries(), 'chat_template.json', JSON_LIMITS.chatTemplateJson),
  }

  function load<K extends ModelArtifactName>(name: K): Promise<ModelArtifacts[K]> {
    let p = cache.get(name)
    if (!p) cache.set(name, (p = loaders[name]()))
    return p as Promise<ModelArtifacts[K]>
  }
  return load
}
