// A faithful fake Hugging Face Hub for tests: a real node:http server on 127.0.0.1 that answers the
// routes @huggingface/hub 2.17.5 uses, the way huggingface.co answers them (the Hub API:
// https://huggingface.co/docs/hub/api, and huggingface_hub's errors for X-Error-Code:
// https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/utils/_http.py), plus a
// second loopback server standing for the LFS CDN the
// Hub redirects to. Large files are SparseSafetensors: a header followed by zeros, never allocated
// whole; every body is streamed in 64 KiB chunks honouring backpressure, so a client that goes away
// stops the transfer. Faults make it a hostile server too: endless or gzip-bomb bodies, listings that
// page forever, answers dripped a byte at a time; each is produced only as fast as the client reads.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import zlib from 'node:zlib'
import type { SparseSafetensors } from './sparse-safetensors.js'

export type FakeFile = string | Uint8Array | SparseSafetensors

export interface FakeRepo {
  kind?: 'model' | 'dataset'
  /** Repo-relative POSIX paths; folders are implied. */
  files: Record<string, FakeFile>
  /** 40-hex commit sha of the default branch (main); default: sha1 of the repo id. */
  sha?: string
  /** Extra refs, name -> sha, e.g. { 'refs/pr/1': '<sha>', dev: '<sha>' }; all serve the same files. */
  branches?: Record<string, string>
  tags?: Record<string, string>
  gated?: false | 'manual' | 'auto'
  private?: boolean
  /** Tokens granted access (private or gated). They are recognised tokens too. */
  allowTokens?: string[]
  /** Whether a file is stored in LFS; default: the Hub's rule (extension list, or > 10 MB). */
  lfs?: (path: string, size: number) => boolean
  /** Fields merged over the computed info JSON (e.g. pipeline_tag, downloads, cardData). */
  info?: Record<string, unknown>
  /** ISO date of the newest file (info lastModified, lastCommit.date); default 2024-05-01. */
  lastModified?: string
}

export type Fault =
  | { status: number; retryAfter?: string; body?: string; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'reset'; afterBytes: number }
  | { kind: 'ignore-range' }
  | { kind: 'html' }
  | { kind: 'content-range-total'; total: number }
  /** A JSON answer (200, or `status`) that never ends: `[` and then spaces, forever (no Content-Length). */
  | { kind: 'endless-json'; status?: number }
  /**
   * A 200 answer with Content-Encoding: gzip whose body inflates to `bytes` (default 64 GiB): `[` and
   * then spaces, about 1/1000 of that on the wire. Built by zlib as it is sent, never whole.
   */
  | { kind: 'gzip-bomb'; bytes?: number }
  /** The real answer gzip-compressed, status and Content-Range kept: compression the client did not ask for. */
  | { kind: 'gzip' }
  /** A tree listing that never ends: `perPage` entries a page (0: empty pages), each linking the next. */
  | { kind: 'endless-pages'; perPage: number }
  /** The real answer's head at once, then its body one byte every `everyMs` ms. */
  | { kind: 'drip'; everyMs: number }

export interface RequestInfo {
  host: 'hub' | 'cdn'
  method: string
  /** The request target as sent (path and query, undecoded). */
  url: string
  /** The URL-decoded path, without the query. */
  path: string
  /** 1-based count of requests so far with this method + url on this host. */
  attempt: number
}

export interface LoggedRequest extends RequestInfo {
  headers: Record<string, string | undefined>
  /** 0 until the answer's head is written (a hung request stays 0). */
  status: number
  /** Body bytes actually written. */
  bytesSent: number
  /** The client went away before the body ended. */
  aborted: boolean
  /**
   * When the request arrived, its answer's head was written (after latencyMs) and its body ended, in
   * ms since the hub started (0 until it happened): the timeline bench/hub.ts prints. Tests count
   * requests and connections; they do not time.
   */
  at: { received: number; answered: number; ended: number }
}

export interface FakeHubOptions {
  repos: Record<string, FakeRepo>
  validTokens?: string[]
  pageSize?: number
  latencyMs?: number
  cdn?: boolean
  nonLfsRedirect?: boolean
  fault?: (req: RequestInfo) => Fault | undefined
}

