// A Git LFS server for tests: a real node:http server on 127.0.0.1 answering the Batch API as
// https://github.com/git-lfs/git-lfs/blob/main/docs/api/batch.md describes it (POST
// {repo}.git/info/lfs/objects/batch, application/vnd.git-lfs+json, a per-object `error` for an unknown
// oid), and a second loopback server standing for the storage the download links point at (GitHub's are
// pre-signed URLs on another host). Downloads honour `Range: bytes=a-b` and stream in 64 KiB chunks with
// backpressure, so a client that goes away stops the transfer; bytes sent are counted per request.
// Large objects are SparseSafetensors (a header, then zeros never allocated). Faults make it hostile.
// Also: a checkout on disk (files, pointers in place of the LFS ones, .git/config naming the remote).
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { drained } from './fake-hub.js'
import type { SparseSafetensors } from './sparse-safetensors.js'

export type LfsFile = Uint8Array | SparseSafetensors

export type LfsFault =
  /** The answer's status and body (JSON when it looks like JSON). */
  | { status: number; body?: string }
  /** A 200 batch answer that is not JSON. */
  | { kind: 'not-json' }
  /** A 200 batch answer of `bytes` bytes (default 64 MiB), produced as it is read. */
  | { kind: 'huge-json'; bytes?: number }
  /** A download answered 200 with the whole object, Range ignored. */
  | { kind: 'ignore-range' }
  /** A download's Content-Range claims this total size. */
  | { kind: 'content-range-total'; total: number }
  /** No answer at all, until the client goes away. */
  | { kind: 'hang' }

export interface LfsRequest {
  server: 'lfs' | 'storage'
  method: string
  /** Path and query as sent. */
  url: string
  headers: Record<string, string | undefined>
  /** The batch request's body, parsed. */
  body?: unknown
  status: number
  /** Body bytes written. */
  bytesSent: number
  /** The answer ended or the client went away: bytesSent is final. */
  closed: boolean
}

export interface FakeLfsOptions {
  /** The objects the server holds (oid → bytes); see lfsObject. */
  objects: Map<string, LfsFile>
  /** The token the batch endpoint wants; without it any request is answered. */
  token?: string
  /** How the token is sent: GitHub's Basic x-access-token (default) or the Hub's Bearer. */
  auth?: 'basic' | 'bearer'
  /** Wait this long before each answer. */
  latencyMs?: number
  /** Download links on this server's own origin instead of the storage server's. */
  sameOriginLinks?: boolean
  /** Headers the batch answer gives for each download; the storage server wants them (403 without). */
  downloadHeaders?: Record<string, string>
  fault?: (req: { server: 'lfs' | 'storage'; method: string; url: string }) => LfsFault | undefined
}

export interface FakeLfs {
  /** The server's origin (http://127.0.0.1:port): a remote is `${url}/owner/repo`. */
  url: string
  /** The objects it serves (the map it was given: objects added later are served too). */
  objects: Map<string, LfsFile>
  storageUrl: string
  log: LfsRequest[]
  close(): Promise<void>
}

const CHUNK = 64 * 1024
const ZEROS = Buffer.alloc(CHUNK)
const LFS_JSON = 'application/vnd.git-lfs+json'

/** An object's oid: the sha256 of its bytes, or, for a sparse file, of its header and size (a stand-in). */
export function lfsOid(file: LfsFile): string {
  const hash = createHash('sha256')
  if (file instanceof Uint8Array) hash.update(file)
  else hash.update(file.header).update(`sparse ${file.size}`)
  return hash.digest('hex')
}

export function lfsSize(file: LfsFile): number {
  return file instanceof Uint8Array ? file.length : file.size
}

