import { afterEach, describe, expect, it } from '@jest/globals'
import {
  ANNOTATION_MESSAGE_MAX,
  CHECK_RUN_OUTPUT_MAX,
  checkAnnotations,
  checkRunSummary,
  publishCheckRun,
} from '../../src/report/check-run.js'
import { formatSummary } from '../../src/report/summary.js'
import { startFakeGithub } from '../helpers/fake-github.js'
import { renderers, tags } from '../helpers/gfm.js'
import { finding, report, target } from '../helpers/report.js'

const servers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const many = (n: number) =>
  report([
    target(
      Array.from({ length: n }, (_, i) =>
        finding(i % 2 ? 'warning' : 'error', { path: 'train.jsonl', line: i + 1, row: i + 1 }, i),
      ),
    ),
  ])

describe('check run', () => {
  it('creates one completed run and adds every annotation, 50 per request', async () => {
    const gh = await startFakeGithub()
    servers.push(gh)
    const r = await publishCheckRun(
      { apiUrl: gh.url, token: 'ghs_test', repository: 'o/r', sha: 'a'.repeat(40) },
      many(120),
      '## summary',
    )
    expect(r).toEqual({ ok: true, url: 'https://github.test/o/r/runs/7', annotations: 120 })
    expect(gh.log.map((q) => [q.method, q.path, q.body.output.annotations.length])).toEqual([
      ['POST', '/repos/o/r/check-runs', 50],
      ['PATCH', '/repos/o/r/check-runs/7', 50],
      ['PATCH', '/repos/o/r/check-runs/7', 20],
    ])
    expect(gh.log[0].body).toMatchObject({
      name: 'friendli-preflight',
      head_sha: 'a'.repeat(40),
      status: 'completed',
      conclusion: 'failure',
    })
    expect(gh.log[0].body.output.annotations[0]).toMatchObject({
      path: 'models/m/train.jsonl',
      start_line: 1,
      end_line: 1,
      annotation_level: 'failure',
    })
    expect(gh.log.every((q) => q.authorization === 'Bearer ghs_test')).toBe(true)
  })

  it('a read-only token (a fork pull request) is a reason, not a failure', async () => {
    const gh = await startFakeGithub({ readOnly: true })
    servers.push(gh)
    const r = await publishCheckRun(
      { apiUrl: gh.url, token: 'ghs_ro', repository: 'o/r', sha: 'b'.repeat(40) },
      many(3),
      '',
    )
    expect(r).toEqual({
      ok: false,
      reason: expect.stringContaining('the token may not create check runs (403: a pull request from a fork'),
    })
  })

  it('an unreachable API is a reason too', async () => {
    const r = await publishCheckRun(
      { apiUrl: 'http://127.0.0.1:1', token: 't', repository: 'o/r', sha: 'c'.repeat(40) },
      many(1),
      '',
    )
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('the Checks API could not be reached') })
  })

  it("only findings on a line become annotations; a target's folder finding goes on the line naming it", () => {
    const t = target(
      [
        finding('error', { path: 'config.json', line: 2 }),
        finding('info', { path: 'x.bin' }),
        finding('error', { path: '.' }),
      ],
      {
        spec: {
          kind: 'model',
          ref: 'm',
          source: 'local',
          root: '/w/m',
          origin: { file: '.friendli-preflight.yml', line: 4 },
        },
      },
    )
    expect(checkAnnotations(report([t])).map((a) => [a.path, a.start_line])).toEqual([
      ['models/m/config.json', 2],
      ['.friendli-preflight.yml', 4],
    ])
  })

  it('the summary it sends stays within 65,535 characters, cut between rows with the table closed', async () => {
    const summary = formatSummary(
      report([
        target(
          Array.from({ length: 5_000 }, (_, i) => ({
            ...finding('error', { path: `dir/é😀${i}.json`, line: i + 1 }, i),
            message: `ü😀|[x](https://evil.test)`.repeat(20),
          })),
        ),
      ]),
    )
    expect(summary.length).toBeGreaterThan(CHECK_RUN_OUTPUT_MAX * 5)
    const gh = await startFakeGithub()
    servers.push(gh)
    await publishCheckRun(
      { apiUrl: gh.url, token: 't', repository: 'o/r', sha: 'd'.repeat(40) },
      many(60),
      summary,
    )
    for (const q of gh.log) {
      const sent: string = q.body.output.summary
      expect(sent.length).toBeLessThanOrEqual(CHECK_RUN_OUTPUT_MAX)
      expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(CHECK_RUN_OUTPUT_MAX)
      expect(sent).toBe(checkRunSummary(summary))
    }
    const sent = checkRunSummary(summary)
    expect(summary.startsWith(sent.slice(0, sent.lastIndexOf('|\n') + 1))).toBe(true)
    expect(sent).toMatch(
      / \|\n\n\(Cut here: the check run takes at most 65,535 characters; the job summary and the JSON report have the rest\.\)\n$/,
    )
    for (const { render } of renderers) {
      const html = render(sent)
      expect(tags(html).filter((t) => t === 'table')).toHaveLength(1)
      expect(html).toMatch(/<\/table>\s*<p>\(Cut here/)
      expect(tags(html)).not.toContain('img')
    }
  })

  it('a summary that fits is sent as it is', () => {
    expect(checkRunSummary('## summary\n')).toBe('## summary\n')
  })

  it('cuts an annotation message of megabytes to what the API takes', () => {
    const t = target([{ ...finding('error', { path: 'c.json', line: 1 }), message: 'ü'.repeat(3_000_000) }])
    const [a] = checkAnnotations(report([t]))
    expect(a!.message.length).toBe(ANNOTATION_MESSAGE_MAX)
    expect(Buffer.byteLength(a!.message)).toBeLessThan(64 * 1024)
  })
})
