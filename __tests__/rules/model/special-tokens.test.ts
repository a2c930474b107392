import rule from '../../../src/rules/model/special-tokens.js'
import { ruleTester } from '../../helpers/rule-tester.js'

/** A JSON object nested 10,000 levels deep at line 3 (Python's json loads 9,998): level 9,999 opens at column 10,005. */
const tooDeepJson = `{\n  "eos_token_id": 2,\n  "x": ${'['.repeat(9_999)}${']'.repeat(9_999)}\n}\n`

const tc = (value: Record<string, unknown>) =>
  JSON.stringify({ tokenizer_class: 'PreTrainedTokenizerFast', ...value }, null, 2)

ruleTester(rule, {
  valid: [
    {
      name: 'eos and pad as strings',
      files: { 'tokenizer_config.json': tc({ eos_token: '</s>', pad_token: '<pad>' }) },
    },
    {
      name: 'eos as an AddedToken object, as older transformers saved it',
      files: {
        'tokenizer_config.json': tc({
          eos_token: {
            __type: 'AddedToken',
            content: '<|im_end|>',
            lstrip: false,
            normalized: false,
            rstrip: false,
            single_word: false,
          },
          pad_token: '<|endoftext|>',
        }),
      },
    },
    {
      name: 'eos and pad only in special_tokens_map.json',
      files: {
        'tokenizer_config.json': tc({}),
        'special_tokens_map.json': JSON.stringify({ eos_token: { content: '</s>' }, pad_token: '</s>' }),
      },
    },
    { name: 'no tokenizer_config.json: tokenizer-config reports it', files: {} },
    {
      name: 'a BERT-style encoder has [CLS] and [SEP], no eos',
      files: { 'tokenizer_config.json': tc({ cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]' }) },
    },
    {
      name: 'a broken tokenizer_config.json: tokenizer-config reports it',
      files: { 'tokenizer_config.json': '{,}' },
    },
  ],
  invalid: [
    {
      name: 'special_tokens_map.json nested deeper than Python loads',
      files: {
        'tokenizer_config.json': tc({ eos_token: '</s>', pad_token: '<pad>' }),
        'special_tokens_map.json': tooDeepJson,
      },
      errors: [
        {
          messageId: 'tooDeep',
          path: 'special_tokens_map.json',
          line: 3,
          column: 10_005,
          message:
            "special_tokens_map.json is nested 10,000 levels deep; Python's json module (which transformers and datasets use) stops at 9,998 (level 9,999 opens at line 3, column 10005), so it was not parsed: transformers cannot load the tokenizer",
        },
      ],
    },
    {
      name: 'no eos_token and no pad_token',
      files: { 'tokenizer_config.json': tc({ bos_token: '<s>' }) },
      errors: [
        {
          messageId: 'noEos',
          path: 'tokenizer_config.json',
          message: 'No eos_token is defined',
        },
        { messageId: 'noPad', path: 'tokenizer_config.json', severity: 'info' },
      ],
    },
    {
      name: 'eos_token null, as some conversions write it',
      files: { 'tokenizer_config.json': tc({ eos_token: null, pad_token: '<pad>' }) },
      errors: [{ messageId: 'noEos', path: 'tokenizer_config.json' }],
    },
    {
      name: 'no eos_token but config.json sets eos_token_id (ChatGLM3): a warning, generation stops on the id',
      files: {
        'tokenizer_config.json': tc({ pad_token: '<pad>' }),
        'config.json': JSON.stringify({ eos_token_id: 2 }),
      },
      errors: [
        {
          messageId: 'eosIdOnly',
          path: 'tokenizer_config.json',
          severity: 'warning',
          message: 'config.json sets eos_token_id 2',
        },
      ],
    },
    {
      name: 'generation_config.json wins over config.json and may list several ids',
      files: {
        'tokenizer_config.json': tc({ pad_token: '<pad>' }),
        'config.json': JSON.stringify({ eos_token_id: 2 }),
        'generation_config.json': JSON.stringify({ eos_token_id: [128001, 128009] }),
      },
      errors: [
        {
          messageId: 'eosIdOnly',
          path: 'tokenizer_config.json',
          severity: 'warning',
          message: 'generation_config.json sets eos_token_id 128001, 128009',
        },
      ],
    },
    {
      name: 'an eos_token_id that is not a number is no id',
      files: {
        'tokenizer_config.json': tc({ pad_token: '<pad>' }),
        'config.json': JSON.stringify({ eos_token_id: 'two' }),
      },
      errors: [{ messageId: 'noEos', path: 'tokenizer_config.json', severity: 'error' }],
    },
    {
      name: 'an AddedToken object without content is no token',
      files: { 'tokenizer_config.json': tc({ eos_token: { lstrip: false }, pad_token: '<pad>' }) },
      errors: [{ messageId: 'noEos', path: 'tokenizer_config.json' }],
    },
  ],
})
