/**
 * How a fuzz case is rendered by both engines and compared, the same way as the Jinja2 suite
 * (__tests__/templates/jinja2-suite.test.ts): the case's context goes to our renderer as `extra` and to
 * Python Jinja2 beside transformers' own variables; the text, whether it raises, the kind of error and
 * whether it came from compiling or rendering must agree. Shared by fuzz.test.ts and scripts/fuzz-templates.ts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileTemplate, renderTemplate, type RenderResult } from '../../../src/templates/render.js'
import { setFixedNow } from '../../../src/templates/jinja-globals.js'
import { agree, FIXED_NOW, runReference, toJson, type RefResult } from '../../helpers/jinja-reference.js'
import type { Context } from './grammar.js'

export const fuzzDir = path.dirname(fileURLToPath(import.meta.url))
export const knownPath = path.join(fuzzDir, 'known-differences.json')
export const regressionsPath = path.join(fuzzDir, 'regressions.json')

/** The cases fuzz.test.ts runs in CI: a count, not a time (a few seconds). */
export const CI_SEED = 1
export const CI_CASES = 2000

/** What transformers passes beside the case's own variables: the same on both sides. */
export const IMPLICIT = { messages: [], add_generation_prompt: false, tools: null, documents: null }

export interface Ours {
  result: RenderResult
  /** The error came from compileTemplate. */
  compile: boolean
}
export interface Pair {
  template: string
  context: Context
}
export interface Compared {
  ours: Ours
  ref: RefResult
  agree: boolean
}

export function renderOurs(cases: readonly Pair[]): Ours[] {
  setFixedNow(new Date(FIXED_NOW + 'Z'))
  try {
    return cases.map((c) => {
      const compiled = compileTemplate(c.template)
      if (!compiled.ok)
        return { result: { ok: false, kind: 'error', message: compiled.message }, compile: true }
      const input = { messages: IMPLICIT.messages, add_generation_prompt: false, extra: c.context }
      return { result: renderTemplate(compiled.template, input), compile: false }
    })
  } finally {
    setFixedNow(undefined)
  }
}

/**
 * Python prints some objects with their address (`<built-in method upper of str object at 0x7f...>`,
 * `<jinja2.utils.Joiner object at 0x...>`), which no other engine can reproduce: such a text is compared
 * for rendering at all, not for what it says.
 */
const ADDRESS = / at 0x[0-9a-f]+>/i // /i: a filter section may have upper-cased it

export function same(ours: Ours, ref: RefResult): boolean {
  if (ours.result.ok && ref.ok && ADDRESS.test(ref.text ?? '')) return true
  return agree(ours.result, ref) && (ours.result.ok || ours.compile === (ref.compile === true))
}

/** Renders every case with both engines (the reference in one batch, or in the session given) and compares them. */
export async function compareAll(cases: readonly Pair[], session?: ReferenceSession): Promise<Compared[]> {
  const jobs = cases.map((c, id) => ({ id, template: c.template, context: { ...IMPLICIT, ...c.context } }))
  const refPromise = session ? session.run(jobs) : runReference(jobs)
  const ours = renderOurs(cases)
  const ref = await refPromise
  if (ref.length !== cases.length)
    throw new Error(`the reference answered ${ref.length} of ${cases.length} cases`)
  return cases.map((_, i) => ({ ours: ours[i]!, ref: ref[i]!, agree: same(ours[i]!, ref[i]!) })) // one answer per case
}

/**
 * scripts/jinja2_reference.py bounded for the cases the shrinker makes, which the generator's care no
 * longer covers (a string repeated 2^31 times, a loop over a huge range): 2 GiB of address space, so a
 * huge allocation fails at once with MemoryError, and 10 s a job, after which the job raises TimeoutError
 * (both are reported as render errors, as Python would raise them).
 */
const GUARDED_REFERENCE = `
import resource, runpy, signal, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
def too_slow(*_):
    raise TimeoutError("the job took over 10 s")
signal.signal(signal.SIGALRM, too_slow)
class Lines:
    def __init__(self, f):
        self.f = f
    def __iter__(self):
        return self
    def __next__(self):
        signal.setitimer(signal.ITIMER_REAL, 0)
        line = self.f.readline()
        if not line:
            raise StopIteration
        signal.setitimer(signal.ITIMER_REAL, 10)
        return line
sys.stdin = Lines(sys.stdin)
runpy.run_path(sys.argv[1], run_name="__main__")
`

/**
 * One Python Jinja2 process for many batches, for the shrinker, which asks hundreds of small ones: started
 * with `python3 -u`, scripts/jinja2_reference.py answers each line as it reads it. A batch that gets no
 * answer in `timeoutMs` (Python busy in one long C call, which no signal interrupts) ends the session.
 */
export class ReferenceSession {
  private readonly child: ChildProcessWithoutNullStreams
  private buffer = ''
  private pending:
    { want: number; lines: string[]; done: (lines: string[]) => void; fail: (e: Error) => void } | undefined
  private exited = false

