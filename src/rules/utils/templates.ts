import type { ChatTemplate } from '../../artifacts/chat-templates.js'
import type { Location } from '../../common/finding.js'

/** How users know a template: its file, and its name when it is one of several. */
export function describeTemplate(t: ChatTemplate): string {
  const where = t.inJson ? `"chat_template" in ${t.path}` : t.path
  return t.name === 'default' ? `the chat template (${where})` : `the "${t.name}" chat template (${where})`
}

/**
 * Where a finding about one line of a template goes. In a .jinja file the line is the file's own; a
 * template inside a JSON string has no line of its own in the file, so the finding stays on the
 * "chat_template" value and the message names the line inside the template (`inTemplate`).
 */
export function templateLine(
  t: ChatTemplate,
  line: number | undefined,
  column?: number,
): { location: Location; inTemplate: string } {
  if (line === undefined) return { location: t.location, inTemplate: '' }
  if (!t.inJson) return { location: { path: t.path, line, ...(column ? { column } : {}) }, inTemplate: '' }
  return { location: t.location, inTemplate: ` (line ${line} of the template)` }
}

/** The 1-based line of the template where `needle` first appears, if it does. */
export function lineOf(source: string, needle: string): number | undefined {
  const text = source.replace(/\r\n?/g, '\n')
  const i = text.indexOf(needle)
  return i < 0 ? undefined : text.slice(0, i).split('\n').length
}

export function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s
}
