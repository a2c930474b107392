/**
 * The grid of conversations chat templates are rendered over: by the differential test against Python Jinja2,
 * by the template rules' tests and by the bench. Plain turns, list-valued content, tool calls with `content: null`
 * or without a `content` key, tool results, tool schemas, empty and non-ASCII content, each with
 * add_generation_prompt true and false where it matters.
 */

import fs from 'node:fs'
import path from 'node:path'
import { SPECIAL_TOKEN_KEYS, tokenContent } from '../../src/artifacts/special-tokens.js'

export interface GridConversation {
  /** Stable, unique name (used in known-differences.json). */
  readonly id: string
  readonly messages: unknown[]
  readonly add_generation_prompt: boolean
  /** JSON-schema tool list, as transformers passes it; absent = None. */
  readonly tools?: unknown[]
  /** RAG documents; absent = None. */
  readonly documents?: unknown[]
}

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a city.',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'The city, e.g. Paris' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'], description: 'Temperature unit' },
      },
      required: ['city'],
    },
  },
}

const searchTool = {
  type: 'function',
  function: {
    name: 'search',
    description: 'Search the web.',
    parameters: {
      type: 'object',
      properties: { query: { type: 'string', description: 'What to look for' }, limit: { type: 'integer' } },
      required: ['query'],
    },
  },
}

const toolCall = {
  type: 'function',
  id: 'call_1',
  function: { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
}
const toolCallStringArgs = {
  type: 'function',
  id: 'call_2',
  function: { name: 'search', arguments: '{"query": "Seoul population", "limit": 3}' },
}

const sys = { role: 'system', content: 'You are a helpful assistant.' }
const u1 = { role: 'user', content: 'Hello, how are you?' }
const a1 = { role: 'assistant', content: "I'm doing great. How can I help you today?" }
const u2 = { role: 'user', content: 'What is the capital of France?' }
const a2 = { role: 'assistant', content: 'The capital of France is Paris.' }

const base: Array<Omit<GridConversation, 'add_generation_prompt'> & { both?: boolean; agp?: boolean }> = [
  // the five smoke conversations
  { id: 'user', messages: [u1], both: true },
  { id: 'system-user', messages: [sys, u1], both: true },
  { id: 'user-assistant', messages: [u1, a1], agp: false },
  { id: 'user-assistant-user', messages: [u1, a1, u2], both: true },
  { id: 'system-user-assistant', messages: [sys, u1, a1], agp: false },
  // multi-turn
  {
    id: 'multi-turn',
    messages: [sys, u1, a1, u2, a2, { role: 'user', content: 'And of Germany?' }],
    agp: true,
  },
  // odd shapes
  { id: 'user-user', messages: [u1, u2], agp: true },
  { id: 'assistant-first', messages: [a1, u1], agp: true },
  { id: 'empty-content', messages: [{ role: 'user', content: '' }], agp: true },
  {
    id: 'non-ascii',
    messages: [
      { role: 'system', content: "Réponds en français, s'il te plaît. 🇫🇷" },
      { role: 'user', content: '日本語で「こんにちは」と言って。Ünïcödé ✓ 😀' },
      { role: 'assistant', content: 'こんにちは！ 😀' },
    ],
    agp: false,
  },
  {
    id: 'whitespace-content',
    messages: [
      { role: 'user', content: '  line one\n\tline two  \n' },
      { role: 'assistant', content: '\nanswer\n' },
    ],
    agp: false,
  },
  // list-valued content
  {
    id: 'list-text-parts',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe this.' }] }],
    both: true,
  },
  {
    id: 'list-image-text',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', url: 'https://example.com/cat.png' },
          { type: 'text', text: 'What is in the image?' },
        ],
      },
    ],
    agp: true,
  },
  {
    id: 'list-image-url-part',
    messages: [
      sys,
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare:' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'They look alike.' }] },
    ],
    agp: false,
  },
  {
    id: 'list-system-and-assistant',
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }] },
    ],
    agp: false,
  },
  // tools
  { id: 'tools-schema', messages: [u2], tools: [weatherTool, searchTool], both: true },
  { id: 'tools-schema-system', messages: [sys, u2], tools: [weatherTool], agp: true },
  {
    id: 'tool-call-content-null',
    messages: [
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [toolCall] },
      { role: 'tool', tool_call_id: 'call_1', name: 'get_weather', content: '{"temperature": 21}' },
    ],
    tools: [weatherTool],
    both: true,
  },
  {
    id: 'tool-call-no-content-key',
    messages: [
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', tool_calls: [toolCall] },
      { role: 'tool', tool_call_id: 'call_1', name: 'get_weather', content: '{"temperature": 21}' },
    ],
    tools: [weatherTool],
    agp: true,
  },
  {
    id: 'tool-call-with-content',
    messages: [
      sys,
      { role: 'user', content: 'Search for the population of Seoul.' },
      { role: 'assistant', content: 'Let me search.', tool_calls: [toolCallStringArgs] },
      { role: 'tool', tool_call_id: 'call_2', name: 'search', content: 'About 9.4 million people.' },
      { role: 'assistant', content: 'Seoul has about 9.4 million people.' },
    ],
    tools: [searchTool],
    agp: false,
  },
  {
    id: 'two-tool-calls',
    messages: [
      { role: 'user', content: 'Weather in Paris and search Seoul.' },
      { role: 'assistant', content: '', tool_calls: [toolCall, toolCallStringArgs] },
      { role: 'tool', tool_call_id: 'call_1', name: 'get_weather', content: '{"temperature": 21}' },
      { role: 'tool', tool_call_id: 'call_2', name: 'search', content: 'About 9.4 million.' },
    ],
    tools: [weatherTool, searchTool],
    agp: true,
  },
  {
    id: 'tool-message-no-tools',
    messages: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: null, tool_calls: [toolCall] },
      { role: 'tool', content: 'sunny' },
    ],
    agp: true,
  },
  // reasoning traces and documents
  {
    id: 'reasoning-content',
    messages: [
      u2,
      {
        role: 'assistant',
        content: 'Paris.',
        reasoning_content: 'The user asks about France; its capital is Paris.',
      },
      { role: 'user', content: 'Thanks!' },
    ],
    agp: true,
  },
  {
    id: 'think-in-content',
    messages: [u2, { role: 'assistant', content: '<think>\nEasy one.\n</think>\n\nParis.' }],
    agp: false,
  },
  {
    id: 'documents',
    messages: [{ role: 'user', content: 'Summarise the document.' }],
    documents: [{ title: 'Note', text: 'Paris is the capital of France.' }],
    agp: true,
  },
  { id: 'empty-messages', messages: [], agp: true },
]

