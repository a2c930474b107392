// Git LFS pointers of a local checkout read as the files they stand for, as far as the check reads
// them: the header of each root safetensors file, from the repository's own LFS server, with one HTTP
// range request per file. actions/checkout leaves pointers unless it is given `lfs: true`, which
// downloads every weight file; the checks need only the headers, a few KB a shard.
//
// The Git LFS Batch API (https://github.com/git-lfs/git-lfs/blob/main/docs/api/batch.md): one POST to
// {lfs-url}/objects/batch per 100 objects gives each object's download (`actions.download`: an href and
// the headers to send with it), then one GET per object with `Range: bytes=0-N` (N from the shard
// index's estimate of the header's size; a longer header takes one more), read up to the end of the
// header and aborted there, so a server that ignores Range is cut off too. The LFS URL is the
// remote's (server-discovery.md, git-remote.ts); the remote is the checkout's remote.origin.url or the
// caller's, never `.lfsconfig` or anything else in the tree, which the pull request writes.
//
// Trust: the LFS server is read only when it is the GitHub server, which gets GitHub's token as
// actions/checkout sends it (Basic x-access-token), or the Hub, which gets the Hugging Face token
// (Bearer); https only, but for one of those named explicitly on the loopback interface (tests). A
// download href gets only the headers the batch answer gives for it, never the token. Every answer is
// bounded (the batch JSON, each header, all headers together), every request has an idle timeout and a
// deadline, and whatever fails leaves the file a pointer, with why: MR304 reports it, with the reason.
import { SourceError } from '../common/errors.js'
import { findGitRemote, lfsEndpoint } from './git-remote.js'
import { proxyFetch, USER_AGENT } from './http.js'
import { LFS_POINTER_MAX_SIZE, parseLfsPointer, type LfsObject } from './lfs.js'
import { isReadableFile } from './readable.js'
import type { Listing, RepoEntry, Source } from './source.js'

export interface LfsServer {
  /** Its base URL (https://github.com, https://huggingface.co). */
  url: string
  /** Sent to this server's origin only. */
  token?: string
}

export interface LfsReadOptions {
  /** The target's folder on disk: `.git` is looked for in it and the folders above it. */
  root: string
  /** The last folder looked in for `.git` (the workspace, in a workflow); default: up to the file system's root. */
  top?: string
  /** The remote to read, in place of the checkout's remote.origin.url. */
  remoteUrl?: string
  /** The GitHub server (GITHUB_SERVER_URL; default https://github.com) and GitHub's token. */
  github?: LfsServer
  /** The Hugging Face Hub (default https://huggingface.co) and the Hugging Face token. */
  hub?: LfsServer
  /** The transport; default: the global fetch, or through the proxy HTTPS_PROXY names (http.ts). */
  fetch?: typeof fetch
  /** Idle timeout of a request: nothing arrived for this long. */
  timeoutMs?: number
  /** The most one request may take, body included (a download adds 1 s per 256 KiB of header). */
  deadlineMs?: number
}

export interface LfsStats {
  /** Pointers whose header was read through LFS, by path. */
  read: string[]
  /** Pointers that could not be, and why. */
  unread: { path: string; reason: string }[]
  /** Batch requests sent (retries included). */
  batchRequests: number
  /** Download requests sent (retries and redirect hops included). */
  downloads: number
  /** Body bytes received from downloads. */
  bytes: number
}

export interface LfsSource extends Source {
  lfs: LfsStats
}

const MiB = 2 ** 20

