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

it('ends within two seconds per template, and renders a limited template once', async () => {
  const started = Date.now()
  const findings = await runRule(rule, { files: { 'chat_template.jinja': HUGE } })
  expect(findings).toHaveLength(1)
  expect(Date.now() - started).toBeLessThan(2500)
})
