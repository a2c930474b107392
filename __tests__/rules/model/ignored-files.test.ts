import rule from '../../../src/rules/model/ignored-files.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const config = configJson()
const model = { 'config.json': config, 'model.safetensors': 'x' }

ruleTester(rule, {
  valid: [
    {
      name: 'only files Friendli reads',
      files: {
        ...model,
        'tokenizer.json': '{}',
        'tokenizer_config.json': '{}',
        'special_tokens_map.json': '{}',
      },
    },
    {
      name: 'sharded safetensors and their index',
      files: {
        'config.json': config,
        'model-00001-of-00002.safetensors': 'x',
        'model-00002-of-00002.safetensors': 'x',
        'model.safetensors.index.json': '{}',
      },
    },
    {
      name: 'boilerplate every repository has',
      files: {
        ...model,
        'README.md': '# model\n',
        LICENSE: 'MIT',
        'LICENSE.txt': 'MIT',
        NOTICE: 'x',
        'USE_POLICY.md': 'x',
        '.gitattributes': '*.safetensors filter=lfs',
        '.github/workflows/ci.yml': 'on: push',
        'figure.png': 'x',
        'logo.SVG': 'x',
      },
    },
    {
      name: 'a link leaving the folder: link-outside-model reports it',
      files: { ...model, 'notes.txt': { link: 'outside' }, 'old.bin': { link: 'broken' } },
    },
    {
      name: 'a folder named model.safetensors: missing-safetensors reports it',
      files: { 'config.json': config, 'model.safetensors': { directory: true } },
    },
    {
      name: 'a folder named config.json: missing-config reports it',
      files: { 'config.json': { directory: true }, 'model.safetensors': 'x' },
    },
  ],
  invalid: [
    {
      name: 'files outside the FAQ list',
      files: { ...model, 'generation_config.json': '{}', 'chat_template.jinja': '{{ messages }}' },
      errors: [
        {
          messageId: 'ignored',
          path: '.',
          message:
            'Friendli will not download 2 entries of this repository: chat_template.jinja and generation_config.json.',
        },
      ],
    },
    {
      name: 'a folder is listed once, with a slash',
      files: { ...model, 'onnx/model.onnx': 'x', 'onnx/config.json': config },
      errors: [
        {
          messageId: 'ignored',
          path: '.',
          message: 'Friendli will not download 1 entry of this repository: onnx/.',
        },
      ],
    },
    {
      name: 'an empty folder',
      files: { ...model, logs: { directory: true } },
      errors: [{ messageId: 'ignored', path: '.', message: ': logs/.' }],
    },
    {
      name: 'leftover PyTorch weights next to safetensors',
      files: { ...model, 'pytorch_model.bin': 'x', 'training_args.bin': 'x' },
      errors: [{ messageId: 'ignored', path: '.', message: ': pytorch_model.bin and training_args.bin.' }],
    },
    {
      name: 'a long list is cut after 12 names',
      files: {
        ...model,
        ...Object.fromEntries(
          Array.from({ length: 14 }, (_, i) => [`extra-${String(i).padStart(2, '0')}.txt`, 'x']),
        ),
      },
      errors: [
        {
          messageId: 'ignored',
          path: '.',
          message:
            '14 entries of this repository: extra-00.txt, extra-01.txt, extra-02.txt, extra-03.txt, extra-04.txt, extra-05.txt, extra-06.txt, extra-07.txt, extra-08.txt, extra-09.txt, extra-10.txt, extra-11.txt and 2 more.',
        },
      ],
    },
    {
      name: 'the user can raise the severity',
      files: { ...model, 'vocab.txt': 'x' },
      level: 'warning',
      errors: [{ messageId: 'ignored', path: '.', severity: 'warning' }],
    },
  ],
})
