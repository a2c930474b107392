// "The model is wrong" is a Finding; these two are "we could not check", which exits 2 and is never
// mixed up with a finding about the model.

/** The user asked for something we cannot do: a bad flag, input or config file. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** We could not read the target: a missing folder, an unreadable file, a network or access failure. */
export class SourceError extends Error {
  override name = 'SourceError'
}

export function isCheckError(error: unknown): error is UsageError | SourceError {
  return error instanceof UsageError || error instanceof SourceError
}

/** One line for a human, never a stack trace. */
export function describeError(error: unknown): string {
  if (isCheckError(error)) return error.message
  if (error instanceof Error) return `internal error: ${error.message}`
  return `internal error: ${String(error)}`
}