export const conversations: readonly GridConversation[] = base.flatMap(({ both, agp, ...c }) =>
  both
    ? [
        { ...c, id: `${c.id}+gen`, add_generation_prompt: true },
        { ...c, id: c.id, add_generation_prompt: false },
      ]
    : [{ ...c, id: agp ? `${c.id}+gen` : c.id, add_generation_prompt: agp ?? false }],
)

// ---------------------------------------------------------------------------------------------------------------
// The template corpus (../shared/corpus beside the checkout, when present), shared by the differential test and the bench.

export interface CorpusTemplate {
  /** Corpus-relative id: `templates/llama.cpp/x.jinja`, `models/<repo>/tokenizer_config.json#tool_use`, ... */
  readonly id: string
  readonly source: string
  /** Special tokens as transformers would pass them (strings only, those that are set). */
  readonly specialTokens: Record<string, string>
}

/** Tokens given to standalone template files, which come without a tokenizer. */
export const DEFAULT_SPECIAL_TOKENS: Readonly<Record<string, string>> = {
  bos_token: '<s>',
  eos_token: '</s>',
  unk_token: '<unk>',
  pad_token: '<pad>',
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function tokensOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const sources = [
    readJson(path.join(dir, 'tokenizer_config.json')),
    readJson(path.join(dir, 'special_tokens_map.json')),
  ]
  for (const src of sources) {
    if (!src) continue
    for (const key of SPECIAL_TOKEN_KEYS) {
      const content = tokenContent(src[key])
      if (content !== undefined) out[key] = content
    }
  }
  return out
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
}

/** Every chat template of the corpus (templates/** files and the models' tokenizer files), in a stable order. */
export function loadCorpusTemplates(corpusRoot: string): CorpusTemplate[] {
  const out: CorpusTemplate[] = []
  const rel = (f: string): string => path.relative(corpusRoot, f).split(path.sep).join('/')
  for (const file of walk(path.join(corpusRoot, 'templates'))) {
    if (file.endsWith('.jinja')) {
      out.push({
        id: rel(file),
        source: fs.readFileSync(file, 'utf8'),
        specialTokens: { ...DEFAULT_SPECIAL_TOKENS },
      })
    } else if (file.endsWith('.json')) {
      const ct = readJson(file)?.chat_template
      if (typeof ct === 'string')
        out.push({ id: rel(file), source: ct, specialTokens: { ...DEFAULT_SPECIAL_TOKENS } })
    }
  }
  const modelsDir = path.join(corpusRoot, 'models')
  for (const model of fs.readdirSync(modelsDir).sort()) {
    const dir = path.join(modelsDir, model)
    if (!fs.statSync(dir).isDirectory()) continue
    const specialTokens = tokensOf(dir)
    const tc = path.join(dir, 'tokenizer_config.json')
    const ct = readJson(tc)?.chat_template
    if (typeof ct === 'string') out.push({ id: rel(tc), source: ct, specialTokens })
    else if (Array.isArray(ct))
      for (const entry of ct as Array<{ name?: unknown; template?: unknown }>)
        if (typeof entry?.template === 'string')
          out.push({ id: `${rel(tc)}#${String(entry.name)}`, source: entry.template, specialTokens })
    const jinja = path.join(dir, 'chat_template.jinja')
    if (fs.existsSync(jinja))
      out.push({ id: rel(jinja), source: fs.readFileSync(jinja, 'utf8'), specialTokens })
    const json = path.join(dir, 'chat_template.json')
    const jct = readJson(json)?.chat_template
    if (typeof jct === 'string') out.push({ id: rel(json), source: jct, specialTokens })
  }
  return out
}
