import { describe, expect, it } from '@jest/globals'
import { defineModelRule, type ModelRule } from '../../src/rules/model-rule.js'
import { runModelRules } from '../../src/engine/run-model.js'
import { memorySource } from '../../src/sources/memory.js'
import type { Source } from '../../src/sources/source.js'

const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://d/' }

const reporter = defineModelRule({
  meta: {
    id: 'MR900',
    name: 'test-reporter',
    description: 'Report the config',
    severity: 'warning',
    artifacts: ['config'],
    messages: {
      seen: { text: (d: { state: string }) => `Config is ${d.state}.`, hint: () => 'Do nothing.' },
      loud: { text: () => 'Loud.', severity: 'error' },
    },
  },
  check({ artifacts, report }) {
    report('seen', { state: artifacts.config.state }, { path: 'config.json' })
    report('loud', {}, { path: '.' })
  },
})

const crasher = defineModelRule({
  meta: {
    id: 'MR901',
    name: 'test-crasher',
    description: 'Crash',
    severity: 'info',
    artifacts: ['files'],
    messages: {},
  },
  check() {
    throw new Error('boom')
  },
})

/** Counts reads, to prove each artifact is loaded once however many rules declare it. */
function counting(source: Source) {
  const reads: string[] = []
  return {
    reads,
    source: { ...source, read: (p: string) => (reads.push(p), source.read(p)) },
  }
}

describe('runModelRules', () => {
  it('fills in id, name, docs link and severity; a message can carry its own default severity', async () => {
    const findings = await runModelRules(memorySource({ 'config.json': '{}' }), [reporter], options)
    expect(findings).toEqual([
      {
        ruleId: 'MR900',
        rule: 'test-reporter',
        messageId: 'seen',
        severity: 'warning',
        message: 'Config is ok.',
        hint: 'Do nothing.',
        location: { path: 'config.json' },
        docsUrl: 'https://d/test-reporter.md',
      },
      {
        ruleId: 'MR900',
        rule: 'test-reporter',
        messageId: 'loud',
        severity: 'error',
        message: 'Loud.',
        hint: undefined,
        location: { path: '.' },
        docsUrl: 'https://d/test-reporter.md',
      },
    ])
  })

  it('a user level overrides every message of the rule; off skips it and its artifacts', async () => {
    const { source, reads } = counting(memorySource({ 'config.json': '{}' }))
    const info = await runModelRules(source, [reporter], { ...options, levels: new Map([['MR900', 'info']]) })
    expect(info.map((f) => f.severity)).toEqual(['info', 'info'])
    reads.length = 0
    expect(
      await runModelRules(source, [reporter], { ...options, levels: new Map([['MR900', 'off']]) }),
    ).toEqual([])
    expect(reads).toEqual([])
  })

  it('loads each artifact once for all the rules that declare it', async () => {
    const { source, reads } = counting(memorySource({ 'config.json': '{}' }))
    const twin = { ...reporter, meta: { ...reporter.meta, id: 'MR902' } } as ModelRule
    await runModelRules(source, [reporter, twin], options)
    expect(reads).toEqual(['config.json'])
  })

  it('gives a rule only the artifacts it declares', async () => {
    let seen: string[] = []
    const peek = defineModelRule({
      meta: {
        id: 'MR903',
        name: 'peek',
        description: 'Peek',
        severity: 'info',
        artifacts: ['files'],
        messages: {},
      },
      check({ artifacts }) {
        seen = Object.keys(artifacts)
      },
    })
    await runModelRules(memorySource({ 'config.json': '{}' }), [reporter, peek], options)
    expect(seen).toEqual(['files'])
  })

  it('says which message a rule reported that it does not have', async () => {
    const stray = defineModelRule({
      meta: { ...crasher.meta, id: 'MR902', name: 'test-stray', messages: {} },
      check({ report }) {
        ;(report as (key: string, data: unknown, at: { path: string }) => void)('nope', {}, { path: '.' })
      },
    })
    const [f] = await runModelRules(memorySource({}), [stray], options)
    expect(f).toMatchObject({
      messageId: 'crashed',
      message: 'Rule MR902 (test-stray) crashed: it reported "nope", which is not one of its messages.',
    })
  })

  it('turns a crashing rule into one error finding and runs the others', async () => {
    const findings = await runModelRules(memorySource({}), [crasher, reporter], options)
    expect(findings[0]).toMatchObject({
      ruleId: 'MR901',
      messageId: 'crashed',
      severity: 'error',
      message: 'Rule MR901 (test-crasher) crashed: boom.',
    })
    expect(findings.slice(1).map((f) => f.ruleId)).toEqual(['MR900', 'MR900'])
  })
})
