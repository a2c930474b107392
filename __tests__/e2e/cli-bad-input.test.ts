// Bad input through the real CLI bundle on real files: each gives a clear finding or exit 2 with one
// line, never a stack trace, a hang, or a read outside the target folder.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { makeSafetensors } from '../helpers/safetensors.js'
import { cliBundle, runCli, runtimes } from '../helpers/run-bundle.js'

let tmp: string
const weights = makeSafetensors({ 'lm_head.weight': { dtype: 'F16', shape: [2, 2] } })
const goodConfig = JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama' }, null, 2)

/** A model folder under tmp with the given files; `null` content makes a folder. */
let counter = 0
function model(name: string, files: Record<string, string | Uint8Array | null>): string {
  const dir = path.join(tmp, `${name}-${++counter}`)
  mkdirSync(dir, { recursive: true })
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel)
    mkdirSync(path.dirname(file), { recursive: true })
    if (content === null) mkdirSync(file)
    else writeFileSync(file, content)
  }
  return dir
}

function json(bin: string, dir: string, extra: string[] = []) {
  const r = runCli(bin, [dir, '--format', 'json', ...extra], tmp)
  expect(r.stderr).toBe('')
  return { status: r.status, report: JSON.parse(r.stdout), stdout: r.stdout }
}

