import { SourceError } from '../common/errors.js'
import { HubResponseError, hubHttp, type HubHttpOptions, type HubStats } from './hub-http.js'
import { datasetInfo, listFiles, modelInfo } from './hub-lib.js'
import { formatHubRef, type HubRef } from './hub-ref.js'
import { LISTING_LIMITS, SKIPPED_DIRECTORIES, type Listing, type RepoEntry, type Source } from './source.js'

export interface HubSource extends Source {
  kind: 'hub'
  repo: string
  /** The commit the reference resolved to: every read is pinned to it. */
  sha: string
  stats: HubStats
}

/** Files read whole are kept: the same small JSON file is often wanted by two artifacts. */
const CACHE_LIMIT = 1024 * 1024

/**
 * Pages of the tree listing read at most. The Hub sends 1,000 entries a page (50 with expand, which
 * the listing does not ask for), so LISTING_LIMITS.entries is reached by page 20; 200 pages leave ten
 * times that, and stop a server that pages forever with few or no entries.
 */
export const LISTING_PAGES = 200

/**
 * A model repository on the Hub at one commit. The reference is resolved to a sha first, so a branch
 * that moves during the check cannot mix two commits, and every later URL is free of `refs/pr/1`-style
 * revisions that the library's listFiles does not encode.
 */
