// The one place that talks HTTP to the Hub. @huggingface/hub has no retries, no timeouts, hides the
// Hub's X-Error-Code and lets the runtime decide what a redirect carries; every library call takes a
// `fetch`, so this module is that fetch, and the range reader the library lacks (one request per
// read, where downloadFile spends a probe first).
//
// The hub URL is the workflow's choice (hub-url, HF_ENDPOINT), so a wrong or hostile server must not
// be able to hold the run or its memory: every body is read here, counted as it arrives (after the
// runtime's decompression, so a gzip bomb counts what it inflates to) and cut at a cap; every attempt
// has an idle timeout and a total deadline; and everything one client does ends within its phase.
import { SourceError } from '../common/errors.js'
import { proxyFetch, USER_AGENT } from './http.js'

export interface HubHttpOptions {
  hubUrl: string
  token?: string
  /**
   * The transport; tests and benches pass their own. Default: the global fetch, or through the proxy
   * that HTTPS_PROXY / HTTP_PROXY name, NO_PROXY honoured (sources/http.ts).
   */
  fetch?: typeof fetch
  /** Idle timeout: an attempt fails when nothing arrives for this long (it restarts on every chunk). */
  timeoutMs?: number
  /**
   * The most one attempt may take, headers and whole body, however steadily bytes arrive: all of it
   * for a JSON answer, the fixed part for a byte read (which adds its size over minBytesPerSecond).
   */
  deadlineMs?: number
  /** The slowest average rate a byte read is waited for: its deadline grows by size / this. */
  minBytesPerSecond?: number
  /**
   * Everything this client does, every request, retry and wait, ends this long after it was made:
   * one target's whole hub phase (openHubSource makes one client per target).
   */
  phaseMs?: number
  /** Attempts per request, the first included. */
  attempts?: number
  /** No retry starts after this much time spent on one request. */
  budgetMs?: number
  /** First backoff; it doubles per retry, with jitter. */
  backoffMs?: number
}

export interface HubStats {
  /** HTTP requests sent, redirect hops and retries included. */
  requests: number
  retries: number
  redirects: number
  /** Body bytes received, after decompression: JSON answers and byte reads (error bodies are not counted). */
  bytes: number
}

const MiB = 2 ** 20

/** What one answer may hold. Exported for the tests that prove each bound. */
export const HUB_LIMITS = {
  /**
   * One JSON answer: repo info, a listing page, paths-info, whoami. The ones the check asks for are
   * small (repo info with a few expand fields, no file list; a listing page of 1,000 entries, a few
   * hundred KB), so this is about a hundred times the largest.
   */
  jsonBytes: 32 * MiB,
  /** What is read of an error answer's body, to find the Hub's message in it. */
  errorBodyBytes: 64 * 1024,
  /** How much of that message is quoted. */
  quotedChars: 500,
  /**
   * A server that ignores Range sends the file from byte 0: up to this much is skipped to reach the
   * start asked for; a read further in is refused rather than downloading everything before it.
   */
  rangeSkipBytes: 1 * MiB,
}

/** A final, non-retryable answer from the Hub: status, X-Error-Code and the Hub's own message. */
export class HubResponseError extends SourceError {
  override name = 'HubResponseError'
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly hubMessage: string,
    readonly url: string,
  ) {
    super(`the Hub answered ${status}${code ? ` ${code}` : ''}: ${hubMessage || 'no message'}`)
  }
}

/** Retried: 429 and 5xx answers, timeouts and dropped connections. */
class Retryable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly final?: SourceError,
  ) {
    super(message)
  }
}

/**
 * Why an attempt's own timer aborted it (the abort reason): nothing arrived for the idle timeout, the
 * attempt's deadline passed, or the phase ended. The last is final: no retry can start after it.
 */
class TimeUp extends Error {
  override name = 'TimeUp'
  constructor(
    message: string,
    readonly kind: 'idle' | 'deadline' | 'phase',
  ) {
    super(message)
  }
}

