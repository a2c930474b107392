import { describe, expect, it } from '@jest/globals'
import rule, { imageProblem } from '../../../src/rules/dataset/message-schema.js'
import { datasetRuleTester, type InvalidDatasetCase } from '../../helpers/dataset-tester.js'

const PNG = 'data:image/png;base64,iVBORw0KGgo='
const call = (args: unknown) => [{ id: 'c1', type: 'function', function: { name: 'get', arguments: args } }]

/** A row of one conversation whose first problem is a `kind` finding naming `detail`. */
const one = (name: string, messages: unknown, kind: string, detail: string): InvalidDatasetCase => ({
  name,
  rows: [{ messages }],
  errors: [{ messageId: kind, row: 1, line: 1, message: detail }],
})

datasetRuleTester(rule, {
  valid: [
    {
      name: 'system, user and assistant strings',
      rows: [
        {
          messages: [
            { role: 'system', content: 's' },
            { role: 'user', content: 'u' },
            { role: 'assistant', content: 'a' },
          ],
        },
      ],
    },
    {
      name: 'a text part and an image URL part on a user message',
      rows: [
        {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'what is this?' },
                { type: 'image_url', image_url: { url: 'https://x.test/a.png' } },
              ],
            },
            { role: 'assistant', content: 'a cat' },
          ],
        },
      ],
    },
    {
      name: 'a PNG data URL image, and text parts on an assistant message',
      rows: [
        {
          messages: [
            { role: 'user', content: [{ type: 'image', image: PNG }] },
            { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
          ],
        },
      ],
    },
    {
      name: 'an s3:// image and an audio URL',
      rows: [
        {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'image', image: 's3://bucket/key.png' },
                { type: 'audio_url', audio_url: { url: 'https://x.test/a.wav' } },
              ],
            },
          ],
        },
      ],
    },
    {
      name: 'a tool call and its answer',
      rows: [
        {
          messages: [
            { role: 'user', content: 'weather?' },
            { role: 'assistant', content: null, tool_calls: call('{"city": "Seoul"}') },
            { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
          ],
        },
      ],
    },
    { name: 'no "messages": missing-messages reports it', rows: [{ text: 'x' }, 'not an object'] },
  ],
  invalid: [
    one('not a list', { role: 'user' }, 'messages', '"messages" is an object, not a list'),
    one('empty', [], 'messages', '"messages" is an empty list'),
    one('a string message', ['hi'], 'messages', 'message 1 is a string, not an object'),
    one(
      'ShareGPT roles',
      [{ role: 'human', content: 'x' }],
      'role',
      'message 1 has role "human"; roles are system, user, assistant, tool',
    ),
    one('no role', [{ content: 'x' }], 'role', 'message 1 has role (none)'),
    one(
      'a number as content',
      [{ role: 'user', content: 3 }],
      'content',
      'message 1 (user) has content a number; it must be a string or a list of parts',
    ),
    one(
      'null content without tool calls',
      [{ role: 'assistant', content: null }],
      'content',
      'content may be null only with tool_calls',
    ),
    one(
      'an image on an assistant message',
      [{ role: 'assistant', content: [{ type: 'image_url', image_url: 'https://x.test/a.png' }] }],
      'part',
      'only user messages may carry images',
    ),
    one(
      'an unknown part type',
      [{ role: 'user', content: [{ type: 'file', file: 'x' }] }],
      'part',
      'has type "file"',
    ),
    one(
      'a webp data URL',
      [{ role: 'user', content: [{ type: 'image', image: 'data:image/webp;base64,AAAA' }] }],
      'image',
      'a data URL of image/webp; only base64 PNG, JPEG or GIF',
    ),
    one(
      'bad base64',
      [{ role: 'user', content: [{ type: 'image', image: 'data:image/png;base64,@@@' }] }],
      'image',
      '"image" is not valid base64',
    ),
    one(
      'a local path',
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: '/tmp/cat.png' } }] }],
      'image',
      '"url" must be a valid HTTP URL or S3 URL; got "/tmp/cat.png"',
    ),
    one(
      'a tool message without tool_call_id',
      [{ role: 'tool', content: 'sunny' }],
      'tool',
      'has no "tool_call_id"',
    ),
    one(
      'arguments as an object',
      [{ role: 'assistant', content: null, tool_calls: call({ city: 'Seoul' }) }],
      'tool',
      '"arguments" is an object; it must be a JSON string',
    ),
    one(
      'arguments not JSON',
      [{ role: 'assistant', content: null, tool_calls: call('{city: Seoul}') }],
      'tool',
      '"arguments" is not valid JSON',
    ),
    {
      name: 'each problem on its row, at most three per row',
      rows: [
        { messages: [{ role: 'user', content: 'a' }] },
        { messages: Array.from({ length: 5 }, () => ({ role: 'bot', content: 'x' })) },
      ],
      errors: [
        { messageId: 'role', row: 2, line: 2, message: 'message 1 has role "bot"' },
        { messageId: 'role', row: 2, line: 2, message: 'message 2 has role "bot"' },
        { messageId: 'role', row: 2, line: 2, message: /\(and 2 more in this row\)\.$/ },
      ],
    },
  ],
})

describe('DS202 message-schema: imageProblem', () => {
  it('takes http(s), s3:// and PNG/JPEG/GIF data URLs only', () => {
    expect(imageProblem('https://x.test/a.jpg', 'url')).toBeUndefined()
    expect(imageProblem('data:image/jpg;base64,AAAA', 'image')).toBeUndefined()
    expect(imageProblem('ftp://x.test/a.jpg', 'url')).toMatch(/must be a valid HTTP URL or S3 URL/)
  })
})