/** The pointer git-lfs writes for a file (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). */
export function lfsPointer(file: LfsFile, oid = lfsOid(file)): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${lfsSize(file)}\n`
}

/** Bytes [start, end) of an object, in chunks of at most 64 KiB. */
function* chunks(file: LfsFile, start: number, end: number): Generator<Uint8Array> {
  const header = file instanceof Uint8Array ? file : file.header
  for (let at = start; at < end;) {
    const n = Math.min(CHUNK, end - at)
    yield at < header.length ? header.subarray(at, Math.min(at + n, header.length)) : ZEROS.subarray(0, n)
    at += at < header.length ? Math.min(n, header.length - at) : n
  }
}

export async function startFakeLfs(options: FakeLfsOptions): Promise<FakeLfs> {
  const log: LfsRequest[] = []
  const lfs = http.createServer((req, res) => void handle('lfs', req, res))
  const storage = http.createServer((req, res) => void handle('storage', req, res))
  const listen = (s: http.Server) =>
    new Promise<string>((resolve) =>
      s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
    )
  const [url, storageUrl] = [await listen(lfs), await listen(storage)]
  const wanted =
    options.token === undefined
      ? undefined
      : options.auth === 'bearer'
        ? `Bearer ${options.token}`
        : `Basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`

  async function handle(server: 'lfs' | 'storage', req: http.IncomingMessage, res: http.ServerResponse) {
    const headers: Record<string, string | undefined> = {}
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v
    const entry: LfsRequest = {
      server,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers,
      status: 0,
      bytesSent: 0,
      closed: false,
    }
    log.push(entry)
    res.once('close', () => (entry.closed = true))
    const parts: Buffer[] = []
    for await (const c of req) parts.push(c as Buffer)
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs))
    const fault = options.fault?.({ server, method: entry.method, url: entry.url })
    if (fault && 'kind' in fault && fault.kind === 'hang') return
    if (fault && 'status' in fault) {
      const body = fault.body ?? http.STATUS_CODES[fault.status] ?? ''
      return answer(res, entry, fault.status, /^\s*[[{]/.test(body) ? LFS_JSON : 'text/plain', body)
    }
    if (server === 'lfs') return batch(res, entry, Buffer.concat(parts), fault)
    return download(req, res, entry, fault)
  }

  function answer(res: http.ServerResponse, entry: LfsRequest, status: number, type: string, body: string) {
    entry.status = status
    entry.bytesSent = Buffer.byteLength(body)
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(entry.bytesSent) })
    res.end(body)
  }

  async function batch(res: http.ServerResponse, entry: LfsRequest, raw: Buffer, fault?: LfsFault) {
    if (entry.method !== 'POST' || !/\.git\/info\/lfs\/objects\/batch$/.test(entry.url))
      return answer(res, entry, 404, LFS_JSON, JSON.stringify({ message: 'Not Found' }))
    if (wanted && entry.headers.authorization !== wanted)
      return entry.headers.authorization
        ? answer(res, entry, 403, LFS_JSON, JSON.stringify({ message: 'Forbidden' }))
        : answer(res, entry, 401, LFS_JSON, JSON.stringify({ message: 'Credentials needed' }))
    let body: { operation?: string; objects?: { oid: string; size: number }[]; hash_algo?: string }
    try {
      body = JSON.parse(raw.toString('utf8')) as typeof body
    } catch {
      return answer(res, entry, 422, LFS_JSON, JSON.stringify({ message: 'Unprocessable Entity' }))
    }
    entry.body = body
    if (fault && 'kind' in fault && fault.kind === 'not-json')
      return answer(res, entry, 200, 'text/html', '<html>Sign in</html>')
    if (fault && 'kind' in fault && fault.kind === 'huge-json')
      return hugeJson(res, entry, fault.bytes ?? 64 * 2 ** 20)
    if (body.operation !== 'download' || !Array.isArray(body.objects) || body.objects.length > 100)
      return answer(res, entry, 422, LFS_JSON, JSON.stringify({ message: 'Unprocessable Entity' }))
    const base = options.sameOriginLinks ? url : storageUrl
    const objects = body.objects.map(({ oid, size }) => {
      const file = options.objects.get(oid)
      if (!file) return { oid, size, error: { code: 404, message: 'Object does not exist' } }
      return {
        oid,
        size: lfsSize(file),
        authenticated: true,
        actions: {
          download: {
            href: `${base}/objects/${oid}?X-Signature=signed`,
            header: options.downloadHeaders ?? {},
            expires_in: 3600,
          },
        },
      }
    })
    return answer(
      res,
      entry,
      200,
      LFS_JSON,
      JSON.stringify({ transfer: 'basic', objects, hash_algo: 'sha256' }),
    )
  }

  async function hugeJson(res: http.ServerResponse, entry: LfsRequest, bytes: number) {
    entry.status = 200
    res.writeHead(200, { 'Content-Type': LFS_JSON })
    const open = Buffer.from('{"objects":[')
    await write(
      res,
      entry,
      (function* () {
        yield open
        for (let sent = open.length; sent < bytes; sent += CHUNK) yield Buffer.alloc(CHUNK, 0x20)
      })(),
    )
  }

  async function download(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: LfsRequest,
    fault?: LfsFault,
  ) {
    const oid = /^\/objects\/([0-9a-f]{64})(\?|$)/.exec(entry.url)?.[1]
    const file = oid ? options.objects.get(oid) : undefined
    if (!file) return answer(res, entry, 404, 'application/xml', '<Error><Code>NoSuchKey</Code></Error>')
    for (const [k, v] of Object.entries(options.downloadHeaders ?? {}))
      if (entry.headers[k.toLowerCase()] !== v)
        return answer(res, entry, 403, 'application/xml', '<Error><Code>AccessDenied</Code></Error>')
    const size = lfsSize(file)
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    const ranged = m && !(fault && 'kind' in fault && fault.kind === 'ignore-range')
    const start = ranged ? Number(m[1]) : 0
    const end = ranged ? Math.min(size, m[2] ? Number(m[2]) + 1 : size) : size
    const total = fault && 'kind' in fault && fault.kind === 'content-range-total' ? fault.total : size
    entry.status = ranged ? 206 : 200
    res.writeHead(entry.status, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(end - start),
      'Accept-Ranges': 'bytes',
      ...(ranged ? { 'Content-Range': `bytes ${start}-${end - 1}/${total}` } : {}),
    })
    await write(res, entry, chunks(file, start, end))
  }

  /** Write chunks as fast as the client reads them; stop when it goes away. */
  async function write(res: http.ServerResponse, entry: LfsRequest, body: Iterable<Uint8Array>) {
    let closed = false
    res.once('close', () => (closed = true))
    for (const chunk of body) {
      if (closed || res.destroyed) return
      entry.bytesSent += chunk.length
      if (!res.write(chunk)) await drained(res)
    }
    if (!closed && !res.destroyed) res.end()
  }

  return {
    url,
    objects: options.objects,
    storageUrl,
    log,
    async close() {
      for (const s of [lfs, storage]) {
        s.closeAllConnections()
        await new Promise<void>((resolve) => s.close(() => resolve()))
      }
    },
  }
}

/**
 * A checkout on disk, as actions/checkout leaves it without `lfs: true`: every file of `files`, those
 * named in `lfs` as their pointers, and `.git/config` with remote.origin.url (when `remote` is given).
 * Returns the objects the LFS files are, by oid, for the fake server.
 */
export function writeCheckout(
  dir: string,
  files: Record<string, string | Uint8Array | SparseSafetensors>,
  {
    remote,
    lfs = (p) => p.endsWith('.safetensors'),
  }: { remote?: string; lfs?: (path: string) => boolean } = {},
): Map<string, LfsFile> {
  const objects = new Map<string, LfsFile>()
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel)
    mkdirSync(path.dirname(file), { recursive: true })
    const bytes = typeof content === 'string' ? Buffer.from(content) : content
    if (lfs(rel) || !(bytes instanceof Uint8Array)) {
      objects.set(lfsOid(bytes), bytes)
      writeFileSync(file, lfsPointer(bytes))
    } else writeFileSync(file, bytes)
  }
  if (remote !== undefined) {
    mkdirSync(path.join(dir, '.git'), { recursive: true })
    writeFileSync(
      path.join(dir, '.git', 'config'),
      `[core]\n\trepositoryformatversion = 0\n\tbare = false\n[remote "origin"]\n\turl = ${remote}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`,
    )
  }
  return objects
}