export async function openHubSource(
  ref: HubRef,
  options: HubHttpOptions & { repoType?: 'model' | 'dataset' },
): Promise<HubSource> {
  const dataset = options.repoType === 'dataset'
  const http = hubHttp(options)
  const hubUrl = options.hubUrl
  const hubOrigin = new URL(hubUrl).origin
  const context = { ...ref, hubUrl, token: !!options.token, dataset }
  const fail = (error: unknown): never => {
    throw hubFailure(error, context)
  }

  const infoParams = { name: ref.repo, revision: ref.revision ?? 'main', hubUrl, fetch: http.fetch }
  // A model's info also names its files (`siblings`), so the files the check reads whole can be asked
  // for beside the listing (prefetch) rather than after it. Taken as sent: the library's `filePaths`
  // would throw on an entry that is not an object. A dataset's file list can be long, and its check
  // reads no file by a fixed name.
  const info = await (
    dataset
      ? datasetInfo({ ...infoParams, additionalFields: ['sha'] })
      : modelInfo({ ...infoParams, additionalFields: ['sha', 'siblings'] as unknown as 'sha'[] })
  ).catch(fail)
  const sha = String((info as { sha?: unknown }).sha)
  if (!/^[0-9a-f]{40}$/.test(sha))
    throw new SourceError(`${formatHubRef(ref)}: the Hub did not say which commit the revision is`)
  // Gating shows only when a file is read; without a token the answer is known now.
  if (info.gated && !options.token) throw new HubRefusal(gatedMessage(context, false), 'access')

  const siblings = (info as { siblings?: unknown }).siblings
  /** The root files the info names: a hint for prefetch only, never a substitute for the listing. */
  const rootFiles = new Set<string>()
  for (const s of Array.isArray(siblings) ? siblings : []) {
    const name = (s as { rfilename?: unknown } | null)?.rfilename
    if (typeof name === 'string' && !name.includes('/')) rootFiles.add(name)
  }

  let listing: Promise<Listing> | undefined
  let byPath: Map<string, RepoEntry> | undefined
  const cache = new Map<string, Promise<Uint8Array>>()
  /** Reads started before the listing (prefetch), each taken once by `read`. */
  const early = new Map<string, Promise<Uint8Array | undefined>>()
  const encode = (p: string) => p.split('/').map(encodeURIComponent).join('/')
  const repoPath = `${hubUrl}/${dataset ? 'datasets/' : ''}${ref.repo.split('/').map(encodeURIComponent).join('/')}`

  async function list(): Promise<Listing> {
    const entries: RepoEntry[] = []
    let truncated = false
    let pages = 0
    let received = 0
    // The library follows each page's Link: rel="next" through this fetch. The next page comes from the
    // hub's own origin only (the token would not go elsewhere, but the listing is the repo's word and
    // must be the hub's), and the pages end at LISTING_PAGES.
    const pageFetch = ((input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url)
      if (url.origin !== hubOrigin)
        throw new SourceError(
          `the Hub's file listing sent its next page to another server (${url.origin}); the listing is read from ${hubOrigin} only`,
        )
      if (++pages > LISTING_PAGES)
        throw new SourceError(
          `the Hub's file listing did not end after ${LISTING_PAGES} pages (${received} entries); the Hub sends 1,000 entries a page, so this is not its listing: is hub-url a Hugging Face Hub?`,
        )
      return http.fetch(input, init)
    }) as typeof fetch
    try {
      for await (const e of listFiles({
        repo: dataset ? { type: 'dataset', name: ref.repo } : ref.repo,
        revision: sha,
        recursive: true,
        hubUrl,
        fetch: pageFetch,
      })) {
        received++
        if (entries.length >= LISTING_LIMITS.entries) {
          truncated = true
          break
        }
        const parts = e.path.split('/')
        // The listing is the Hub's word, not ours to trust: a path that could leave the repo is dropped.
        if (
          !e.path ||
          e.path.startsWith('/') ||
          e.path.includes('\\') ||
          parts.some((p) => !p || p === '.' || p === '..')
        )
          continue
        if (parts.slice(0, -1).some((p) => SKIPPED_DIRECTORIES.has(p))) continue
        if (parts.length > LISTING_LIMITS.depth) {
          truncated = true
          continue
        }
        const type = e.type === 'file' ? 'file' : e.type === 'directory' ? 'directory' : 'other'
        entries.push({
          path: e.path,
          type,
          size: type === 'file' ? e.size : 0,
          ...(e.lfs || e.xetHash ? { lfs: true } : {}),
        })
      }
    } catch (error) {
      fail(error)
    }
    entries.sort((a, b) => a.path.localeCompare(b.path))
    byPath = new Map(entries.map((e) => [e.path, e]))
    return { entries, truncated }
  }

  async function entry(path: string) {
    await (listing ??= list())
    const e = byPath!.get(path)
    // Only listed files are ever requested: a shard name from an index cannot reach another path.
    if (!e || e.type !== 'file')
      throw new SourceError(`${formatHubRef(ref)}: ${path} is not a file of the repository`)
    return e
  }

  // LFS files are served by `resolve` (on huggingface.co a redirect to the CDN); the others by `raw`,
  // which the Hub never redirects, saving a hop per small file.
  const fileUrl = (path: string, lfs: boolean) =>
    `${repoPath}/${lfs ? 'resolve' : 'raw'}/${sha}/${encode(path)}`

  async function read(path: string): Promise<Uint8Array> {
    const e = await entry(path)
    const started = early.get(path)
    early.delete(path)
    const load = async () => {
      // A read started before the listing went to `raw`, where an LFS file is its pointer: its bytes
      // are the file's when the listing says it is not in LFS and has exactly their size. A failed
      // one is this read's failure, not a reason to ask again.
      const bytes = started && !e.lfs ? await started : undefined
      if (bytes?.length === e.size) return bytes
      return http.getBytes(fileUrl(path, !!e.lfs), { size: e.size }).catch(fail)
    }
    if (e.size > CACHE_LIMIT) return load()
    let p = cache.get(path)
    if (!p) cache.set(path, (p = load()))
    return p
  }

  return {
    kind: 'hub',
    display: formatHubRef(ref),
    repo: ref.repo,
    sha,
    stats: http.stats,
    list: () => (listing ??= list()),
    read,
    prefetch(pick) {
      for (const { path, limit } of pick((p) => rootFiles.has(p))) {
        if (!rootFiles.has(path) || early.has(path) || cache.has(path)) continue
        const started = http.getFile(fileUrl(path, false), limit).catch(fail)
        started.catch(() => {}) // taken by read() when the listing agrees; else never awaited
        early.set(path, started)
      }
    },
    async readRange(path, start, end) {
      const e = await entry(path)
      if (cache.has(path) || e.size <= 1024) return (await read(path)).subarray(start, end)
      return http.getBytes(fileUrl(path, !!e.lfs), { size: e.size, range: [start, end] }).catch(fail)
    },
  }
}

