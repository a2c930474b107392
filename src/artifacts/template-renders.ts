// The chat template rendered on the conversations every chat model meets, the way transformers'
// apply_chat_template renders them; done once per target and shared by the template rules.
import { RenderBudget, renderTemplate, type RenderResult } from '../templates/render.js'
import type { ChatTemplate, ChatTemplates } from './chat-templates.js'
import { tokenStrings, type SpecialToken } from './special-tokens.js'

export interface SmokeConversation {
  /** The roles, as users read them: "system, user, assistant". */
  roles: string
  messages: { role: string; content: string }[]
}

const SYSTEM = 'You are a helpful assistant.'
const USER = 'Hi! What is 2 + 2?'
/** Plain text no template rewrites: where it ends in the output is where the assistant turn ends. */
export const ASSISTANT = '2 + 2 is 4.'
const USER_AGAIN = 'And 3 + 3?'

const conversation = (...roles: ('system' | 'user' | 'assistant' | 'user2')[]): SmokeConversation => ({
  roles: roles.map((r) => (r === 'user2' ? 'user' : r)).join(', '),
  messages: roles.map((r) => ({
    role: r === 'user2' ? 'user' : r,
    content: { system: SYSTEM, user: USER, assistant: ASSISTANT, user2: USER_AGAIN }[r],
  })),
})

/** The five: what a chat endpoint and a fine-tuning set put through the template. */
const SMOKE_CONVERSATIONS: SmokeConversation[] = [
  conversation('user'),
  conversation('system', 'user'),
  conversation('user', 'assistant'),
  conversation('user', 'assistant', 'user2'),
  conversation('system', 'user', 'assistant'),
]

export interface SmokeRender {
  template: ChatTemplate
  conversation: SmokeConversation
  addGenerationPrompt: boolean
  result: RenderResult
}

/** The ten smoke renders of one template share this much time (each may take up to 2 s of it). */
const TEMPLATE_BUDGET_MS = 2000
/** All of a model's templates share this much: a repository with hundreds of slow templates still ends. */
const MODEL_BUDGET_MS = 10_000

/**
 * Every used template that parsed, on every smoke conversation, with add_generation_prompt false and
 * true and no tools. The renders of one template share one time budget (TEMPLATE_BUDGET_MS), all
 * templates one more (MODEL_BUDGET_MS); a template that hits a limit is not rendered again: one slow
 * template must not cost ten times the limit.
 */
export function smokeRenders(
  templates: ChatTemplates,
  tokens: ReadonlyMap<string, SpecialToken>,
): SmokeRender[] {
  const out: SmokeRender[] = []
  const specialTokens = tokenStrings(tokens)
  const model = new RenderBudget(MODEL_BUDGET_MS, "that all of the model's chat templates share")
  for (const template of templates.used) {
    if (!template.compiled.ok) continue
    const budget = new RenderBudget(TEMPLATE_BUDGET_MS, 'that its smoke renders share', model)
    let limited = false
    for (const conv of SMOKE_CONVERSATIONS) {
      for (const addGenerationPrompt of [false, true]) {
        if (limited) continue
        const result = renderTemplate(
          template.compiled.template,
          { messages: conv.messages, add_generation_prompt: addGenerationPrompt, specialTokens },
          { budget },
        )
        if (!result.ok && result.kind === 'limit') limited = true
        out.push({ template, conversation: conv, addGenerationPrompt, result })
      }
    }
  }
  return out
}