  constructor(private readonly timeoutMs = 60_000) {
    const script = path.join(fuzzDir, '../../../scripts/jinja2_reference.py')
    this.child = spawn('python3', ['-u', '-c', GUARDED_REFERENCE, script], {
      env: { ...process.env, JINJA_REFERENCE_NOW: FIXED_NOW },
    })
    this.child.stderr.resume()
    this.child.stdin.on('error', () => undefined) // a session that ended: its run() rejects
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.buffer += d
      const p = this.pending
      let nl: number
      while (p && (nl = this.buffer.indexOf('\n')) >= 0) {
        p.lines.push(this.buffer.slice(0, nl))
        this.buffer = this.buffer.slice(nl + 1)
        if (p.lines.length === p.want) {
          this.pending = undefined
          p.done(p.lines)
          break
        }
      }
    })
    this.child.on('close', (code) => {
      this.exited = true
      this.pending?.fail(new Error(`jinja2_reference.py exited with ${code}`))
      this.pending = undefined
    })
  }

  get alive(): boolean {
    return !this.exited
  }

  run(jobs: Array<{ id: number; template: string; context: unknown }>): Promise<RefResult[]> {
    if (jobs.length === 0) return Promise.resolve([])
    if (this.exited || this.pending) return Promise.reject(new Error('the reference session is not ready'))
    return new Promise<string[]>((done, fail) => {
      const timer = setTimeout(() => {
        fail(new Error(`Python Jinja2 gave no answer in ${this.timeoutMs / 1000} s`))
        this.child.kill('SIGKILL')
      }, this.timeoutMs)
      const stop =
        <T>(f: (x: T) => void) =>
        (x: T) => {
          clearTimeout(timer)
          f(x)
        }
      this.pending = { want: jobs.length, lines: [], done: stop(done), fail: stop(fail) }
      this.child.stdin.write(jobs.map((j) => toJson(j) + '\n').join(''))
    }).then((lines) => lines.map((l) => JSON.parse(l) as RefResult))
  }

  close(): void {
    this.child.stdin.end()
  }
}

export function verdict(r: RenderResult | RefResult, compile: boolean): string {
  if (r.ok) return 'renders'
  if (compile) return 'compile error'
  return r.kind === 'raise' ? 'raise_exception' : r.kind === 'limit' ? 'limit' : 'render error'
}

/** What kind of disagreement it is: the shrinker keeps a smaller case only when this stays the same. */
export function signature(c: Compared): string {
  const o = verdict(c.ours.result, c.ours.compile)
  const j = verdict(c.ref, c.ref.compile === true)
  return o === j ? `both ${o}, differently` : `jinja2 ${j}, ours ${o}`
}

export function describeResult(r: RenderResult | RefResult, compile: boolean): string {
  return r.ok ? `ok ${JSON.stringify(r.text)}` : `${verdict(r, compile)}: ${r.message}`
}

export function describeCase(pair: Pair, c: Compared, width = 400): string {
  const cut = (s: string): string => (s.length > width ? s.slice(0, width) + '…' : s)
  return (
    `    template: ${cut(JSON.stringify(pair.template))}\n    context:  ${cut(toJson(pair.context))}\n` +
    `    jinja2:   ${cut(describeResult(c.ref, c.ref.compile === true))}\n` +
    `    ours:     ${cut(describeResult(c.ours.result, c.ours.compile))}`
  )
}

/** A context as stored in a JSON file: an integer past 2^53 as {"$bigint": "digits"}. */
export function encodeContext(v: unknown): unknown {
  if (typeof v === 'bigint') return { $bigint: v.toString() }
  if (Array.isArray(v)) return v.map(encodeContext)
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeContext(x)]))
  return v
}
export function decodeContext(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeContext)
  if (v !== null && typeof v === 'object') {
    const big = (v as { $bigint?: unknown }).$bigint
    if (typeof big === 'string' && Object.keys(v).length === 1) return BigInt(big)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeContext(x)]))
  }
  return v
}

/** The stable key of a case: a hash of its template and context, as known-differences.json lists it. */
export function caseKey(pair: Pair): string {
  return createHash('sha256')
    .update(toJson([pair.template, pair.context]))
    .digest('hex')
    .slice(0, 16)
}

export interface KnownFile {
  about: string[]
  /** reason → the keys (caseKey) of the cases it explains */
  differences: Record<string, string[]>
}
export interface Regression {
  key: string
  template: string
  context: Context
  /** How it disagreed when it was found (for the reader; the test compares afresh). */
  found?: { jinja2: string; ours: string }
}
export interface RegressionFile {
  about: string[]
  cases: Regression[]
}

export function readKnown(): KnownFile {
  return JSON.parse(fs.readFileSync(knownPath, 'utf8')) as KnownFile
}
export function readRegressions(): RegressionFile {
  const file = JSON.parse(fs.readFileSync(regressionsPath, 'utf8')) as RegressionFile
  return { ...file, cases: file.cases.map((c) => ({ ...c, context: decodeContext(c.context) as Context })) }
}

/** Writes a JSON file formatted as the repository's prettier would. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  const prettier = await import('prettier')
  const options = await prettier.resolveConfig(file)
  fs.writeFileSync(
    file,
    await prettier.format(JSON.stringify(value, null, 2), { ...options, filepath: file }),
  )
}
