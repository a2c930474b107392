import rule from '../../../src/rules/dataset/missing-messages.js'
import { chat, datasetRuleTester, exactly, type InvalidDatasetCase } from '../../helpers/dataset-tester.js'

const SHAREGPT = {
  conversations: [
    { from: 'human', value: 'hi' },
    { from: 'gpt', value: 'yo' },
  ],
}

/** What each common format looks like to the rule, and the conversion its hint gives. */
const FORMATS: [name: string, row: Record<string, unknown>, format: string, convert: string][] = [
  [
    'ShareGPT',
    {
      conversations: [
        { from: 'human', value: 'hi' },
        { from: 'gpt', value: 'yo' },
      ],
    },
    'ShareGPT data',
    '"human" → "user"',
  ],
  [
    'messages under another name',
    { conversations: [{ role: 'user', content: 'hi' }] },
    'messages under another name ("conversations"',
    'rename the column "conversations" to "messages"',
  ],
  ['Alpaca', { instruction: 'Add', input: '2 and 2', output: '4' }, 'Alpaca data', 'web upload, in beta'],
  [
    'preference data',
    { prompt: 'q', chosen: [], rejected: [] },
    'preference data',
    'keep the chosen conversation',
  ],
  [
    'pre-templated text',
    { text: '<|im_start|>user\nhi<|im_end|>' },
    'text already rendered with a chat template',
    'split each conversation',
  ],
  [
    'prompt / completion',
    { prompt: 'q', completion: 'a' },
    'prompt / completion pairs',
    '"content": completion',
  ],
  [
    'anything else',
    { question: 'q', answer: 'a' },
    'rows with the columns "question" and "answer"',
    'put each conversation',
  ],
]

datasetRuleTester(rule, {
  valid: [{ name: 'every row has messages', rows: [chat(['user', 'hi'], ['assistant', 'hello'])] }],
  invalid: [
    ...FORMATS.map(([name, row, format, convert]): InvalidDatasetCase => ({
      // A finding about the file and a column it lacks: on the file, with no line or row.
      name: `${name}: one finding for the file, saying what it looks like and how to convert`,
      file: 'data/train.jsonl',
      rows: [row, row, row],
      errors: [
        {
          messageId: 'file',
          message: `(all 3 rows lack it): it looks like ${format}`,
          hint: convert,
        },
      ],
    })),
    // One ShareGPT conversation is named as ShareGPT in each shape a file can hold it, never as rows
    // of "from" and "value" or as a file that cannot be read.
    ...(
      [
        [
          'one object in a .json file',
          'one.json',
          `{\n  "conversations": ${JSON.stringify(SHAREGPT.conversations, null, 2)}\n}\n`,
          1,
        ],
        [
          'a .json array of such objects',
          'array.json',
          `[\n${JSON.stringify(SHAREGPT)},\n${JSON.stringify(SHAREGPT)}\n]\n`,
          2,
        ],
        [
          'JSON Lines of such objects',
          'lines.jsonl',
          `${JSON.stringify(SHAREGPT)}\n${JSON.stringify(SHAREGPT)}\n`,
          2,
        ],
      ] as const
    ).map(([name, file, text, n]): InvalidDatasetCase => ({
      name: `one ShareGPT conversation per row, as ${name}`,
      file,
      files: { [file]: text },
      errors: [
        {
          messageId: 'file',
          message: `(${n === 1 ? 'its one row lacks' : `all ${n} rows lack`} it): it looks like ShareGPT data ("conversations" of {"from", "value"})`,
          hint: 'one conversation per row (one {"messages": [...]} object per line of a .jsonl file)',
        },
      ],
    })),
    {
      name: 'a file whose first row lacks messages counts the rows that lack them',
      rows: [{ text: 'x' }, chat(['user', 'a']), { text: 'y' }],
      errors: [{ messageId: 'file', message: '(2 of 3 rows lack it)' }],
    },
    {
      name: 'a later row without messages in a file that has them is reported on that row',
      rows: [chat(['user', 'a'], ['assistant', 'b']), { text: 'x' }],
      errors: [
        {
          messageId: 'row',
          row: 2,
          line: 2,
          message: exactly('This row has no "messages" (its keys: "text"), unlike the rows before it.'),
        },
      ],
    },
  ],
})
