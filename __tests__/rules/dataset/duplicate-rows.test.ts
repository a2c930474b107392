import rule from '../../../src/rules/dataset/duplicate-rows.js'
import { chat, datasetRuleTester, exactly, jsonl, raw } from '../../helpers/dataset-tester.js'

const a = chat(['user', 'a'], ['assistant', 'b'])
const c = chat(['user', 'c'], ['assistant', 'd'])
const deep = '['.repeat(10_000) + '"x"' + ']'.repeat(10_000)

datasetRuleTester(rule, {
  valid: [
    { name: 'different conversations', rows: [a, c] },
    { name: 'a repeat past maxRows is not read', rows: [a, c, a], maxRows: 2 },
    {
      // Nothing at all is reported: no crash either.
      name: 'a row nested deeper than the stack is skipped, not a crash',
      rows: [raw(`{"messages": [{"role": "user", "content": ${deep}}]}`), chat(['user', 'a'])],
    },
  ],
  invalid: [
    {
      name: 'names the first occurrence, across files',
      files: { 'train.jsonl': jsonl([a, c, a]), 'validation.jsonl': jsonl([a]) },
      errors: [
        {
          messageId: 'duplicate',
          path: 'train.jsonl',
          row: 3,
          line: 3,
          message: exactly('This conversation repeats row 1 of train.jsonl exactly.'),
        },
        {
          messageId: 'duplicate',
          path: 'validation.jsonl',
          row: 1,
          line: 1,
          message: exactly('This conversation repeats row 1 of train.jsonl exactly.'),
        },
      ],
    },
    {
      name: 'only the messages count: other keys may differ',
      rows: [
        { ...a, id: 1 },
        { ...a, id: 2 },
      ],
      errors: [{ messageId: 'duplicate', row: 2, line: 2, message: 'row 1 of train.jsonl' }],
    },
  ],
})
