import { afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { Ajv, type ValidateFunction } from 'ajv'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Report } from '../../src/check.js'
import { UsageError } from '../../src/common/errors.js'
import { createGitHubClient } from '../../src/github/client.js'
import {
  ANNOTATION_MESSAGE_MAX,
  CHECK_RUN_OUTPUT_MAX,
  checkAnnotations,
  checkRunConclusion,
  checkRunLogLine,
  checkRunName,
  checkRunSummary,
  MAX_ANNOTATIONS,
  publishCheckRun,
} from '../../src/report/check-run.js'
import { formatSummary } from '../../src/report/summary.js'
import { type FakeGithubOptions } from '../helpers/fake-github.js'
import { startFakeGithubClient } from '../helpers/fake-github-client.js'
import { renderers, tags } from '../helpers/gfm.js'
import { finding, report, target } from '../helpers/report.js'

const servers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** `n` findings on distinct lines: no two group, so each is one annotation. */
const many = (n: number) =>
  report([
    target(
      Array.from({ length: n }, (_, i) =>
        finding(i % 2 ? 'warning' : 'error', { path: 'config.json', line: i + 1 }, i % 7),
      ),
    ),
  ])

/** A fake GitHub and a check run on it; the plugins' waits are 1 ms a second, and no proxy is read. */
async function publish(
  r: Report,
  summary = '## summary',
  options: FakeGithubOptions = {},
  timeoutMs?: number,
) {
  const { gh, octokit, lines } = await startFakeGithubClient(options, timeoutMs ? { timeoutMs } : {})
  servers.push(gh)
  const result = await publishCheckRun(
    {
      octokit,
      owner: 'o',
      repo: 'r',
      sha: 'a'.repeat(40),
      name: 'preflight (py3.12)',
      detailsUrl: 'https://github.test/o/r/actions/runs/5',
    },
    r,
    summary,
  )
  return { gh, result, lines }
}

/** The Checks API's request bodies as GitHub's OpenAPI description (@octokit/openapi) states them. */
let validCreate: ValidateFunction
let validUpdate: ValidateFunction
beforeAll(() => {
  const require = createRequire(import.meta.url)
  // The non-dereferenced description: 13 MB, where index.js would load every variant (400 MB).
  const spec = JSON.parse(
    readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8'),
  ) as {
    paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: object }> } }>>
  }
  const body = (path: string, method: string) =>
    spec.paths[path]![method]!.requestBody.content['application/json']!.schema
  // strict: false, for OpenAPI's own keywords (description, example) beside JSON Schema's.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
  validCreate = ajv.compile(body('/repos/{owner}/{repo}/check-runs', 'post'))
  validUpdate = ajv.compile(body('/repos/{owner}/{repo}/check-runs/{check_run_id}', 'patch'))
})
const valid = (q: { method: string; body: unknown }) => {
  const validate = q.method === 'POST' ? validCreate : validUpdate
  return validate(q.body) ? [] : validate.errors
}

