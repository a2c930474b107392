// The one place that talks HTTP to the Hub. @huggingface/hub has no retries, no timeouts, hides the
// Hub's X-Error-Code and lets the runtime decide what a redirect carries; every library call takes a
// `fetch`, so this module is that fetch, and the range reader the library lacks (one request per
// read, where downloadFile spends a probe first).
import { SourceError } from '../common/errors.js'

export interface HubHttpOptions {
  hubUrl: string
  token?: string
  /** The transport; tests and benches pass their own. */
  fetch?: typeof fetch
  /** One attempt, headers and body, must end within this. */
  timeoutMs?: number
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
  /** Body bytes received by our own reads (the library's JSON calls are not counted). */
  bytes: number
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

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 5
const DEFAULTS = { timeoutMs: 20_000, attempts: 4, budgetMs: 60_000, backoffMs: 500 }

export interface ByteRequest {
  /** Bytes [start, end); absent reads the whole file. */
  range?: [number, number]
  /** The file's size from the listing: a Content-Range that disagrees is an error, not data. */
  size: number
}

export interface HubHttp {
  /** For @huggingface/hub: retries, timeouts, auth on the hub's origin only, errors with their code. */
  fetch: typeof fetch
  /** A whole small file or one byte range, in one request (plus the CDN hop on huggingface.co). */
  getBytes(url: string, request: ByteRequest): Promise<Uint8Array>
  stats: HubStats
}

export function hubHttp(options: HubHttpOptions): HubHttp {
  const o = { ...DEFAULTS, ...options }
  const transport = options.fetch ?? globalThis.fetch
  const hubOrigin = new URL(o.hubUrl).origin
  const stats: HubStats = { requests: 0, retries: 0, redirects: 0, bytes: 0 }
  const clean = (s: string) => (o.token ? s.split(o.token).join('***') : s)

  /**
   * One attempt, following redirects by hand: the token goes to the hub's own origin only and is
   * dropped for good at the first hop elsewhere (the CDN a signed URL points at needs none).
   */
  async function send(input: string | URL, init: RequestInit = {}): Promise<Response> {
    let url = new URL(input)
    const headers = new Headers(init.headers)
    headers.delete('authorization') // the library never gets the token; only this function adds it
    let withToken = !!o.token
    // An idle timeout, not a deadline: it starts again whenever bytes arrive (readBody calls touch),
    // so a large range read that keeps flowing is never cut, and a silent server always is.
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const touch = () => {
      clearTimeout(timer)
      timer = setTimeout(
        () => controller.abort(new DOMException(`nothing received for ${o.timeoutMs} ms`, 'TimeoutError')),
        o.timeoutMs,
      )
      timer.unref?.()
    }
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
        throw new Retryable(networkReason(error, o.timeoutMs))
      }
      if (REDIRECT_STATUS.has(res.status)) {
        const location = res.headers.get('location')
        await res.body?.cancel().catch(() => {})
        if (!location || hop >= MAX_REDIRECTS)
          throw new SourceError(`the Hub sent a redirect the check cannot follow (${res.status})`)
        const next = new URL(location, url)
        if (next.protocol !== 'https:' && next.protocol !== 'http:')
          throw new SourceError(`the Hub redirected to a ${next.protocol} URL`)
        stats.redirects++
        url = next
        continue
      }
      if (RETRY_STATUS.has(res.status)) {
        const final = await responseError(res, url, clean)
        clearTimeout(timer)
        throw new Retryable(final.message, retryAfter(res.headers.get('retry-after')), final)
      }
      progress.set(res, { touch, done: () => clearTimeout(timer) })
      return res
    }
  }

  /** The idle timer of each response send() returned, for readBody. */
  const progress = new WeakMap<Response, { touch(): void; done(): void }>()

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
        if (n >= o.attempts || spent + wait > o.budgetMs) {
          const tries = `${n} attempt${n === 1 ? '' : 's'} over ${Math.round((spent / 1000) * 10) / 10} s`
          const later =
            error.retryAfterMs !== undefined && spent + wait > o.budgetMs
              ? `; the Hub asks to wait ${Math.ceil(error.retryAfterMs / 1000)} s, longer than the check waits`
              : ''
          throw new SourceError(`${error.final?.message ?? error.message} (${tries}${later})`)
        }
        stats.retries++
        await new Promise((resolve) => setTimeout(resolve, wait))
      }
    }
  }

  const hubFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' || input instanceof URL ? input : input.url
    return retrying(async () => {
      const res = await send(url, init)
      if (!res.ok) throw await responseError(res, new URL(url), clean)
      // An /api/ answer that is not JSON is not the Hub (a login page, a proxy error page).
      const type = res.headers.get('content-type') ?? ''
      if (new URL(url).pathname.startsWith('/api/') && !/json/i.test(type)) {
        await res.body?.cancel().catch(() => {})
        throw new SourceError(
          `${o.hubUrl} answered ${type.split(';')[0] || 'no content type'} where the Hub answers JSON: is hub-url a Hugging Face Hub?`,
        )
      }
      return res
    })
  }) as typeof fetch

  async function getBytes(url: string, { range, size }: ByteRequest): Promise<Uint8Array> {
    const [start, end] = range ?? [0, size]
    if (end <= start) return new Uint8Array(0)
    return retrying(async () => {
      const res = await send(url, range ? { headers: { range: `bytes=${start}-${end - 1}` } } : {})
      if (res.status === 416) {
        await res.body?.cancel().catch(() => {})
        return new Uint8Array(0)
      }
      if (!res.ok) throw await responseError(res, new URL(url), clean)
      const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? url)
      // Fewer bytes than asked when the range runs past the end of the file, as a local read gives.
      const want = Math.min(end, size) - start
      if (res.status === 206) {
        const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '')
        const total = m && m[3] !== '*' ? Number(m[3]) : undefined
        if (!m || Number(m[1]) !== start || total !== size) {
          await res.body?.cancel().catch(() => {})
          throw new SourceError(
            `the Hub's answer for ${name} does not match the file listing (Content-Range "${res.headers.get('content-range')}", listed size ${size} bytes): the file changed under the revision or a proxy altered it; check a commit sha`,
          )
        }
        return readBody(res, 0, want, false, name)
      }
      // 200 to a ranged request: the Range was ignored and the body starts at byte 0.
      return readBody(res, range ? start : 0, want, !range, name)
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
    const timer = progress.get(res)
    if (!reader) return out.subarray(0, 0)
    try {
      while (got < want) {
        const { done, value } = await reader.read()
        if (done) break
        timer?.touch()
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
      if (error instanceof SourceError) throw error
      throw new Retryable(
        `the connection to the Hub broke while reading ${name}: ${networkReason(error, o.timeoutMs)}`,
      )
    } finally {
      timer?.done()
      await reader.cancel().catch(() => {})
    }
    // A body shorter than the listing promises means the connection ended early: read again.
    if (got < want) throw new Retryable(`the Hub's answer for ${name} ended early`)
    return out.subarray(0, got)
  }

  return { fetch: hubFetch, getBytes, stats }
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
    const text = await readText(res, 4096)
    try {
      const json = JSON.parse(text) as { error?: unknown }
      message = typeof json.error === 'string' ? json.error : ''
    } catch {
      message = /<html|<!doctype/i.test(text) ? '' : text.trim()
    }
  } else await res.body?.cancel().catch(() => {})
  return new HubResponseError(res.status, code, clean(message.slice(0, 500)), url.pathname)
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
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e?.name === 'TimeoutError') return `the Hub sent nothing for ${timeoutMs / 1000} s`
  if (e?.name === 'AbortError') return 'the request was aborted'
  const code = e?.cause?.code
  if (code === 'ECONNREFUSED') return 'the connection to the Hub was refused'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the Hub host name does not resolve'
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection to the Hub was reset'
  return e?.cause?.message ?? e?.message ?? String(error)
}
