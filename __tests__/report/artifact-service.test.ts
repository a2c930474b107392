// The real @actions/artifact client (the one the action bundles), against a loopback artifact service:
// what the action's upload sends, and how many requests it takes. A real ACTIONS_RUNTIME_TOKEN and
// GitHub's own service cannot be had in a test; the self-test job in .github/workflows/ci.yml makes the
// one real upload.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { artifactName, uploadReportArtifact } from '../../src/report/artifact.js'
import { startFakeArtifactService } from '../helpers/fake-artifact-service.js'

/** A runtime token shaped as the runner's: a JWT whose scope claim names the run and the job. */
const TOKEN = [
  Buffer.from('{"alg":"none"}').toString('base64url'),
  Buffer.from(JSON.stringify({ scp: 'Actions.Results:run-1:job-1' })).toString('base64url'),
  'signature',
].join('.')

let tmp: string
let files: string[]
const saved = { ...process.env }
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-artifact-'))
  files = [path.join(tmp, 'friendli-preflight-report.json'), path.join(tmp, 'friendli-preflight.sarif')]
  writeFileSync(files[0]!, '{"version": 1, "targets": []}\n')
  writeFileSync(files[1]!, '{"version": "2.1.0", "runs": []}\n')
})
afterEach(() => {
  process.env = { ...saved }
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** The runner's variables, with the service on loopback; @actions/artifact reads them from process.env. */
function runnerEnv(serviceUrl: string): NodeJS.ProcessEnv {
  const env = {
    PATH: saved.PATH,
    ACTIONS_RUNTIME_TOKEN: TOKEN,
    ACTIONS_RESULTS_URL: `${serviceUrl}/`,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_RUN_ID: '7',
    GITHUB_JOB: 'check',
    GITHUB_WORKSPACE: tmp,
  }
  process.env = env
  return env
}

/** `work`, with what it prints on stdout (the library's log lines and commands) kept, not shown. */
async function printed<T>(work: () => Promise<T>): Promise<[T, string]> {
  let out = ''
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s)
    return true
  })
  try {
    return [await work(), out]
  } finally {
    spy.mockRestore()
  }
}

describe('@actions/artifact against a loopback artifact service', () => {
  it('creates the artifact, uploads one zip of the two files, finalizes it: four requests', async () => {
    const service = await startFakeArtifactService()
    try {
      const env = runnerEnv(service.url)
      const [out, stdout] = await printed(() => uploadReportArtifact(files, env, ['ws']))
      expect(out).toEqual({
        uploaded: true,
        artifact: {
          name: artifactName(env, ['ws']),
          id: 42,
          url: 'https://github.com/o/r/actions/runs/7/artifacts/42',
        },
      })
      expect(service.log.map((r) => `${r.method} ${r.path.replace(/^\/twirp\/[^/]+\//, '')}`)).toEqual([
        'POST CreateArtifact',
        'PUT /blob/artifact.zip',
        'PUT /blob/artifact.zip',
        'POST FinalizeArtifact',
      ])
      // The service calls carry the runtime token; the blob upload, only its signed URL.
      expect(service.log[0]!.authorization).toBe(`Bearer ${TOKEN}`)
      expect(service.log[1]!.authorization).toBeUndefined()
      const create = JSON.parse(service.log[0]!.body.toString('utf8'))
      expect(create).toMatchObject({
        name: artifactName(env, ['ws']),
        workflow_run_backend_id: 'run-1',
        workflow_job_run_backend_id: 'job-1',
        mime_type: 'application/zip',
      })
      // Kept 30 days.
      const days = (Date.parse(create.expires_at) - Date.now()) / 86_400_000
      expect(Math.round(days)).toBe(30)
      // A zip with the two files at its root.
      const zip = service.uploaded()!
      expect(zip.subarray(0, 2).toString('latin1')).toBe('PK')
      expect(zip.toString('latin1')).toContain('friendli-preflight-report.json')
      expect(zip.toString('latin1')).toContain('friendli-preflight.sarif')
      expect(zip.toString('latin1')).not.toContain(tmp)
      // The library masks the signed URL's signature, and logs it in a debug line: the action runs the
      // upload with commands on, or the mask would not take and the line would show (main.ts).
      expect(stdout).toContain('::add-mask::s3cr3t-sig\n')
      expect(stdout).toMatch(/^::debug::Body: .*sig=s3cr3t-sig/m)
      expect(stdout).not.toMatch(/^::(warning|error)/m)
    } finally {
      await service.close()
    }
  })

  it('a name the run already has (409) is a reason to warn with, after one request', async () => {
    const service = await startFakeArtifactService({
      refuseCreate: { status: 409, msg: 'an artifact with this name already exists on the workflow run' },
    })
    try {
      const [out, stdout] = await printed(() => uploadReportArtifact(files, runnerEnv(service.url), ['ws']))
      // Nothing of the library's own becomes a second warning or an error.
      expect(stdout).not.toMatch(/^::(warning|error)/m)
      expect(out).toMatchObject({ uploaded: false, warn: true })
      expect((out as { reason: string }).reason).toMatch(/^Failed to CreateArtifact: .*\(409\) Conflict/)
      expect(service.log).toHaveLength(1)
    } finally {
      await service.close()
    }
  })
})
