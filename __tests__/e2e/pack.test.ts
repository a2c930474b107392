// The npm package as a user gets it: `npm pack`, then installed from the tarball with no registry at
// all (--offline), run through its bin and through `npx ./friendli-preflight-x.y.z.tgz`. The CLI bundle
// carries its libraries (ncc), so the package declares no dependencies and installs as one package;
// the tarball holds the allow-list of package.json `files` and nothing else.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { repoRoot, runtimes } from '../helpers/run-bundle.js'

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  name: string
  version: string
  private?: boolean
  license: string
  bin: Record<string, string>
  dependencies?: Record<string, string>
  engines: { node: string }
}
const list = runtimes()
let tmp: string
let tarball: string
let packed: string[]

/** npm, offline, with a cache of its own: nothing can come from the registry or the user's cache. */
function npm(args: string[], cwd: string) {
  return execFileSync(
    'npm',
    [...args, '--offline', '--no-audit', '--no-fund', '--cache', path.join(tmp, 'cache')],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, npm_config_loglevel: 'error' },
      timeout: 120_000,
    },
  )
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-pack-'))
  const [packInfo] = JSON.parse(npm(['pack', '--json', '--pack-destination', tmp], repoRoot)) as {
    filename: string
    files: { path: string }[]
  }[]
  tarball = path.join(tmp, packInfo!.filename)
  packed = packInfo!.files.map((f) => f.path).sort()
}, 120_000)
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('the npm package', () => {
  it('is publishable: not private, MIT, Node 20 or later, no run-time dependencies', () => {
    expect(pkg.private).toBeUndefined()
    expect(pkg.license).toBe('MIT')
    expect(pkg.engines.node).toBe('>=20')
    // Everything the CLI runs is in dist/cli/index.js: a library in `dependencies` would only make
    // every install download it. Add one with `npm install --save-dev --save-exact`.
    expect(pkg.dependencies ?? {}).toEqual({})
  })

  it('holds the CLI bundle, its licenses, the README, LICENSE and CHANGELOG, and nothing else', () => {
    expect(packed).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist/cli/index.js',
      'dist/cli/licenses.txt',
      'dist/cli/package.json',
      'package.json',
    ])
    expect(readFileSync(path.join(repoRoot, pkg.bin['friendli-preflight']!), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    )
  })

  it('installs from the tarball alone and runs through its bin', () => {
    const project = path.join(tmp, 'project')
    mkdirSync(project)
    writeFileSync(path.join(project, 'package.json'), '{ "private": true }\n')
    npm(['install', tarball], project)
    expect(readdirSync(path.join(project, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual([
      'friendli-preflight',
    ])
    const bin = path.join(project, 'node_modules', '.bin', 'friendli-preflight')
    for (const { bin: node } of list) {
      // The shebang finds `node` on PATH: the runtime under test first.
      const env = { PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` }
      const version = spawnSync(bin, ['--version'], { encoding: 'utf8', env, cwd: project })
      expect({ status: version.status, stdout: version.stdout }).toEqual({
        status: 0,
        stdout: `${pkg.version}\n`,
      })
    }
  })

  it('runs with npx from the tarball', () => {
    const dir = path.join(tmp, 'npx')
    mkdirSync(dir)
    const help = execFileSync(
      'npx',
      ['--offline', '--yes', '--cache', path.join(tmp, 'cache'), `../${path.basename(tarball)}`, '--help'],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      },
    )
    expect(help).toMatch(/^Usage: friendli-preflight /)
    expect(help).toContain('--format text|json|sarif|github')
  })
})