/**
 * A SourceError the Hub gave a reason for: the revision or the repository does not exist (or cannot be
 * seen), or the repository may not be read. A manifest's check puts these on the manifest's lines.
 */
export class HubRefusal extends SourceError {
  readonly reason: 'revision' | 'repo' | 'access'
  constructor(message: string, reason: 'revision' | 'repo' | 'access') {
    super(message)
    this.reason = reason
  }
}

interface FailureContext extends HubRef {
  hubUrl: string
  token: boolean
  dataset?: boolean
}

/** Access problems in the words of Friendli's FAQ and the Hub's, each with what to do about it. */
function hubFailure(error: unknown, c: FailureContext): SourceError {
  const name = formatHubRef(c)
  if (!(error instanceof HubResponseError))
    return error instanceof SourceError
      ? new SourceError(`${name}: ${error.message}`)
      : new SourceError(`${name}: ${(error as Error)?.message ?? String(error)}`)
  const { status, code } = error
  if (code === 'GatedRepo') return new HubRefusal(gatedMessage(c, c.token), 'access')
  if (code === 'RevisionNotFound')
    return new HubRefusal(
      `${name}: revision "${c.revision ?? 'main'}" not found in ${c.repo}: no branch, tag or commit has that name. Check the revision; branch names with "/" (refs/pr/1) are written as they are.`,
      'revision',
    )
  if (status === 401 && !c.token)
    return new HubRefusal(
      `${name}: repository not found, or it is private and no token was given. Check the repo id; for a private repository set the hf-token input (HF_TOKEN for the CLI) to a token that can read it.`,
      'access',
    )
  if (status === 401)
    return new SourceError(
      `${name}: the Hugging Face token was refused (invalid, expired or revoked: ${error.hubMessage || 'no reason given'}). Create a new token at ${c.hubUrl}/settings/tokens and update the secret; Friendli needs the new token too, since a revoked key also stops deployments.`,
    )
  if (code === 'RepoNotFound' || status === 404)
    return new HubRefusal(
      `${name}: repository not found, or the token cannot see it: a private repository of another account, or a fine-grained token without read access to this repository. Check the repo id; for a fine-grained token, give it view permission for ${c.repo} (as the Friendli FAQ asks).`,
      'repo',
    )
  if (status === 403)
    return new HubRefusal(
      `${name}: the token may not read this repository (${error.hubMessage || '403 Forbidden'}). A fine-grained token needs read access to ${c.repo}; the Friendli FAQ asks for view permission on the repository you deploy.`,
      'access',
    )
  return new SourceError(`${name}: ${error.message}`)
}

function gatedMessage(c: FailureContext, withToken: boolean): string {
  const page = `${c.hubUrl}/${c.dataset ? 'datasets/' : ''}${c.repo}`
  return withToken
    ? `${formatHubRef(c)}: You don't have access to this gated ${c.dataset ? 'dataset' : 'model'}: the token's account is not in the authorized list. Request access on ${page} and wait for the owner's approval; Friendli needs the same approval, through the token integrated in Friendli Suite.`
    : `${formatHubRef(c)}: You don't have access to this gated ${c.dataset ? 'dataset' : 'model'}: it is gated and no token was given. Request access on ${page}, then set the hf-token input (HF_TOKEN for the CLI) to a token of the approved account.`
}
