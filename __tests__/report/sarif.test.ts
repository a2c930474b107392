import { describe, expect, it } from '@jest/globals'
import { allRules } from '../../src/rules/registry.js'
import { toSarif } from '../../src/report/sarif.js'
import { finding, report, target } from '../helpers/report.js'

describe('toSarif', () => {
  it('has what GitHub code scanning requires: every rule described, every result on a repository file', () => {
    const r = report([
      target([
        finding('error', { path: 'config.json', line: 3, column: 5 }),
        finding('warning', { path: 'tokenizer.json' }),
        finding('info', { path: '.' }),
      ]),
    ])
    const sarif = toSarif(r, '1.2.3', 'https://docs.test/')
    expect(sarif.version).toBe('2.1.0')
    const { driver } = sarif.runs[0].tool
    expect(driver).toMatchObject({ name: 'friendli-preflight', version: '1.2.3' })
    expect(driver.rules).toHaveLength(allRules.length)
    for (const rule of driver.rules) {
      expect(rule.shortDescription.text).not.toBe('')
      expect(rule.fullDescription.text).not.toBe('')
      expect(rule.help.text).toContain(`https://docs.test/${rule.name}.md`)
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level)
    }
    expect(sarif.runs[0].results.map((x) => [x.level, x.locations[0].physicalLocation])).toEqual([
      [
        'error',
        { artifactLocation: { uri: 'models/m/config.json' }, region: { startLine: 3, startColumn: 5 } },
      ],
      // No line is known: the file only, never an invented line 1.
      ['warning', { artifactLocation: { uri: 'models/m/tokenizer.json' } }],
      ['note', { artifactLocation: { uri: 'models/m' } }],
    ])
  })

  it('a folder-level finding of a target named in the config file goes on that line', () => {
    const t = target([finding('error', { path: '.' })], {
      spec: {
        kind: 'model',
        ref: 'm',
        source: 'local',
        root: '/w/m',
        origin: { file: '.friendli-preflight.yml', line: 4 },
      },
    })
    const sarif = toSarif(report([t]), '1', '')
    expect(sarif.runs[0].results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: '.friendli-preflight.yml' },
      region: { startLine: 4 },
    })
  })
})
