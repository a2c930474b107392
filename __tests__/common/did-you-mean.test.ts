import { describe, expect, it } from '@jest/globals'
import { allowedEdits, didYouMean, editDistance } from '../../src/common/did-you-mean.js'
import { nearestServed, skeleton } from '../../src/rules/utils/architectures.js'

describe('editDistance', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['casual', 'causal', 1], // an adjacent transposition is one edit
    ['model', 'modle', 1],
    ['', 'abc', 3],
    ['same', 'same', 0],
  ])('%s → %s is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d)
    expect(editDistance(b, a)).toBe(d)
  })

  it('stops at the limit: a far pair costs no full table', () => {
    expect(editDistance('a', 'x'.repeat(10_000), 3)).toBe(4)
    expect(editDistance('abcdefgh', 'zyxwvuts', 2)).toBe(3)
  })
})

describe('didYouMean', () => {
  const keys = ['model', 'dataset', 'base-model', 'split', 'max-rows']
  it('finds a typo, a case slip and a transposition', () => {
    expect(didYouMean('modle', keys)).toBe('model')
    expect(didYouMean('MODEL', keys)).toBe('model')
    expect(didYouMean('base_model', keys)).toBe('base-model')
    expect(didYouMean('max_rows', keys)).toBe('max-rows')
  })
  it('says nothing when nothing is close, for empty and for huge names', () => {
    expect(didYouMean('zzzzzz', keys)).toBeUndefined()
    expect(didYouMean('', keys)).toBeUndefined()
    expect(didYouMean('m'.repeat(10_000), keys)).toBeUndefined()
  })
  it('allows more edits for longer names, never more than three', () => {
    expect([3, 8, 12, 40, 200].map(allowedEdits)).toEqual([1, 2, 3, 3, 3])
  })
})

describe('architecture look-alikes and families', () => {
  it('folds Cyrillic, Greek, fullwidth and invisible characters to the Latin name they imitate', () => {
    expect(skeleton('LlamaForCausalL\u041C')).toBe('LlamaForCausalLM')
    expect(skeleton('Qwen2F\u03BFrCausal\u200BLM')).toBe('Qwen2ForCausalLM')
    expect(skeleton('\uFF2C\uFF4C\uFF41\uFF4D\uFF41ForCausalLM')).toBe('LlamaForCausalLM')
  })
  it('names the served classes of the same family', () => {
    expect(nearestServed('Gemma3ForCausalLM').map((e) => e.name)).toEqual(
      expect.arrayContaining(['Gemma2ForCausalLM', 'Gemma4ForConditionalGeneration']),
    )
    expect(nearestServed('PhimoeForCausalLM').map((e) => e.name)).toEqual(['Phi3ForCausalLM'])
    expect(nearestServed('Qwen3NextForCausalLM').map((e) => e.name)).toContain('Qwen3ForCausalLM')
    expect(nearestServed('StarCoder2ForCausalLM')).toEqual([])
  })
})
