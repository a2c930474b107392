// A checkout of Git LFS pointers through the entries: the CLI with --lfs-headers and GITHUB_TOKEN, the
// action with lfs-headers and github-token, against a loopback LFS server named by GITHUB_SERVER_URL.
// The reports say which files were read through LFS, and no output holds the token.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { resolveSettings } from '../src/settings.js'
import { runActionIn, runCliIn } from './helpers/in-process.js'
import { startFakeLfs, writeCheckout, type FakeLfs } from './helpers/fake-lfs.js'
import { single, tinyLlama } from './helpers/model-weights.js'
import { configJson } from './helpers/rule-tester.js'

const TOKEN = 'ghs_checkoutToken0123456789abcdefXYZ'
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64')
const savedEnv = { ...process.env }
let tmp: string
let fake: FakeLfs
let checkout: string
let n = 0

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-lfs-checkout-')))
})
afterEach(async () => {
  process.env = { ...savedEnv }
  process.exitCode = undefined
  await fake?.close()
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** A checkout of a one-file model whose weights are a pointer, and the LFS server that holds them. */
async function setUp(): Promise<void> {
  checkout = path.join(tmp, `ws-${++n}`)
  const objects = writeCheckout(checkout, {
    'config.json': configJson({ vocab_size: 64, hidden_size: 16 }),
    ...single(tinyLlama()),
  })
  fake = await startFakeLfs({ objects, token: TOKEN })
  writeCheckout(checkout, {}, { remote: `${fake.url}/owner/repo` })
}

describe('the CLI', () => {
  it('reads the pointers through LFS with --lfs-headers, and says so in the JSON report', async () => {
    await setUp()
    process.env.GITHUB_TOKEN = TOKEN
    process.env.GITHUB_SERVER_URL = fake.url
    const { stdout, stderr } = await runCliIn(checkout, ['.', '--lfs-headers', '--format', 'json'])
    const report = JSON.parse(stdout) as {
      targets: { lfs?: { read: string[]; requests: number; bytes: number }; findings: { ruleId: string }[] }[]
    }
    expect(report.targets[0]!.findings.map((f) => f.ruleId)).not.toContain('MR304')
    expect(report.targets[0]!.lfs).toEqual({
      read: ['model.safetensors'],
      requests: 2,
      bytes: expect.any(Number),
    })
    expect(stdout + stderr).not.toContain(TOKEN)

    const text = await runCliIn(checkout, ['.', '--lfs-headers'])
    expect(text.stdout).toMatch(
      /lfs: the headers of 1 safetensors file were read through the repository's Git LFS server \(2 requests, [\d.]+ KB\); in the checkout they are pointers, and their data was not downloaded/,
    )
  })

  it('sends nothing without --lfs-headers: MR304 as before', async () => {
    await setUp()
    process.env.GITHUB_TOKEN = TOKEN
    process.env.GITHUB_SERVER_URL = fake.url
    const { stdout } = await runCliIn(checkout, ['.'])
    expect(stdout).toMatch(/error MR304 lfs-pointer-files 1 file is a Git LFS pointer/)
    expect(fake.log).toHaveLength(0)
  })
})

describe('the action', () => {
  it('reads the pointers through LFS with github-token, and the summary and report say so', async () => {
    await setUp()
    const outputFile = path.join(checkout, '..', `output-${n}`)
    const summaryFile = path.join(checkout, '..', `summary-${n}`)
    const runnerTemp = path.join(checkout, '..')
    writeFileSync(outputFile, '')
    writeFileSync(summaryFile, '')
    const { run } = await import('../src/main.js')
    const stdout = await runActionIn(
      (env) => run(env),
      {
        PATH: savedEnv.PATH,
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: checkout,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_SERVER_URL: fake.url,
        RUNNER_TEMP: runnerTemp,
      },
      {
        MODEL: '.',
        'FAIL-ON': 'error',
        'LFS-HEADERS': 'true',
        'GITHUB-TOKEN': TOKEN,
        'UPLOAD-REPORT': 'false',
      },
    )
    const summary = readFileSync(summaryFile, 'utf8')
    // Markdown escapes punctuation with a backslash; the text as GitHub shows it has none.
    expect(summary.replace(/\\(.)/g, '$1')).toMatch(
      /Git LFS: the headers of 1 safetensors file were read through the repository's Git LFS server/,
    )
    const report = readFileSync(path.join(runnerTemp, 'friendli-preflight-report.json'), 'utf8')
    expect(JSON.parse(report).targets[0].lfs.read).toEqual(['model.safetensors'])
    expect(report).not.toContain('MR304')
    // The token is in one line only: the command that masks it.
    const lines = stdout.split('\n').filter((l) => l.includes(TOKEN) || l.includes(BASIC))
    expect(lines).toEqual([`::add-mask::${TOKEN}`])
    expect(summary + report).not.toContain(TOKEN)
    const batch = fake.log.find((r) => r.server === 'lfs')
    expect(batch?.headers.authorization).toBe(`Basic ${BASIC}`)
  })
})

describe('settings', () => {
  const raw = { model: '.', config: '', failOn: '', extraArchitectures: '' }
  it('lfs-headers is true or false; the GitHub server is GITHUB_SERVER_URL, else github.com', () => {
    const on = (lfsHeaders: string, env: NodeJS.ProcessEnv = {}) =>
      resolveSettings({ ...raw, lfsHeaders, githubToken: ' t ' }, tmp, env).lfs
    expect(on('')).toBeUndefined()
    expect(on('false')).toBeUndefined()
    expect(on('true')).toEqual({ github: { url: 'https://github.com', token: 't' } })
    expect(on('TRUE', { GITHUB_SERVER_URL: 'https://ghe.example/' })).toEqual({
      github: { url: 'https://ghe.example', token: 't' },
    })
    expect(() => on('yes')).toThrow('lfs-headers must be true or false; got "yes"')
    expect(() => on('true', { GITHUB_SERVER_URL: 'not a url' })).toThrow('GITHUB_SERVER_URL is not a URL')
  })
})
