// A loopback stand-in for the GitHub REST API's check-run endpoints: records every request, and can
// answer as a fork pull request's read-only token does.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GithubRequest {
  method: string
  path: string
  authorization?: string
  body: Record<string, any>
}

export async function startFakeGithub(options: { readOnly?: boolean } = {}) {
  const log: GithubRequest[] = []
  const server = http.createServer((req, res) => {
    let text = ''
    req.on('data', (d: Buffer) => (text += d.toString('utf8')))
    req.on('end', () => {
      log.push({
        method: req.method!,
        path: req.url!,
        authorization: req.headers.authorization,
        body: text ? JSON.parse(text) : {},
      })
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (options.readOnly) return json(403, { message: 'Resource not accessible by integration' })
      if (req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(req.url!))
        return json(201, { id: 7, html_url: 'https://github.test/o/r/runs/7' })
      if (req.method === 'PATCH' && /^\/repos\/[^/]+\/[^/]+\/check-runs\/7$/.test(req.url!))
        return json(200, { id: 7 })
      json(404, { message: 'Not Found' })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
