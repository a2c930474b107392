// The one place an Octokit is built: @actions/github's client (the REST methods, the token, the
// runner's orchestration id in the User-Agent) with @octokit/plugin-retry and
// @octokit/plugin-throttling, the proxy the runner names (sources/http.ts), a per-request timeout, and
// a User-Agent naming the tool. Every wait the plugins may make is bounded, so a job never hangs on
// GitHub: at most GITHUB_LIMITS.retries retries, none that GitHub asks to wait longer than
// maxWaitSeconds for, and a request that gets no answer ends at the timeout without a retry.
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'
import { proxyFetch, USER_AGENT } from '../sources/http.js'

export const GITHUB_LIMITS = {
  /** One request, from sending it to the end of its answer. */
  timeoutMs: 30_000,
  /** Retries of one request: a 5xx answer, or a rate limit that says when to come back. */
  retries: 2,
  /** A rate limit that asks to wait longer than this is not waited for: the request fails. */
  maxWaitSeconds: 60,
}

export interface GitHubClientOptions {
  /** The REST API's URL. Default: GITHUB_API_URL, else https://api.github.com (@actions/github). */
  baseUrl?: string
  timeoutMs?: number
  /** Where the client says what it waits for and why (a retry, a rate limit). */
  log?: (line: string) => void
  /** The proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY and their lower-case forms). Default: process.env. */
  env?: NodeJS.ProcessEnv
  /**
   * Milliseconds the plugins wait per second they are asked to wait: a Retry-After, a backoff, the
   * second between two writes that GitHub asks for
   * (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#pause-between-mutative-requests).
   * 1,000 but in tests, which count requests instead of waiting.
   */
  msPerSecond?: number
}

export type GitHubClient = ReturnType<typeof createGitHubClient>

/**
 * A request that got no answer within the timeout. Named AbortError because Octokit passes an
 * AbortError on as it is, where any other fetch failure becomes a 500 that plugin-retry would retry
 * (https://github.com/octokit/request.js/blob/main/src/fetch-wrapper.ts): a server that held one
 * request for the whole timeout is not asked again.
 */
class GitHubTimeout extends Error {
  override name = 'AbortError'
  readonly timeout = true
}

export function isGitHubTimeout(error: unknown): boolean {
  return error instanceof GitHubTimeout
}

export function createGitHubClient(token: string, options: GitHubClientOptions = {}) {
  const { timeoutMs = GITHUB_LIMITS.timeoutMs, log = () => {}, msPerSecond = 1000 } = options
  const transport = proxyFetch(options.env ?? process.env)
  const timed = (async (url: string | URL | Request, init?: RequestInit) => {
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout
    try {
      return await transport(url, { ...init, signal })
    } catch (error) {
      if (timeout.aborted) throw new GitHubTimeout(`GitHub sent no answer within ${seconds(timeoutMs)}`)
      throw error
    }
  }) as typeof fetch
  // Rate limits: waited for when GitHub says how long and that is short enough, retries counted.
  const onLimit =
    (what: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const call = `${request.method} ${request.url}`
      if (retryCount < GITHUB_LIMITS.retries && retryAfter <= GITHUB_LIMITS.maxWaitSeconds) {
        log(
          `GitHub's ${what} on ${call}: retrying in ${retryAfter} s (retry ${retryCount + 1} of at most ${GITHUB_LIMITS.retries})`,
        )
        return true
      }
      log(
        retryAfter > GITHUB_LIMITS.maxWaitSeconds
          ? `GitHub's ${what} on ${call}: GitHub asks to wait ${retryAfter} s, longer than the ${GITHUB_LIMITS.maxWaitSeconds} s the check waits`
          : `GitHub's ${what} on ${call}: not retried again after ${retryCount} retries`,
      )
      return false
    }
  return getOctokit(
    token,
    {
      ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
      userAgent: USER_AGENT,
      request: { fetch: timed },
      log: { debug: () => {}, info: () => {}, warn: log, error: log },
      retry: {
        retries: GITHUB_LIMITS.retries,
        // plugin-retry's list, plus 429: rate limits are the throttling plugin's, which reads Retry-After.
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
        retryAfterBaseValue: msPerSecond,
      },
      throttle: {
        retryAfterBaseValue: msPerSecond,
        write: new Bottleneck.Group({
          id: 'friendli-preflight-write',
          maxConcurrent: 1,
          minTime: msPerSecond,
        }),
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
      },
    },
    retry,
    throttling,
  )
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`
}
