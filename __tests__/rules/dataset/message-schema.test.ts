import { describe, expect, it } from '@jest/globals'
import rule, { imageProblem, messageProblems } from '../../../src/rules/dataset/message-schema.js'
import { jsonl, runDataset } from '../../helpers/dataset-tester.js'

const PNG = 'data:image/png;base64,iVBORw0KGgo='
const call = (args: unknown) => [{ id: 'c1', type: 'function', function: { name: 'get', arguments: args } }]

describe('DS202 message-schema: messageProblems', () => {
  it.each([
    [
      [
        { role: 'system', content: 's' },
        { role: 'user', content: 'u' },
        { role: 'assistant', content: 'a' },
      ],
    ],
    [
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'https://x.test/a.png' } },
          ],
        },
        { role: 'assistant', content: 'a cat' },
      ],
    ],
    [
      [
        { role: 'user', content: [{ type: 'image', image: PNG }] },
        { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
      ],
    ],
    [
      [
        {
          role: 'user',
          content: [
            { type: 'image', image: 's3://bucket/key.png' },
            { type: 'audio_url', audio_url: { url: 'https://x.test/a.wav' } },
          ],
        },
      ],
    ],
    [
      [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: call('{"city": "Seoul"}') },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
    ],
  ])('accepts %j', (messages) => {
    expect(messageProblems(messages)).toEqual([])
  })

  it.each([
    ['not a list', { role: 'user' }, 'messages', '"messages" is an object, not a list'],
    ['empty', [], 'messages', '"messages" is an empty list'],
    ['a string message', ['hi'], 'messages', 'message 1 is a string, not an object'],
    [
      'ShareGPT roles',
      [{ role: 'human', content: 'x' }],
      'role',
      'message 1 has role "human"; roles are system, user, assistant, tool',
    ],
    ['no role', [{ content: 'x' }], 'role', 'message 1 has role (none)'],
    [
      'a number as content',
      [{ role: 'user', content: 3 }],
      'content',
      'message 1 (user) has content a number; it must be a string or a list of parts',
    ],
    [
      'null content without tool calls',
      [{ role: 'assistant', content: null }],
      'content',
      'content may be null only with tool_calls',
    ],
    [
      'an image on an assistant message',
      [{ role: 'assistant', content: [{ type: 'image_url', image_url: 'https://x.test/a.png' }] }],
      'part',
      'only user messages may carry images',
    ],
    [
      'an unknown part type',
      [{ role: 'user', content: [{ type: 'file', file: 'x' }] }],
      'part',
      'has type "file"',
    ],
    [
      'a webp data URL',
      [{ role: 'user', content: [{ type: 'image', image: 'data:image/webp;base64,AAAA' }] }],
      'image',
      'a data URL of image/webp; only base64 PNG, JPEG or GIF',
    ],
    [
      'bad base64',
      [{ role: 'user', content: [{ type: 'image', image: 'data:image/png;base64,@@@' }] }],
      'image',
      '"image" is not valid base64',
    ],
    [
      'a local path',
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: '/tmp/cat.png' } }] }],
      'image',
      '"url" must be a valid HTTP URL or S3 URL; got "/tmp/cat.png"',
    ],
    [
      'a tool message without tool_call_id',
      [{ role: 'tool', content: 'sunny' }],
      'tool',
      'has no "tool_call_id"',
    ],
    [
      'arguments as an object',
      [{ role: 'assistant', content: null, tool_calls: call({ city: 'Seoul' }) }],
      'tool',
      '"arguments" is an object; it must be a JSON string',
    ],
    [
      'arguments not JSON',
      [{ role: 'assistant', content: null, tool_calls: call('{city: Seoul}') }],
      'tool',
      '"arguments" is not valid JSON',
    ],
  ])('%s', (_n, messages, kind, detail) => {
    const problems = messageProblems(messages)
    expect(problems[0]).toMatchObject({ kind })
    expect(problems[0].detail).toContain(detail)
  })

  it('imageProblem takes http(s), s3:// and PNG/JPEG/GIF data URLs only', () => {
    expect(imageProblem('https://x.test/a.jpg', 'url')).toBeUndefined()
    expect(imageProblem('data:image/jpg;base64,AAAA', 'image')).toBeUndefined()
    expect(imageProblem('ftp://x.test/a.jpg', 'url')).toMatch(/must be a valid HTTP URL or S3 URL/)
  })
})

describe('DS202 message-schema: rows', () => {
  it('reports each problem on its row, at most three per row', async () => {
    const bad = { messages: Array.from({ length: 5 }, () => ({ role: 'bot', content: 'x' })) }
    const findings = (
      await runDataset([rule], {
        'train.jsonl': jsonl([{ messages: [{ role: 'user', content: 'a' }] }, bad]),
      })
    ).findings
    expect(findings.map((f) => [f.messageId, f.location.line])).toEqual([
      ['role', 2],
      ['role', 2],
      ['role', 2],
    ])
    expect(findings[2].message).toMatch(/\(and 2 more in this row\)\.$/)
  })
})
