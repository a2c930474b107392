// The report artifact's seam: names, the input, retention, and what an upload's outcome is. The
// upload itself needs the runner's ACTIONS_RUNTIME_TOKEN and artifact service, which no test can
// have: a fake uploader stands in for @actions/artifact.
import { describe, expect, it } from '@jest/globals'
import { UsageError } from '../../src/common/errors.js'
import {
  artifactName,
  retentionDays,
  uploadReportArtifact,
  uploadReportInput,
  type Uploader,
} from '../../src/report/artifact.js'

/** A runtime token shaped as the runner's: a JWT whose scope claim names the run and the job. */
const token = (job: string) =>
  [
    'e30',
    Buffer.from(JSON.stringify({ scp: `Actions.Results:run-1:${job}` })).toString('base64url'),
    'x',
  ].join('.')

const ENV: NodeJS.ProcessEnv = {
  ACTIONS_RUNTIME_TOKEN: token('job-1'),
  ACTIONS_RESULTS_URL: 'https://results.test/',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'o/r',
  GITHUB_RUN_ID: '7',
  GITHUB_JOB: 'check',
  GITHUB_ACTION: '__owner_friendli-preflight',
  GITHUB_RUN_ATTEMPT: '1',
}
const FILES = ['/runner/tmp/friendli-preflight-report.json', '/runner/tmp/friendli-preflight.sarif']

describe('upload-report', () => {
  it.each([
    ['', true],
    ['true', true],
    [' TRUE\n', true],
    ['True', true],
    ['false', false],
    ['FALSE', false],
  ])('%j is %s', (value, expected) => expect(uploadReportInput(value)).toBe(expected))

  it.each(['yes', 'no', '0', '1', 'off', 'true false'])('%j cannot be used', (value) => {
    expect(() => uploadReportInput(value)).toThrow(UsageError)
    expect(() => uploadReportInput(value)).toThrow(`upload-report must be true or false; got "${value}"`)
  })
})

describe('artifactName', () => {
  // Characters @actions/artifact refuses in a name (upload/path-and-artifact-name-validation.ts).
  const FORBIDDEN = /[":<>|*?\r\n\\/]/
  const name = (over: NodeJS.ProcessEnv = {}, inputs = ['ws', 'models/m']) =>
    artifactName({ ...ENV, ...over }, inputs)

  it('the same step of the same job gets the same name, readable and valid', () => {
    expect(name()).toBe(name())
    expect(name()).toMatch(/^friendli-preflight-report-check-[0-9a-f]{12}$/)
  })

  it('differs per matrix entry (the job run in the runtime token), step, attempt and inputs', () => {
    const names = [
      name(),
      name({ ACTIONS_RUNTIME_TOKEN: token('job-2') }),
      name({ GITHUB_ACTION: '__owner_friendli-preflight_2' }),
      name({ GITHUB_RUN_ATTEMPT: '2' }),
      name({}, ['ws', 'models/other']),
      name({ GITHUB_JOB: 'other' }),
    ]
    expect(new Set(names).size).toBe(names.length)
  })

  it('never holds the token, and stays valid whatever the job id and token hold', () => {
    for (const over of [
      { GITHUB_JOB: 'a/b:c*d?e|f"g<h>i\\j\nk' },
      { GITHUB_JOB: 'x'.repeat(500) },
      { GITHUB_JOB: undefined },
      { ACTIONS_RUNTIME_TOKEN: 'not a jwt' },
      { ACTIONS_RUNTIME_TOKEN: 'a.!!!.b' },
    ]) {
      const n = name(over)
      expect(n).not.toMatch(FORBIDDEN)
      expect(n.length).toBeLessThanOrEqual(100)
      expect(n).not.toContain('job-1')
    }
  })
})

describe('retentionDays', () => {
  it('30 days, or the repository limit when shorter', () => {
    expect(retentionDays({})).toBe(30)
    expect(retentionDays({ GITHUB_RETENTION_DAYS: '7' })).toBe(7)
    expect(retentionDays({ GITHUB_RETENTION_DAYS: '90' })).toBe(30)
    expect(retentionDays({ GITHUB_RETENTION_DAYS: 'soon' })).toBe(30)
    expect(retentionDays({ GITHUB_RETENTION_DAYS: '0' })).toBe(30)
  })
})

describe('uploadReportArtifact', () => {
  const fake = (result: () => Promise<{ id?: number }>) => {
    const calls: Parameters<Uploader>[] = []
    const upload: Uploader = (...args) => {
      calls.push(args)
      return result()
    }
    return { calls, upload }
  }

  it('uploads the files from their folder and gives the artifact page', async () => {
    const f = fake(() => Promise.resolve({ id: 42 }))
    const out = await uploadReportArtifact(FILES, { ...ENV, GITHUB_RETENTION_DAYS: '10' }, ['ws'], f.upload)
    expect(f.calls).toEqual([[artifactName(ENV, ['ws']), FILES, '/runner/tmp', { retentionDays: 10 }]])
    expect(out).toEqual({
      uploaded: true,
      artifact: {
        name: artifactName(ENV, ['ws']),
        id: 42,
        url: 'https://github.com/o/r/actions/runs/7/artifacts/42',
      },
    })
  })

  it('a failure is a reason on one line, never a throw', async () => {
    const f = fake(() => Promise.reject(new Error(`(409) Conflict\r\n${'x'.repeat(5_000)}`)))
    const out = await uploadReportArtifact(FILES, ENV, [], f.upload)
    expect(out).toMatchObject({ uploaded: false, warn: true })
    const reason = (out as { reason: string }).reason
    expect(reason).toMatch(/^\(409\) Conflict x+…$/)
    expect(reason.length).toBeLessThanOrEqual(500)
    expect(await uploadReportArtifact(FILES, ENV, [], fake(() => Promise.resolve({})).upload)).toEqual({
      uploaded: false,
      warn: true,
      reason: 'the artifact service returned no id',
    })
  })

  it('without the runtime token or the results service, or on GHES, nothing is tried', async () => {
    const f = fake(() => Promise.resolve({ id: 1 }))
    for (const env of [
      { ...ENV, ACTIONS_RUNTIME_TOKEN: '' },
      { ...ENV, ACTIONS_RESULTS_URL: undefined },
      { ...ENV, GITHUB_SERVER_URL: 'https://github.example.com' },
    ])
      expect(await uploadReportArtifact(FILES, env, [], f.upload)).toMatchObject({
        uploaded: false,
        warn: false,
      })
    expect(f.calls).toEqual([])
    // GHE.com (data residency) has the artifact service.
    await uploadReportArtifact(FILES, { ...ENV, GITHUB_SERVER_URL: 'https://acme.ghe.com' }, [], f.upload)
    expect(f.calls).toHaveLength(1)
  })
})