export interface FakeHub {
  url: string
  cdnUrl: string
  log: LoggedRequest[]
  /** TCP connections each host accepted: fewer than requests when the client keeps them alive. */
  connections: { hub: number; cdn: number }
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// File contents, ids and the git tree

const CHUNK = 64 * 1024
const ZEROS = Buffer.alloc(CHUNK)
/** Sparse files up to this size get their real sha256 / git sha1; larger ones a stand-in. */
const EXACT_HASH_LIMIT = 32 * 2 ** 20
const MAX_NON_LFS = 10 * 2 ** 20
const LFS_EXTENSIONS = [
  '.safetensors',
  '.parquet',
  '.bin',
  '.pt',
  '.pth',
  '.ckpt',
  '.h5',
  '.onnx',
  '.gguf',
  '.msgpack',
  '.model',
  '.npy',
  '.npz',
  '.pkl',
  '.pickle',
  '.arrow',
  '.tflite',
  '.zip',
  '.tar',
  '.gz',
  '.zst',
]

/** The Hub's default rule: an extension on the default .gitattributes list, or larger than 10 MB. */
export function hubLfsRule(path: string, size: number): boolean {
  return size > MAX_NON_LFS || LFS_EXTENSIONS.some((ext) => path.endsWith(ext))
}

interface Content {
  size: number
  /** Bytes [start, end) in chunks of at most 64 KiB. */
  chunks(start: number, end: number): Generator<Buffer>
}

function bufferContent(buf: Buffer): Content {
  return {
    size: buf.length,
    *chunks(start, end) {
      for (let i = start; i < end; i += CHUNK) yield buf.subarray(i, Math.min(end, i + CHUNK))
    },
  }
}

function sparseContent(s: SparseSafetensors): Content {
  return {
    size: s.size,
    *chunks(start, end) {
      let i = start
      while (i < end) {
        const to = i < s.header.length ? Math.min(end, s.header.length, i + CHUNK) : Math.min(end, i + CHUNK)
        yield i < s.header.length
          ? s.header.subarray(i, to)
          : to - i === CHUNK
            ? ZEROS
            : ZEROS.subarray(0, to - i)
        i = to
      }
    },
  }
}

function readBytes(c: Content, start: number, end: number): Buffer {
  return Buffer.concat([...c.chunks(Math.max(0, start), Math.min(end, c.size))])
}

function isSparse(f: FakeFile): f is SparseSafetensors {
  return typeof f === 'object' && !(f instanceof Uint8Array) && 'header' in f && 'size' in f
}

function toContent(f: FakeFile): { content: Content; sparse: boolean } {
  if (typeof f === 'string') return { content: bufferContent(Buffer.from(f, 'utf8')), sparse: false }
  if (isSparse(f)) return { content: sparseContent(f), sparse: true }
  return { content: bufferContent(Buffer.from(f.buffer, f.byteOffset, f.byteLength)), sparse: false }
}

/**
 * Hash of `prefix` + the content. A sparse file above EXACT_HASH_LIMIT gets a stable stand-in hashed
 * over its size, its first 64 KiB (the header) and its last 64 KiB, so it is never read whole.
 */
function hashContent(algo: 'sha1' | 'sha256', prefix: string, c: Content, sparse: boolean): string {
  const h = createHash(algo)
  if (sparse && c.size > EXACT_HASH_LIMIT) {
    h.update(`fake-hub stand-in\nsize ${c.size}\n`)
    h.update(readBytes(c, 0, CHUNK))
    h.update(readBytes(c, c.size - CHUNK, c.size))
    return h.digest('hex')
  }
  h.update(prefix)
  for (const chunk of c.chunks(0, c.size)) h.update(chunk)
  return h.digest('hex')
}

const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex')

interface FileRec {
  path: string
  content: Content
  size: number
  lfs: boolean
  /** Git blob sha1: of the content, or of the pointer for an LFS file. */
  oid: string
  /** LFS only. */
  sha256?: string
  pointer?: Buffer
}

function fileRec(path: string, f: FakeFile, rule: (path: string, size: number) => boolean): FileRec {
  const { content, sparse } = toContent(f)
  const size = content.size
  if (!rule(path, size)) {
    return { path, content, size, lfs: false, oid: hashContent('sha1', `blob ${size}\0`, content, sparse) }
  }
  const sha256 = hashContent('sha256', '', content, sparse)
  const pointer = Buffer.from(
    `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`,
  )
  const oid = sha1(Buffer.concat([Buffer.from(`blob ${pointer.length}\0`), pointer]))
  return { path, content, size, lfs: true, oid, sha256, pointer }
}

interface FileNode {
  type: 'file'
  name: string
  path: string
  rec: FileRec
}
interface DirNode {
  type: 'directory'
  name: string
  path: string
  oid: string
  children: Map<string, FileNode | DirNode>
}
type TreeNode = FileNode | DirNode

/** Children in git's tree order: bytewise by name, a directory's name compared with a trailing '/'. */
function gitOrder(dir: DirNode): TreeNode[] {
  const key = (n: TreeNode) => Buffer.from(n.type === 'directory' ? `${n.name}/` : n.name)
  return [...dir.children.values()].sort((a, b) => Buffer.compare(key(a), key(b)))
}

function treeOid(dir: DirNode): string {
  const parts: Buffer[] = []
  for (const n of gitOrder(dir)) {
    const oid = n.type === 'directory' ? treeOid(n) : n.rec.oid
    if (n.type === 'directory') n.oid = oid
    parts.push(
      Buffer.from(`${n.type === 'directory' ? '40000' : '100644'} ${n.name}\0`),
      Buffer.from(oid, 'hex'),
    )
  }
  const body = Buffer.concat(parts)
  return sha1(Buffer.concat([Buffer.from(`tree ${body.length}\0`), body]))
}

/** `git ls-tree -r -t` order: each folder before its contents. */
function lsTree(dir: DirNode, out: TreeNode[] = []): TreeNode[] {
  for (const n of gitOrder(dir)) {
    out.push(n)
    if (n.type === 'directory') lsTree(n, out)
  }
  return out
}

function badSegments(path: string): boolean {
  return path.split('/').some((s) => s === '' || s === '.' || s === '..' || s === '.git')
}

// ---------------------------------------------------------------------------------------------
// Repos

interface Repo {
  id: string
  kind: 'model' | 'dataset'
  def: FakeRepo
  sha: string
  /** Revision names (main, HEAD, branches, tags) and every known sha -> sha. */
  revs: Map<string, string>
  order: TreeNode[]
  files: Map<string, FileNode>
  dirs: Map<string, DirNode>
  lastModified: string
  info: Record<string, unknown>
}

function compileRepo(id: string, def: FakeRepo): Repo {
  if (!/^[^/]+\/[^/]+$/.test(id)) throw new Error(`fake hub: repo id must be 'org/name': ${id}`)
  const rule = def.lfs ?? hubLfsRule
  const root: DirNode = { type: 'directory', name: '', path: '', oid: '', children: new Map() }
  const files = new Map<string, FileNode>()
  const dirs = new Map<string, DirNode>()
  for (const [path, f] of Object.entries(def.files)) {
    if (path.startsWith('/') || badSegments(path)) throw new Error(`fake hub: bad file path ${path}`)
    const names = path.split('/')
    let dir = root
    names.slice(0, -1).forEach((name, i) => {
      let next = dir.children.get(name)
      if (next?.type === 'file') throw new Error(`fake hub: ${path} is under the file ${next.path}`)
      if (!next) {
        next = {
          type: 'directory',
          name,
          path: names.slice(0, i + 1).join('/'),
          oid: '',
          children: new Map(),
        }
        dir.children.set(name, next)
        dirs.set(next.path, next)
      }
      dir = next
    })
    const name = names.at(-1)!
    if (dir.children.has(name)) throw new Error(`fake hub: ${path} is also a folder`)
    const node: FileNode = { type: 'file', name, path, rec: fileRec(path, f, rule) }
    dir.children.set(name, node)
    files.set(path, node)
  }
  treeOid(root)
  const sha = def.sha ?? sha1(id)
  const revs = new Map<string, string>([
    ['main', sha],
    ['HEAD', sha],
  ])
  for (const [name, s] of [...Object.entries(def.branches ?? {}), ...Object.entries(def.tags ?? {})]) {
    revs.set(name, s)
  }
  for (const s of [...revs.values()]) {
    if (!/^[0-9a-f]{40}$/.test(s)) throw new Error(`fake hub: ${id}: not a 40-hex sha: ${s}`)
    revs.set(s, s)
  }
  const repo: Repo = {
    id,
    kind: def.kind ?? 'model',
    def,
    sha,
    revs,
    order: lsTree(root),
    files,
    dirs,
    lastModified: def.lastModified ?? '2024-05-01T00:00:00.000Z',
    info: {},
  }
  repo.info = baseInfo(repo)
  return repo
}

function textOf(repo: Repo, path: string): string | undefined {
  const rec = repo.files.get(path)?.rec
  if (!rec || rec.size > 2 ** 20) return undefined
  return readBytes(rec.content, 0, rec.size).toString('utf8')
}

function jsonOf(repo: Repo, path: string): Record<string, any> | undefined {
  try {
    const v = JSON.parse(textOf(repo, path) ?? 'null')
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined
  } catch {
    return undefined
  }
}

/** The safetensors header of a file, or undefined when it does not parse. */
function safetensorsHeader(rec: FileRec): Record<string, any> | undefined {
  if (rec.size < 8) return undefined
  const n = Number(readBytes(rec.content, 0, 8).readBigUInt64LE(0))
  if (n > 25_000_000 || 8 + n > rec.size) return undefined
  try {
    const h = JSON.parse(readBytes(rec.content, 8, 8 + n).toString('utf8'))
    return h && typeof h === 'object' && !Array.isArray(h) ? h : undefined
  } catch {
    return undefined
  }
}

/** The info `safetensors` field from the root *.safetensors files; undefined when one does not parse. */
function safetensorsInfo(repo: Repo): { parameters: Record<string, number>; total: number } | undefined {
  const recs = [...repo.files.values()].filter(
    (n) => !n.path.includes('/') && n.path.endsWith('.safetensors'),
  )
  if (recs.length === 0) return undefined
  const parameters: Record<string, number> = {}
  for (const { rec } of recs) {
    const header = safetensorsHeader(rec)
    if (!header) return undefined
    for (const [name, t] of Object.entries(header)) {
      if (name === '__metadata__') continue
      if (!t || typeof t.dtype !== 'string' || !Array.isArray(t.shape)) return undefined
      const count = (t.shape as unknown[]).reduce<number>((a, b) => a * Number(b), 1)
      parameters[t.dtype] = (parameters[t.dtype] ?? 0) + count
    }
  }
  return { parameters, total: Object.values(parameters).reduce((a, b) => a + b, 0) }
}

function baseInfo(repo: Repo): Record<string, unknown> {
  const { def, id } = repo
  const common = {
    _id: sha1(`${repo.kind}:${id}`).slice(0, 24),
    id,
  }
  const rest = {
    author: id.split('/')[0],
    sha: repo.sha,
    lastModified: repo.lastModified,
    private: !!def.private,
    gated: def.gated ?? false,
    disabled: false,
    downloads: 0,
    likes: 0,
  }
  const usedStorage = [...repo.files.values()].reduce((a, n) => a + n.rec.size, 0)
  const createdAt = '2024-01-01T00:00:00.000Z'
  if (repo.kind === 'dataset') {
    return { ...common, ...rest, tags: [], createdAt, usedStorage, ...def.info }
  }
  const configJson = jsonOf(repo, 'config.json')
  const tokenizerJson = jsonOf(repo, 'tokenizer_config.json')
  const config: Record<string, unknown> = {}
  if (configJson) {
    for (const k of ['architectures', 'model_type', 'quantization_config']) {
      if (configJson[k] !== undefined) config[k] = configJson[k]
    }
  }
  if (tokenizerJson) {
    const tc: Record<string, unknown> = {}
    for (const k of ['bos_token', 'eos_token', 'pad_token', 'unk_token', 'chat_template']) {
      if (tokenizerJson[k] !== undefined) tc[k] = tokenizerJson[k]
    }
    config.tokenizer_config = tc
  }
  const safetensors = safetensorsInfo(repo)
  const library = repo.files.has('config.json') ? 'transformers' : undefined
  const tags = [
    ...(library ? [library] : []),
    ...(repo.order.some((n) => n.path.endsWith('.safetensors')) ? ['safetensors'] : []),
    ...(typeof config.model_type === 'string' ? [config.model_type] : []),
  ]
  return {
    ...common,
    ...(library && { library_name: library }),
    tags,
    modelId: id,
    ...rest,
    ...((configJson || tokenizerJson) && { config }),
    spaces: [],
    ...(safetensors && { safetensors }),
    createdAt,
    usedStorage,
    ...def.info,
  }
}

// ---------------------------------------------------------------------------------------------
// Answers

interface Answer {
  status: number
  headers: Record<string, string>
  body: Content
  start: number
  end: number
  /** Set on a 200 / 206 answer with a file's bytes, for the ignore-range and content-range-total faults. */
  file?: { content: Content; headers: Record<string, string> }
  /** A body produced as it is sent (the gzip bomb), in place of body[start, end). */
  stream?: () => Iterable<Buffer>
}

function bytesAnswer(status: number, contentType: string, body: string | Buffer, headers = {}): Answer {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  return {
    status,
    headers: { ...headers, 'Content-Type': contentType, 'Content-Length': String(buf.length) },
    body: bufferContent(buf),
    start: 0,
    end: buf.length,
  }
}

const JSON_TYPE = 'application/json; charset=utf-8'
const TEXT_TYPE = 'text/plain; charset=utf-8'

function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return bytesAnswer(status, JSON_TYPE, JSON.stringify(value), headers)
}

