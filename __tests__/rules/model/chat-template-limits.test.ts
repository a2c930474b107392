import { expect, it } from '@jest/globals'
import rule from '../../../src/rules/model/chat-template-limits.js'
import { runRule, ruleTester } from '../../helpers/rule-tester.js'

// Doubling a string 40 times asks for a terabyte: the output limit must stop it, not memory.
const HUGE =
  "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}"
const RECURSION = '{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}'

ruleTester(rule, {
  valid: [
    {
      name: 'an ordinary template',
      files: { 'chat_template.jinja': "{% for m in messages %}{{ m['content'] }}{% endfor %}" },
    },
  ],
  invalid: [
    {
      name: 'a string that doubles forty times',
      files: { 'chat_template.jinja': HUGE },
      errors: [
        {
          messageId: 'limit',
          path: 'chat_template.jinja',
          message: /^The chat template \(chat_template\.jinja\) did not finish on a \[user\] conversation: /,
        },
      ],
    },
    {
      name: 'a macro that calls itself without end',
      files: { 'chat_template.jinja': RECURSION },
      errors: [{ messageId: 'limit', path: 'chat_template.jinja' }],
    },
  ],
})

it('renders a limited template once, not on each of the ten smoke renders', async () => {
  // Counted, not timed: a probe rule sees the templateRenders artifact, every render the check made.
  const renders = async (template: string) => {
    let count = -1
    await runRule(
      {
        meta: {
          id: 'MR000',
          name: 'render-count',
          description: 'Count the smoke renders',
          severity: 'error',
          messages: {},
          artifacts: ['templateRenders'],
        },
        check: ({ artifacts }) => void (count = artifacts.templateRenders.length),
      },
      { files: { 'chat_template.jinja': template } },
    )
    return count
  }
  expect(await renders("{% for m in messages %}{{ m['content'] }}{% endfor %}")).toBe(10)
  expect(await renders(HUGE)).toBe(1)
  expect(await runRule(rule, { files: { 'chat_template.jinja': HUGE } })).toHaveLength(1)
})