/** What one answer, and all of them, may hold. Exported for the tests that prove each bound. */
export const LFS_LIMITS = {
  /** GitHub takes up to 100 objects per batch request; the spec leaves it to the server. */
  objectsPerBatch: 100,
  /** A batch answer: about 1 KB an object (a signed href and its headers), so 100 objects are ~100 KB. */
  batchAnswerBytes: 4 * MiB,
  /** What is read of an error answer, to quote its message. */
  errorBodyBytes: 16 * 1024,
  quotedChars: 200,
  /** Headers the batch answer may give for one download, and the size of each. */
  downloadHeaders: 32,
  downloadHeaderBytes: 8192,
  /** The safetensors crate's MAX_HEADER_SIZE (artifacts/safetensors.ts MAX_HEADER_LENGTH): a longer header is refused unread. */
  headerLength: 100_000_000,
  /** Header bytes kept, all files together: the weights' own budget (artifacts/weights.ts HEADER_BUDGET). */
  headerBudget: 128 * MiB,
  /**
   * The first range asked for when the shard index gives no estimate of a header's size: most headers
   * are smaller (a shard of a 405B model: about 1 KB; a whole 8B model: 30 KB), a larger one takes one
   * more request. The same as the Hub's first read (artifacts/weights.ts FIRST_READ).
   */
  firstRange: 100_000,
  /** The shard index read for the estimates: the weights' own limit (artifacts/model-artifacts.ts JSON_LIMITS). */
  indexBytes: 64 * MiB,
  /** A read past a header, from a server that ignores Range, skips at most this much to reach it. */
  rangeSkipBytes: 1 * MiB,
}

/** Batch requests and downloads in flight: GitHub answers in 50-150 ms, so 32 read 162 shards in six waves. */
const CONCURRENCY = { batches: 4, downloads: 32 }
const DEFAULTS = { timeoutMs: 20_000, deadlineMs: 60_000 }
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
const MAX_HOPS = 3
const LFS_JSON = 'application/vnd.git-lfs+json'
/** Request headers an answer's `header` cannot set: the transport's, and the ones set here. */
const RESERVED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'upgrade',
  'keep-alive',
  'expect',
  'range',
  'accept-encoding',
  'user-agent',
])

/** Why one object (or every object) could not be read: becomes the pointer's reason. */
class LfsFailure extends Error {
  override name = 'LfsFailure'
}

/** Retried once: a 5xx or 429 answer, or a connection that failed. */
class Transient extends LfsFailure {
  override name = 'Transient'
}

/** An object's download as the batch answer gives it. */
interface Download {
  href: URL
  headers: [string, string][]
}

/** What became of one object. */
type Outcome =
  { ok: true; object: LfsObject; download: Download; bytes: Uint8Array } | { ok: false; reason: string }

/**
 * `source` (a local checkout) with its root safetensors pointers read through the remote's LFS server:
 * listed with the real file's size and `lfsPointer: { read: true }`, their header bytes served from
 * what was read. The batch requests and downloads happen at the first list(), once; a pointer that
 * cannot be read is listed as it is, with `lfsPointer: { read: false, reason }`.
 */
