// A loopback stand-in for the runner's artifact service, as @actions/artifact 2 and later speak to it:
// Twirp JSON calls to ACTIONS_RESULTS_URL (CreateArtifact, which answers with a signed blob URL, then
// FinalizeArtifact), and the Azure Blob block upload to that URL (Put Block, Put Block List). Records
// every request, so a test counts them and reads the bytes uploaded. Answers use the proto field names
// (signed_upload_url), which the library masks the signature of (internal/shared/util.ts).
// https://github.com/actions/toolkit/tree/main/packages/artifact/src/internal/upload
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ArtifactRequest {
  method: string
  path: string
  authorization?: string
  body: Buffer
}

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/'

export async function startFakeArtifactService(
  options: { refuseCreate?: { status: number; msg: string } } = {},
) {
  const log: ArtifactRequest[] = []
  /** Blocks put, by block id, in order. */
  const blocks = new Map<string, Buffer>()
  let committed: Buffer | undefined
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      log.push({
        method: req.method ?? '',
        path: url.pathname,
        authorization: req.headers.authorization,
        body,
      })
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(value))
      }
      if (url.pathname === `${SERVICE}CreateArtifact`) {
        if (options.refuseCreate)
          return json(options.refuseCreate.status, { code: 'already_exists', msg: options.refuseCreate.msg })
        return json(200, { ok: true, signed_upload_url: `${origin}/blob/artifact.zip?sig=s3cr3t-sig` })
      }
      if (url.pathname === `${SERVICE}FinalizeArtifact`) return json(200, { ok: true, artifact_id: '42' })
      if (url.pathname === '/blob/artifact.zip' && req.method === 'PUT') {
        const comp = url.searchParams.get('comp')
        if (comp === 'block') blocks.set(url.searchParams.get('blockid') ?? '', body)
        if (comp === 'blocklist') {
          const ids = [
            ...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g),
          ].map((m) => m[1]!)
          committed = Buffer.concat(ids.map((id) => blocks.get(id) ?? Buffer.alloc(0)))
        }
        if (comp !== 'block' && comp !== 'blocklist') committed = body // a single Put Blob
        res.writeHead(201, {
          etag: '"0x1"',
          'last-modified': new Date(0).toUTCString(),
          'x-ms-request-id': 'r',
        })
        return res.end()
      }
      json(404, { code: 'not_found', msg: `no route for ${req.method} ${url.pathname}` })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: origin,
    log,
    /** The artifact's bytes as the blob holds them once its blocks are committed. */
    uploaded: () => committed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