/** A file read before its size was known brought more than the caller's limit: not an error, not kept. */
class OverLimit extends SourceError {}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
/** Statuses whose Response cannot carry a body. */
const NULL_BODY_STATUS = new Set([101, 204, 205, 304])
const MAX_REDIRECTS = 5
/**
 * Idle 20 s: a silent server. Deadline 60 s per JSON attempt: even the 32 MB cap at 0.5 MB/s, and a
 * real listing page at a few KB/s. Byte reads: 60 s plus 1 s per 256 KiB asked (about 2 Mbit/s, a slow
 * proxy), since their sizes range from bytes to a 100 MB safetensors header: that header gets 7.4 min
 * and a 1 MiB dataset chunk 64 s, while a drip of one byte every 15 s is cut after about a minute. A
 * fixed deadline would either cut the large reads on a slow link or let a drip on the small ones run
 * for as long. Phase 30 min: a 405B model's 191 shard headers take seconds, and reading a large
 * dataset whole is what max-rows is for; GitHub's default job limit (6 h) is far away, so the run ends
 * with this clear message first.
 */
const DEFAULTS = {
  timeoutMs: 20_000,
  deadlineMs: 60_000,
  minBytesPerSecond: 256 * 1024,
  phaseMs: 30 * 60_000,
  attempts: 4,
  budgetMs: 60_000,
  backoffMs: 500,
}

export interface ByteRequest {
  /** Bytes [start, end); absent reads the whole file. */
  range?: [number, number]
  /** The file's size from the listing: a Content-Range that disagrees is an error, not data. */
  size: number
}

export interface HubHttp {
  /**
   * For @huggingface/hub: retries, timeouts, auth on the hub's origin only, errors with their code.
   * The answer it returns is already read whole (at most HUB_LIMITS.jsonBytes), inside the deadline.
   */
  fetch: typeof fetch
  /** A whole small file or one byte range, in one request (plus the CDN hop on huggingface.co). */
  getBytes(url: string, request: ByteRequest): Promise<Uint8Array>
  /**
   * A whole file whose size is not known yet (read before the listing arrives): undefined when the
   * answer declares or brings more than `limit` bytes, which are not read. The caller compares what
   * it gets with the listing.
   */
  getFile(url: string, limit: number): Promise<Uint8Array | undefined>
  stats: HubStats
}

/** The idle timer and deadline of one attempt, kept with the response send() returned. */
interface Attempt {
  /** Bytes arrived: the idle timeout starts again (never past the deadline). */
  touch(): void
  /** The body is read or abandoned: stop the timer. */
  done(): void
  /** Why the attempt was aborted by its timer, if it was. */
  timeUp(): TimeUp | undefined
}

