// 10,000 deployment manifests in a monorepo: the search is bounded as model discovery is (folder
// entries read, files kept), and the run says what it left out. Counted, never timed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkTargets } from '../../src/check.js'
import { DISCOVERY_LIMITS, MANIFEST_FILES_LIMIT } from '../../src/discover.js'
import { resolveSettings } from '../../src/settings.js'
import { rawInputs } from '../helpers/raw-inputs.js'

const MANIFEST = 'name: chat\nautoscalingPolicy:\n  minReplica: 1\n'
let tmp: string

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-manifests-scale-')))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const n = (i: number) => String(i).padStart(5, '0')

describe('10,000 manifests', () => {
  it('in one folder: every one is found, the first 1,000 checked, and the rest counted in a note', async () => {
    const ws = path.join(tmp, 'flat')
    mkdirSync(path.join(ws, 'deploy'), { recursive: true })
    for (let i = 0; i < 10_000; i++)
      writeFileSync(path.join(ws, 'deploy', `friendli-endpoint-${n(i)}.yaml`), MANIFEST)
    const settings = resolveSettings(rawInputs(), ws, {})
    expect(settings.targets).toHaveLength(MANIFEST_FILES_LIMIT)
    expect(settings.targets.at(-1)!.ref).toBe('deploy/friendli-endpoint-00999.yaml')
    expect(settings.notes).toEqual([
      '10,000 manifests matched; the first 1,000 in path order were checked and 9,000 were not (check them in parts: scope: changed, or narrower manifests patterns)',
    ])
    const report = await checkTargets(settings, {})
    expect(report.targets).toHaveLength(1_000)
    expect(report.counts).toEqual({ errors: 0, warnings: 0, infos: 0 })
  })

  it('in a folder each: the search stops at 20,000 folder entries, and says so', () => {
    const ws = path.join(tmp, 'nested')
    for (let i = 0; i < 10_000; i++) {
      mkdirSync(path.join(ws, 'endpoints', n(i)), { recursive: true })
      writeFileSync(path.join(ws, 'endpoints', n(i), 'friendli-endpoint.yaml'), MANIFEST)
    }
    const settings = resolveSettings(rawInputs(), ws, {})
    // 1 + 10,000 folder entries are read before the first manifest's folder, so 9,999 folders' worth
    // of manifests fit in the rest of the 20,000.
    expect(settings.targets.length).toBe(MANIFEST_FILES_LIMIT)
    expect(settings.notes).toEqual([
      `the search for manifests stopped after reading ${DISCOVERY_LIMITS.entries.toLocaleString('en-US')} folder entries; manifests past them were not found (name their folders in the manifests patterns)`,
      '9,999 manifests matched; the first 1,000 in path order were checked and 8,999 were not (check them in parts: scope: changed, or narrower manifests patterns)',
    ])
  })
})
