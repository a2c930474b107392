import { describe, expect, it } from '@jest/globals'
import rule, { turnEnd } from '../../../src/rules/model/stop-token.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

/** A JSON object nested 10,000 levels deep at line 3 (Python's json loads 9,998): level 9,999 opens at column 10,005. */
const tooDeepJson = `{\n  "eos_token_id": 2,\n  "x": ${'['.repeat(9_999)}${']'.repeat(9_999)}\n}\n`

const CHATML =
  "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
const LLAMA2 =
  "{% for m in messages %}{% if m['role'] == 'user' %}{{ bos_token + '[INST] ' + m['content'] + ' [/INST]' }}{% else %}{{ ' ' + m['content'] + ' ' + eos_token }}{% endif %}{% endfor %}"
const tokenizer = JSON.stringify({
  added_tokens: [
    { id: 151643, content: '<|endoftext|>', special: true },
    { id: 151644, content: '<|im_start|>', special: true },
    { id: 151645, content: '<|im_end|>', special: true },
  ],
  model: { type: 'BPE', vocab: { a: 0 }, merges: [] },
})
const tc = (eos: unknown, chat_template = CHATML) =>
  JSON.stringify({ eos_token: eos, chat_template }, null, 2)
const gen = (eos: unknown) => JSON.stringify({ bos_token_id: 151643, eos_token_id: eos }, null, 2)

ruleTester(rule, {
  valid: [
    {
      name: 'ChatML with eos_token <|im_end|>',
      files: { 'tokenizer_config.json': tc('<|im_end|>'), 'tokenizer.json': tokenizer },
    },
    {
      name: 'Qwen base eos <|endoftext|>, and generation_config adds <|im_end|> by id',
      files: {
        'tokenizer_config.json': tc('<|endoftext|>'),
        'generation_config.json': gen([151645, 151643]),
        'tokenizer.json': tokenizer,
      },
    },
    {
      name: 'config.json eos_token_id names it',
      files: {
        'tokenizer_config.json': tc('<|endoftext|>'),
        'config.json': configJson({ eos_token_id: 151645 }),
        'tokenizer.json': tokenizer,
      },
    },
    {
      name: 'Llama 2 writes eos_token itself',
      files: { 'tokenizer_config.json': tc({ content: '</s>' }, LLAMA2) },
    },
    {
      name: 'ids that cannot be decoded without tokenizer.json: no verdict',
      files: { 'tokenizer_config.json': tc('<|endoftext|>'), 'generation_config.json': gen(151645) },
    },
    {
      name: 'a template that writes no special token after the answer: no verdict',
      files: {
        'tokenizer_config.json': tc('</s>', "{% for m in messages %}{{ m['content'] }}\n{% endfor %}"),
      },
    },
  ],
  invalid: [
    {
      name: 'generation_config.json nested deeper than Python loads',
      files: {
        'tokenizer_config.json': tc('<|im_end|>'),
        'generation_config.json': tooDeepJson,
        'tokenizer.json': tokenizer,
      },
      errors: [
        {
          messageId: 'tooDeep',
          severity: 'warning',
          path: 'generation_config.json',
          line: 3,
          column: 10_005,
          message: /^generation_config\.json is nested 10,000 levels deep; .* so loading the model fails/,
        },
      ],
    },
    {
      name: 'ChatML, but every stop token is <|endoftext|>',
      files: {
        'tokenizer_config.json': tc('<|endoftext|>'),
        'generation_config.json': gen(151643),
        'tokenizer.json': tokenizer,
      },
      errors: [
        {
          messageId: 'noStop',
          path: 'generation_config.json',
          line: 3,
          column: 3,
          pointer: '/eos_token_id',
          message:
            'Generation will not stop: the chat template ("chat_template" in tokenizer_config.json) ends an assistant turn with "<|im_end|>", but the stop tokens are eos_token "<|endoftext|>" (tokenizer_config.json) and eos_token_id 151643 = "<|endoftext|>" (generation_config.json).',
        },
      ],
    },
    {
      name: 'no generation_config.json: on eos_token in tokenizer_config.json',
      files: { 'tokenizer_config.json': tc('<|endoftext|>'), 'tokenizer.json': tokenizer },
      errors: [
        { messageId: 'noStop', path: 'tokenizer_config.json', line: 2, column: 3, pointer: '/eos_token' },
      ],
    },
  ],
})

describe('turnEnd', () => {
  it.each([
    ['<|im_start|>assistant\n2 + 2 is 4.<|im_end|>\n', ['<|im_end|>'], '<|im_end|>'],
    ['[INST] Hi [/INST] 2 + 2 is 4. </s>', ['</s>'], '</s>'],
    ['<start_of_turn>model\n2 + 2 is 4.<end_of_turn>\n', [], '<end_of_turn>'],
    ['2 + 2 is 4.<|eot_id|>', ['<|eot_id|>', '<|eot|>'], '<|eot_id|>'],
    ['2 + 2 is 4.\n\n', [], undefined],
    ['no assistant text here', ['</s>'], undefined],
  ])('%j', (text, known, expected) => {
    expect(turnEnd(text, known)).toBe(expected)
  })
})
