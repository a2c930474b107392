// The bundled action, run as the runner runs it, on the bundled examples: the proof that a workflow
// using this action turns red on a non-conforming model, with annotations on the right lines.
import { describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startFakeArtifactService } from '../helpers/fake-artifact-service.js'
import { actionBundle, runAction, runActionAsync, runtimes } from '../helpers/run-bundle.js'
import { executedCommands } from '../helpers/runner-commands.js'

if (!existsSync(actionBundle)) throw new Error('dist/index.js is missing: run npm run bundle')

describe.each(runtimes())('action bundle under $name', ({ bin }) => {
  it('fails on the broken example with error annotations on the exact lines', () => {
    const run = runAction(bin, { model: 'examples/broken-model', 'fail-on': 'error' })
    expect(run.status).toBe(1)
    const errors = run.commands.filter((c) => c.level === 'error')
    const located = errors
      .filter((c) => c.props.line)
      .map((c) => `${c.props.title} ${c.props.file}:${c.props.line}:${c.props.col}`)
    expect(located).toEqual([
      'MR203 unsupported-architecture examples/broken-model/config.json:3:5',
      'MR402 tokenizer-config examples/broken-model/tokenizer_config.json:4:1',
    ])
    const titles = errors.map((c) => c.props.title)
    expect(titles).toEqual(expect.arrayContaining(['MR103 nested-model (file-level)']))
    // No safetensors at the root is a consequence of the nesting: folded into MR103 (root cause first).
    expect(titles).not.toContain('MR102 missing-safetensors')
    // The nested-model finding sits on the nested file the root lacks.
    expect(errors.find((c) => c.props.title === 'MR103 nested-model (file-level)')?.props.file).toBe(
      'examples/broken-model/checkpoint-final/model.safetensors',
    )
    expect(run.commands.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/^friendli-preflight: fail: /),
    })
    expect(run.outputs).toMatchObject({ result: 'fail', errors: '3', warnings: '1' })
    expect(run.summary).toContain('## friendli-preflight: ❌ fail')
    expect(run.summary).toContain('[MR203 unsupported-architecture](')
    const report = JSON.parse(readFileSync(run.outputs['report-file'], 'utf8'))
    expect(report.summary).toEqual({ errors: 3, warnings: 1, infos: 1, result: 'fail' })
  })

  it('passes on the conforming example', () => {
    const run = runAction(bin, { model: 'examples/conforming-chat-model' })
    expect(run.status).toBe(0)
    expect(run.commands.filter((c) => c.level !== 'notice')).toEqual([])
    expect(run.outputs).toMatchObject({ result: 'pass', errors: '0', warnings: '0' })
    expect(run.summary).toContain('## friendli-preflight: ✅ pass')
  })

  it('checks every target of a config file and annotates folder-level findings on the line naming the target', () => {
    const run = runAction(bin, { config: 'examples/friendli-preflight.yml' })
    expect(run.status).toBe(1)
    const missing = run.commands.find((c) => c.props.title === 'MR401 missing-tokenizer-json')
    expect(missing?.props).toMatchObject({ file: 'examples/friendli-preflight.yml', line: '4' })
  })

  it('fail-on: never reports but does not fail', () => {
    const run = runAction(bin, { model: 'examples/broken-model', 'fail-on': 'never' })
    expect(run.status).toBe(0)
    expect(run.outputs.result).toBe('pass')
    expect(run.commands.filter((c) => c.level === 'error').length).toBe(3)
  })

  it('an unknown fail-on value fails with one clear error and no stack trace', () => {
    const run = runAction(bin, { 'fail-on': 'sometimes' })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual([
      {
        level: 'error',
        props: {},
        message: 'friendli-preflight: fail-on must be one of error, warning, never; got "sometimes"',
      },
    ])
    expect(run.stdout).not.toMatch(/\n\s+at /)
  })

  it('a mistake in the config file: one error on its line, the outputs, a summary, a failed step', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'fp-action-config-'))
    try {
      writeFileSync(path.join(ws, '.friendli-preflight.yml'), 'rules: {}\ntargets:\n  - modle: ./m\n')
      const run = runAction(bin, {}, ws)
      const message = '.friendli-preflight.yml:3:5: unknown key "modle" in targets[0]; did you mean "model"?'
      expect(run.status).toBe(1)
      expect(run.commands).toEqual([
        {
          level: 'error',
          props: {
            title: 'friendli-preflight could not check',
            file: '.friendli-preflight.yml',
            line: '3',
            col: '5',
          },
          message,
        },
      ])
      expect(run.outputs).toMatchObject({ result: 'fail', errors: '0', warnings: '0' })
      expect(JSON.parse(readFileSync(run.outputs['report-file'], 'utf8')).summary).toEqual({
        errors: 0,
        warnings: 0,
        infos: 0,
        result: 'error',
      })
      expect(run.summary).toContain('## friendli-preflight: ⚠️ could not check')
      expect(run.stdout).not.toMatch(/\n\s+at /)
    } finally {
      rmSync(ws, { recursive: true, force: true })
    }
  })

  it('uploads the report with the bundled @actions/artifact, links it, and masks the signed URL', async () => {
    const service = await startFakeArtifactService()
    try {
      const scope = Buffer.from(JSON.stringify({ scp: 'Actions.Results:run-1:job-1' })).toString('base64url')
      const run = await runActionAsync(bin, { model: 'examples/broken-model' }, undefined, {
        ACTIONS_RUNTIME_TOKEN: `e30.${scope}.sig`,
        ACTIONS_RESULTS_URL: `${service.url}/`,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_RUN_ID: '7',
        GITHUB_JOB: 'check',
      })
      expect(run.status).toBe(1) // the broken model's verdict, whatever the upload
      expect(service.log.map((r) => r.method)).toEqual(['POST', 'PUT', 'PUT', 'POST'])
      expect(run.outputs).toMatchObject({
        'report-artifact-id': '42',
        'report-artifact-url': 'https://github.com/o/r/actions/runs/7/artifacts/42',
      })
      expect(run.summary).toMatch(
        /\nFull report: artifact \[`friendli-preflight-report-check-[0-9a-f]{12}`\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/7\/artifacts\/42\)/,
      )
      // The library's mask of the signature runs as a command; its debug lines stay commands (hidden).
      const commands = executedCommands(run.stdout)
      expect(commands).toContainEqual(expect.objectContaining({ name: 'add-mask', data: 's3cr3t-sig' }))
      expect(
        run.stdout.split('\n').filter((l) => l.includes('s3cr3t-sig') && !/^::(add-mask|debug)::/.test(l)),
      ).toEqual([])
      expect(run.commands.filter((c) => c.level === 'warning' && !c.props.title)).toEqual([])
    } finally {
      await service.close()
    }
  })

  it('a missing model folder is "could not check", not a finding', () => {
    const run = runAction(bin, { model: './no/such/folder' })
    expect(run.status).toBe(1)
    expect(run.commands[0]).toMatchObject({
      level: 'error',
      message: 'Could not check ./no/such/folder: the folder does not exist',
    })
    expect(run.outputs.result).toBe('fail')
  })
})
