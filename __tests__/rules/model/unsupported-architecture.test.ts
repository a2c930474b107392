import rule from '../../../src/rules/model/unsupported-architecture.js'
import { configJson, ruleTester, runRule, type Expected } from '../../helpers/rule-tester.js'
import evidence from '../../../src/data/architectures.json' with { type: 'json' }
import known from '../../../src/data/known-architectures.json' with { type: 'json' }

const config = (architectures: unknown, extra: Record<string, unknown> = {}) => ({
  'config.json': configJson({ architectures, ...extra }),
})

/** The finding on the first entry of `architectures` as config() writes it: config.json, line 3, column 5. */
const onFirstEntry = (
  messageId: string,
  rest: Pick<Expected, 'pointer' | 'severity' | 'message'> = {},
): Expected => ({
  messageId,
  path: 'config.json',
  line: 3,
  column: 5,
  ...rest,
})

// Architectures that real, deployable models use and that an earlier, converter-based list called
// unsupported: none of them may be an error.
const DEPLOYABLE = [
  'GemmaForCausalLM',
  'Gemma3ForCausalLM',
  'Gemma3ForConditionalGeneration',
  'Gemma4ForConditionalGeneration',
  'Llama4ForConditionalGeneration',
  'MllamaForConditionalGeneration',
  'Qwen2MoeForCausalLM',
  'Qwen3_5ForConditionalGeneration',
  'Qwen3_5MoeForConditionalGeneration',
  'Glm4ForCausalLM',
  'Glm4MoeForCausalLM',
  'GlmMoeDsaForCausalLM',
  'MiniMaxM2ForCausalLM',
  'DeepseekV2ForCausalLM',
  'DeepseekV32ForCausalLM',
  'KimiK25ForConditionalGeneration',
  'Mistral3ForConditionalGeneration',
  'GraniteForCausalLM',
  'GraniteMoeForCausalLM',
  'Starcoder2ForCausalLM',
  'PhimoeForCausalLM',
  'Qwen2_5_VLForConditionalGeneration',
  'BloomForCausalLM',
]

