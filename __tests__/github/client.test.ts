// The GitHub client (src/github/client.ts) against the loopback GitHub API: what is retried and how
// often, what ends a request that gets no answer, the User-Agent, and the proxy (with the Hub client,
// which shares the transport). Bounds are proved by counting requests; the plugins' waits are 1 ms a
// second (msPerSecond), so no test sleeps.
import { afterEach, describe, expect, it } from '@jest/globals'
import pkg from '../../package.json' with { type: 'json' }
import { GITHUB_LIMITS, type GitHubClientOptions } from '../../src/github/client.js'
import { checkRunLogLine, publishCheckRun } from '../../src/report/check-run.js'
import { hubHttp } from '../../src/sources/hub-http.js'
import { secondaryRateLimit, type FakeGithubOptions } from '../helpers/fake-github.js'
import { startFakeGithubClient } from '../helpers/fake-github-client.js'
import { startFakeHub } from '../helpers/fake-hub.js'
import { startFakeProxy } from '../helpers/fake-proxy.js'
import { finding, report, target } from '../helpers/report.js'

const servers: { close(): Promise<void> }[] = []
const savedEnv = { ...process.env }
afterEach(async () => {
  process.env = { ...savedEnv }
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const findings = report([target([finding('error', { path: 'config.json', line: 1 })])])

async function checkRun(fake: FakeGithubOptions, client: GitHubClientOptions = {}) {
  const { gh, octokit, lines } = await startFakeGithubClient(fake, client)
  servers.push(gh)
  const result = await publishCheckRun(
    { octokit, owner: 'o', repo: 'r', sha: 'a'.repeat(40), name: 'friendli-preflight' },
    findings,
    '',
  )
  return { gh, result, lines }
}

describe('retries', () => {
  it('a 502 and then success: one check run, in two requests', async () => {
    const { gh, result } = await checkRun({
      answer: (_q, n) => (n === 0 ? { status: 502, body: {} } : undefined),
    })
    expect(gh.log.map((q) => q.method)).toEqual(['POST', 'POST'])
    expect(gh.runs.size).toBe(1)
    expect(result).toMatchObject({ created: true, annotations: 1 })
  })

  it('503 on every try: the first request and two retries, then a note', async () => {
    const { gh, result } = await checkRun({
      answer: () => ({ status: 503, body: { message: 'Unavailable' } }),
    })
    expect(gh.log).toHaveLength(1 + GITHUB_LIMITS.retries)
    expect(result).toEqual({ created: false, reason: 'the Checks API answered 503: Unavailable' })
  })

  it('a secondary rate limit with Retry-After: 1 is waited for and retried once', async () => {
    const { gh, result, lines } = await checkRun({
      answer: (_q, n) => (n === 0 ? secondaryRateLimit(1) : undefined),
    })
    expect(gh.log).toHaveLength(2)
    expect(gh.runs.size).toBe(1)
    expect(result).toMatchObject({ created: true })
    expect(lines).toEqual([
      "GitHub's secondary rate limit on POST /repos/{owner}/{repo}/check-runs: retrying in 1 s (retry 1 of at most 2)",
    ])
  })

  it('a rate limit that lasts: retried at most twice, then a note', async () => {
    const { gh, result } = await checkRun({ answer: () => secondaryRateLimit(1) })
    expect(gh.log).toHaveLength(1 + GITHUB_LIMITS.retries)
    expect(result).toEqual({
      created: false,
      reason: expect.stringMatching(/^GitHub's rate limit \(403\): You have exceeded a secondary rate limit/),
    })
  })

  it('a rate limit that asks for longer than the check waits is not waited for', async () => {
    const { gh, result, lines } = await checkRun({ answer: () => secondaryRateLimit(3_600) })
    expect(gh.log).toHaveLength(1)
    expect(result).toMatchObject({ created: false })
    expect(lines[0]).toContain('GitHub asks to wait 3600 s, longer than the 60 s the check waits')
  })

  it('a primary rate limit (no requests left until the reset in an hour) is not waited for', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 3_600)
    const { gh, result } = await checkRun({
      answer: () => ({
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
        body: { message: 'API rate limit exceeded for installation ID 1.' },
      }),
    })
    expect(gh.log).toHaveLength(1)
    expect(result).toMatchObject({
      created: false,
      reason: expect.stringContaining("GitHub's rate limit (403)"),
    })
  })
})

describe('a request that gets no answer', () => {
  it('ends at the per-request timeout, is not retried, and is one note', async () => {
    const { gh, result } = await checkRun({ answer: () => 'hang' }, { timeoutMs: 200 })
    expect(gh.log).toHaveLength(1)
    expect(result).toEqual({ created: false, reason: 'GitHub sent no answer within 0.2 s' })
    expect(checkRunLogLine('friendli-preflight', result)).toBe(
      'No check run: GitHub sent no answer within 0.2 s.',
    )
  })
})

describe('headers', () => {
  it('names the tool and its version in the User-Agent, and sends the token to GitHub', async () => {
    const { gh } = await checkRun({})
    expect(gh.log[0]!.userAgent).toMatch(
      new RegExp(`^friendli-preflight/${pkg.version.replace(/\./g, '\\.')} octokit-core\\.js/`),
    )
    expect(gh.log[0]!.authorization).toBe('token ghs_test')
  })

  it('names it to the Hub too', async () => {
    const hub = await startFakeHub({ repos: { 'org/m': { files: { 'config.json': '{}' } } } })
    servers.push(hub)
    await hubHttp({ hubUrl: hub.url }).fetch(`${hub.url}/api/models/org/m`)
    expect(hub.log[0]!.headers['user-agent']).toBe(`friendli-preflight/${pkg.version}`)
  })
})

describe('a proxy', () => {
  /** A check run, and a Hub answer read as the check reads it (the Hub client's default transport). */
  async function throughProxy(env: Record<string, string>) {
    const proxy = await startFakeProxy()
    servers.push(proxy)
    const hub = await startFakeHub({ repos: { 'org/m': { files: { 'config.json': '{}' } } } })
    servers.push(hub)
    const vars = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v.replace('PROXY_URL', proxy.url)]),
    )
    // The Hub client reads the runner's environment, as the action does.
    process.env = { ...savedEnv, ...vars }
    const { gh, result } = await checkRun({}, { env: vars })
    const info = await hubHttp({ hubUrl: hub.url }).fetch(`${hub.url}/api/models/org/m`)
    expect(result).toMatchObject({ created: true })
    expect(info.status).toBe(200)
    expect(hub.log.length).toBeGreaterThan(0)
    return {
      proxy,
      github: proxy.log.filter((p) => gh.url.endsWith(p.target)).length,
      hub: proxy.log.filter((p) => hub.url.endsWith(p.target)).length,
    }
  }

  it('HTTP_PROXY / HTTPS_PROXY: requests to GitHub and to the Hub go through it', async () => {
    const { proxy, github, hub } = await throughProxy({ HTTP_PROXY: 'PROXY_URL', HTTPS_PROXY: 'PROXY_URL' })
    expect(github).toBeGreaterThanOrEqual(1)
    expect(hub).toBeGreaterThanOrEqual(1)
    expect(proxy.log.length).toBe(github + hub)
  })

  it('the lower-case names too', async () => {
    const { github, hub } = await throughProxy({ http_proxy: 'PROXY_URL' })
    expect(github).toBeGreaterThanOrEqual(1)
    expect(hub).toBeGreaterThanOrEqual(1)
  })

  it('NO_PROXY=127.0.0.1: nothing goes through it', async () => {
    const { proxy } = await throughProxy({
      HTTP_PROXY: 'PROXY_URL',
      HTTPS_PROXY: 'PROXY_URL',
      NO_PROXY: '127.0.0.1',
    })
    expect(proxy.log).toEqual([])
  })
})
