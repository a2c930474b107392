import { defineDatasetRule } from '../dataset-rule.js'
import { jsonType } from '../../artifacts/json-document.js'
import { isObject } from '../../common/json.js'

/** Friendli's roles and content parts (the Message and content-part models of https://github.com/friendliai/friendli-python). */
const ROLES = ['system', 'user', 'assistant', 'tool']
const PART_TYPES = ['text', 'image_url', 'image', 'audio_url', 'video_url']
const IMAGE_DATA = /^data:image\/(png|jpeg|jpg|gif);base64,/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

type Kind = 'messages' | 'role' | 'content' | 'part' | 'image' | 'tool'
interface Problem {
  kind: Kind
  detail: string
}

/** A value quoted in a message, cut so one wrong row cannot put a page of text in a finding. */
const short = (s: string | undefined) => (s && s.length > 60 ? `${s.slice(0, 57)}...` : (s ?? 'undefined'))

/** Why a URL or data URL is not an image Friendli takes, or undefined when it is one. */
export function imageProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string') return `"${field}" is ${jsonType(value)}, not a URL string`
  if (value.startsWith('data:')) {
    if (!IMAGE_DATA.test(value))
      return `"${field}" is a data URL of ${value.slice(5, value.indexOf(';') > 0 ? value.indexOf(';') : 30) || 'no type'}; only base64 PNG, JPEG or GIF data URLs are taken`
    const data = value.slice(value.indexOf(',') + 1)
    if (data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data))
      return `"${field}" is not valid base64`
    return undefined
  }
  if (/^s3:\/\/[^/\s]+\/\S+/.test(value)) return undefined
  try {
    const url = new URL(value)
    if (url.protocol === 'http:' || url.protocol === 'https:') return undefined
  } catch {
    // fall through
  }
  return `"${field}" must be a valid HTTP URL or S3 URL; got "${short(value)}"`
}

function partProblems(part: unknown, where: string, role: string): Problem[] {
  if (!isObject(part))
    return [{ kind: 'part', detail: `${where} is ${jsonType(part)}, not a content part object` }]
  const type = part.type
  if (typeof type !== 'string' || !PART_TYPES.includes(type))
    return [
      {
        kind: 'part',
        detail: `${where} has type ${JSON.stringify(type ?? null)}; parts are ${PART_TYPES.join(', ')}`,
      },
    ]
  if (type === 'text')
    return typeof part.text === 'string'
      ? []
      : [{ kind: 'part', detail: `${where} is a text part without a "text" string` }]
  if (role !== 'user')
    return [
      {
        kind: 'part',
        detail: `${where} is a ${type} part in a ${role} message; only user messages may carry images, audio or video`,
      },
    ]
  const value = part[type]
  const url =
    type === 'image'
      ? value
      : typeof value === 'string' && type === 'image_url'
        ? value
        : isObject(value)
          ? value.url
          : undefined
  const field = type === 'image' ? 'image' : 'url'
  if (type === 'image' || type === 'image_url') {
    const p = imageProblem(url, field)
    return p ? [{ kind: 'image', detail: `${where}: ${p}` }] : []
  }
  return typeof url === 'string' && /^(https?|s3):\/\//.test(url)
    ? []
    : [{ kind: 'part', detail: `${where} needs "${type}": {"url": "<http(s) or s3 URL>"}` }]
}

/** Every problem of one row's messages, in order. */
function messageProblems(messages: unknown): Problem[] {
  if (!Array.isArray(messages))
    return [{ kind: 'messages', detail: `"messages" is ${jsonType(messages)}, not a list` }]
  if (messages.length === 0) return [{ kind: 'messages', detail: '"messages" is an empty list' }]
  const out: Problem[] = []
  messages.forEach((m: unknown, i) => {
    const at = `message ${i + 1}`
    if (!isObject(m)) return out.push({ kind: 'messages', detail: `${at} is ${jsonType(m)}, not an object` })
    const role = m.role
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      out.push({
        kind: 'role',
        detail: `${at} has role ${role === undefined ? '(none)' : short(JSON.stringify(role))}; roles are ${ROLES.join(', ')}`,
      })
      return
    }
    const where = `${at} (${role})`
    const content = m.content
    const toolCalls = m.tool_calls
    if (role === 'assistant' && (content === null || content === undefined)) {
      if (!Array.isArray(toolCalls) || toolCalls.length === 0)
        out.push({
          kind: 'content',
          detail: `${where} has no content and no tool_calls; content may be null only with tool_calls`,
        })
    } else if (Array.isArray(content)) {
      content.forEach((part: unknown, j) =>
        out.push(...partProblems(part, `part ${j + 1} of ${where}`, role)),
      )
    } else if (typeof content !== 'string') {
      out.push({
        kind: 'content',
        detail: `${where} has content ${content === undefined ? '(none)' : jsonType(content)}; it must be a string or a list of parts`,
      })
    }
    if (role === 'tool' && (typeof m.tool_call_id !== 'string' || m.tool_call_id === ''))
      out.push({ kind: 'tool', detail: `${where} has no "tool_call_id" naming the call it answers` })
    if (toolCalls !== undefined && toolCalls !== null) {
      if (role !== 'assistant')
        out.push({ kind: 'tool', detail: `${where} has tool_calls; only assistant messages make calls` })
      else if (!Array.isArray(toolCalls))
        out.push({
          kind: 'tool',
          detail: `${where} has tool_calls that is ${jsonType(toolCalls)}, not a list`,
        })
      else
        toolCalls.forEach((call: unknown, j) => {
          const fn = isObject(call) ? call.function : undefined
          const c = `tool call ${j + 1} of ${where}`
          if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '')
            return out.push({ kind: 'tool', detail: `${c} has no "function": {"name", "arguments"}` })
          if (typeof fn.arguments !== 'string')
            return out.push({
              kind: 'tool',
              detail: `${c}: "arguments" is ${jsonType(fn.arguments)}; it must be a JSON string (json.dumps of the arguments)`,
            })
          try {
            JSON.parse(fn.arguments)
          } catch {
            out.push({ kind: 'tool', detail: `${c}: "arguments" is not valid JSON` })
          }
        })
    }
  })
  return out
}

const hint =
  'Follow Friendli\'s message format: {"role": "system" | "user" | "assistant" | "tool", "content": "…"}, lists of parts on user messages only for images, audio and video, tool_calls on assistant messages, tool_call_id on tool messages.'
const message = (what: string) => ({
  text: (d: { detail: string }) => `${what}: ${d.detail}.`,
  hint: () => hint,
})

/** Past this many problems in one row, the rest are counted, not listed. */
const PER_ROW = 3

export default defineDatasetRule({
  meta: {
    id: 'DS202',
    name: 'message-schema',
    description: "Require every message to follow Friendli's role, content, part and tool-call format",
    severity: 'error',
    inputs: ['rows'],
    messages: {
      messages: message('Invalid messages'),
      role: message('Unknown role'),
      content: message('Invalid content'),
      part: message('Invalid content part'),
      image: message('Invalid image'),
      tool: message('Invalid tool message'),
    },
  },
  create({ report }) {
    return {
      row(r) {
        if (!isObject(r.value) || !('messages' in r.value)) return // missing-messages / invalid-row
        const problems = messageProblems(r.value.messages)
        problems.slice(0, PER_ROW).forEach((p, i) => {
          const more =
            i === PER_ROW - 1 && problems.length > PER_ROW
              ? ` (and ${problems.length - PER_ROW} more in this row)`
              : ''
          report(p.kind, { detail: p.detail + more }, r.location)
        })
      },
    }
  },
})
