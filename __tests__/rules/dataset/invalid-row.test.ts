import rule from '../../../src/rules/dataset/invalid-row.js'
import { chat, datasetRuleTester, exactly, raw } from '../../helpers/dataset-tester.js'

datasetRuleTester(rule, {
  valid: [
    {
      name: 'objects, whatever their keys: other rules judge them',
      rows: [chat(['user', 'a']), { text: 'x' }],
    },
    { name: 'objects in a JSON array', file: 'train.json', rows: [{ messages: [] }, {}] },
  ],
  invalid: [
    {
      name: 'names the line, the column and the reason of each row that does not parse',
      rows: [
        raw('{"messages": []}'),
        raw("{'messages': [{'role': 'user', 'content': 'hi'}]}"),
        raw('{"messages": [], }'),
        raw('[1, 2]'),
        raw('{"score": NaN}'),
      ],
      errors: [
        { messageId: 'unparsable', row: 2, line: 2, column: 2, message: /Python dict repr/ },
        { messageId: 'unparsable', row: 3, line: 3, column: 18, message: 'not JSON' },
        {
          messageId: 'notObject',
          row: 4,
          line: 4,
          message: exactly('This row is an array, not an object with a "messages" field.'),
        },
        { messageId: 'unparsable', row: 5, line: 5, column: 11, message: /NaN/ },
      ],
    },
    {
      name: 'a string, a number and null',
      rows: ['hi', 3, null],
      errors: [
        { messageId: 'notObject', row: 1, line: 1, message: 'This row is a string,' },
        { messageId: 'notObject', row: 2, line: 2, message: 'This row is a number,' },
        { messageId: 'notObject', row: 3, line: 3, message: 'This row is null,' },
      ],
    },
    {
      name: 'in a JSON array, on the line of the element',
      file: 'train.json',
      rows: [{ messages: [] }, [1]],
      errors: [{ messageId: 'notObject', path: 'train.json', row: 2, line: 3 }],
    },
  ],
})
