import { describe, expect, it } from '@jest/globals'
import rule from '../../../src/rules/model/adapter-rank-patterns.js'
import { adapterConfig, corpusAdapters, corpusFindings, CORPUS_MODELS } from '../../helpers/adapter.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const adapter = (overrides: Record<string, unknown>) => ({ 'adapter_config.json': adapterConfig(overrides) })
const file = 'adapter_config.json'

ruleTester(rule, {
  valid: [
    { name: 'one rank and alpha everywhere, as PEFT writes it', files: adapter({}) },
    {
      name: 'empty patterns and unset layers',
      files: adapter({
        rank_pattern: {},
        alpha_pattern: {},
        layers_to_transform: null,
        layers_pattern: null,
      }),
    },
    {
      name: 'the fields absent (older PEFT)',
      files: adapter({ rank_pattern: undefined, layers_pattern: undefined }),
    },
    {
      name: 'an empty layers_pattern string or list',
      files: adapter({ layers_pattern: '', layers_to_transform: [] }),
    },
    { name: 'a broken adapter_config.json: invalid-adapter-config reports it', files: { [file]: '{,}' } },
    { name: 'a model: the rule does not run', files: { 'config.json': configJson() } },
  ],
  invalid: [
    {
      name: 'a rank pattern: at its line, naming the entries',
      files: adapter({ rank_pattern: { q_proj: 16, 'model.layers.0.self_attn.v_proj': 4 } }),
      errors: [
        {
          messageId: 'rankPattern',
          path: file,
          line: 9,
          column: 3,
          pointer: '/rank_pattern',
          message:
            '"rank_pattern" sets its own rank for 2 module patterns ("q_proj": 16 and "model.layers.0.self_attn.v_proj": 4), and Friendli\'s legacy adapter converter rejected per-layer ranks.',
        },
      ],
    },
    {
      name: 'an alpha pattern of five entries: three shown',
      // alpha_pattern sorts first: it takes lines 2 to 8, then the base fields follow from line 9.
      files: adapter({ alpha_pattern: { a: 1, b: 2, c: 3, d: 4, e: 5 } }),
      errors: [
        {
          messageId: 'alphaPattern',
          path: file,
          line: 2,
          column: 3,
          pointer: '/alpha_pattern',
          message:
            '"alpha_pattern" sets its own alpha for 5 module patterns ("a": 1, "b": 2, "c": 3 and 2 more), and Friendli\'s legacy adapter converter rejected per-layer alphas.',
        },
      ],
    },
    {
      name: 'both patterns: rank first, then alpha, each at its line',
      // alpha_pattern takes lines 2 to 4, which moves rank_pattern from line 9 to line 12.
      files: adapter({ alpha_pattern: { q_proj: 64 }, rank_pattern: { q_proj: 32 } }),
      errors: [
        { messageId: 'rankPattern', path: file, line: 12, column: 3, message: '1 module pattern (' },
        { messageId: 'alphaPattern', path: file, line: 2, column: 3 },
      ],
    },
    {
      name: 'layers_to_transform as a list',
      files: adapter({ layers_to_transform: [0, 1, 2, 3] }),
      errors: [
        {
          messageId: 'layersToTransform',
          path: file,
          line: 4,
          column: 3,
          pointer: '/layers_to_transform',
          message:
            '"layers_to_transform" is [0,1,2,3], so only some layers may be adapted, and Friendli\'s legacy adapter converter accepted it only when it listed every layer of the base model.',
        },
      ],
    },
    {
      name: 'layers_to_transform as one number',
      files: adapter({ layers_to_transform: 0 }),
      errors: [{ messageId: 'layersToTransform', path: file, line: 4, column: 3, message: 'is 0, so' }],
    },
    {
      name: 'a long layer list is cut short',
      files: adapter({ layers_to_transform: Array.from({ length: 80 }, (_, i) => i) }),
      errors: [
        {
          messageId: 'layersToTransform',
          path: file,
          line: 4,
          column: 3,
          message: /^"layers_to_transform" is \[0,1,2,[0-9,]+…, so only some layers/,
        },
      ],
    },
    {
      name: 'layers_pattern with layers_to_transform: both, in file order',
      files: adapter({ layers_pattern: 'layers', layers_to_transform: [30, 31] }),
      errors: [
        { messageId: 'layersToTransform', path: file, line: 4, column: 3, message: 'is [30,31],' },
        {
          messageId: 'layersPattern',
          path: file,
          line: 3,
          column: 3,
          pointer: '/layers_pattern',
          message:
            '"layers_pattern" is "layers", and Friendli\'s legacy adapter converter accepted only adapters without one.',
        },
      ],
    },
    {
      name: 'layers_pattern as a list',
      files: adapter({ layers_pattern: ['h', 'layers'] }),
      errors: [{ messageId: 'layersPattern', path: file, line: 3, column: 3, message: 'is ["h","layers"],' }],
    },
    {
      name: 'the user can turn the warnings into errors',
      files: adapter({ rank_pattern: { q_proj: 16 } }),
      level: 'error',
      errors: [{ messageId: 'rankPattern', path: file, line: 9, column: 3, severity: 'error' }],
    },
  ],
})

describe('MR606 on the corpus adapters', () => {
  const names = corpusAdapters()
  if (names.length === 0) {
    it('is skipped: no corpus', () => console.log(`${CORPUS_MODELS} is absent: corpus adapter tests skipped`))
    return
  }
  it.each(names)('%s uses one rank everywhere', async (name) => {
    expect(await corpusFindings(rule, name)).toEqual([])
  })
})
