import rule from '../../../src/rules/dataset/conversation-shape.js'
import { chat, datasetRuleTester } from '../../helpers/dataset-tester.js'

const toolCallOnly = {
  messages: [
    { role: 'user', content: 'w' },
    { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] },
  ],
}

datasetRuleTester(rule, {
  valid: [
    { name: 'a system message first', rows: [chat(['system', 's'], ['user', 'u'], ['assistant', 'a'])] },
    { name: 'an assistant turn that only calls tools has no text by design', rows: [toolCallOnly] },
    {
      name: 'no messages, or none at all: message-schema reports it',
      rows: [{ messages: [] }, { text: 'x' }],
    },
  ],
  invalid: [
    {
      name: 'flags no assistant turn, a late system message and empty turns',
      rows: [
        chat(['system', 's'], ['user', 'u'], ['assistant', 'a']),
        chat(['user', 'u']),
        chat(['user', 'u'], ['system', 's'], ['assistant', 'a']),
        chat(['user', ' '], ['assistant', 'a']),
        toolCallOnly,
      ],
      errors: [
        { messageId: 'noAssistant', row: 2, line: 2, severity: 'error', message: 'no assistant message' },
        {
          messageId: 'lateSystem',
          row: 3,
          line: 3,
          severity: 'warning',
          message: 'Message 2 is a system message',
        },
        {
          messageId: 'empty',
          row: 4,
          line: 4,
          severity: 'warning',
          message: 'Message 1 (user) has empty content',
        },
      ],
    },
    {
      name: 'an empty list of parts is an empty turn',
      rows: [chat(['user', []], ['assistant', 'a'])],
      errors: [{ messageId: 'empty', row: 1, line: 1 }],
    },
  ],
})
