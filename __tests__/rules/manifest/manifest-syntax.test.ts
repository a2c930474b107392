import rule from '../../../src/rules/manifest/manifest-syntax.js'
import { manifestRuleTester } from '../../helpers/manifest-tester.js'

/** Nine aliases of nine aliases, seven levels: 9^7 = 4.8 million strings once expanded. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefg'.split('').map((c, i) => {
    const prev = 'abcdefg'[i]
    return `${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]`
  }),
  '',
].join('\n')

manifestRuleTester(rule, {
  valid: [
    { name: 'a YAML mapping', manifest: 'name: chat\nadvanced:\n  max_batch_size: 8\n' },
    { name: 'a JSON object', manifest: '{\n  "name": "chat"\n}\n', file: 'friendli-endpoint.json' },
    { name: 'YAML with comments and a byte-order mark', manifest: '\ufeff# deploy\nname: chat # the name\n' },
    { name: 'a few aliases', manifest: 'x: &v 1\nname: chat\ny: *v\n' },
  ],
  invalid: [
    {
      name: 'a 100 KB file, refused before it is parsed',
      manifest: `name: ${'x'.repeat(100 * 1024)}\n`,
      errors: [{ messageId: 'tooLarge', message: '102,407 bytes, more than the 64.0 KiB' }],
    },
    { name: 'an empty YAML file', manifest: '', errors: [{ messageId: 'empty' }] },
    { name: 'a YAML file of comments only', manifest: '# nothing yet\n', errors: [{ messageId: 'empty' }] },
    {
      name: 'an empty JSON file',
      manifest: '  \n',
      file: 'friendli-endpoint.json',
      errors: [{ messageId: 'empty' }],
    },
    {
      name: 'a YAML list',
      manifest: '- name: chat\n- name: other\n',
      errors: [{ messageId: 'notObject', line: 1, column: 1, message: 'holds an array' }],
    },
    {
      name: 'a YAML string',
      manifest: '\n\nchat-endpoint\n',
      errors: [{ messageId: 'notObject', line: 3, message: 'holds a string' }],
    },
    {
      name: 'JSON null',
      manifest: 'null',
      file: 'friendli-endpoint.json',
      errors: [{ messageId: 'notObject', line: 1, message: 'holds null' }],
    },
    {
      name: 'a JSON array',
      manifest: '[{"name": "chat"}]',
      file: 'friendli-endpoint.json',
      errors: [{ messageId: 'notObject', line: 1, message: 'holds an array' }],
    },
    {
      name: 'YAML binary data',
      manifest: '!!binary aGVsbG8=\n',
      errors: [{ messageId: 'notObject', line: 1, message: 'binary data' }],
    },
    {
      name: 'a billion laughs: refused before it expands',
      manifest: BILLION_LAUGHS,
      errors: [{ messageId: 'aliases', line: 2, message: 'more than 16 times' }],
    },
    {
      name: 'a key written twice in YAML: on the second',
      manifest: 'name: chat\nadvanced:\n  max_batch_size: 8\n  max_batch_size: 16\nname: other\n',
      errors: [
        {
          messageId: 'duplicateKey',
          line: 4,
          column: 3,
          message: '"max_batch_size" appears twice in advanced',
        },
        { messageId: 'duplicateKey', line: 5, column: 1, message: '"name" appears twice in the manifest' },
      ],
    },
    {
      name: 'a key written twice in JSON',
      manifest: '{\n  "name": "a",\n  "advanced": {"x": 1, "y": [{"x": 1}], "x": 2},\n  "name": "b"\n}\n',
      file: 'friendli-endpoint.json',
      errors: [
        { messageId: 'duplicateKey', line: 3, column: 41, message: '"x" appears twice in advanced' },
        { messageId: 'duplicateKey', line: 4, column: 3, message: '"name" appears twice in the manifest' },
      ],
    },
    {
      name: 'a flood of keys written twice: 100 listed, the rest counted',
      manifest: 'name: x\n' + Array.from({ length: 250 }, () => 'name: y').join('\n') + '\n',
      errors: [
        ...Array.from({ length: 100 }, (_, i) => ({ messageId: 'duplicateKey', line: i + 2 })),
        { messageId: 'moreDuplicates', message: '150 more keys are written twice' },
      ],
    },
    {
      name: 'JSON with a comment: the line of the comment',
      manifest: '{\n  "name": "chat",\n  // the model\n  "hfModelRepo": "org/model"\n}\n',
      file: 'friendli-endpoint.json',
      errors: [{ messageId: 'comments', line: 3, column: 3, message: 'JSON has no comments' }],
    },
    {
      name: 'JSON with a trailing comma',
      manifest: '{\n  "name": "chat",\n}\n',
      file: 'friendli-endpoint.json',
      errors: [
        {
          messageId: 'syntax',
          line: 3,
          message: 'not valid JSON: a property name in double quotes is expected',
        },
      ],
    },
    {
      name: 'YAML that does not parse',
      manifest: 'name: chat\nadvanced: [1, 2\n',
      errors: [{ messageId: 'syntax', line: 3, message: 'not valid YAML' }],
    },
    {
      name: 'two YAML documents',
      manifest: 'name: a\n---\nname: b\n',
      errors: [{ messageId: 'syntax', line: 2, message: 'multiple documents' }],
    },
    {
      name: 'YAML nested past the bound: refused before it is parsed',
      manifest: `name: ${'['.repeat(30_000)}${']'.repeat(30_000)}\n`,
      errors: [{ messageId: 'tooDeep', line: 1, column: 71, message: 'nests 30,000 levels deep' }],
    },
    {
      name: 'not UTF-8',
      manifest: new Uint8Array([...new TextEncoder().encode('name: chat\nx: '), 0xff, 0x0a]),
      errors: [{ messageId: 'encoding', line: 2, column: 4 }],
    },
    {
      name: 'JSON with a byte-order mark',
      manifest: '\ufeff{"name": "chat"}',
      file: 'friendli-endpoint.json',
      errors: [{ messageId: 'bom', line: 1, column: 1 }],
    },
  ],
})
