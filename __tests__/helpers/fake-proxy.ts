// A loopback HTTP proxy, as a runner's HTTPS_PROXY names one: tunnels CONNECT requests (what undici's
// ProxyAgent sends, for http: and https: targets alike) and forwards absolute-form requests, and
// records each one, so a test can count what went through it. It proxies to 127.0.0.1 only.
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'

export interface ProxiedRequest {
  /** CONNECT (a tunnel) or the forwarded request's method. */
  method: string
  /** host:port of the target. */
  target: string
}

export async function startFakeProxy() {
  const log: ProxiedRequest[] = []
  const sockets = new Set<net.Socket>()
  const track = (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  }
  const server = http.createServer((req, res) => {
    // Forward proxying: the request line holds the absolute URL.
    const url = new URL(req.url!)
    log.push({ method: req.method!, target: url.host })
    if (url.hostname !== '127.0.0.1') return res.writeHead(403).end()
    const upstream = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client)
    log.push({ method: 'CONNECT', target: req.url! })
    const [host, port] = req.url!.split(':')
    if (host !== '127.0.0.1') return client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    track(upstream)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  server.on('connection', track)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r())
        for (const s of sockets) s.destroy()
      }),
  }
}