export function withLfsHeaders(source: Source, options: LfsReadOptions): LfsSource {
  const o = { ...DEFAULTS, ...options }
  const transport = options.fetch ?? proxyFetch()
  const stats: LfsStats = { read: [], unread: [], batchRequests: 0, downloads: 0, bytes: 0 }
  const servers = [
    { ...(options.github ?? { url: 'https://github.com' }), scheme: 'basic' as const },
    { ...(options.hub ?? { url: 'https://huggingface.co' }), scheme: 'bearer' as const },
  ]
  const secrets = servers.flatMap((s) => (s.token ? [s.token, basic(s.token)] : []))
  const clean = (s: string) => secrets.reduce((text, secret) => text.split(secret).join('***'), s)
  let budget = LFS_LIMITS.headerBudget
  const served = new Map<string, Extract<Outcome, { ok: true }>>()
  let listing: Promise<Listing> | undefined

  async function list(): Promise<Listing> {
    const base = await source.list()
    const pointers: { entry: RepoEntry; object: LfsObject }[] = []
    for (const entry of base.entries) {
      if (entry.path.includes('/') || !entry.path.endsWith('.safetensors') || !isReadableFile(entry)) continue
      if (entry.size === 0 || entry.size > LFS_POINTER_MAX_SIZE) continue
      const object = parseLfsPointer(await source.read(entry.path))
      if (object) pointers.push({ entry, object })
    }
    if (pointers.length === 0) return base
    const hints = await headerHints(source, base.entries)
    const outcomes = await readObjects(pointers.map((p) => ({ ...p.object, hint: hints.get(p.entry.path) })))
    const changed = new Map<string, RepoEntry>()
    for (const { entry, object } of pointers) {
      const outcome = outcomes(object)
      if (outcome.ok) {
        served.set(entry.path, outcome)
        stats.read.push(entry.path)
        changed.set(entry.path, { ...entry, size: object.size, lfsPointer: { read: true } })
      } else {
        const reason = clean(outcome.reason)
        stats.unread.push({ path: entry.path, reason })
        changed.set(entry.path, { ...entry, lfsPointer: { read: false, reason } })
      }
    }
    return { ...base, entries: base.entries.map((e) => changed.get(e.path) ?? e) }
  }

  /** Each object's outcome: the server, one batch request per 100 objects, one download each. */
  async function readObjects(
    objects: (LfsObject & { hint?: number })[],
  ): Promise<(object: LfsObject) => Outcome> {
    const server = await lfsServer()
    if ('reason' in server) return () => ({ ok: false, reason: server.reason })
    // One request per object, however many pointers name it; a pointer naming it with another size is wrong.
    const unique = new Map<string, LfsObject & { hint?: number }>()
    for (const object of objects) if (!unique.has(object.oid)) unique.set(object.oid, object)
    const list = [...unique.values()]
    const downloads = new Map<string, Download | string>()
    const chunks: LfsObject[][] = []
    for (let i = 0; i < list.length; i += LFS_LIMITS.objectsPerBatch)
      chunks.push(list.slice(i, i + LFS_LIMITS.objectsPerBatch))
    await inParallel(chunks, CONCURRENCY.batches, async (chunk) => {
      let answer: Map<string, Download | string>
      try {
        answer = await retried(() => batch(server, chunk))
      } catch (error) {
        const reason = failureReason(error, 'the LFS server')
        for (const object of chunk) downloads.set(object.oid, reason)
        return
      }
      for (const [oid, d] of answer) downloads.set(oid, d)
    })
    const outcomes = new Map<string, Outcome>()
    await inParallel(list, CONCURRENCY.downloads, async (object) => {
      const d =
        downloads.get(object.oid) ?? `the LFS server's answer does not mention object ${short(object.oid)}`
      if (typeof d === 'string') return void outcomes.set(object.oid, { ok: false, reason: d })
      try {
        const bytes = await retried(() => readHeader(object, d, server.loopback, object.hint))
        outcomes.set(object.oid, { ok: true, object, download: d, bytes })
      } catch (error) {
        outcomes.set(object.oid, {
          ok: false,
          reason: failureReason(error, `the download of object ${short(object.oid)}`),
        })
      }
    })
    return (object) => {
      const first = unique.get(object.oid)!
      if (first.size !== object.size)
        return {
          ok: false,
          reason: `another pointer names the same object ${short(object.oid)} with another size (${first.size} bytes)`,
        }
      return outcomes.get(object.oid)!
    }
  }

  /** The LFS server of the remote, with its credentials, or why it is not read. */
  async function lfsServer(): Promise<
    { endpoint: URL; auth?: string; loopback: boolean } | { reason: string }
  > {
    const remote =
      options.remoteUrl !== undefined ? { url: options.remoteUrl } : await findGitRemote(o.root, o.top)
    if ('reason' in remote) return remote
    const endpoint = lfsEndpoint(remote.url)
    if (!endpoint)
      return { reason: "the checkout's remote (origin) is not a URL an LFS server can be found from" }
    const known = servers.find((s) => sameOrigin(s.url, endpoint))
    if (!known)
      return {
        reason: `the checkout's remote is on ${endpoint.host}, and LFS objects are read from the GitHub server (${new URL(servers[0]!.url).host}) or the Hub (${new URL(servers[1]!.url).host}) only`,
      }
    const loopback = isLoopback(endpoint)
    if (endpoint.protocol !== 'https:' && !loopback)
      return {
        reason: `the checkout's remote is not https (${endpoint.protocol}), so no token is sent to it`,
      }
    const auth = known.token
      ? known.scheme === 'basic'
        ? `Basic ${basic(known.token)}`
        : `Bearer ${known.token}`
      : undefined
    return { endpoint, loopback, ...(auth ? { auth } : {}) }
  }

  /** One batch request: each object's download, or why it has none. */
  async function batch(
    { endpoint, auth, loopback }: { endpoint: URL; auth?: string; loopback: boolean },
    objects: LfsObject[],
  ) {
    const url = new URL(`${endpoint.href.replace(/\/+$/, '')}/objects/batch`)
    const headers = new Headers({ accept: LFS_JSON, 'content-type': LFS_JSON, 'user-agent': USER_AGENT })
    if (auth) headers.set('authorization', auth)
    const body = JSON.stringify({
      operation: 'download',
      transfers: ['basic'],
      objects: objects.map(({ oid, size }) => ({ oid, size })),
      hash_algo: 'sha256',
    })
    const timer = deadline(o.timeoutMs, o.deadlineMs)
    stats.batchRequests++
    try {
      // Never redirected: the token is for this URL's origin, and the answer is its word only.
      const res = await send(url, { method: 'POST', headers, body, redirect: 'manual', signal: timer.signal })
      if (REDIRECT_STATUS.has(res.status)) {
        await res.body?.cancel().catch(() => {})
        throw new LfsFailure(
          `the LFS server redirected the batch request (${res.status}), which is not followed`,
        )
      }
      if (res.status !== 200) throw await statusFailure(res, timer.touch, 'batch')
      const text = await readAll(
        res,
        LFS_LIMITS.batchAnswerBytes,
        timer.touch,
        "the LFS server's batch answer",
      )
      return downloadsOf(text, objects, loopback)
    } catch (error) {
      throw failure(error, timer.signal)
    } finally {
      timer.done()
    }
  }

  /** The batch answer read: each requested object's download, or why it has none. */
  function downloadsOf(
    text: string,
    objects: LfsObject[],
    loopback: boolean,
  ): Map<string, Download | string> {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new LfsFailure("the LFS server's batch answer is not JSON")
    }
    const answer = isObject(json) ? json : {}
    if (!Array.isArray(answer.objects)) throw new LfsFailure("the LFS server's batch answer lists no objects")
    if (answer.transfer !== undefined && answer.transfer !== 'basic')
      throw new LfsFailure(`the LFS server chose a transfer other than basic (${quote(answer.transfer)})`)
    if (answer.hash_algo !== undefined && answer.hash_algo !== 'sha256')
      throw new LfsFailure(
        `the LFS server answered for another hash than sha256 (${quote(answer.hash_algo)})`,
      )
    const wanted = new Map(objects.map((x) => [x.oid, x]))
    const out = new Map<string, Download | string>()
    for (const item of answer.objects.slice(0, 2 * objects.length)) {
      if (!isObject(item) || typeof item.oid !== 'string') continue
      const object = wanted.get(item.oid)
      if (!object || out.has(object.oid)) continue
      out.set(object.oid, downloadOf(item, object, loopback))
    }
    return out
  }

  function downloadOf(
    item: Record<string, unknown>,
    object: LfsObject,
    loopback: boolean,
  ): Download | string {
    const name = `object ${short(object.oid)}`
    if (isObject(item.error)) {
      const code = typeof item.error.code === 'number' ? `${item.error.code}` : 'error'
      const message = typeof item.error.message === 'string' ? `: ${quote(item.error.message)}` : ''
      return `the LFS server cannot serve ${name} (${code}${message})`
    }
    if (item.size !== object.size)
      return `the LFS server says ${name} is ${quote(item.size)} bytes, and the pointer says ${object.size}`
    const download =
      isObject(item.actions) && isObject(item.actions.download) ? item.actions.download : undefined
    if (!download || typeof download.href !== 'string') return `the LFS server gave no download for ${name}`
    const href = urlOf(download.href)
    if (!href) return `the LFS server's download link for ${name} is not a URL`
    if (!allowedUrl(href, loopback && isLoopback(href)))
      return `the LFS server's download link for ${name} is not https (${href.protocol})`
    const headers: [string, string][] = []
    const given = isObject(download.header) ? Object.entries(download.header) : []
    if (given.length > LFS_LIMITS.downloadHeaders)
      return `the LFS server gave more than ${LFS_LIMITS.downloadHeaders} headers for the download of ${name}`
    for (const [key, value] of given) {
      if (
        typeof value !== 'string' ||
        !/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/.test(key) ||
        value.length > LFS_LIMITS.downloadHeaderBytes ||
        // eslint-disable-next-line no-control-regex
        /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)
      )
        return `the LFS server gave a header that cannot be sent for the download of ${name}`
      if (!RESERVED_HEADERS.has(key.toLowerCase())) headers.push([key, value])
    }
    return { href, headers }
  }

  /**
   * An object's header, in one ranged GET when the range asked for holds it (its size estimated from
   * the shard index, else LFS_LIMITS.firstRange): the 8-byte length prefix, then the header it declares
   * (when it is one the crate would read and fits in the budget), then the request is aborted. A
   * longer header takes one more ranged GET for the rest. A server that ignores Range sends the whole
   * file: it is read up to the end of the header and cut off there.
   */
  async function readHeader(
    object: LfsObject,
    d: Download,
    loopback: boolean,
    hint: number | undefined,
  ): Promise<Uint8Array> {
    if (object.size === 0) return new Uint8Array(0)
    let goal = Math.min(8, object.size)
    let reserved = 0
    const want = (prefix: Uint8Array) => {
      if (prefix.length < 8 || reserved > 0) return goal
      const length = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true)
      const whole = 8 + Number(length)
      // A header the crate refuses, past the end of the file, or over the budget: its 8 bytes say so
      // (the weights loader reports a header over the budget as not read).
      if (length > BigInt(LFS_LIMITS.headerLength) || whole > object.size || whole > budget) return goal
      budget -= whole
      reserved = goal = whole
      return goal
    }
    try {
      const last = Math.min(object.size, Math.max(8, hint ?? LFS_LIMITS.firstRange)) - 1
      const first = await get(object, d, loopback, 0, last, want)
      if (first.length >= goal) return first
      const rest = await get(object, d, loopback, first.length, goal - 1, () => goal - first.length)
      return concat([first, rest], goal)
    } catch (error) {
      budget += reserved
      throw error
    }
  }

  /**
   * GET bytes [start, last] of an object, read until `want(bytes so far)` bytes are in (at most what
   * the answer holds), then abort. A 200 answer (Range ignored) is the file from byte 0: up to
   * rangeSkipBytes are skipped to reach `start`, and it may be read past `last`, up to the largest
   * header there can be.
   */
  async function get(
    object: LfsObject,
    d: Download,
    loopback: boolean,
    start: number,
    last: number,
    want: (got: Uint8Array) => number,
  ): Promise<Uint8Array> {
    const timer = deadline(o.timeoutMs, o.deadlineMs + ((last - start + 1) / (256 * 1024)) * 1000)
    try {
      const res = await follow(d, start, last, loopback, timer.signal)
      const range = res.headers.get('content-range')
      let cap: number
      if (res.status === 206) {
        const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(range?.trim() ?? '')
        if (!m || Number(m[1]) !== start || Number(m[2]) < start)
          throw new LfsFailure(`the download answered another range than asked (${quote(range ?? 'none')})`)
        if (m[3] !== '*' && Number(m[3]) !== object.size)
          throw new LfsFailure(
            `the download says the file is ${m[3]} bytes, and the pointer says ${object.size}`,
          )
        cap = Math.min(Number(m[2]), object.size - 1) - start + 1
      } else if (res.status === 200) {
        const length = res.headers.get('content-length')
        if (length !== null && Number(length) !== object.size)
          throw new LfsFailure(`the download is ${quote(length)} bytes, and the pointer says ${object.size}`)
        if (start > LFS_LIMITS.rangeSkipBytes)
          throw new LfsFailure(
            'the download ignored the range asked for, and the bytes wanted are too far in to skip to',
          )
        cap = Math.max(last + 1, Math.min(object.size, 8 + LFS_LIMITS.headerLength)) - start
      } else throw await statusFailure(res, timer.touch, 'download')
      const coding = res.headers.get('content-encoding')?.trim().toLowerCase()
      if (coding && coding !== 'identity')
        throw new LfsFailure(
          `the download is ${quote(coding)}-encoded, which a byte range cannot be read from`,
        )
      const skip = res.status === 200 ? start : 0
      return await readUntil(res, skip, cap, want, timer.touch)
    } catch (error) {
      throw failure(error, timer.signal)
    } finally {
      timer.done()
    }
  }

  /** The GET, following up to MAX_HOPS redirects; the answer's headers go to the href's origin only. */
  async function follow(d: Download, start: number, last: number, loopback: boolean, signal: AbortSignal) {
    let url = d.href
    for (let hop = 0; ; hop++) {
      const headers = new Headers(url.origin === d.href.origin ? d.headers : [])
      headers.set('range', `bytes=${start}-${last}`)
      headers.set('accept-encoding', 'identity')
      headers.set('user-agent', USER_AGENT)
      stats.downloads++
      const res = await send(url, { headers, redirect: 'manual', signal })
      if (!REDIRECT_STATUS.has(res.status)) return res
      await res.body?.cancel().catch(() => {})
      const location = res.headers.get('location')
      const next = urlOf(location ?? '', url)
      if (!next) throw new LfsFailure(`the download redirected (${res.status}) to no URL`)
      if (hop + 1 >= MAX_HOPS) throw new LfsFailure(`the download redirected more than ${MAX_HOPS - 1} times`)
      if (!allowedUrl(next, loopback && isLoopback(next)))
        throw new LfsFailure('the download redirected to a URL that is not https')
      url = next
    }
  }

  /**
   * Body bytes after `skip`, until `want(so far)` of them are in (never more than `cap`), then the
   * request is cancelled. Ending early is an error: the header is incomplete.
   */
  async function readUntil(
    res: Response,
    skip: number,
    cap: number,
    want: (got: Uint8Array) => number,
    touch: () => void,
  ): Promise<Uint8Array> {
    const reader = (res.body as ReadableStream<Uint8Array> | null)?.getReader()
    const chunks: Uint8Array[] = []
    let got = 0
    let seen = 0
    let target = Math.min(cap, want(new Uint8Array(0)))
    try {
      while (got < target && reader) {
        const { done, value } = await reader.read()
        if (done) break
        touch()
        stats.bytes += value.length
        const from = Math.max(0, skip - seen)
        seen += value.length
        if (from >= value.length) continue
        const piece = value.subarray(from, from + Math.min(value.length - from, cap - got))
        chunks.push(piece)
        got += piece.length
        if (got >= target) target = Math.min(cap, want(concat(chunks, got)))
      }
    } finally {
      await reader?.cancel().catch(() => {})
    }
    if (got < target) throw new LfsFailure(`the download ended after ${got} of the ${target} bytes wanted`)
    return concat(chunks, got).subarray(0, target)
  }

  /** fetch, with network failures as transient failures in plain words. */
  function send(url: URL, init: RequestInit): Promise<Response> {
    return transport(url, init)
  }

  /** A final answer that is not the one wanted: its status and the server's message. */
  async function statusFailure(
    res: Response,
    touch: () => void,
    what: 'batch' | 'download',
  ): Promise<LfsFailure> {
    let message = ''
    try {
      const text = await readAll(res, LFS_LIMITS.errorBodyBytes, touch, 'the error answer', true)
      const json = JSON.parse(text) as unknown
      if (isObject(json) && typeof json.message === 'string') message = json.message
    } catch {
      // No JSON message: the status says it.
    }
    const said = message ? `: ${quote(message)}` : ''
    const status = `${res.status}${said}`
    if (RETRY_STATUS.has(res.status)) return new Transient(`the server answered ${status}`)
    // A download link is the batch answer's: a refusal there is the link's, not the token's.
    if (what === 'download') return new LfsFailure(`the download answered ${status}`)
    if (res.status === 401)
      return new LfsFailure(
        `the server asks for credentials (401${said}): a token that can read the repository is needed`,
      )
    if (res.status === 403) return new LfsFailure(`the token may not read the repository (403${said})`)
    if (res.status === 404)
      return new LfsFailure(
        `the server does not know the repository, or the token cannot see it (404${said})`,
      )
    return new LfsFailure(`the server answered ${status}`)
  }

  /** A body read whole as text, at most `limit` bytes: past it, an error (or, `cut`, the first bytes). */
  async function readAll(res: Response, limit: number, touch: () => void, what: string, cut = false) {
    const reader = (res.body as ReadableStream<Uint8Array> | null)?.getReader()
    const chunks: Uint8Array[] = []
    let size = 0
    try {
      while (reader) {
        const { done, value } = await reader.read()
        if (done) break
        touch()
        size += value.length
        if (size > limit) {
          if (cut) break
          throw new LfsFailure(`${what} is over ${limit.toLocaleString('en-US')} bytes`)
        }
        chunks.push(value)
      }
    } finally {
      await reader?.cancel().catch(() => {})
    }
    return Buffer.concat(chunks).toString('utf8')
  }

  /** A transient failure is tried once more, after a short wait. */
  async function retried<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (!(error instanceof Transient)) throw error
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 250))
      return work()
    }
  }

  async function readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const hit = served.get(path)
    if (!hit) return source.readRange(path, start, end)
    const stop = Math.min(end, hit.object.size)
    if (start >= stop) return new Uint8Array(0)
    if (stop <= hit.bytes.length) return hit.bytes.subarray(start, stop)
    // Past what the first request kept (a header over the budget): one more ranged request, bounded.
    if (stop - start > LFS_LIMITS.headerLength + 8)
      throw new SourceError(
        `${source.display}: ${path}: only its header is read through Git LFS, never its data`,
      )
    try {
      const from = Math.max(start, hit.bytes.length)
      const more = await get(
        hit.object,
        hit.download,
        isLoopback(hit.download.href),
        from,
        stop - 1,
        () => stop - from,
      )
      return concat([hit.bytes.subarray(start, from), more], stop - start)
    } catch (error) {
      throw new SourceError(
        `${source.display}: ${path}: ${failureReason(error, 'the download through Git LFS')}`,
      )
    }
  }

  return {
    kind: source.kind,
    display: source.display,
    lfs: stats,
    list: () => (listing ??= list()),
    readRange,
    async read(path) {
      const hit = served.get(path)
      return hit ? readRange(path, 0, hit.object.size) : source.read(path)
    },
  }
}

