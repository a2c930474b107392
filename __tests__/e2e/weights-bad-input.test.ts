// Weights bad input through the real CLI bundle on real files: every case gives findings, bounded
// memory, no hang, and nothing read outside the folder.
import { describe, expect, it } from '@jest/globals'
import { symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { cliModels, weightIndex, type CliFinding } from '../helpers/cli-models.js'
import { makeSafetensors } from '../helpers/safetensors.js'
import { runtimes } from '../helpers/run-bundle.js'

const { model, check, fresh } = cliModels('fp-weights-')
const weightFindings = (fs: CliFinding[]) =>
  fs.filter((f) => /^MR3/.test(f.ruleId)).map((f) => `${f.ruleId} ${f.location.path}: ${f.message}`)

describe.each(runtimes())('weights bad input under $name', ({ bin }) => {
  it('0-byte, 7-byte, 2^63-1 header length, length past the end, not JSON, a JSON array', () => {
    const len = (n: bigint) => {
      const b = Buffer.alloc(8)
      b.writeBigUInt64LE(n)
      return b
    }
    const dir = model({
      'a-empty.safetensors': new Uint8Array(0),
      'b-seven.safetensors': new Uint8Array(7),
      'c-huge.safetensors': Buffer.concat([len(2n ** 63n - 1n), Buffer.from('{}')]),
      'd-past.safetensors': Buffer.concat([len(1000n), Buffer.from('{}      ')]),
      'e-notjson.safetensors': Buffer.concat([len(8n), Buffer.from('not json')]),
      'f-array.safetensors': Buffer.concat([len(8n), Buffer.from('[1, 2]  ')]),
    })
    expect(weightFindings(check(bin, dir).findings)).toEqual([
      'MR301 a-empty.safetensors: a-empty.safetensors is 0 bytes long, too short to hold the 8-byte header length every safetensors file starts with.',
      'MR301 b-seven.safetensors: b-seven.safetensors is 7 bytes long, too short to hold the 8-byte header length every safetensors file starts with.',
      'MR301 c-huge.safetensors: c-huge.safetensors declares a header of 9223372036854775807 bytes, over the safetensors limit of 100,000,000.',
      'MR301 d-past.safetensors: d-past.safetensors declares a header of 1,000 bytes, longer than the file (16 bytes).',
      expect.stringMatching(
        /^MR301 e-notjson\.safetensors: The header of e-notjson\.safetensors is not valid JSON: /,
      ),
      'MR301 f-array.safetensors: The header of f-array.safetensors must be a JSON object but is an array.',
    ])
  })

  it('a shard linking to /dev/zero or outside the folder is never opened; a shard that is a folder is reported', () => {
    const outside = fresh('outside.safetensors')
    writeFileSync(outside, makeSafetensors({ w: { dtype: 'F16', shape: [2] } }))
    const dir = model({
      'model.safetensors.index.json': weightIndex({
        a: 'model-00001-of-00003.safetensors',
        b: 'model-00002-of-00003.safetensors',
        c: 'model-00003-of-00003.safetensors',
      }),
      'model-00003-of-00003.safetensors': null,
    })
    symlinkSync('/dev/zero', path.join(dir, 'model-00001-of-00003.safetensors'))
    symlinkSync(outside, path.join(dir, 'model-00002-of-00003.safetensors'))
    // No hang: the CLI exits by itself (exit 0 under --fail-on never), not killed by runCli's timeout.
    const { status, findings } = check(bin, dir)
    expect(status).toBe(0)
    const ids = findings.map((f) => `${f.ruleId} ${f.location.path}`)
    expect(ids).toContain('MR105 .')
    expect(findings.find((f) => f.ruleId === 'MR105')?.message).toBe(
      '2 files are links to a place outside the model folder and were not read: model-00001-of-00003.safetensors and model-00002-of-00003.safetensors.',
    )
    // No shard is a regular file: missing-safetensors names them, and missing-shard's finding on the
    // folder shard is folded into it (root cause first).
    expect(findings.find((f) => f.ruleId === 'MR102')?.message).toBe(
      'No safetensors weights at the root of the model: model-00001-of-00003.safetensors, model-00002-of-00003.safetensors and model-00003-of-00003.safetensors are not regular files. It explains 1 more finding, folded into this one: MR306 missing-shard.',
    )
    expect(ids).not.toContain('MR306 model.safetensors.index.json')
  })

  // An index of 100,000 shards and a header of 100,000 tensors: __tests__/scale/e2e-weights.test.ts.
})
