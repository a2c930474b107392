import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  defuseLibraryOutput,
  neutralize,
  neutralizeJson,
  pauseCommands,
} from '../../src/report/command-guard.js'
import { executedCommands } from '../helpers/runner-commands.js'

/** Lines a pull request could plant in a file name, a JSON value, a template or a row. */
const HOSTILE = [
  '::error file=x.py,line=1::fake annotation',
  '  ::warning::indented',
  '\u0085::notice::after NEL',
  '::add-mask::secret-looking-text',
  '::stop-commands::hide-everything',
  '::set-output name=result::pass',
  'text ##[set-output name=result]pass',
  '##[error]legacy at the start',
  'a\r::error::after a lone CR',
  'a\r\n::group::after CRLF',
  '::ERROR::upper case',
]

describe('the runner model', () => {
  it('runs each hostile line as the runner does', () => {
    for (const line of HOSTILE) expect(executedCommands(line).length).toBeGreaterThan(0)
  })

  it('ignores everything but the resume token after stop-commands', () => {
    const cmds = executedCommands(
      ['::stop-commands::tok', ...HOSTILE, '::tok::', '::error::after'].join('\n'),
    )
    expect(cmds.map((c) => c.name)).toEqual(['stop-commands', 'resume', 'error'])
  })
})

describe('neutralize', () => {
  it.each(HOSTILE)('defuses %j', (line) => {
    expect(executedCommands(neutralize(line))).toEqual([])
  })

  it('leaves ordinary text as it was', () => {
    const text = 'config.json:3:5 error MR203 Architecture Foo: a::b and #[x] and ## [y]\n'
    expect(neutralize(text)).toBe(text)
  })

  it('defuses any string a pull request could write', () => {
    const pieces = fc.constantFrom(
      '::',
      '##[',
      ']',
      ' ',
      '\r',
      '\n',
      '\u0085',
      'error',
      'set-output',
      'x',
      '=',
      ',',
    )
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        expect(executedCommands(neutralize(parts.join('')))).toEqual([])
      }),
      { numRuns: 2000 },
    )
  })
})

describe('neutralizeJson', () => {
  it('keeps the value and defuses the legacy form', () => {
    const value = { message: 'x ##[set-output name=result]pass', lines: ['::error::y', 'a\r::warning::z'] }
    const json = neutralizeJson(JSON.stringify(value, null, 2))
    expect(JSON.parse(json)).toEqual(value)
    expect(executedCommands(json)).toEqual([])
  })
})

describe('pauseCommands', () => {
  it('lets only its own commands through, with a fresh token each time', () => {
    let out = ''
    const write = (s: string) => (out += s)
    const pause = pauseCommands(write)
    write(HOSTILE.join('\n') + '\n')
    pause.ownCommands(() => write('::error title=MR101::ours\n'))
    write(HOSTILE.join('\n') + '\n')
    pause.end()
    const names = executedCommands(out).map((c) => c.name)
    expect(names).toEqual(['stop-commands', 'resume', 'error', 'stop-commands', 'resume'])
    const tokens = executedCommands(out)
      .filter((c) => c.name === 'stop-commands')
      .map((c) => c.data)
    expect(new Set(tokens).size).toBe(2)
  })

  it('pauses again when its own commands throw', () => {
    let out = ''
    const pause = pauseCommands((s) => (out += s))
    expect(() =>
      pause.ownCommands(() => {
        throw new Error('boom')
      }),
    ).toThrow('boom')
    out += '::error::after the throw\n'
    expect(executedCommands(out).map((c) => c.name)).toEqual(['stop-commands', 'resume', 'stop-commands'])
  })
})

describe('defuseLibraryOutput', () => {
  it('routes console and process warnings through neutralize, then restores them', () => {
    let out = ''
    const before = console.warn
    const restore = defuseLibraryOutput((s) => (out += s))
    try {
      console.warn('pattern %s', '::error::from a tokenizer')
      console.log('##[set-output name=result]pass')
      process.emitWarning('::add-mask::from yaml')
    } finally {
      restore()
    }
    expect(console.warn).toBe(before)
    expect(out).toContain('from a tokenizer')
    expect(executedCommands(out)).toEqual([])
  })
})
