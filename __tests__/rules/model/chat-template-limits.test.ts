import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { ModelArtifactName, ModelArtifacts } from '../../../src/artifacts/model-artifacts.js'
import type { SmokeRender } from '../../../src/artifacts/template-renders.js'
import rule from '../../../src/rules/model/chat-template-limits.js'
import syntaxRule from '../../../src/rules/model/chat-template-syntax.js'
import { runRule, ruleTester } from '../../helpers/rule-tester.js'

const MiB = 1024 * 1024

// Doubling a string 40 times asks for a terabyte: the output limit must stop it, not memory.
const HUGE =
  "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}"
const RECURSION = '{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}'

// Past 1 MiB by a few bytes; and exactly 1 MiB, mostly a comment (its output would pass the output bound).
const BIG = `{{ messages[0]['content'] }}${' '.repeat(MiB)}`
const ONE_MIB = `{#${' '.repeat(MiB - 5)}#}x`

ruleTester(rule, {
  valid: [
    {
      name: 'an ordinary template',
      files: { 'chat_template.jinja': "{% for m in messages %}{{ m['content'] }}{% endfor %}" },
    },
    { name: 'a template of exactly 1 MiB', files: { 'chat_template.jinja': ONE_MIB } },
  ],
  invalid: [
    {
      name: 'a .jinja file past 1 MiB',
      files: { 'chat_template.jinja': BIG },
      errors: [
        {
          messageId: 'tooLarge',
          path: 'chat_template.jinja',
          message:
            /^The chat template \(chat_template\.jinja\) is 1\.0 MiB, more than the 1 MiB a chat template is checked up to, so it was not compiled or rendered/,
        },
      ],
    },
    {
      name: 'a tokenizer_config.json template past 1 MiB',
      files: { 'tokenizer_config.json': JSON.stringify({ chat_template: BIG }) },
      errors: [{ messageId: 'tooLarge', path: 'tokenizer_config.json', line: 1, column: 2 }],
    },
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

describe('a template larger than 1 MiB is not compiled', () => {
  const big = BIG
  it('is neither compiled nor rendered, and MR502 leaves it to MR506', async () => {
    let renders = -1
    let compiled: unknown
    await runRule(
      probe(['chatTemplates', 'templateRenders'], (a) => {
        renders = a.templateRenders.length
        compiled = a.chatTemplates.used[0]?.compiled
      }),
      { files: { 'chat_template.jinja': big } },
    )
    expect(renders).toBe(0)
    expect(compiled).toMatchObject({ ok: false, message: expect.stringMatching(/^not compiled: /) })
    expect(await runRule(syntaxRule, { files: { 'chat_template.jinja': big } })).toEqual([])
  })
})

describe('time budgets: per template and per model', () => {
  // A fake clock that moves 10 ms at each reading; a render reads it once a CLOCK_EVERY units of work.
  let now = 0
  let clock: ReturnType<typeof jest.spyOn>
  beforeEach(() => {
    now = 1_700_000_000_000
    clock = jest.spyOn(Date, 'now').mockImplementation(() => (now += 10))
  })
  afterEach(() => clock.mockRestore())
  // About 120 readings a render: 1.2 s of the fake clock each, and it renders fine.
  const SLOW =
    "{% for i in range(100000) %}{% endfor %}{% for i in range(20000) %}{% endfor %}{{ messages[0]['content'] }}"

  it("shares one budget among a template's smoke renders: the third render is not made", async () => {
    const { renders, findings } = await rendersOf({ 'chat_template.jinja': SLOW })
    // Each render takes 1.2 s of the 2 s the template's renders share: the first fits, the second
    // runs out of what is left, and the template is not rendered again.
    expect(renders.map((r) => (r.result.ok ? 'ok' : r.result.message))).toEqual([
      'ok',
      'rendering used up the 2 s that its smoke renders share',
    ])
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining(
        'did not finish on a [user] conversation: rendering used up the 2 s that its smoke renders share.',
      ),
    ])
  })

  it("shares one more budget among all of a model's templates: past it, no template renders", async () => {
    const files: Record<string, string> = { 'chat_template.jinja': SLOW }
    for (let i = 0; i < 12; i++)
      files[`additional_chat_templates/t${String(i).padStart(2, '0')}.jinja`] = SLOW
    const { renders } = await rendersOf(files)
    // 13 templates of 2 s each would be 26 s; together they stop at the 10 s the model's templates
    // share: at most five templates render twice (1.2 s, then the rest of their 2 s); each later one
    // is given one render, refused at once.
    const made = renders.filter((r) => r.result.ok || !r.result.message.includes("all of the model's"))
    expect(made.length).toBeLessThanOrEqual(10)
    expect(renders.length).toBeLessThanOrEqual(made.length + (13 - Math.floor(made.length / 2)))
    const last = renders.at(-1)!.result
    expect(last).toEqual({
      ok: false,
      kind: 'limit',
      message: "rendering used up the 10 s that all of the model's chat templates share",
    })
  })

  async function rendersOf(files: Record<string, string>) {
    let renders: SmokeRender[] = []
    await runRule(
      probe(['templateRenders'], (a) => void (renders = a.templateRenders)),
      { files },
    )
    now = 1_700_000_000_000
    const findings = await runRule(rule, { files })
    return { renders, findings }
  }
})

/** A rule that hands the artifacts it declares to `see`. */
function probe(
  artifacts: ModelArtifactName[],
  see: (a: ModelArtifacts) => void,
): Parameters<typeof runRule>[0] {
  return {
    meta: {
      id: 'MR000',
      name: 'probe',
      description: 'See the artifacts',
      severity: 'error',
      messages: {},
      artifacts,
    },
    check: ({ artifacts: a }) => see(a as ModelArtifacts),
  }
}
