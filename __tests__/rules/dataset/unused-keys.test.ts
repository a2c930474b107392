import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/dataset/unused-keys.js'
import { chatmlBase, jsonl, runDataset } from '../../helpers/dataset-tester.js'

describe('DS301 unused-keys', () => {
  it('reports keys the template never names, once per key, with the count and the first row', async () => {
    const row = {
      messages: [
        { role: 'user', content: 'a', weight: 1 },
        { role: 'assistant', content: 'b', weight: 0, name: 'bot' },
      ],
    }
    const findings = (await runDataset([rule], { 'train.jsonl': jsonl([row, row]) }, { base: chatmlBase() }))
      .findings
    expect(findings.map((f) => f.message)).toEqual([
      'Messages carry "weight" (4 messages, first in row 1), which the base model\'s chat template never reads: it is dropped from training silently.',
      'Messages carry "name" (2 messages, first in row 1), which the base model\'s chat template never reads: it is dropped from training silently.',
    ])
  })
  it('keys the template reads are fine, and without a base model nothing is said', async () => {
    const template =
      "{% for m in messages %}{{ m['role'] }}{% if m.name %}{{ m.name }}{% endif %}{{ m['content'] }}{% endfor %}"
    const files = { 'train.jsonl': jsonl([{ messages: [{ role: 'user', content: 'a', name: 'x' }] }]) }
    expect((await runDataset([rule], files, { base: chatmlBase({ template }) })).findings).toEqual([])
    expect((await runDataset([rule], files)).findings).toEqual([])
  })
})
