// A model of how the GitHub Actions runner turns a step's output into workflow commands, after
// actions/runner's src/Runner.Worker/ActionCommandManager.cs (TryProcessCommand) and ActionCommand.cs
// (TryParseV2, TryParse):
// - output is read line by line; CR, LF and CRLF all end a line (StreamReader.ReadLine);
// - `::name props::data` is a command when the line, with leading whitespace trimmed, starts with `::`;
// - the legacy `##[name props]data` is a command wherever `##[` occurs in the line;
// - only registered names are commands; after `::stop-commands::TOKEN`, nothing is processed until a
//   line whose command name is TOKEN (either form) resumes processing;
// - properties are split at `,` (`;` in the legacy form), each at its first run of `=` (.NET's
//   String.Split with RemoveEmptyEntries: leading `=` of a key or a value are dropped), keys compared
//   without case; then properties and data are unescaped (`%0D`, `%0A`, `%3A`, `%2C`, `%25` for
//   properties; `%0D`, `%0A`, `%25` for data), so `props` and `data` are the values the runner uses.
// stdout and stderr both go through the same parser; a test feeds each stream's text.

/** The command names the runner knows (its IActionCommandExtension set, plus stop-commands). */
export const REGISTERED = [
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'debug',
  'notice',
  'warning',
  'error',
  'group',
  'endgroup',
  'echo',
  'add-matcher',
  'remove-matcher',
  'stop-commands',
]

export interface RunnerCommand {
  name: string
  props: Record<string, string>
  data: string
  line: string
}

/** The lines of `text` as the runner reads them. */
export function runnerLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/)
}

function parseV2(line: string, registered: Set<string>): RunnerCommand | undefined {
  // .NET's TrimStart: Unicode whitespace, NEL (U+0085) included, which JavaScript's \s lacks.
  const message = line.replace(/^[\s\u0085]+/, '')
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const info = message.slice(2, end)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return undefined
  const props = space > 0 ? properties(info.slice(space + 1).replace(TRIM, ''), ',', PROPERTY_ESCAPES) : {}
  return { name: name.toLowerCase(), props, data: unescape(message.slice(end + 2), DATA_ESCAPES), line }
}

/** .NET's Trim: Unicode whitespace, NEL included. */
const TRIM = /^[\s\u0085]+|[\s\u0085]+$/g

/** ActionCommand.cs's escape mappings, in the order the runner undoes them (`%25` last). */
const DATA_ESCAPES: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%'],
]
const PROPERTY_ESCAPES: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%'],
]
const LEGACY_ESCAPES: [string, string][] = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%'],
]

function unescape(s: string, escapes: [string, string][]): string {
  return escapes.reduce((acc, [from, to]) => acc.split(from).join(to), s)
}

/**
 * `a=1,b=2` as the runner reads it: pieces split at `separator`, empty ones dropped; each piece's key
 * is its first non-empty part between `=`, its value the rest after the `=` that follow (a piece
 * without both is ignored); a key equal to an earlier one but for case replaces that one's value.
 */
function properties(text: string, separator: string, escapes: [string, string][]): Record<string, string> {
  const props: Record<string, string> = {}
  for (const piece of text.split(separator)) {
    const pair = /^=*([^=]+)=+([^=][^]*)$/.exec(piece)
    if (!pair) continue
    const key = Object.keys(props).find((k) => k.toLowerCase() === pair[1]!.toLowerCase()) ?? pair[1]!
    props[key] = unescape(pair[2]!, escapes)
  }
  return props
}

function parseLegacy(line: string, registered: Set<string>): RunnerCommand | undefined {
  const start = line.indexOf('##[')
  if (start < 0) return undefined
  const close = line.indexOf(']', start)
  if (close < 0) return undefined
  const info = line.slice(start + 3, close)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return undefined
  const props = space > 0 ? properties(info.slice(space + 1), ';', LEGACY_ESCAPES) : {}
  return { name: name.toLowerCase(), props, data: unescape(line.slice(close + 1), LEGACY_ESCAPES), line }
}

/**
 * The commands the runner would execute for this output, in order. `stop-commands` and the resume
 * line are returned too (as names 'stop-commands' and 'resume'), so a test can see the guard work.
 */
export function executedCommands(output: string): RunnerCommand[] {
  const registered = new Set(REGISTERED)
  let stopToken: string | undefined
  const out: RunnerCommand[] = []
  for (const line of runnerLines(output)) {
    if (!line) continue
    const cmd = parseV2(line, registered) ?? parseLegacy(line, registered)
    if (!cmd) continue
    if (stopToken !== undefined) {
      if (cmd.name === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase())
        stopToken = undefined
        out.push({ ...cmd, name: 'resume' })
      }
      continue
    }
    if (cmd.name === 'stop-commands') {
      stopToken = cmd.data
      registered.add(stopToken.toLowerCase())
    }
    out.push(cmd)
  }
  return out
}