/**
 * How large each shard's header should be, from model.safetensors.index.json's weight map when it is
 * there and readable, as artifacts/weights.ts headerSizeHints estimates it (each tensor's name and
 * about 110 bytes, plus 1 KB): the first range then holds the header, and no more.
 */
async function headerHints(source: Source, entries: readonly RepoEntry[]): Promise<Map<string, number>> {
  const hints = new Map<string, number>()
  const index = entries.find((e) => e.path === 'model.safetensors.index.json')
  if (!isReadableFile(index) || index.size > LFS_LIMITS.indexBytes) return hints
  try {
    const json = JSON.parse(Buffer.from(await source.read(index.path)).toString('utf8')) as unknown
    const map = isObject(json) && isObject(json.weight_map) ? json.weight_map : {}
    for (const [tensor, shard] of Object.entries(map))
      if (typeof shard === 'string') hints.set(shard, (hints.get(shard) ?? 8 + 1024) + tensor.length + 110)
  } catch {
    // No estimate: the first range is LFS_LIMITS.firstRange.
  }
  return hints
}

/** `user:token` for HTTP Basic, as actions/checkout sends GitHub's token to git. */
function basic(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString('base64')
}

function sameOrigin(base: string, url: URL): boolean {
  try {
    return new URL(base).origin === url.origin
  } catch {
    return false
  }
}

