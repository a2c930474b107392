import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/dataset/template-render.js'
import { chat, chatmlBase, jsonl, runDataset } from '../../helpers/dataset-tester.js'

const GEMMA = [
  "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}",
  "{% for m in messages %}{{ '<start_of_turn>' + m['role'] + '\\n' + m['content'] + '<end_of_turn>\\n' }}{% endfor %}",
].join('')

describe('DS401 template-render', () => {
  it("a row the template refuses, in its own words; a row Jinja2 cannot render, with Python's message", async () => {
    const rows = [
      chat(['user', 'a'], ['assistant', 'b']),
      chat(['system', 's'], ['user', 'a'], ['assistant', 'b']),
      chat(['user', [{ type: 'text', text: 'a' }]], ['assistant', 'b']),
    ]
    const findings = (
      await runDataset([rule], { 'train.jsonl': jsonl(rows) }, { base: chatmlBase({ template: GEMMA }) })
    ).findings
    expect(findings.map((f) => [f.messageId, f.location.line, f.message])).toEqual([
      ['raised', 2, 'The chat template of org/base refuses this row: "System role not supported".'],
      [
        'failed',
        3,
        'The chat template of org/base cannot render this row: can only concatenate str (not "list") to str.',
      ],
    ])
  })
  it('says nothing without a base model', async () => {
    expect((await runDataset([rule], { 'train.jsonl': jsonl([chat(['user', [1]])]) })).findings).toEqual([])
  })
})
