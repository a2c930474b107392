// The chat-template renderer at size. Compile and render times are in bench/large-inputs.ts.
import { expect, test } from '@jest/globals'
import { compileTemplate, renderTemplate } from '../../src/templates/render.js'

test('a 5 MB template compiles and renders', () => {
  const source = 'Hello {{ messages[0].content }} {% if true %}y{% endif %}\n'.repeat(90_000)
  expect(source.length).toBeGreaterThan(5_000_000)
  const c = compileTemplate(source)
  expect(c.ok).toBe(true)
  if (!c.ok) return
  const r = renderTemplate(
    c.template,
    { messages: [{ content: 'hi' }], add_generation_prompt: false },
    { timeMs: 10_000 },
  )
  expect(r).toMatchObject({ ok: true })
  expect((r as { text: string }).text.startsWith('Hello hi yHello hi y')).toBe(true)
})
