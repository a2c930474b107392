// --format github goes through the model of the runner's command parser (helpers/runner-commands.ts):
// each annotation must come back as the runner reads it, with the intended file, line, column, title
// and message, and nothing a pull request controls (file names, messages, hints) may add a command
// or a property.
import { describe, expect, it, jest } from '@jest/globals'
import * as core from '@actions/core'
import fc from 'fast-check'
import type { Report } from '../../src/check.js'
import type { Finding } from '../../src/common/finding.js'
import { planAnnotations } from '../../src/report/annotations.js'
import { escapeData, escapeProperty, formatGithub } from '../../src/report/github-format.js'
import { neutralize } from '../../src/report/command-guard.js'
import { printable, summaryLine } from '../../src/report/text.js'
import { finding, report, target } from '../helpers/report.js'
import { executedCommands, runnerLines } from '../helpers/runner-commands.js'

const WHERE = { workspace: '/repo', repositoryRoot: '/repo' }
const ANNOTATION_PROPS = ['file', 'line', 'col', 'title']

/** The annotation commands the runner would run, and the lines that are not commands. */
function parse(output: string) {
  const commands = executedCommands(output)
  const text = runnerLines(output).filter((l) => l && !commands.some((c) => c.line === l))
  return { commands, text }
}

describe('formatGithub', () => {
  it('prints each planned annotation as one command that parses back to it, then the summary line', () => {
    const r = report([
      target([
        finding('error', { path: 'config.json', line: 3, column: 5 }, 1),
        finding('warning', { path: 'tokenizer_config.json' }, 2),
        finding('info', { path: '.' }, 3),
      ]),
    ])
    const out = formatGithub(r, WHERE)
    const { commands, text } = parse(out)
    expect(text).toEqual([summaryLine(r)])
    expect(out.endsWith(`${summaryLine(r)}\n`)).toBe(true)
    expect(commands.map((c) => ({ name: c.name, ...c.props, data: c.data }))).toEqual(
      planAnnotations(r).map((a) => ({
        name: a.level,
        ...(a.file ? { file: a.file } : {}),
        ...(a.startLine ? { line: String(a.startLine) } : {}),
        ...(a.startColumn ? { col: String(a.startColumn) } : {}),
        title: a.title,
        data: a.message,
      })),
    )
    expect(commands[0]!.line).toBe(
      '::error file=models/m/config.json,line=3,col=5,title=MR101 rule-1::Message 1 | <b>bold</b>.%0AHint 1.',
    )
  })

  it('writes paths relative to the repository root, and names a file outside it in the message', () => {
    const r = report([
      target([finding('error', { path: 'config.json', line: 2, column: 1 })]),
      target([finding('error', { path: 'config.json', line: 4 })], {
        ref: '../elsewhere',
        rootInWorkspace: '../../elsewhere',
      }),
    ])
    const [inside, outside] = parse(
      formatGithub(r, { workspace: '/repo/sub', repositoryRoot: '/repo' }),
    ).commands
    expect(inside!.props).toMatchObject({ file: 'sub/models/m/config.json', line: '2', col: '1' })
    expect(outside!.props.file).toBeUndefined()
    expect(outside!.props.line).toBeUndefined()
    expect(outside!.data.startsWith('../../elsewhere/config.json:4: Message 0')).toBe(true)
  })

  it('keeps a path that starts with "=" absolute: the runner drops a value\'s leading "="', () => {
    const r = report([target([finding('error', { path: '=x.json', line: 1 })], { rootInWorkspace: '' })])
    const [c] = parse(formatGithub(r, WHERE)).commands
    expect(c!.props.file).toBe('/repo/=x.json')
  })

  it('reports a target that could not be checked, and counts it in the summary line', () => {
    const r = report([target([], { status: 'error', error: 'no such folder', ref: 'models/gone' })])
    const { commands, text } = parse(formatGithub(r, WHERE))
    expect(commands.map((c) => [c.name, c.props.title, c.data])).toEqual([
      ['error', 'friendli-preflight could not check', 'Could not check models/gone: no such folder'],
    ])
    expect(text).toEqual([summaryLine(r)])
  })
})

