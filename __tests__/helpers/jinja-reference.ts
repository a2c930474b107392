// Python Jinja2 set up as transformers' apply_chat_template (scripts/jinja2_reference.py), run once per
// batch of jobs, and how its verdict is compared with ours: shared by the differential tests.
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RenderResult } from '../../src/templates/render.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const referenceScript = path.join(repoRoot, 'scripts/jinja2_reference.py')
/** strftime_now's clock in both engines, so dates compare. */
export const FIXED_NOW = '2024-07-26T09:05:03'

export interface RefResult {
  id: number
  ok: boolean
  text?: string
  kind?: 'raise' | 'error'
  message?: string
  /** The error came from compiling the template (Jinja2's from_string), not from rendering it. */
  compile?: boolean
}

export function pythonAvailable(): boolean {
  const r = spawnSync('python3', ['-c', 'import jinja2'], { encoding: 'utf8' })
  return r.status === 0
}

export interface ReferenceVersions {
  jinja2: string
  markupsafe: string
  python: string
}

/** The versions behind the reference (the same line scripts/extract-jinja2-cases.py reads), or undefined without them. */
export function referenceVersions(): ReferenceVersions | undefined {
  const r = spawnSync(
    'python3',
    [
      '-c',
      "import jinja2, importlib.metadata as m, platform; print(jinja2.__version__, m.version('markupsafe'), platform.python_version())",
    ],
    { encoding: 'utf8' },
  )
  const [jinja2, markupsafe, python] = r.status === 0 ? r.stdout.trim().split(/\s+/) : []
  return jinja2 && markupsafe && python ? { jinja2, markupsafe, python } : undefined
}

export async function runReference(
  jobs: Array<{ id: number; template: string; context: unknown }>,
): Promise<RefResult[]> {
  const child = spawn('python3', [referenceScript], {
    env: { ...process.env, JINJA_REFERENCE_NOW: FIXED_NOW },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const done = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  child.stdin.end(jobs.map((j) => toJson(j)).join('\n') + '\n')
  const code = await done
  if (code !== 0) throw new Error(`jinja2_reference.py exited with ${code}: ${stderr}`)
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RefResult)
}

/** JSON text with a BigInt written as its digits, which Python reads as an int (JSON.stringify refuses BigInt). */
export function toJson(v: unknown, indent?: number): string {
  const big = new Map<string, string>()
  const text = JSON.stringify(
    v,
    (_, x: unknown) => {
      if (typeof x !== 'bigint') return x
      const mark = `\u0000bigint${big.size}`
      big.set(mark, x.toString())
      return mark
    },
    indent,
  )
  return big.size === 0 ? text : text.replace(/"\\u0000bigint\d+"/g, (m) => big.get(JSON.parse(m) as string)!)
}

export function agree(ours: RenderResult, ref: RefResult): boolean {
  if (ours.ok !== ref.ok) return false
  if (ours.ok) return ours.text === ref.text
  if (ours.kind !== ref.kind) return false
  return ours.kind !== 'raise' || ours.message === ref.message
}