export function hubHttp(options: HubHttpOptions): HubHttp {
  const o = { ...DEFAULTS, ...options }
  const transport = options.fetch ?? proxyFetch()
  const hubOrigin = new URL(o.hubUrl).origin
  const stats: HubStats = { requests: 0, retries: 0, redirects: 0, bytes: 0 }
  const clean = (s: string) => (o.token ? s.split(o.token).join('***') : s)
  const phaseEnd = Date.now() + o.phaseMs
  const phaseMessage = `the Hub did not finish within the ${duration(o.phaseMs)} one target may spend on it (every request and retry included)`

  /**
   * Where a URL's redirects led, when its answer came: a file's signed CDN URL. A second read of the
   * file goes there at once instead of asking the Hub again, so each redirect is followed once.
   */
  const redirected = new Map<string, string>()

  /**
   * One attempt, following redirects by hand: the token goes to the hub's own origin only and is
   * dropped for good at the first hop elsewhere (the CDN a signed URL points at needs none). A URL
   * redirected before starts where its redirects led; when that place refuses (a signature that
   * expired), the Hub is asked again. The attempt, hops and body included, ends at `deadlineMs` or at
   * the end of the phase, whichever is first; within that, nothing may stall for the idle timeout.
   */
  async function send(
    input: string | URL,
    init: RequestInit,
    limit: { deadlineMs: number; what: string },
  ): Promise<Response> {
    const asked = new URL(input).href
    let remembered = redirected.get(asked)
    let url = new URL(remembered ?? asked)
    if (Date.now() >= phaseEnd) throw new SourceError(phaseMessage)
    const headers = new Headers(init.headers)
    headers.delete('authorization') // the library never gets the token; only this function adds it
    headers.set('user-agent', USER_AGENT)
    let withToken = !!o.token
    const attemptEnd = Math.min(Date.now() + limit.deadlineMs, phaseEnd)
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    // One timer, never longer than the idle timeout: it fires at the idle limit or at the deadline,
    // whichever comes first, and says which. A response that keeps flowing is cut at the deadline; a
    // silent one at the idle limit.
    const touch = () => {
      clearTimeout(timer)
      const left = attemptEnd - Date.now()
      const kind = left > o.timeoutMs ? 'idle' : attemptEnd === phaseEnd ? 'phase' : 'deadline'
      const why = () =>
        kind === 'idle'
          ? new TimeUp(`the Hub sent nothing for ${o.timeoutMs / 1000} s`, kind)
          : kind === 'phase'
            ? new TimeUp(phaseMessage, kind)
            : new TimeUp(
                `the Hub's answer to ${limit.what} did not end within ${duration(limit.deadlineMs)}, the most one request may take (a server that sends too slowly, or never stops)`,
                kind,
              )
      timer = setTimeout(() => controller.abort(why()), Math.max(0, Math.min(left, o.timeoutMs)))
      timer.unref?.()
    }
    const timeUp = () => (controller.signal.reason instanceof TimeUp ? controller.signal.reason : undefined)
    const signal = AbortSignal.any([controller.signal, ...(init.signal ? [init.signal] : [])])
    for (let hop = 0; ; hop++) {
      touch()
      if (withToken && url.origin !== hubOrigin) withToken = false
      if (withToken) headers.set('authorization', `Bearer ${o.token}`)
      else headers.delete('authorization')
      stats.requests++
      let res: Response
      try {
        res = await transport(url, { ...init, headers, signal, redirect: 'manual' })
      } catch (error) {
        clearTimeout(timer)
        throw failure(timeUp() ?? error, '')
      }
      if (
        remembered &&
        res.status >= 400 &&
        res.status < 500 &&
        res.status !== 416 &&
        !RETRY_STATUS.has(res.status)
      ) {
        await res.body?.cancel().catch(() => {})
        redirected.delete(asked)
        remembered = undefined
        url = new URL(asked)
        withToken = !!o.token
        continue
      }
      if (REDIRECT_STATUS.has(res.status)) {
        const location = res.headers.get('location')
        await res.body?.cancel().catch(() => {})
        if (!location || hop >= MAX_REDIRECTS) {
          clearTimeout(timer)
          throw new SourceError(`the Hub sent a redirect the check cannot follow (${res.status})`)
        }
        const next = new URL(location, url)
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          clearTimeout(timer)
          throw new SourceError(`the Hub redirected to a ${next.protocol} URL`)
        }
        stats.redirects++
        url = next
        continue
      }
      if (RETRY_STATUS.has(res.status)) {
        const final = await responseError(res, url, clean)
        clearTimeout(timer)
        if (timeUp()?.kind === 'phase') throw new SourceError(phaseMessage)
        throw new Retryable(final.message, retryAfter(res.headers.get('retry-after')), final)
      }
      if (res.ok && url.href !== asked) redirected.set(asked, url.href)
      attempts.set(res, { touch, done: () => clearTimeout(timer), timeUp })
      return res
    }
  }

  /** The timer of each response send() returned, for the body readers. */
  const attempts = new WeakMap<Response, Attempt>()

  /**
   * A failed attempt: the phase's end is final; an idle timeout, a deadline or a dropped connection
   * is retried. `reading` names the body being read when it happened ('' before the answer's head).
   */
  function failure(error: unknown, reading: string): Error {
    if (error instanceof SourceError) return error
    if (error instanceof TimeUp && error.kind === 'phase') return new SourceError(error.message)
    if (error instanceof TimeUp && error.kind === 'deadline') return new Retryable(error.message)
    const reason = networkReason(error, o.timeoutMs)
    return new Retryable(
      reading ? `the connection to the Hub broke while reading ${reading}: ${reason}` : reason,
    )
  }

  /** Stop reading a response that will not be used. */
  async function discard(res: Response): Promise<void> {
    attempts.get(res)?.done()
    await res.body?.cancel().catch(() => {})
  }

  /** Run `attempt` until it returns, retrying Retryable failures with backoff inside the budget. */
  async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
    const started = Date.now()
    for (let n = 1; ; n++) {
      try {
        return await attempt()
      } catch (error) {
        if (!(error instanceof Retryable)) throw error
        const backoff = o.backoffMs * 2 ** (n - 1) * (0.75 + Math.random() / 2)
        const wait = error.retryAfterMs ?? backoff
        const spent = Date.now() - started
        const pastPhase = Date.now() + wait >= phaseEnd
        if (n >= o.attempts || spent + wait > o.budgetMs || pastPhase) {
          const tries = `${n} attempt${n === 1 ? '' : 's'} over ${Math.round((spent / 1000) * 10) / 10} s`
          const later =
            error.retryAfterMs !== undefined && spent + wait > o.budgetMs
              ? `; the Hub asks to wait ${Math.ceil(error.retryAfterMs / 1000)} s, longer than the check waits`
              : ''
          const phase = pastPhase && n < o.attempts && spent + wait <= o.budgetMs ? `; ${phaseMessage}` : ''
          throw new SourceError(`${error.final?.message ?? error.message} (${tries}${later})${phase}`)
        }
        stats.retries++
        await new Promise((resolve) => setTimeout(resolve, wait))
      }
    }
  }

  const hubFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' || input instanceof URL ? input : input.url
    const what = describeRequest(new URL(url))
    return retrying(async () => {
      const res = await send(url, init ?? {}, { deadlineMs: o.deadlineMs, what })
      if (!res.ok) {
        const error = await responseError(res, new URL(url), clean)
        attempts.get(res)?.done()
        throw error
      }
      // An /api/ answer that is not JSON is not the Hub (a login page, a proxy error page).
      const type = res.headers.get('content-type') ?? ''
      if (new URL(url).pathname.startsWith('/api/') && !/json/i.test(type)) {
        await discard(res)
        throw new SourceError(
          `${o.hubUrl} answered ${type.split(';')[0] || 'no content type'} where the Hub answers JSON: is hub-url a Hugging Face Hub?`,
        )
      }
      // Read here, inside the attempt: the cap, the deadline and a retry on a dropped connection all
      // apply to the body, which the library then parses from memory.
      const body = await readCapped(res, what)
      return new Response(NULL_BODY_STATUS.has(res.status) ? null : body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      })
    })
  }) as typeof fetch

  /**
   * An answer whole, counted as it arrives (decompressed) and cut past `cap` (a JSON answer's:
   * HUB_LIMITS.jsonBytes), with `over()` thrown then.
   */
  async function readCapped(
    res: Response,
    what: string,
    cap = HUB_LIMITS.jsonBytes,
    over = () =>
      new SourceError(
        `the Hub's answer to ${what} exceeded ${cap / MiB} MB, far more than any Hub answer: reading stopped there (is hub-url a Hugging Face Hub?)`,
      ),
  ): Promise<Uint8Array<ArrayBuffer>> {
    // A declared length is known before any byte: refuse at once (a compressed body's length is not
    // its size once inflated, so that one is counted instead).
    if (!contentCoding(res) && Number(res.headers.get('content-length')) > cap) {
      await discard(res)
      throw over()
    }
    const attempt = attempts.get(res)
    const reader = bodyReader(res)
    const chunks: Uint8Array[] = []
    let size = 0
    try {
      while (reader) {
        const { done, value } = await reader.read()
        if (done) break
        attempt?.touch()
        stats.bytes += value.length
        size += value.length
        if (size > cap) throw over()
        chunks.push(value)
      }
    } catch (error) {
      throw failure(attempt?.timeUp() ?? error, what)
    } finally {
      attempt?.done()
      await reader?.cancel().catch(() => {})
    }
    await connectionBack()
    return Buffer.concat(chunks, size)
  }

  async function getBytes(url: string, { range, size }: ByteRequest): Promise<Uint8Array> {
    const [start, end] = range ?? [0, size]
    if (end <= start) return new Uint8Array(0)
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? url)
    // Fewer bytes than asked when the range runs past the end of the file, as a local read gives.
    const want = Math.max(0, Math.min(end, size) - start)
    const what = range ? `the read of ${name} (bytes ${start}-${end - 1})` : `the read of ${name}`
    // The most this read can receive (the range, plus what is skipped when Range is ignored) at the
    // slowest rate still waited for.
    const most = want + Math.min(start, HUB_LIMITS.rangeSkipBytes)
    const deadlineMs = o.deadlineMs + Math.ceil((most / o.minBytesPerSecond) * 1000)
    // Identity: the bytes are compared with the listing's offsets and size, and a compressed range
    // would be a range of the compressed stream, not of the file. fetch itself appends
    // "Accept-Encoding: identity" to a request with Range (the Fetch standard, HTTP-network-or-cache
    // fetch), so it is set here for whole reads only: set twice, it goes out as "identity, identity".
    const headers: Record<string, string> = range
      ? { range: `bytes=${start}-${end - 1}` }
      : { 'accept-encoding': 'identity' }
    return retrying(async () => {
      const res = await send(url, { headers }, { deadlineMs, what })
      if (res.status === 416) {
        await discard(res)
        return new Uint8Array(0)
      }
      if (!res.ok) {
        const error = await responseError(res, new URL(url), clean)
        attempts.get(res)?.done()
        throw error
      }
      const coding = contentCoding(res)
      if (res.status === 206) {
        if (coding) {
          await discard(res)
          throw new SourceError(
            `the Hub compressed a byte range of ${name} (Content-Encoding: ${coding}) although the check asked for none: a compressed range is not the file's bytes; a proxy between the check and the Hub may be altering answers`,
          )
        }
        const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '')
        const total = m?.[3] !== undefined && m[3] !== '*' ? Number(m[3]) : undefined
        if (!m || Number(m[1]) !== start || total !== size) {
          await discard(res)
          throw new SourceError(
            `the Hub's answer for ${name} does not match the file listing (Content-Range "${res.headers.get('content-range')}", listed size ${size} bytes): the file changed under the revision or a proxy altered it; check a commit sha`,
          )
        }
        return readBody(res, 0, want, false, name)
      }
      // 200 to a ranged request: the Range was ignored and the body starts at byte 0 (inflated by the
      // runtime when it came compressed anyway, so still the file's bytes, counted as such).
      if (range && start > HUB_LIMITS.rangeSkipBytes) {
        await discard(res)
        throw new SourceError(
          `the Hub ignored the byte range asked for ${name} (bytes ${start}-${end - 1}) and sent the file from its start: reaching that range would download ${start} bytes first, so the read stops here; a proxy between the check and the Hub may be dropping Range headers`,
        )
      }
      return readBody(res, range ? start : 0, want, !range, name)
    })
  }

  async function getFile(url: string, limit: number): Promise<Uint8Array | undefined> {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? url)
    const what = `the read of ${name}`
    const deadlineMs = o.deadlineMs + Math.ceil((limit / o.minBytesPerSecond) * 1000)
    return retrying(async () => {
      const res = await send(url, { headers: { 'accept-encoding': 'identity' } }, { deadlineMs, what })
      if (!res.ok) {
        const error = await responseError(res, new URL(url), clean)
        attempts.get(res)?.done()
        throw error
      }
      if (res.status !== 200) {
        await discard(res)
        return undefined
      }
      try {
        return await readCapped(res, what, limit, () => new OverLimit(what))
      } catch (error) {
        if (error instanceof OverLimit) return undefined
        throw error
      }
    })
  }

  /**
   * Read `want` bytes after skipping `skip`, then stop: a server that ignores Range and starts sending a
   * whole shard is cut off there instead of being downloaded. A dropped connection is retried.
   */
  async function readBody(
    res: Response,
    skip: number,
    want: number,
    whole: boolean,
    name: string,
  ): Promise<Uint8Array> {
    const out = new Uint8Array(want)
    let got = 0
    let seen = 0
    const reader = bodyReader(res)
    const attempt = attempts.get(res)
    if (!reader) {
      attempt?.done()
      return out.subarray(0, 0)
    }
    try {
      while (got < want) {
        const { done, value } = await reader.read()
        if (done) break
        attempt?.touch()
        stats.bytes += value.length
        const from = Math.max(0, skip - seen)
        seen += value.length
        if (from >= value.length) continue
        const take = Math.min(value.length - from, want - got)
        out.set(value.subarray(from, from + take), got)
        got += take
      }
      if (got === want && whole) {
        const extra = await reader.read()
        if (!extra.done)
          throw new SourceError(
            `the Hub sent more than the listed ${want} bytes for ${name}: the listing is stale`,
          )
      }
    } catch (error) {
      throw failure(attempt?.timeUp() ?? error, name)
    } finally {
      attempt?.done()
      await reader.cancel().catch(() => {})
    }
    // A body shorter than the listing promises means the connection ended early: read again.
    if (got < want) throw new Retryable(`the Hub's answer for ${name} ended early`)
    await connectionBack()
    return out.subarray(0, got)
  }

  return { fetch: hubFetch, getBytes, getFile, stats }
}

