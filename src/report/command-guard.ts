// Keeps text from the checked repository from becoming a workflow command. The runner reads every
// line a step prints, on stdout and stderr, and runs `::name::data` at the start of a line (after
// whitespace) and the legacy `##[name]data` anywhere in a line; CR alone ends a line too (see
// https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs). A pull request
// controls file names, JSON values, templates and rows, so anything it writes could otherwise add
// annotations, mask the log, stop the action's own commands or set the step's outputs.
//
// Two tools: `pauseCommands` (the action) stops command processing for the whole run with a random
// token, and resumes it only around the action's own, escaped commands; `neutralize` /
// `neutralizeJson` (the CLI in a workflow step) defuse the text itself, for output a guard cannot wrap.
import { randomUUID } from 'node:crypto'
import { format } from 'node:util'

/** A zero-width space: splits `::` and `##[` so the runner's parser no longer sees them. */
const ZWSP = '\u200b'

/**
 * `::` at the start of a line, after the whitespace .NET's TrimStart removes (Unicode spaces, and NEL,
 * U+0085, which JavaScript's \s lacks).
 */
const LINE_START_COMMAND = /(^|[\r\n])((?:[^\S\r\n]|\u0085)*)::/g

/** `text` with every would-be command defused: `::` opening a line and `##[` anywhere get a ZWSP. */
export function neutralize(text: string): string {
  return text
    .replace(/##\[/g, `#${ZWSP}#[`)
    .replace(LINE_START_COMMAND, (_m, eol: string, space: string) => `${eol}${space}:${ZWSP}:`)
}

/**
 * A JSON document with `##[` written as `#\u0023[`: the same value to any JSON parser, inert to the
 * runner. JSON's own escaping keeps CR and LF out of strings, and no JSON line starts with `::`.
 */
export function neutralizeJson(json: string): string {
  return json.replace(/##\[/g, '#\\u0023[')
}

export interface CommandPause {
  /** Runs `emit` with commands resumed: only for the action's own commands, escaped by @actions/core. */
  ownCommands<T>(emit: () => T): T
  /**
   * Runs `work` with commands resumed until it settles: only for a trusted library that issues commands
   * of its own (@actions/artifact masks the signed URLs its debug lines show), and only once nothing
   * prints the checked repository's text any more.
   */
  ownCommandsWhile<T>(work: () => Promise<T>): Promise<T>
  /** Resumes command processing for good, at the end of the run. */
  end(): void
}

/**
 * Stops the runner's command processing until `end()`: every line printed meanwhile, by us or by a
 * library, is plain text. The token is random per pause, so repository text cannot guess it to resume.
 * If the process dies while paused, the step's remaining output stays inert, which is the safe side.
 */
export function pauseCommands(write: (s: string) => void): CommandPause {
  let token = randomUUID()
  write(`::stop-commands::${token}\n`)
  return {
    ownCommands(emit) {
      write(`::${token}::\n`)
      try {
        return emit()
      } finally {
        token = randomUUID()
        write(`::stop-commands::${token}\n`)
      }
    },
    async ownCommandsWhile(work) {
      write(`::${token}::\n`)
      try {
        return await work()
      } finally {
        token = randomUUID()
        write(`::stop-commands::${token}\n`)
      }
    },
    end() {
      write(`::${token}::\n`)
    },
  }
}

/**
 * Sends what libraries print (console.*, process.emitWarning) through `neutralize` to stderr, for
 * the CLI in a workflow step, where no pause wraps the run. Returns a function that restores them.
 */
export function defuseLibraryOutput(write: (s: string) => void = (s) => process.stderr.write(s)): () => void {
  const saved = {
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
    debug: console.debug,
  }
  const emitWarning = Object.getOwnPropertyDescriptor(process, 'emitWarning')
  const print = (...args: unknown[]) => write(neutralize(format(...args)) + '\n')
  console.log = console.info = console.warn = console.error = console.debug = print
  process.emitWarning = (warning: string | Error) =>
    print(`Warning: ${warning instanceof Error ? warning.message : String(warning)}`)
  return () => {
    Object.assign(console, {
      log: saved.log,
      info: saved.info,
      warn: saved.warn,
      error: saved.error,
      debug: saved.debug,
    })
    if (emitWarning) Object.defineProperty(process, 'emitWarning', emitWarning)
  }
}
