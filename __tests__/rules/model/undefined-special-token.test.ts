import rule from '../../../src/rules/model/undefined-special-token.js'
import { ruleTester } from '../../helpers/rule-tester.js'

const LLAMA2 =
  "{% for m in messages %}{% if m['role'] == 'user' %}{{ bos_token + '[INST] ' + m['content'] + ' [/INST]' }}{% else %}{{ ' ' + m['content'] + ' ' + eos_token }}{% endif %}{% endfor %}"
const CHATML =
  "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}"
const tokenizer = (tokens: string[]) =>
  JSON.stringify({
    added_tokens: tokens.map((content, id) => ({ id, content, special: true })),
    model: { type: 'BPE', vocab: {}, merges: [] },
  })

ruleTester(rule, {
  valid: [
    {
      name: 'Llama 2 with bos and eos defined',
      files: {
        'tokenizer_config.json': JSON.stringify({
          bos_token: '<s>',
          eos_token: '</s>',
          chat_template: LLAMA2,
        }),
      },
    },
    {
      name: 'ChatML with its tokens in tokenizer.json',
      files: { 'chat_template.jinja': CHATML, 'tokenizer.json': tokenizer(['<|im_start|>', '<|im_end|>']) },
    },
    {
      name: "a set variable named like a token is the template's own",
      files: { 'chat_template.jinja': "{% set bos_token = '' %}{{ bos_token }}" },
    },
  ],
  invalid: [
    {
      name: 'Llama 2 without bos_token: renders as empty',
      files: {
        'tokenizer_config.json': JSON.stringify({ eos_token: '</s>', chat_template: LLAMA2 }, null, 2),
      },
      errors: [
        {
          messageId: 'variable',
          path: 'tokenizer_config.json',
          line: 3,
          column: 3,
          message:
            'The chat template ("chat_template" in tokenizer_config.json) uses bos_token (line 1 of the template), but no bos_token is defined in tokenizer_config.json or special_tokens_map.json: it renders as an empty string.',
        },
      ],
    },
    {
      name: 'ChatML over a tokenizer without <|im_start|>',
      files: { 'chat_template.jinja': CHATML, 'tokenizer.json': tokenizer(['<|im_end|>']) },
      errors: [
        {
          messageId: 'unknownToken',
          path: 'chat_template.jinja',
          message: 'writes "<|im_start|>", which tokenizer.json does not have as tokens',
        },
      ],
    },
  ],
})
