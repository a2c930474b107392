import rule from '../../../src/rules/model/special-tokens.js'
import { ruleTester } from '../../helpers/rule-tester.js'

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
      name: 'no eos_token and no pad_token',
      files: { 'tokenizer_config.json': tc({ bos_token: '<s>' }) },
      errors: [
        {
          messageId: 'noEos',
          path: 'tokenizer_config.json',
          line: 1,
          column: 1,
          message: 'No eos_token is defined',
        },
        { messageId: 'noPad', path: 'tokenizer_config.json', line: 1, column: 1, severity: 'info' },
      ],
    },
    {
      name: 'eos_token null, as some conversions write it',
      files: { 'tokenizer_config.json': tc({ eos_token: null, pad_token: '<pad>' }) },
      errors: [{ messageId: 'noEos', path: 'tokenizer_config.json', line: 1, column: 1 }],
    },
    {
      name: 'an AddedToken object without content is no token',
      files: { 'tokenizer_config.json': tc({ eos_token: { lstrip: false }, pad_token: '<pad>' }) },
      errors: [{ messageId: 'noEos', path: 'tokenizer_config.json', line: 1, column: 1 }],
    },
  ],
})