describe('MR203 unsupported-architecture: no error on a deployable architecture', () => {
  it.each(DEPLOYABLE)('%s is not an error', async (name) => {
    const findings = await runRule(rule, { files: config([name]) })
    expect(findings.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([])
  })

  it('every class with current or tooling evidence passes with no finding at all', async () => {
    const served = evidence.architectures.filter((a) => a.tier === 'current' || a.tier === 'tooling')
    expect(served.length).toBeGreaterThan(20)
    for (const a of served) expect(await runRule(rule, { files: config([a.name]) })).toEqual([])
  })

  it('every generation class transformers or vLLM knows is at most a warning', async () => {
    const names = Object.entries(known.architectures as Record<string, { head: string }>)
    let warned = 0
    for (const [name] of names) {
      const findings = await runRule(rule, { files: config([name]) })
      expect(findings.filter((f) => f.severity === 'error')).toEqual([])
      warned += findings.length
    }
    expect(warned).toBeGreaterThan(100)
  })
})

ruleTester(rule, {
  valid: [
    { name: 'a class with current Friendli evidence', files: config(['GlmMoeDsaForCausalLM']) },
    { name: "a class Friendli's model optimizer lists", files: config(['Gemma2ForCausalLM']) },
    { name: 'only the first entry counts', files: config(['Qwen2ForCausalLM', 'Unknown']) },
    {
      name: 'an architecture added by the user',
      files: config(['MyForCausalLM']),
      extraArchitectures: ['MyForCausalLM'],
    },
    {
      name: 'a class the repository defines through auto_map: requires-remote-code reports it',
      files: config(['ChatGLMishModel'], { auto_map: { AutoModel: 'modeling_chatglm.ChatGLMishModel' } }),
    },
    { name: 'no config.json: other rules report it', files: {} },
    { name: 'architectures malformed: missing-architectures reports it', files: config('LlamaForCausalLM') },
    { name: 'a non-string first entry: missing-architectures reports it', files: config([42]) },
    { name: 'an empty first entry: missing-architectures reports it', files: config(['']) },
    {
      name: '1,000 entries: only the first counts',
      files: config(['LlamaForCausalLM', ...Array.from({ length: 999 }, (_, i) => `Bogus${i}`)]),
    },
  ],
  invalid: [
    {
      name: 'a typo is an error with the class it meant, on the line of /architectures/0',
      files: config(['MistralForCasualLM']),
      errors: [
        onFirstEntry('unknown', {
          pointer: '/architectures/0',
          severity: 'error',
          message: 'did you mean MistralForCausalLM?',
        }),
      ],
    },
    {
      name: 'a case slip gets the right spelling',
      files: { 'config.json': '{"model_type": "llama",\n "architectures": ["LLamaForCausalLm"]}' },
      errors: [
        {
          messageId: 'unknown',
          path: 'config.json',
          line: 2,
          column: 20,
          message: /did you mean (LlamaForCausalLM|LLaMAForCausalLM)\?/,
        },
      ],
    },
    {
      name: 'a Cyrillic look-alike is an error naming the character and the real class',
      files: config(['LlamaForCausalL\u041C']),
      errors: [
        onFirstEntry('unknown', { severity: 'error', message: /U\+041C.*did you mean LlamaForCausalLM\?/ }),
      ],
    },
    {
      name: 'a Greek look-alike and a zero-width space are caught too',
      files: config(['Qwen2F\u03BFrCausal\u200BLM']),
      errors: [onFirstEntry('unknown', { message: 'did you mean Qwen2ForCausalLM?' })],
    },
    {
      name: 'an invented class with nothing close is an error without a suggestion',
      files: config(['TotallyMadeUpNet']),
      errors: [onFirstEntry('unknown', { message: /is not a model class.*\.$/ })],
    },
    {
      name: 'a 10,000-character name is an error with the name clipped',
      files: config(['X'.repeat(10_000)]),
      errors: [onFirstEntry('unknown', { message: '10,000 characters, clipped' })],
    },
    {
      name: 'a name one version ahead of a known class may be new: a warning',
      files: config(['Qwen9ForCausalLM']),
      errors: [onFirstEntry('unlisted', { severity: 'warning', message: 'nearest is Qwen' })],
    },
    {
      name: 'a config written by a development build of transformers: a warning (the class may be unreleased)',
      files: config(['BrandNewArchForCausalLM'], { transformers_version: '5.9.0.dev0' }),
      errors: [
        onFirstEntry('unlisted', { severity: 'warning', message: 'written by transformers 5.9.0.dev0' }),
      ],
    },
    {
      name: 'a class close to nothing, in a config from a transformers release the lists cannot place: a warning',
      files: config(['NewShinyForCausalLM'], { transformers_version: '5.9.0' }),
      errors: [onFirstEntry('unlisted', { severity: 'warning', message: 'written by transformers 5.9.0' })],
    },
    {
      name: 'a close typo stays an error whatever transformers wrote it',
      files: config(['MistralForCasualLM'], { transformers_version: '5.9.0' }),
      errors: [onFirstEntry('unknown', { severity: 'error' })],
    },
    {
      name: 'a name that differs only in version digits and underscores may be the next version: a warning',
      files: config(['Ernie5ForCausalLM']),
      errors: [onFirstEntry('unlisted', { severity: 'warning', message: 'version digits' })],
    },
    {
      name: 'an invisible character is named as one, not as a look-alike',
      files: config(['Llama\u202EForCausalLM']),
      errors: [
        onFirstEntry('unknown', { severity: 'error', message: 'U+202E, an invisible or control character' }),
      ],
    },
    {
      name: 'a look-alike stays an error even when transformers is newer',
      files: config(['LlamaForCausalL\u041C'], { transformers_version: '5.9.0.dev0' }),
      errors: [onFirstEntry('unknown', { severity: 'error' })],
    },
    {
      name: 'a class transformers knows without Friendli evidence: a warning naming the nearest served family',
      files: config(['Gemma3ForCausalLM']),
      errors: [
        onFirstEntry('unconfirmed', {
          severity: 'warning',
          message: /not confirmed as served.*friendli\.ai\/models.*Gemma 2 \(Gemma2ForCausalLM\)/,
        }),
      ],
    },
    {
      name: 'only the deprecated converter listed it: a warning that says so',
      files: config(['FalconForCausalLM']),
      errors: [onFirstEntry('legacy', { severity: 'warning', message: 'deprecated checkpoint converter' })],
    },
    {
      name: 'only friendli.ai/models pages of fine-tunes: a warning that says it is likely, not confirmed',
      files: config(['Olmo3ForCausalLM']),
      errors: [onFirstEntry('catalog', { severity: 'warning', message: 'not confirmed' })],
    },
    {
      name: 'a classification head: a warning that chat needs a generation head',
      files: config(['LlamaForSequenceClassification']),
      errors: [onFirstEntry('notGenerating', { severity: 'warning', message: 'does not generate text' })],
    },
    {
      name: 'a bare base model: a warning too',
      files: config(['BertModel']),
      errors: [onFirstEntry('notGenerating', { severity: 'warning' })],
    },
    {
      name: 'a typo with an auto_map that names another class is still an error',
      files: config(['MistralForCasualLM'], { auto_map: { AutoModel: 'modeling_x.OtherModel' } }),
      errors: [onFirstEntry('unknown', { severity: 'error' })],
    },
    {
      name: 'the user can lower the severity',
      files: config(['MistralForCasualLM']),
      level: 'warning',
      errors: [onFirstEntry('unknown', { severity: 'warning' })],
    },
  ],
})