const ids = (report: { targets: { findings: { ruleId: string }[] }[] }) =>
  report.targets[0].findings.map((f) => f.ruleId)

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-bad-'))
  chmodSync(tmp, 0o755)
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe.each(runtimes())('CLI bundle on bad input under $name', ({ bin }) => {
  it('an empty folder: config.json and weights are missing', () => {
    const { status, report } = json(bin, model('empty', {}))
    expect(status).toBe(1)
    expect(ids(report)).toEqual(['MR101', 'MR102', 'MR401', 'MR402', 'MR501'])
  })

  it('a folder that does not exist: exit 2, one line', () => {
    const r = runCli(bin, ['does-not-exist'], tmp)
    expect(r.status).toBe(2)
    expect(r.stdout).toContain('does-not-exist: could not check: the folder does not exist')
    expect(r.stderr).toBe('')
  })

  it.each([
    ['empty', '', 'config.json is empty.', undefined],
    ['a JSON array', '[1, 2]', 'config.json must hold a JSON object but holds an array.', 1],
    [
      'a BOM',
      '\ufeff' + goodConfig,
      "config.json starts with a UTF-8 byte-order mark, which Python's json module (used by transformers) rejects.",
      1,
    ],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('{\n  "a": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n}')]),
      'config.json is not valid UTF-8 (first bad byte at line 2, column 9).',
      2,
    ],
  ] as const)('config.json that is %s gives a located MR201', (_name, content, message, line) => {
    const { status, report } = json(
      bin,
      model(`config-${_name.replace(/\W/g, '')}`, { 'config.json': content, 'model.safetensors': weights }),
    )
    expect(status).toBe(1)
    const f = report.targets[0].findings.find((x: { ruleId: string }) => x.ruleId === 'MR201')
    expect(f.message).toBe(message)
    expect(f.location.line).toBe(line ?? null)
  })

  it('a 50 MB config.json is refused without being parsed', () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 0x20)
    big[0] = 0x7b
    big[big.length - 1] = 0x7d
    const { report } = json(bin, model('big-config', { 'config.json': big, 'model.safetensors': weights }))
    const f = report.targets[0].findings.find((x: { ruleId: string }) => x.ruleId === 'MR201')
    expect(f.message).toMatch(/^config\.json is 50\.0 MiB, more than the 8 MiB/)
  })

  it('config.json linking to /etc/passwd is reported and never read', () => {
    const dir = model('link-passwd', { 'model.safetensors': weights })
    symlinkSync('/etc/passwd', path.join(dir, 'config.json'))
    const { status, report, stdout } = json(bin, dir)
    expect(status).toBe(1)
    expect(ids(report)).toEqual(['MR105', 'MR401', 'MR402', 'MR501', 'MR701'])
    expect(report.targets[0].findings[0].location.path).toBe('config.json')
    expect(stdout).not.toContain('root:') // nothing of the file leaked into the report
  })

  it('a link to a file outside the target (a sibling folder) is reported and never read', () => {
    const outside = model('outside', { 'config.json': goodConfig })
    const dir = model('link-sibling', { 'model.safetensors': weights })
    symlinkSync(path.join(outside, 'config.json'), path.join(dir, 'config.json'))
    symlinkSync(`../${path.basename(outside)}`, path.join(dir, 'escape'))
    const { report } = json(bin, dir)
    const f = report.targets[0].findings.find((x: { ruleId: string }) => x.ruleId === 'MR105')
    expect(f.message).toBe(
      '2 files are links to a place outside the model folder and were not read: config.json and escape.',
    )
    expect(ids(report)).not.toContain('MR203')
  })

  it('a link inside the target is followed', () => {
    const dir = model('link-inside', { 'real-config.json': goodConfig, 'model.safetensors': weights })
    symlinkSync('real-config.json', path.join(dir, 'config.json'))
    const { report } = json(bin, dir)
    expect(ids(report)).not.toContain('MR101')
    expect(ids(report)).not.toContain('MR105')
  })

  it('a directory named model.safetensors is not weights', () => {
    const { report } = json(
      bin,
      model('dir-weights', { 'config.json': goodConfig, 'model.safetensors': null }),
    )
    const f = report.targets[0].findings.find((x: { ruleId: string }) => x.ruleId === 'MR102')
    expect(f.message).toBe(
      'No safetensors weights at the root of the model: model.safetensors is not a regular file.',
    )
  })

  it('a FIFO named config.json does not hang the check', () => {
    const dir = model('fifo', { 'model.safetensors': weights })
    const mk = spawnSync('mkfifo', [path.join(dir, 'config.json')])
    if (mk.status !== 0) return console.log('mkfifo unavailable: FIFO case not run')
    const { report } = json(bin, dir)
    expect(report.targets[0].findings[0]).toMatchObject({
      ruleId: 'MR101',
      message: 'config.json is not a regular file, not a file Friendli can read.',
    })
  })

  it('an unreadable config.json (permissions) is "could not check": exit 2, one line', () => {
    const dir = model('unreadable', { 'config.json': goodConfig, 'model.safetensors': weights })
    chmodSync(path.join(dir, 'config.json'), 0o000)
    // Root reads anything: run the CLI as "nobody" there, so the permission check is real.
    const asRoot = process.getuid?.() === 0
    if (asRoot && spawnSync('setpriv', ['--version']).status !== 0)
      return console.log('setpriv unavailable: permission case not run as root')
    // "nobody" may not reach the checkout (a clone in a 0700 folder): run a copy of the bundle from
    // tmp, and skip, saying so, when the Node binary itself is out of its reach.
    const nobody = ['--reuid=65534', '--regid=65534', '--clear-groups']
    let bundle = cliBundle
    if (asRoot) {
      bundle = path.join(tmp, 'cli-copy', 'index.js')
      cpSync(path.dirname(cliBundle), path.dirname(bundle), { recursive: true })
      if (spawnSync('setpriv', [...nobody, bin, '--version']).status !== 0)
        return console.log(`${bin} is not readable by nobody: permission case not run`)
    }
    const cmd = asRoot ? 'setpriv' : bin
    const args = asRoot ? [...nobody, bin, bundle, dir] : [bundle, dir]
    const r = spawnSync(cmd, args, { cwd: tmp, encoding: 'utf8', timeout: 60_000 })
    expect(r.status).toBe(2)
    expect(r.stdout).toContain(`${dir}: could not check: cannot read config.json: permission denied`)
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /)
  })

  it.each([
    [
      ['--fail-on', 'sometimes'],
      'friendli-preflight: fail-on must be one of error, warning, never; got "sometimes"',
    ],
    [['--format', 'xml'], 'friendli-preflight: --format must be text, json, sarif or github; got "xml"'],
    [['--frobnicate'], "friendli-preflight: Unknown option '--frobnicate'."],
    [['a', 'b'], 'friendli-preflight: expected at most one model, got 2'],
    [['--config', 'nope.yml'], 'friendli-preflight: config file nope.yml does not exist'],
    [
      ['org/name/extra'],
      'friendli-preflight: "org/name/extra" is neither a folder nor a Hugging Face repo reference (a repo id has exactly one "/" (owner/name))',
    ],
    [
      ['org/model@../../x'],
      'friendli-preflight: "org/model@../../x" is neither a folder nor a Hugging Face repo reference ("../../x" is not a branch, tag or commit name)',
    ],
    [
      ['hf://org/my model'],
      'friendli-preflight: "org/my model" is not a Hugging Face repo reference: a repo id has no spaces',
    ],
    [['org/m', '--hub-url', 'ftp://x'], 'friendli-preflight: hub-url must be an http(s) URL; got "ftp://x"'],
  ])('usage error %j: exit 2 with a one-line error', (args, first) => {
    const r = runCli(bin, args, tmp)
    expect(r.status).toBe(2)
    expect(r.stderr.split('\n')[0].startsWith(first)).toBe(true)
    expect(r.stdout).toBe('')
  })

  it('a config file with an unknown rule or key, bad YAML or a bad value: exit 2, file:line:column: the problem', () => {
    writeFileSync(path.join(tmp, 'bad-rule.yml'), 'rules:\n  MR999: off\n')
    writeFileSync(path.join(tmp, 'bad-key.yml'), 'targets:\n  - modle: ./m\n')
    writeFileSync(path.join(tmp, 'bad-yaml.yml'), 'rules: [\n')
    writeFileSync(path.join(tmp, 'bad-level.yml'), 'rules:\n  MR203: loud\n')
    for (const [file, line] of [
      ['bad-rule.yml', 'bad-rule.yml:2:3: unknown rule "MR999" in rules'],
      ['bad-key.yml', 'bad-key.yml:2:5: unknown key "modle" in targets[0]; did you mean "model"?'],
      [
        'bad-yaml.yml',
        'bad-yaml.yml:2:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
      [
        'bad-level.yml',
        'bad-level.yml:2:10: rules.MR203 must be one of off, info, warning, error; got "loud"',
      ],
    ])
      expect(runCli(bin, ['--config', file], tmp)).toEqual({ status: 2, stdout: '', stderr: `${line}\n` })
  })
})