function urlOf(text: string, base?: URL): URL | undefined {
  try {
    return new URL(text, base)
  } catch {
    return undefined
  }
}

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
}

/** https, or http on the loopback interface when the LFS server itself is there (tests). */
function allowedUrl(url: URL, loopback: boolean): boolean {
  return url.protocol === 'https:' || (loopback && url.protocol === 'http:')
}

/** Run `work` on every item, at most `n` at a time. */
async function inParallel<T>(
  items: readonly T[],
  n: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!) // next < items.length
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker))
}

/** An idle timeout that restarts on `touch`, under a deadline; the signal aborts with the reason. */
function deadline(idleMs: number, totalMs: number) {
  const controller = new AbortController()
  const end = Date.now() + totalMs
  let timer: ReturnType<typeof setTimeout> | undefined
  const touch = () => {
    clearTimeout(timer)
    const left = end - Date.now()
    timer = setTimeout(
      () =>
        controller.abort(
          // Not retried: a server that sent nothing for this long is not waited for twice.
          new LfsFailure(
            Date.now() >= end
              ? `the answer did not end within ${Math.round(totalMs / 100) / 10} s`
              : `the server sent nothing for ${Math.round(idleMs / 100) / 10} s`,
          ),
        ),
      Math.max(0, Math.min(left, idleMs)),
    )
    timer.unref?.()
  }
  touch()
  return { signal: controller.signal, touch, done: () => clearTimeout(timer) }
}

