// Scenario fixtures: tiny realistic repos with the CLI's text output beside them in expected.txt.
// Reviewers read expected.txt like annotations. UPDATE_EXPECTED=1 rewrites them after a deliberate change.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { checkTargets } from '../src/check.js'
import { formatText } from '../src/report/text.js'
import { resolveSettings } from '../src/settings.js'

const root = path.resolve(import.meta.dirname, '..')
const scenarios = path.join(import.meta.dirname, 'fixtures', 'scenarios')

/** Each case: workspace, config file (relative to it) and where its expected output lives. */
const cases = [
  ...readdirSync(scenarios).map((name) => {
    const workspace = path.join(scenarios, name, 'model')
    return {
      name,
      workspace,
      config: existsSync(path.join(scenarios, name, 'config.yml')) ? '../config.yml' : '',
      expected: path.join(scenarios, name, 'expected.txt'),
    }
  }),
  // The README's first command: every example, as `npm start` prints it.
  {
    name: 'examples',
    workspace: root,
    config: 'examples/friendli-preflight.yml',
    expected: path.join(root, 'examples', 'expected.txt'),
  },
]

describe('scenarios', () => {
  it.each(cases)('$name', async ({ workspace, config, expected }) => {
    const settings = resolveSettings({ model: '', config, failOn: '', extraArchitectures: '' }, workspace)
    const text = formatText(await checkTargets(settings, {}))
    if (process.env.UPDATE_EXPECTED) writeFileSync(expected, text)
    expect(text).toBe(readFileSync(expected, 'utf8'))
  })
})
