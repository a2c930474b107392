// The file chatTemplate names, as check-manifest.ts found it (read inside the repository, or why not):
// each finding on the chatTemplate line. Reading it (a path out of the repository, a link out, a huge or
// binary file) is tested against real files in __tests__/check-manifest.test.ts.
import rule from '../../../src/rules/manifest/chat-template-file.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

const withTemplate = (value: string) => createYaml(`chatTemplate: ${value}`)

manifestRuleTester(rule, {
  valid: [
    {
      name: 'a template file read beside the manifest',
      manifest: withTemplate('chat-template.jinja'),
      template: { state: 'read', path: 'chat-template.jinja', text: '{{ messages[0].content }}' },
    },
    { name: 'no chatTemplate: the model serves its own', manifest: createYaml() },
  ],
  invalid: [
    {
      name: 'an empty value',
      manifest: withTemplate('""'),
      errors: [{ messageId: 'empty', line: 9, column: 1, message: 'chatTemplate is empty' }],
    },
    {
      name: 'an absolute path: not read',
      manifest: withTemplate('/etc/passwd'),
      template: { state: 'absolute' },
      errors: [
        { messageId: 'absolute', line: 9, message: 'chatTemplate is "/etc/passwd", an absolute path' },
      ],
    },
    {
      name: 'a path out of the repository by ..',
      manifest: withTemplate('../../etc/passwd'),
      template: { state: 'outside', link: false },
      errors: [
        {
          messageId: 'outside',
          line: 9,
          message:
            'chatTemplate is "../../etc/passwd", which leads (by "..") outside the repository, so it was not read',
        },
      ],
    },
    {
      name: 'a link out of the repository',
      manifest: withTemplate('linked.jinja'),
      template: { state: 'outside', link: true },
      errors: [{ messageId: 'outside', line: 9, message: 'is a link that leads outside the repository' }],
    },
    {
      name: 'a file that is not there',
      manifest: withTemplate('templates/chat.jinja'),
      template: { state: 'missing', path: 'templates/chat.jinja' },
      errors: [
        {
          messageId: 'missing',
          line: 9,
          message: '"templates/chat.jinja" does not exist beside the manifest',
        },
      ],
    },
    {
      name: 'a folder',
      manifest: withTemplate('templates'),
      template: { state: 'not-file', path: 'templates' },
      errors: [{ messageId: 'notFile', line: 9, message: '"templates" is not a regular file' }],
    },
    {
      name: 'a huge file: not read',
      manifest: withTemplate('huge.jinja'),
      template: { state: 'too-large', path: 'huge.jinja', bytes: 20 * 1024 * 1024, limit: 16 * 1024 * 1024 },
      errors: [{ messageId: 'tooLarge', line: 9, message: '"huge.jinja" is 20.0 MiB, more than the 16 MiB' }],
    },
    {
      name: 'a binary file',
      manifest: withTemplate('model.bin'),
      template: { state: 'binary', path: 'model.bin', why: 'not UTF-8 text (byte 3)' },
      errors: [{ messageId: 'binary', line: 9, message: '"model.bin" is not UTF-8 text (byte 3)' }],
    },
    {
      name: 'an empty file, in JSON',
      manifest: '{\n  "name": "x",\n  "chatTemplate": "chat.jinja"\n}\n',
      file: 'friendli-endpoint.json',
      template: { state: 'read', path: 'chat.jinja', text: '\n \n' },
      errors: [{ messageId: 'emptyFile', line: 3, column: 3, message: '"chat.jinja" is empty' }],
    },
    {
      name: 'a hostile path is quoted and escaped',
      manifest: withTemplate('"a\\u202eb\\u0007.jinja"'),
      template: { state: 'missing', path: 'a\u202eb\u0007.jinja' },
      errors: [{ messageId: 'missing', line: 9, message: '"a\\u202eb\\u0007.jinja" does not exist' }],
    },
  ],
})