/**
 * What a failed request becomes: its own LfsFailure; the timer's reason when the timer aborted it; a
 * transient failure for a network error (retried once).
 */
function failure(error: unknown, signal: AbortSignal): LfsFailure {
  if (error instanceof LfsFailure) return error
  if (signal.aborted && signal.reason instanceof LfsFailure) return signal.reason
  return new Transient(`the server could not be reached: ${networkReason(error)}`)
}

/** A failure in words, its subject ("the server", "the download") named: "the LFS server answered 500". */
function failureReason(error: unknown, who: string): string {
  if (error instanceof LfsFailure) return error.message.replace(/^the (server|download)\b/, who)
  return `${who} failed: ${(error as Error)?.message ?? String(error)}`
}

function networkReason(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } }
  const code = e?.cause?.code
  if (code === 'ECONNREFUSED') return 'the connection was refused'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve'
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was reset'
  return e?.cause?.message ?? e?.message ?? String(error)
}

/** Server text quoted in a reason: one line, cut short. Reporters escape it further for their medium. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > LFS_LIMITS.quotedChars ? `${line.slice(0, LFS_LIMITS.quotedChars)}…` : line
}

function short(oid: string): string {
  return `sha256:${oid.slice(0, 12)}…`
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c.subarray(0, size - at), at)
    at += Math.min(c.length, size - at)
  }
  return out
}