/**
 * Wait until the connection of an answer just read is back in the runtime's pool: fetch (undici)
 * puts it back a turn of the event loop after the body ends, and a request sent before that opens
 * a connection of its own. Without this, a second wave of 96 header reads, each sent as one of the
 * first ended, opened 86 new connections where the first wave's were free a moment later.
 */
const connectionBack = () => new Promise<void>((resolve) => setImmediate(resolve))

/** What a JSON request is, in words, for messages: "a file listing page", "the repository info request". */
function describeRequest(url: URL): string {
  const p = url.pathname
  if (/^\/api\/whoami/.test(p)) return 'the token check (whoami)'
  if (/^\/api\/(models|datasets|spaces)\/[^/]+\/[^/]+\/tree\//.test(p)) return 'a file listing page'
  if (/^\/api\/(models|datasets|spaces)\/[^/]+\/[^/]+\/paths-info\//.test(p)) return 'the paths-info request'
  if (/^\/api\/(models|datasets|spaces)\/[^/]+\/[^/]+(\/revision\/.*)?$/.test(p))
    return 'the repository info request'
  return p
}

/** The response's Content-Encoding when it is not identity: the runtime inflated the body. */
function contentCoding(res: Response): string | undefined {
  const coding = res.headers.get('content-encoding')?.trim().toLowerCase()
  return coding && coding !== 'identity' ? coding : undefined
}

/** 60 s, 0.3 s, 30 min. */
function duration(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 6000) / 10} min`
}

/** The Hub's own words for a failed request: X-Error-Message, the JSON `error`, or the text body. */
async function responseError(
  res: Response,
  url: URL,
  clean: (s: string) => string,
): Promise<HubResponseError> {
  const code = res.headers.get('x-error-code') ?? undefined
  let message = res.headers.get('x-error-message') ?? ''
  if (!message) {
    const text = await readText(res, HUB_LIMITS.errorBodyBytes)
    try {
      const json = JSON.parse(text) as { error?: unknown }
      message = typeof json.error === 'string' ? json.error : ''
    } catch {
      message = /<html|<!doctype/i.test(text) ? '' : text.trim()
    }
  } else await res.body?.cancel().catch(() => {})
  return new HubResponseError(res.status, code, clean(message.slice(0, HUB_LIMITS.quotedChars)), url.pathname)
}

/** The reader of a response body: fetch streams Uint8Array chunks, which undici types as `any`. */
function bodyReader(res: Response): ReadableStreamDefaultReader<Uint8Array> | undefined {
  return (res.body as ReadableStream<Uint8Array> | null)?.getReader()
}

async function readText(res: Response, limit: number): Promise<string> {
  const reader = bodyReader(res)
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < limit) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.length
    }
  } catch {
    // A broken error body still leaves the status and code.
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8')
}

/** Retry-After in seconds or as an HTTP date, in ms; absent or unreadable gives undefined. */
export function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof TimeUp) return error.message
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e?.name === 'TimeoutError') return `the Hub sent nothing for ${timeoutMs / 1000} s`
  if (e?.name === 'AbortError') return 'the request was aborted'
  const code = e?.cause?.code
  if (code === 'ECONNREFUSED') return 'the connection to the Hub was refused'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the Hub host name does not resolve'
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection to the Hub was reset'
  return e?.cause?.message ?? e?.message ?? String(error)
}
