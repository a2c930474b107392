// A loopback stand-in for the GitHub REST API's check-run endpoints: records every request (its
// headers and body), creates a check run per POST, and can answer as GitHub does when it will not:
// a fork pull request's read-only token (403), a bad gateway (502), a secondary rate limit (403 with
// Retry-After), or not at all (a hang, ended by the client's timeout).
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GithubRequest {
  method: string
  path: string
  authorization?: string
  userAgent?: string
  body: Record<string, any>
}

/** An answer other than the usual one: a status with a body and headers, or none at all. */
export type FakeAnswer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang'

/** GitHub's 403 for a token that may not write checks. */
export const READ_ONLY: FakeAnswer = {
  status: 403,
  body: {
    message: 'Resource not accessible by integration',
    documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run',
    status: '403',
  },
}

/** GitHub's 403 for a secondary rate limit (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit). */
export function secondaryRateLimit(retryAfter: number): FakeAnswer {
  return {
    status: 403,
    headers: { 'retry-after': String(retryAfter) },
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
      documentation_url:
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    },
  }
}

export interface FakeGithubOptions {
  /** Every request is refused as a fork pull request's read-only token is. */
  readOnly?: boolean
  /**
   * The answer to request `n` (0-based, over all requests so far) when it is not the usual one;
   * undefined gives the usual one.
   */
  answer?: (request: GithubRequest, n: number) => FakeAnswer | undefined
  /**
   * The pull request's files (scope: changed), listed by GET /repos/{o}/{r}/pulls/{n}/files as GitHub
   * does: `per_page` (at most 100) per `page`, and no more than 3,000 in all.
   */
  pullFiles?: { filename: string; previous_filename?: string; status?: string; patch?: string }[]
}

export async function startFakeGithub(options: FakeGithubOptions = {}) {
  const log: GithubRequest[] = []
  /** Check runs created: id -> annotations received, in order. */
  const runs = new Map<number, { name: string; annotations: unknown[] }>()
  let nextId = 7
  const server = http.createServer((req, res) => {
    let text = ''
    req.on('data', (d: Buffer) => (text += d.toString('utf8')))
    req.on('end', () => {
      const request: GithubRequest = {
        method: req.method!,
        path: req.url!,
        authorization: req.headers.authorization,
        userAgent: req.headers['user-agent'],
        body: text ? JSON.parse(text) : {},
      }
      const n = log.push(request) - 1
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
        res.end(JSON.stringify(body))
      }
      const special = options.readOnly ? READ_ONLY : options.answer?.(request, n)
      if (special === 'hang') return // never answered; close() ends the connection
      if (special) return send(special.status, special.body ?? {}, special.headers)
      if (req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(req.url!)) {
        const id = nextId++
        runs.set(id, { name: request.body.name, annotations: [...(request.body.output?.annotations ?? [])] })
        return send(201, { id, html_url: `https://github.test/o/r/runs/${id}` })
      }
      const url = new URL(req.url!, 'http://github.test')
      if (req.method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files$/.test(url.pathname)) {
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100)
        const page = Number(url.searchParams.get('page') ?? 1)
        const files = (options.pullFiles ?? []).slice(0, 3000)
        return send(200, files.slice((page - 1) * perPage, page * perPage))
      }
      const patch = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(req.url!)
      const run = patch ? runs.get(Number(patch[1])) : undefined
      if (req.method === 'PATCH' && run) {
        run.annotations.push(...(request.body.output?.annotations ?? []))
        return send(200, { id: Number(patch![1]) })
      }
      send(404, { message: 'Not Found' })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    runs,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
      }),
  }
}

export type FakeGithub = Awaited<ReturnType<typeof startFakeGithub>>
