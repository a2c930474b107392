// `--format github`: the CLI's findings as workflow annotation commands, for a team that runs the CLI
// in a `run:` step rather than the action. The annotations are the action's own (planAnnotations: the
// grouped findings, most important first, within GitHub's per-step limits); each is one
// `::error file=…,line=…,col=…,title=…::message` line, escaped as @actions/core escapes them
// (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts) and as the runner undoes
// it (https://github.com/actions/runner/blob/main/src/Runner.Common/ActionCommand.cs, TryParseV2):
// a file name or message from the checked repository cannot end the line, the properties or the
// command, so it can neither add a command nor a property.
import path from 'node:path'
import type { Report } from '../check.js'
import { planAnnotations, type Annotation } from './annotations.js'
import { neutralize } from './command-guard.js'
import { printable, summaryLine } from './text.js'

/** A command's data: `%`, CR and LF escaped (the runner's `_escapeDataMappings`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** A property's value: as data, and `:` (which would end the properties) and `,` (a new property). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

export interface GithubFormatOptions {
  /** The folder the report's paths are relative to: the CLI's working directory. */
  workspace: string
  /** The repository root (its git top-level), which GitHub reads a relative `file=` against. */
  repositoryRoot: string
}

/** One annotation command per line, then the summary line (plain text, defused). */
export function formatGithub(report: Report, options: GithubFormatOptions): string {
  const lines = planAnnotations(report).map((a) => command(a, options))
  lines.push(neutralize(summaryLine(report)))
  return lines.join('\n') + '\n'
}

/** Repository text as it may reach a log or a terminal: one line per line, no controls, inert. */
function inert(text: string): string {
  return neutralize(text.split('\n').map(printable).join('\n'))
}

function command(a: Annotation, { workspace, repositoryRoot }: GithubFormatOptions): string {
  const props: string[] = []
  let prefix = ''
  if (a.file !== undefined) {
    const file = inRepository(path.resolve(workspace, a.file), repositoryRoot)
    if (file !== undefined) {
      props.push(`file=${escapeProperty(printable(file))}`)
      if (a.startLine !== undefined) props.push(`line=${a.startLine}`)
      if (a.startLine !== undefined && a.startColumn !== undefined) props.push(`col=${a.startColumn}`)
    } else {
      // Outside the repository, GitHub cannot show it on a file: the message names it instead.
      prefix = `${a.file}${a.startLine !== undefined ? `:${a.startLine}` : ''}: `
    }
  }
  if (a.title) props.push(`title=${escapeProperty(printable(a.title))}`)
  const info = props.length > 0 ? `${a.level} ${props.join(',')}` : a.level
  return `::${info}::${escapeData(inert(prefix + a.message))}`
}

/**
 * `file` relative to the repository root, POSIX, or undefined when it lies outside. A path whose first
 * character is `=` stays absolute: the runner's property split drops a value's leading `=` (.NET's
 * String.Split with RemoveEmptyEntries), and it makes an absolute path under the workspace relative.
 */
function inRepository(file: string, root: string): string | undefined {
  const rel = path.relative(root, file)
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined
  return rel.startsWith('=') ? file : rel.split(path.sep).join('/')
}
