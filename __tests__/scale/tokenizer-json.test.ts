// MR404 on a 50 MB tokenizer.json: read once, parsed once (counted). Its time is in bench/large-inputs.ts.
import { describe, expect, it, jest } from '@jest/globals'
import { runModelRules } from '../../src/engine/run-model.js'
import tokenizerJson from '../../src/rules/model/tokenizer-json.js'
import { countingSource, options } from './model-helpers.js'

describe('MR404 on a 50 MB tokenizer.json', () => {
  it('is read once and parsed once, and its ids are checked', async () => {
    const vocab: Record<string, number> = {}
    for (let i = 0; i < 1_000_000; i++) vocab[`tok_${i}_${'x'.repeat(28)}`] = i
    const text = JSON.stringify({ added_tokens: [], model: { type: 'BPE', vocab, merges: [] } })
    expect(text.length).toBeGreaterThan(45_000_000)
    const { source, reads } = countingSource({
      'tokenizer.json': text,
      'tokenizer_config.json': JSON.stringify({ added_tokens_decoder: { 999999: { content: 'other' } } }),
    })
    const parse = jest.spyOn(JSON, 'parse')
    let bigParses: number
    let findings
    try {
      findings = await runModelRules(source, [tokenizerJson], options)
      bigParses = parse.mock.calls.filter(([t]) => typeof t === 'string' && t.length > 45_000_000).length
    } finally {
      parse.mockRestore()
    }
    expect(findings.map((f) => f.messageId)).toEqual(['addedTokens'])
    expect(reads.get('tokenizer.json')).toBe(1)
    expect(bigParses).toBe(1)
  })
})