/** A header value Node accepts. */
function headerSafe(s: string): string {
  return s.replace(/[^\t\x20-\x7e]/g, (c) => encodeURIComponent(c))
}

/** An error as the Hub sends it: JSON {error} under /api/, text/plain on resolve and raw. */
function errorAnswer(
  api: boolean,
  status: number,
  message: string,
  code?: string,
  headers: Record<string, string> = {},
): Answer {
  const h: Record<string, string> = { 'X-Error-Message': headerSafe(message), ...headers }
  if (code) h['X-Error-Code'] = code
  return api ? jsonAnswer(status, { error: message }, h) : bytesAnswer(status, TEXT_TYPE, message, h)
}

const notFound = () => jsonAnswer(404, { error: 'Not Found' })

type Range = { kind: 'none' } | { kind: 'unsatisfiable' } | { kind: 'range'; start: number; end: number }

/** One `bytes=a-b`, `a-` or `-n` range; anything else (malformed, several ranges) is ignored. */
function parseRange(header: string | undefined, size: number): Range {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'none' }
  if (m[1] === '') {
    const n = Number(m[2])
    return n === 0 || size === 0
      ? { kind: 'unsatisfiable' }
      : { kind: 'range', start: Math.max(0, size - n), end: size }
  }
  const start = Number(m[1])
  const last = m[2] === '' ? Infinity : Number(m[2])
  if (last < start) return { kind: 'none' }
  if (start >= size) return { kind: 'unsatisfiable' }
  return { kind: 'range', start, end: Math.min(size, last + 1) }
}