/** Pieces a pull request can put in a file name, a JSON value, a template error or a row. */
const HOSTILE = fc.constantFrom(
  '::',
  ':',
  ',',
  '=',
  '%',
  '%0A',
  '%3A',
  '%25',
  '##[',
  ']',
  ';',
  ' ',
  '\r',
  '\n',
  '\r\n',
  '\u0085',
  '\u2028',
  '\x1b[31m',
  'error',
  'set-output name=result',
  'stop-commands',
  'line=1',
  'title=x',
  'a',
)
const hostile = fc.array(HOSTILE, { minLength: 1, maxLength: 24 }).map((p) => p.join(''))

function hostileReport(path: string, message: string, hint: string, rowed: boolean): Report {
  const f: Finding = {
    ...finding('error', rowed ? { path, line: 7, row: 3 } : { path, line: 7, column: 2 }),
    message,
    hint,
  }
  return report([target([f, { ...f, severity: 'warning' }, { ...f, location: { path } }])])
}

describe('formatGithub on hostile text', () => {
  it('adds no command and no property, and every annotation keeps its file, line and message', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, fc.boolean(), (path, message, hint, rowed) => {
        const r = hostileReport(path, message, hint, rowed)
        const plan = planAnnotations(r)
        const out = formatGithub(r, WHERE)
        const { commands, text } = parse(out)
        // One line per annotation and the summary: no CR or LF of the repository's splits a line.
        expect(runnerLines(out)).toHaveLength(plan.length + 2)
        expect(text).toEqual([summaryLine(r)])
        expect(commands).toHaveLength(plan.length)
        commands.forEach((c, i) => {
          const a = plan[i]!
          expect(c.name).toBe(a.level)
          expect(Object.keys(c.props).every((k) => ANNOTATION_PROPS.includes(k))).toBe(true)
          expect(c.props.line).toBe(a.startLine === undefined ? undefined : String(a.startLine))
          expect(c.props.title).toBe(a.title)
          // The file as given (relative to the root, which is the workspace here), its controls shown
          // as escapes; a leading `=` makes it absolute (see above).
          if (a.file)
            expect(c.props.file).toBe(printable(a.file.startsWith('=') ? `/repo/${a.file}` : a.file))
          // The message as given, its controls shown as escapes and `##[` / `::` split (command-guard.ts).
          expect(c.data).toBe(neutralize(a.message.split('\n').map(printable).join('\n')))
        })
      }),
      { numRuns: 1000 },
    )
  })

  it('shows terminal escapes and line breaks of repository text as escapes, not as controls', () => {
    const r = hostileReport('a\x1b[2Jb.json', 'x\ry\u202ez', 'hint', false)
    const [c] = parse(formatGithub(r, WHERE)).commands
    expect(c!.props.file).toBe('models/m/a\\u{1b}[2Jb.json')
    expect(c!.data).toBe('x\\ry\\u{202e}z\nhint')
  })
})

describe('the runner model reads properties as the runner does', () => {
  it('splits them at every comma and unescapes them; a value loses its leading "="', () => {
    expect(executedCommands('::error file=a,line=99,title=x%3Ay%2Cz%25::m%0An%3A')[0]).toMatchObject({
      props: { file: 'a', line: '99', title: 'x:y,z%' },
      data: 'm\nn%3A',
    })
    expect(executedCommands('::error file==x.json,,=line=2::m')[0]!.props).toEqual({
      file: 'x.json',
      line: '2',
    })
  })
})

describe('escapeData and escapeProperty', () => {
  it('escape as @actions/core does', () => {
    let out = ''
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s)
      return true
    })
    try {
      fc.assert(
        fc.property(
          fc.string({
            unit: fc.oneof(
              fc.constantFrom('%', '\r', '\n', ':', ',', ';', ']', '='),
              fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
            ),
            minLength: 1,
          }),
          (s) => {
            out = ''
            core.notice(s, { title: s })
            expect(out).toBe(`::notice title=${escapeProperty(s)}::${escapeData(s)}\n`)
          },
        ),
        { numRuns: 500 },
      )
    } finally {
      spy.mockRestore()
    }
  })
})