describe('check run', () => {
  it('creates one completed run and adds every annotation, 50 per request, each body as the API describes it', async () => {
    const { gh, result } = await publish(many(120))
    expect(result).toEqual({
      created: true,
      url: 'https://github.test/o/r/runs/7',
      annotations: 120,
      notShown: 0,
      batches: 3,
      failedBatches: 0,
    })
    expect(gh.log.map((q) => [q.method, q.path, q.body.output.annotations.length])).toEqual([
      ['POST', '/repos/o/r/check-runs', 50],
      ['PATCH', '/repos/o/r/check-runs/7', 50],
      ['PATCH', '/repos/o/r/check-runs/7', 20],
    ])
    expect(gh.log[0]!.body).toMatchObject({
      name: 'preflight (py3.12)',
      head_sha: 'a'.repeat(40),
      details_url: 'https://github.test/o/r/actions/runs/5',
      status: 'completed',
      conclusion: 'failure',
    })
    expect(gh.log[0]!.body.output.annotations[0]).toMatchObject({
      path: 'models/m/config.json',
      start_line: 1,
      end_line: 1,
      annotation_level: 'failure',
    })
    for (const q of gh.log) expect(valid(q)).toEqual([])
    expect(gh.log.every((q) => q.authorization === 'token ghs_test')).toBe(true)
  })

  it('30,000 findings: 1,000 annotations in 20 requests, the rest counted in the text, every body valid', async () => {
    const { gh, result } = await publish(many(30_000))
    expect(gh.log.length).toBeLessThanOrEqual(25)
    expect(gh.log).toHaveLength(MAX_ANNOTATIONS / 50)
    expect(gh.runs.get(7)!.annotations).toHaveLength(MAX_ANNOTATIONS)
    expect(result).toMatchObject({ created: true, annotations: MAX_ANNOTATIONS, notShown: 29_000 })
    // Errors first: the 15,000 errors fill the thousand, the warnings are counted.
    expect(
      (gh.runs.get(7)!.annotations as { annotation_level: string }[]).every(
        (a) => a.annotation_level === 'failure',
      ),
    ).toBe(true)
    const text: string = gh.log[0]!.body.output.text
    expect(text).toMatch(
      /^29,000 more annotations are not shown: friendli-preflight annotates at most 1,000 per check run/,
    )
    expect(text).toContain('- MR100 rule-0 (failure): ')
    expect(text).toContain('(warning): ')
    const counted = [...text.matchAll(/: ([\d,]+)$/gm)].reduce(
      (n, m) => n + Number(m[1]!.replace(/,/g, '')),
      0,
    )
    expect(counted).toBe(29_000)
    expect(gh.log[0]!.body.output.title).toBe('15,000 errors, 15,000 warnings, 0 infos')
    for (const q of gh.log) expect(valid(q)).toEqual([])
    expect(checkRunLogLine('friendli-preflight', result)).toBe(
      'Check run "friendli-preflight" created with 1,000 annotations (29,000 more counted in its text): https://github.test/o/r/runs/7',
    )
  })

  it('groups rows as every output does: one annotation per rule, message and file, with the count', () => {
    const rows = Array.from({ length: 40 }, (_, i) =>
      finding('error', { path: 'train.jsonl', line: i + 1, row: i + 1 }),
    )
    const { annotations } = checkAnnotations(report([target(rows, { kind: 'dataset' })]))
    expect(annotations).toHaveLength(1)
    expect(annotations[0]).toMatchObject({
      title: 'MR100 rule-0: 40 rows',
      path: 'models/m/train.jsonl',
      start_line: 1,
    })
    expect(annotations[0]!.message.split('\n')).toEqual([
      ...[1, 2, 3, 4, 5].map((r) => `models/m/train.jsonl:${r} (row ${r}): Message 0 | <b>bold</b>.`),
      '…and 35 more rows: the JSON report (the report artifact, or --format json) lists them, up to 1,000 per rule and file, and counts the rest.',
      'Hint 0.',
    ])
  })

  it('orders by severity, root causes first, before the cap cuts', () => {
    const cause = { ...finding('error', { path: 'model.safetensors', line: 9 }, 3), rootCause: true as const }
    const { annotations } = checkAnnotations(
      report([
        target([
          finding('info', { path: 'a.json', line: 1 }, 1),
          finding('error', { path: 'b.json', line: 1 }, 2),
          cause,
        ]),
      ]),
    )
    expect(annotations.map((a) => a.title)).toEqual(['MR103 rule-3', 'MR102 rule-2', 'MR101 rule-1'])
  })

  it('a read-only token (a pull request from a fork) is a reason, not a failure', async () => {
    const { result, gh } = await publish(many(3), '', { readOnly: true })
    expect(gh.log).toHaveLength(1) // 403 is not retried
    expect(result).toEqual({
      created: false,
      reason: expect.stringContaining('the token may not create check runs (403: a pull request from a fork'),
    })
    expect(checkRunLogLine('x', result)).toMatch(/^No check run: the token may not create check runs \(403/)
  })

  it('an unreachable API is a reason too', async () => {
    const octokit = createGitHubClient('t', { baseUrl: 'http://127.0.0.1:1', msPerSecond: 1, env: {} })
    const r = await publishCheckRun(
      { octokit, owner: 'o', repo: 'r', sha: 'c'.repeat(40), name: 'n' },
      many(1),
      '',
    )
    expect(r).toEqual({
      created: false,
      reason: expect.stringContaining('the Checks API could not be reached'),
    })
  })

  it('says honestly when some annotation batches failed, and goes on with the others', async () => {
    const { gh, result } = await publish(many(1_000), '', {
      // The 3rd, 8th and 9th update are refused.
      answer: (q, n) =>
        q.method === 'PATCH' && [3, 8, 9].includes(n)
          ? { status: 422, body: { message: 'Validation Failed' } }
          : undefined,
    })
    expect(gh.log).toHaveLength(20)
    expect(result).toMatchObject({ created: true, annotations: 850, batches: 20, failedBatches: 3 })
    expect(checkRunLogLine('friendli-preflight', result)).toBe(
      'Check run "friendli-preflight" created, but 3 of 20 annotation batches failed (850 annotations added): the Checks API answered 422: Validation Failed: https://github.test/o/r/runs/7',
    )
  })

  it('stops at an update that gets no answer, and counts the batches not sent', async () => {
    const { gh, result } = await publish(
      many(300),
      '',
      { answer: (_q, n) => (n === 2 ? 'hang' : undefined) },
      200,
    )
    expect(gh.log).toHaveLength(3) // the create, one update, the one that hung; no retry of it, nothing after
    expect(result).toMatchObject({ created: true, annotations: 100, batches: 6, failedBatches: 4 })
    expect(checkRunLogLine('n', result)).toContain(
      'created, but 4 of 6 annotation batches failed (100 annotations added): GitHub sent no answer within 0.2 s',
    )
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
    const { annotations, unplaced } = checkAnnotations(report([t]))
    expect(annotations.map((a) => [a.path, a.start_line])).toEqual([
      ['models/m/config.json', 2],
      ['.friendli-preflight.yml', 4],
    ])
    expect(unplaced).toBe(1)
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
    const { gh } = await publish(many(60), summary)
    for (const q of gh.log) {
      const sent: string = q.body.output.summary
      expect(sent.length).toBeLessThanOrEqual(CHECK_RUN_OUTPUT_MAX)
      expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(CHECK_RUN_OUTPUT_MAX)
      expect(sent).toBe(checkRunSummary(summary))
      // Never half a surrogate pair.
      expect(sent).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
      expect(valid(q)).toEqual([])
    }
    const sent = checkRunSummary(summary)
    expect(summary.startsWith(sent.slice(0, sent.lastIndexOf('|\n') + 1))).toBe(true)
    expect(sent).toMatch(
      / \|\n\n\(Cut here: the check run takes at most 65,535 characters; the job summary and the JSON report have the rest\.\)\n$/,
    )
    for (const { render } of renderers) {
      const html = render(sent)
      expect(html).toMatch(/<\/table>\s*<p>\(Cut here/)
      expect(tags(html)).not.toContain('img')
    }
  })

  it('cuts a summary of astral characters on a character boundary', () => {
    const summary = Array.from({ length: 40_000 }, () => '😀').join('\n')
    const sent = checkRunSummary(summary)
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(CHECK_RUN_OUTPUT_MAX)
    expect(sent).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
  })

  it('a summary that fits is sent as it is', () => {
    expect(checkRunSummary('## summary\n')).toBe('## summary\n')
  })

  it('cuts an annotation message of megabytes to what the API takes', () => {
    const t = target([{ ...finding('error', { path: 'c.json', line: 1 }), message: 'ü'.repeat(3_000_000) }])
    const [a] = checkAnnotations(report([t])).annotations
    expect(a!.message.length).toBeLessThanOrEqual(ANNOTATION_MESSAGE_MAX)
    expect(Buffer.byteLength(a!.message)).toBeLessThan(64 * 1024)
  })
})

describe('check run conclusion', () => {
  const failing = target([finding('error', { path: 'config.json', line: 1 })])
  const unchecked = target([], { status: 'error', error: 'the Hub answered 503' })
  const passing = target([finding('warning', { path: 'config.json', line: 1 })])

  it('is failure whenever a target fails, even when another could not be checked', async () => {
    const mixed = report([unchecked, failing])
    expect(mixed.result).toBe('error')
    expect(checkRunConclusion(mixed)).toBe('failure')
    const { gh } = await publish(mixed)
    expect(gh.log[0]!.body).toMatchObject({
      conclusion: 'failure',
      output: { title: '1 error, 0 warnings, 0 infos; 1 target not checked' },
    })
  })

  it('is neutral only when nothing failed and something could not be checked, else success', () => {
    expect(checkRunConclusion(report([unchecked, passing]))).toBe('neutral')
    expect(checkRunConclusion(report([passing]))).toBe('success')
  })
})

describe('check-name', () => {
  it('takes a plain name, trimmed', () => {
    expect(checkRunName('  preflight (ubuntu, 3.12) ')).toBe('preflight (ubuntu, 3.12)')
    expect(checkRunName('é'.repeat(100))).toBe('é'.repeat(100))
  })

  it.each([
    ['', /check-name is empty/],
    ['x'.repeat(101), /check-name is 101 characters long; at most 100/],
    ['a\nb', /control character/],
    ['a\u001b[31mb', /control character/],
  ])('refuses %j', (name, why) => {
    expect(() => checkRunName(name)).toThrow(UsageError)
    expect(() => checkRunName(name)).toThrow(why)
  })
})