function contentAnswer(range: string | undefined, content: Content, headers: Record<string, string>): Answer {
  const size = content.size
  const r = parseRange(range, size)
  const base = { ...headers, 'Accept-Ranges': 'bytes' }
  if (r.kind === 'unsatisfiable') {
    return bytesAnswer(416, TEXT_TYPE, 'Requested Range Not Satisfiable', {
      ...base,
      'Content-Range': `bytes */${size}`,
    })
  }
  const [start, end] = r.kind === 'range' ? [r.start, r.end] : [0, size]
  return {
    status: r.kind === 'range' ? 206 : 200,
    headers: {
      ...base,
      'Content-Length': String(end - start),
      ...(r.kind === 'range' && { 'Content-Range': `bytes ${start}-${end - 1}/${size}` }),
    },
    body: content,
    start,
    end,
    file: { content, headers: base },
  }
}

function contentDisposition(path: string): string {
  const name = path.split('/').at(-1)!
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `inline; filename*=UTF-8''${encodeURIComponent(name)}; filename="${ascii}";`
}

function ignoreRange(a: Answer): Answer {
  if (!a.file) return a
  const size = a.file.content.size
  const headers = { ...a.file.headers, 'Content-Length': String(size) }
  return { status: 200, headers, body: a.file.content, start: 0, end: size, file: a.file }
}

function lieAboutTotal(a: Answer, total: number): Answer {
  if (!a.file) return a
  const end = a.status === 206 ? a.end : a.file.content.size
  return {
    ...a,
    status: 206,
    end,
    headers: {
      ...a.headers,
      'Content-Length': String(end - a.start),
      'Content-Range': `bytes ${a.start}-${end - 1}/${total}`,
    },
  }
}

/** The real answer gzip-compressed whole (a small one: a range, a JSON answer). */
function gzipAnswer(a: Answer): Answer {
  if (a.end - a.start > 64 * 2 ** 20) throw new Error('fake hub: the gzip fault is for answers up to 64 MiB')
  const gz = zlib.gzipSync(Buffer.concat([...a.body.chunks(a.start, a.end)]))
  return {
    status: a.status,
    headers: { ...a.headers, 'Content-Encoding': 'gzip', 'Content-Length': String(gz.length) },
    body: bufferContent(gz),
    start: 0,
    end: gz.length,
  }
}

const SPACES = Buffer.alloc(CHUNK, 0x20)

/** `[` and then spaces, forever: a JSON answer that never ends. */
function endlessJsonAnswer(status = 200): Answer {
  const body: Content = {
    size: Infinity,
    *chunks() {
      yield Buffer.from('[')
      for (;;) yield SPACES
    },
  }
  return { status, headers: { 'Content-Type': JSON_TYPE }, body, start: 0, end: Infinity }
}

const BOMB_BLOCK = 2 ** 20
let bombParts: { fill: Buffer; block: Buffer } | undefined

/**
 * A gzip member that inflates to `total` bytes: `prefix`, then spaces. zlib compresses 1 MiB of spaces
 * once, ending in a full flush so the block refers to nothing before it, and that ~1 KB block is sent
 * again and again; the trailer's CRC is computed only if the client reads that far.
 */
function* gzipBomb(prefix: Buffer, total: number): Generator<Buffer> {
  const flush = { finishFlush: zlib.constants.Z_FULL_FLUSH }
  bombParts ??= {
    fill: Buffer.alloc(BOMB_BLOCK, 0x20),
    block: zlib.deflateRawSync(Buffer.alloc(BOMB_BLOCK, 0x20), flush),
  }
  const { fill, block } = bombParts
  yield Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])
  yield zlib.deflateRawSync(prefix, flush)
  const blocks = Math.floor((total - prefix.length) / BOMB_BLOCK)
  for (let i = 0; i < blocks; i++) yield block
  const rest = total - prefix.length - blocks * BOMB_BLOCK
  yield zlib.deflateRawSync(fill.subarray(0, rest), flush)
  yield zlib.deflateRawSync(Buffer.alloc(0)) // the final, empty block
  let crc = zlib.crc32(prefix)
  for (let i = 0; i < blocks; i++) crc = zlib.crc32(fill, crc)
  crc = zlib.crc32(fill.subarray(0, rest), crc)
  const trailer = Buffer.alloc(8)
  trailer.writeUInt32LE(crc >>> 0, 0)
  trailer.writeUInt32LE(total % 2 ** 32, 4)
  yield trailer
}

function gzipBombAnswer(api: boolean, total: number): Answer {
  const prefix = Buffer.from(api ? '[' : '')
  return {
    status: 200,
    headers: {
      'Content-Type': api ? JSON_TYPE : 'application/octet-stream',
      'Content-Encoding': 'gzip',
    },
    body: bufferContent(Buffer.alloc(0)),
    start: 0,
    end: 0,
    stream: () => gzipBomb(prefix, total),
  }
}

const HTML =
  '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Hugging Face – The AI community building the future.</title></head>' +
  '<body><h1>We had to rate limit you.</h1></body></html>\n'

// ---------------------------------------------------------------------------------------------
// The servers

type Auth = { kind: 'anonymous' } | { kind: 'invalid' } | { kind: 'token'; token: string }

const LIMITS = { api: 500, resolvers: 3000 }
const WINDOW_S = 300

