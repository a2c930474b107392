import { defineDatasetRule } from '../dataset-rule.js'

export default defineDatasetRule({
  meta: {
    id: 'DS201',
    name: 'invalid-row',
    description: 'Require every row to be a JSON object',
    severity: 'error',
    inputs: ['rows'],
    messages: {
      unparsable: {
        text: (d: { problem: string }) => `This row cannot be read: ${d.problem.replace(/\.$/, '')}.`,
        hint: () =>
          'Write each row with json.dumps (one JSON object per line for JSONL); never str(dict) or repr.',
      },
      notObject: {
        text: (d: { found: string }) => `This row is ${d.found}, not an object with a "messages" field.`,
        hint: () => 'Write each row as {"messages": [...]}.',
      },
    },
  },
  create({ report }) {
    return {
      badRow(file, e) {
        report(
          'unparsable',
          { problem: e.problem },
          {
            path: file.path,
            row: e.row,
            ...(e.line !== undefined ? { line: e.line } : {}),
            ...(e.column !== undefined ? { column: e.column } : {}),
          },
        )
      },
      row(r) {
        const v = r.value
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) return
        report(
          'notObject',
          { found: v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}` },
          r.location,
        )
      },
    }
  },
})