export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const log: LoggedRequest[] = []
  const counts = { hub: new Map<string, number>(), cdn: new Map<string, number>() }
  const secret = randomBytes(16).toString('hex')
  const pageSize = options.pageSize ?? 1000
  const useCdn = options.cdn ?? true
  let closing = false
  let requestCount = 0
  const started = Date.now()
  const t0 = performance.now()
  const rateUsed = { api: 0, resolvers: 0 }
  let rateWindow = 0
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>()
  const destroyedByServer = new WeakSet<LoggedRequest>()

  const hub = http.createServer((req, res) => void handle('hub', req, res))
  const cdn = http.createServer((req, res) => void handle('cdn', req, res))
  const connections = { hub: 0, cdn: 0 }
  hub.on('connection', () => connections.hub++)
  cdn.on('connection', () => connections.cdn++)
  const listen = (s: http.Server) =>
    new Promise<number>((resolve, reject) => {
      s.once('error', reject)
      s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port))
    })
  const hubUrl = `http://127.0.0.1:${await listen(hub)}`
  const cdnUrl = `http://127.0.0.1:${await listen(cdn)}`

  const repos = new Map<string, Repo>()
  const lfsObjects = new Map<string, Content>()
  const known = new Set(options.validTokens ?? [])
  try {
    for (const [id, def] of Object.entries(options.repos)) {
      const repo = compileRepo(id, def)
      repos.set(id, repo)
      for (const t of def.allowTokens ?? []) known.add(t)
      for (const { rec } of repo.files.values()) if (rec.lfs) lfsObjects.set(rec.sha256!, rec.content)
    }
  } catch (err) {
    hub.close()
    cdn.close()
    throw err
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = { timer: setTimeout(() => done(), ms), resolve: () => done() }
      const done = () => {
        clearTimeout(t.timer)
        timers.delete(t)
        resolve()
      }
      timers.add(t)
    })
  }

  function requestId(): string {
    requestCount += 1
    return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(8).toString('hex')}${requestCount.toString(16).padStart(8, '0')}`
  }

  function rateHeaders(bucket: 'api' | 'resolvers'): Record<string, string> {
    const elapsed = (Date.now() - started) / 1000
    const window = Math.floor(elapsed / WINDOW_S)
    if (window !== rateWindow) {
      rateWindow = window
      rateUsed.api = 0
      rateUsed.resolvers = 0
    }
    rateUsed[bucket] += 1
    const left = Math.max(0, LIMITS[bucket] - rateUsed[bucket])
    const reset = Math.max(1, Math.ceil(WINDOW_S - (elapsed % WINDOW_S)))
    return {
      RateLimit: `"${bucket}";r=${left};t=${reset}`,
      'RateLimit-Policy': `"fixed window";"${bucket}";q=${LIMITS[bucket]};w=${WINDOW_S}`,
    }
  }

  function authOf(req: http.IncomingMessage): Auth {
    const h = req.headers.authorization
    if (h === undefined) return { kind: 'anonymous' }
    const m = /^Bearer (\S+)$/.exec(h.trim())
    return m && known.has(m[1]) ? { kind: 'token', token: m[1] } : { kind: 'invalid' }
  }

  const repoPage = (repo: Repo) => `${hubUrl}/${repo.kind === 'dataset' ? 'datasets/' : ''}${repo.id}`

  /** The access table: checked before the revision and the path. */
  function access(
    kind: 'model' | 'dataset',
    id: string,
    auth: Auth,
    api: boolean,
    fileRead: boolean,
  ): { repo: Repo } | { answer: Answer } {
    if (auth.kind === 'invalid') {
      return { answer: errorAnswer(api, 401, 'Invalid credentials in Authorization header') }
    }
    const repo = repos.get(id)
    const granted = auth.kind === 'token' && (repo?.def.allowTokens ?? []).includes(auth.token)
    if (!repo || repo.kind !== kind || (repo.def.private && !granted)) {
      return {
        answer:
          auth.kind === 'anonymous'
            ? errorAnswer(api, 401, 'Invalid username or password.', undefined, {
                'WWW-Authenticate': 'Bearer realm="Authentication required", charset="UTF-8"',
              })
            : errorAnswer(api, 404, 'Repository not found', 'RepoNotFound'),
      }
    }
    if (fileRead && repo.def.gated && !granted) {
      return {
        answer:
          auth.kind === 'anonymous'
            ? errorAnswer(
                api,
                401,
                `Access to ${kind} ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
                'GatedRepo',
              )
            : errorAnswer(
                api,
                403,
                `Access to ${kind} ${id} is restricted and you are not in the authorized list. Visit ${repoPage(repo)} to ask for access.`,
                'GatedRepo',
              ),
      }
    }
    return { repo }
  }

  function revision(repo: Repo, rev: string, api: boolean): { sha: string } | { answer: Answer } {
    const sha = repo.revs.get(rev)
    return sha ? { sha } : { answer: errorAnswer(api, 404, `Invalid rev id: ${rev}`, 'RevisionNotFound') }
  }

  function lastCommit(repo: Repo, sha: string) {
    return { id: sha, title: 'Upload folder using huggingface_hub', date: repo.lastModified }
  }

  function treeEntry(repo: Repo, n: TreeNode, sha: string, expand: boolean): Record<string, unknown> {
    const last = expand ? { lastCommit: lastCommit(repo, sha) } : {}
    if (n.type === 'directory') return { type: 'directory', oid: n.oid, size: 0, path: n.path, ...last }
    const r = n.rec
    return {
      type: 'file',
      oid: r.oid,
      size: r.size,
      ...(r.lfs && { lfs: { oid: r.sha256, size: r.size, pointerSize: r.pointer!.length } }),
      path: n.path,
      ...last,
    }
  }

  function info(
    kind: 'model' | 'dataset',
    id: string,
    rev: string | undefined,
    query: URLSearchParams,
    auth: Auth,
  ) {
    const a = access(kind, id, auth, true, false)
    if ('answer' in a) return a.answer
    const repo = a.repo
    const r = revision(repo, rev ?? 'HEAD', true)
    if ('answer' in r) return r.answer
    const blobs = truthy(query.get('blobs'))
    const siblings = repo.order
      .filter((n): n is FileNode => n.type === 'file')
      .map(({ path, rec }) =>
        blobs
          ? {
              rfilename: path,
              blobId: rec.oid,
              size: rec.size,
              ...(rec.lfs && {
                lfs: { sha256: rec.sha256, size: rec.size, pointerSize: rec.pointer!.length },
              }),
            }
          : { rfilename: path },
      )
    const full: Record<string, unknown> = { ...repo.info, sha: r.sha, siblings, ...repo.def.info }
    const wanted = [...query.getAll('expand'), ...query.getAll('expand[]')]
    if (!query.has('expand') && !query.has('expand[]')) return jsonAnswer(200, full)
    const picked: Record<string, unknown> = { _id: full._id, id: full.id }
    for (const k of wanted) if (full[k] !== undefined) picked[k] = full[k]
    return jsonAnswer(200, picked)
  }

  function tree(
    kind: 'model' | 'dataset',
    id: string,
    rev: string,
    pathSegs: string[],
    query: URLSearchParams,
    rawPath: string,
    auth: Auth,
  ): Answer {
    const a = access(kind, id, auth, true, false)
    if ('answer' in a) return a.answer
    const repo = a.repo
    const r = revision(repo, rev, true)
    if ('answer' in r) return r.answer
    const commit = { 'X-Repo-Commit': r.sha }
    const path = pathSegs.join('/').replace(/\/+$/, '')
    if (path !== '' && (badSegments(path) || !repo.dirs.has(path))) {
      return errorAnswer(true, 404, 'Entry not found', 'EntryNotFound', commit)
    }
    const limitText = query.get('limit')
    if (limitText !== null && (!/^\d+$/.test(limitText) || Number(limitText) < 1)) {
      return errorAnswer(true, 400, 'Invalid limit: it must be a positive integer')
    }
    const limit = limitText === null ? pageSize : Number(limitText)
    const recursive = truthy(query.get('recursive'))
    const expand = truthy(query.get('expand'))
    const prefix = path === '' ? '' : `${path}/`
    const entries = repo.order.filter(
      (n) => n.path.startsWith(prefix) && (recursive || !n.path.slice(prefix.length).includes('/')),
    )
    let start = 0
    const cursor = query.get('cursor')
    if (cursor !== null) {
      const after = decodeCursor(cursor)
      const i = after === undefined ? -1 : entries.findIndex((n) => n.path === after)
      if (i < 0) return errorAnswer(true, 400, 'Invalid cursor')
      start = i + 1
    }
    const page = entries.slice(start, start + limit)
    const headers: Record<string, string> = { ...commit }
    if (start + limit < entries.length) {
      const next = new URLSearchParams(query)
      next.set('cursor', Buffer.from(JSON.stringify({ file_name: page.at(-1)!.path })).toString('base64'))
      headers.Link = `<${hubUrl}${rawPath}?${next.toString()}>; rel="next"`
    }
    return jsonAnswer(
      200,
      page.map((n) => treeEntry(repo, n, r.sha, expand)),
      headers,
    )
  }

  function pathsInfo(
    kind: 'model' | 'dataset',
    id: string,
    rev: string,
    req: http.IncomingMessage,
    body: Buffer,
    auth: Auth,
  ): Answer {
    const a = access(kind, id, auth, true, false)
    if ('answer' in a) return a.answer
    const repo = a.repo
    const r = revision(repo, rev, true)
    if ('answer' in r) return r.answer
    let paths: unknown
    let expand: unknown
    try {
      if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
        const form = new URLSearchParams(body.toString('utf8'))
        paths = form.getAll('paths')
        expand = form.get('expand')
      } else {
        const parsed = JSON.parse(body.toString('utf8'))
        paths = parsed?.paths
        expand = parsed?.expand
      }
    } catch {
      return errorAnswer(true, 400, 'Invalid JSON body')
    }
    if (typeof paths === 'string') paths = [paths]
    if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) {
      return errorAnswer(true, 400, '"paths" must be an array of strings')
    }
    const wantExpand = expand === true || truthy(typeof expand === 'string' ? expand : null)
    const out: Record<string, unknown>[] = []
    for (const p of new Set((paths as string[]).map((p) => p.replace(/^\/+|\/+$/g, '')))) {
      if (p === '' || badSegments(p)) continue
      const n = repo.files.get(p) ?? repo.dirs.get(p)
      if (n) out.push(treeEntry(repo, n, r.sha, wantExpand))
    }
    return jsonAnswer(200, out, { 'X-Repo-Commit': r.sha })
  }

  function refs(kind: 'model' | 'dataset', id: string, query: URLSearchParams, auth: Auth): Answer {
    const a = access(kind, id, auth, true, false)
    if ('answer' in a) return a.answer
    const repo = a.repo
    const extra = Object.entries(repo.def.branches ?? {})
    const branches = [
      ...(extra.some(([n]) => n === 'main')
        ? []
        : [{ name: 'main', ref: 'refs/heads/main', targetCommit: repo.sha }]),
      ...extra
        .filter(([n]) => !n.startsWith('refs/'))
        .map(([name, sha]) => ({ name, ref: `refs/heads/${name}`, targetCommit: sha })),
    ]
    const tags = Object.entries(repo.def.tags ?? {}).map(([name, sha]) => ({
      name,
      ref: `refs/tags/${name}`,
      targetCommit: sha,
    }))
    const prs = extra
      .filter(([n]) => n.startsWith('refs/pr/'))
      .map(([ref, sha]) => ({ name: ref.slice('refs/pr/'.length), ref, targetCommit: sha }))
    return jsonAnswer(200, {
      branches,
      tags,
      converts: [],
      ...(truthy(query.get('include_prs')) && { pullRequests: prs }),
    })
  }

  function whoami(auth: Auth): Answer {
    if (auth.kind === 'invalid') return errorAnswer(true, 401, 'Invalid credentials in Authorization header')
    if (auth.kind === 'anonymous') {
      return errorAnswer(true, 401, 'Invalid username or password.', undefined, {
        'WWW-Authenticate': 'Bearer realm="Authentication required", charset="UTF-8"',
      })
    }
    return jsonAnswer(200, {
      type: 'user',
      id: sha1(`user:${auth.token}`).slice(0, 24),
      name: 'fake-user',
      fullname: 'Fake User',
      isPro: false,
      canPay: false,
      periodEnd: null,
      avatarUrl: '/avatars/fake.svg',
      orgs: [],
      auth: {
        type: 'access_token',
        accessToken: { displayName: 'fake-hub', role: 'read', createdAt: '2024-01-01T00:00:00.000Z' },
      },
    })
  }

  function fileRoute(
    mode: 'resolve' | 'raw' | 'cache',
    kind: 'model' | 'dataset',
    id: string,
    rev: string,
    pathSegs: string[],
    req: http.IncomingMessage,
    auth: Auth,
  ): Answer {
    const api = mode === 'cache'
    const a = access(kind, id, auth, api, true)
    if ('answer' in a) return a.answer
    const repo = a.repo
    const r = revision(repo, rev, api)
    if ('answer' in r) return r.answer
    const path = pathSegs.join('/')
    const node = badSegments(path) ? undefined : repo.files.get(path)
    if (!node) return errorAnswer(api, 404, 'Entry not found', 'EntryNotFound', { 'X-Repo-Commit': r.sha })
    const rec = node.rec
    const pointer = mode === 'raw' && rec.lfs
    const etag = `"${rec.lfs && !pointer ? rec.sha256 : rec.oid}"`
    const size = pointer ? rec.pointer!.length : rec.size
    const headers: Record<string, string> = {
      'Content-Type': rec.lfs && !pointer ? 'application/octet-stream' : TEXT_TYPE,
      ETag: etag,
      'X-Linked-ETag': etag,
      'X-Linked-Size': String(size),
      'X-Repo-Commit': r.sha,
      'Content-Disposition': contentDisposition(path),
      'Accept-Ranges': 'bytes',
    }
    if (mode === 'resolve' && rec.lfs && useCdn) {
      const location = signedCdnUrl(repo, rec, path)
      return bytesAnswer(302, TEXT_TYPE, `Found. Redirecting to ${location}`, {
        ...headers,
        Location: location,
      })
    }
    if (mode === 'resolve' && !rec.lfs && options.nonLfsRedirect) {
      const encoded = path.split('/').map(encodeURIComponent).join('/')
      const location = `/api/resolve-cache/${kind}s/${repo.id}/${r.sha}/${encoded}`
      return bytesAnswer(307, TEXT_TYPE, `Temporary Redirect. Redirecting to ${location}`, {
        ...headers,
        Location: location,
      })
    }
    return contentAnswer(req.headers.range, pointer ? bufferContent(rec.pointer!) : rec.content, headers)
  }

  function signature(path: string, expires: string): string {
    return createHmac('sha256', secret).update(`${path}\n${expires}`).digest('hex')
  }

  function signedCdnUrl(repo: Repo, rec: FileRec, path: string): string {
    const repoHash = sha1(`${repo.kind}:${repo.id}`)
    const objectPath = `/repos/${repoHash.slice(0, 2)}/${repoHash.slice(2, 4)}/${repoHash}/${rec.sha256}`
    const expires = String(Math.floor(Date.now() / 1000) + 3600)
    const q = new URLSearchParams({
      'response-content-disposition': contentDisposition(path),
      'response-content-type': 'application/octet-stream',
      Expires: expires,
      Signature: signature(objectPath, expires),
      'Key-Pair-Id': 'KFAKEHUB0000000',
    })
    return `${cdnUrl}${objectPath}?${q.toString()}`
  }

  function routeCdn(req: http.IncomingMessage, pathname: string, query: URLSearchParams): Answer {
    const denied = () =>
      bytesAnswer(
        403,
        'application/xml',
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>',
      )
    const m = /^\/repos\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{40}\/([0-9a-f]{64})$/.exec(pathname)
    const expires = query.get('Expires') ?? ''
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return denied()
    if (query.get('Signature') !== signature(pathname, expires)) return denied()
    if (!(Number(expires) * 1000 > Date.now())) return denied()
    const content = lfsObjects.get(m[1])
    if (!content) return denied()
    return contentAnswer(req.headers.range, content, {
      'Content-Type': query.get('response-content-type') ?? 'application/octet-stream',
      'Content-Disposition': query.get('response-content-disposition') ?? 'inline',
      ETag: `"${m[1]}"`,
      'Last-Modified': 'Wed, 01 May 2024 00:00:00 GMT',
      'Access-Control-Allow-Origin': '*',
    })
  }

  /** Page `cursor` (a number, 0 when absent) of a listing that never ends. */
  function endlessPage(rawPath: string, query: URLSearchParams, perPage: number): Answer {
    const n = Number(query.get('cursor') ?? '0') || 0
    const page = Array.from({ length: perPage }, (_, i) => ({
      type: 'file',
      oid: sha1(`endless ${n} ${i}`),
      size: 1,
      path: `pages/${n}/${i}.txt`,
    }))
    const next = new URLSearchParams(query)
    next.set('cursor', String(n + 1))
    return jsonAnswer(200, page, { Link: `<${hubUrl}${rawPath}?${next.toString()}>; rel="next"` })
  }

  function routeHub(
    req: http.IncomingMessage,
    rawPath: string,
    query: URLSearchParams,
    body: Buffer,
  ): Answer {
    let segs: string[]
    try {
      segs = rawPath.split('/').slice(1).map(decodeURIComponent)
    } catch {
      return notFound()
    }
    const method = req.method ?? 'GET'
    const get = method === 'GET' || method === 'HEAD'
    const auth = authOf(req)
    const kindOf = (s: string | undefined) =>
      s === 'models' ? 'model' : s === 'datasets' ? 'dataset' : undefined
    if (segs[0] === 'api') {
      if (segs[1] === 'whoami-v2' && segs.length === 2 && get) return whoami(auth)
      const kind = kindOf(segs[1])
      if (kind && segs.length >= 4) {
        const id = `${segs[2]}/${segs[3]}`
        const rest = segs.slice(4)
        if (rest.length === 0 && get) return info(kind, id, undefined, query, auth)
        if (rest[0] === 'revision' && rest.length >= 2 && get)
          return info(kind, id, rest.slice(1).join('/'), query, auth)
        if (rest[0] === 'tree' && rest.length >= 2 && get) {
          return tree(kind, id, rest[1], rest.slice(2), query, rawPath, auth)
        }
        if (rest[0] === 'paths-info' && rest.length >= 2 && method === 'POST') {
          return pathsInfo(kind, id, rest.slice(1).join('/'), req, body, auth)
        }
        if (rest[0] === 'refs' && rest.length === 1 && get) return refs(kind, id, query, auth)
      }
      const cacheKind = kindOf(segs[2])
      if (segs[1] === 'resolve-cache' && cacheKind && segs.length >= 7 && get) {
        return fileRoute('cache', cacheKind, `${segs[3]}/${segs[4]}`, segs[5], segs.slice(6), req, auth)
      }
      return notFound()
    }
    if (segs[0] === 'datasets' && segs.length >= 6 && (segs[3] === 'resolve' || segs[3] === 'raw') && get) {
      return fileRoute(segs[3], 'dataset', `${segs[1]}/${segs[2]}`, segs[4], segs.slice(5), req, auth)
    }
    if (segs.length >= 5 && (segs[2] === 'resolve' || segs[2] === 'raw') && get) {
      return fileRoute(segs[2], 'model', `${segs[0]}/${segs[1]}`, segs[3], segs.slice(4), req, auth)
    }
    return notFound()
  }

  function faultAnswer(f: {
    status: number
    retryAfter?: string
    body?: string
    headers?: Record<string, string>
  }) {
    const body = f.body ?? http.STATUS_CODES[f.status] ?? 'Error'
    const type = /^\s*[[{]/.test(body) ? JSON_TYPE : TEXT_TYPE
    return bytesAnswer(f.status, type, body, {
      ...(f.retryAfter !== undefined && { 'Retry-After': f.retryAfter }),
      ...f.headers,
    })
  }

  async function send(
    res: http.ServerResponse,
    entry: LoggedRequest,
    answer: Answer,
    resetAfter?: number,
    dripMs?: number,
  ) {
    res.writeHead(answer.status, answer.headers)
    entry.status = answer.status
    entry.at.answered = performance.now() - t0
    if (entry.method === 'HEAD') {
      if (resetAfter !== undefined) return destroy(res, entry)
      res.end()
      return
    }
    let closed = false
    res.once('close', () => (closed = true))
    const limit = resetAfter ?? Infinity
    const body = answer.stream?.() ?? answer.body.chunks(answer.start, answer.end)
    if (dripMs !== undefined) {
      res.flushHeaders()
      for (const chunk of body) {
        for (let i = 0; i < chunk.length && !closed && !res.destroyed && !closing; i++) {
          res.write(chunk.subarray(i, i + 1))
          entry.bytesSent += 1
          await delay(dripMs)
        }
        if (closed || res.destroyed || closing) break
      }
      if (!closed && !res.destroyed) res.end()
      return
    }
    for (const chunk of body) {
      if (closed || res.destroyed || entry.bytesSent >= limit) break
      const piece = chunk.subarray(0, Math.max(0, limit - entry.bytesSent))
      entry.bytesSent += piece.length
      if (!res.write(piece)) await drained(res)
    }
    if (resetAfter !== undefined) return destroy(res, entry)
    if (!closed && !res.destroyed) res.end()
  }

  /** Flush what was written, then destroy the socket. */
  async function destroy(res: http.ServerResponse, entry: LoggedRequest) {
    destroyedByServer.add(entry)
    const socket = res.socket
    res.flushHeaders()
    for (let i = 0; i < 200 && socket && !socket.destroyed && socket.writableLength > 0; i++) {
      await new Promise((r) => setTimeout(r, 5))
    }
    await new Promise((r) => setTimeout(r, 10))
    socket?.destroy()
  }

  async function handle(host: 'hub' | 'cdn', req: http.IncomingMessage, res: http.ServerResponse) {
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const key = `${method} ${url}`
    const attempt = (counts[host].get(key) ?? 0) + 1
    counts[host].set(key, attempt)
    const q = url.indexOf('?')
    const rawPath = q < 0 ? url : url.slice(0, q)
    let path = rawPath
    try {
      path = decodeURIComponent(rawPath)
    } catch {
      // keep the raw path
    }
    const headers: Record<string, string | undefined> = {}
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v
    const entry: LoggedRequest = {
      host,
      method,
      url,
      path,
      attempt,
      headers,
      status: 0,
      bytesSent: 0,
      aborted: false,
      at: { received: performance.now() - t0, answered: 0, ended: 0 },
    }
    log.push(entry)
    res.once('close', () => {
      entry.at.ended = performance.now() - t0
      if (!res.writableFinished && !destroyedByServer.has(entry) && !closing) entry.aborted = true
    })
    try {
      const chunks: Buffer[] = []
      for await (const c of req) chunks.push(c as Buffer)
      const body = Buffer.concat(chunks)
      if (options.latencyMs) await delay(options.latencyMs)
      if (closing) return
      const fault = options.fault?.({ host, method, url, path, attempt })
      const special = fault && 'kind' in fault ? fault : undefined
      if (special?.kind === 'hang') return
      const query = new URLSearchParams(url.slice(rawPath.length))
      let answer: Answer
      if (fault && !('kind' in fault)) answer = faultAnswer(fault)
      else if (special?.kind === 'html') answer = bytesAnswer(200, 'text/html; charset=utf-8', HTML)
      else if (special?.kind === 'endless-json') answer = endlessJsonAnswer(special.status)
      else if (special?.kind === 'gzip-bomb')
        answer = gzipBombAnswer(rawPath.startsWith('/api/'), special.bytes ?? 64 * 2 ** 30)
      else if (special?.kind === 'endless-pages') answer = endlessPage(rawPath, query, special.perPage)
      else if (url.startsWith('//')) answer = notFound()
      else if (host === 'cdn') answer = routeCdn(req, rawPath, query)
      else answer = routeHub(req, rawPath, query, body)
      if (special?.kind === 'ignore-range') answer = ignoreRange(answer)
      if (special?.kind === 'content-range-total') answer = lieAboutTotal(answer, special.total)
      if (special?.kind === 'gzip') answer = gzipAnswer(answer)
      answer.headers['X-Request-Id'] = requestId()
      if (host === 'hub') {
        Object.assign(answer.headers, rateHeaders(rawPath.startsWith('/api/') ? 'api' : 'resolvers'))
      }
      await send(
        res,
        entry,
        answer,
        special?.kind === 'reset' ? special.afterBytes : undefined,
        special?.kind === 'drip' ? special.everyMs : undefined,
      )
    } catch (err) {
      if (!res.headersSent) {
        entry.status = 500
        res.writeHead(500, { 'Content-Type': TEXT_TYPE })
        res.end(`fake hub: ${String(err)}`)
      } else res.destroy()
    }
  }

  return {
    url: hubUrl,
    cdnUrl,
    log,
    connections,
    async close() {
      closing = true
      for (const t of [...timers]) t.resolve()
      const stop = (s: http.Server) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve())
          s.closeAllConnections()
        })
      await Promise.all([stop(hub), stop(cdn)])
    },
  }
}

function truthy(v: string | null): boolean {
  return v === 'true' || v === '1' || v === 'True'
}

function decodeCursor(cursor: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'))
    return typeof v?.file_name === 'string' ? v.file_name : undefined
  } catch {
    return undefined
  }
}

/** Resolves when a response that stopped taking writes (write() returned false) drains or closes. */
export function drained(res: http.ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
