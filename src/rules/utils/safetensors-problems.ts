// A rule that reports safetensors problems keeps one table keyed by problem code: for each code the
// message id its findings carry, the text and the hint. The rule's messages are made from that table,
// each with the severity the artifact gives the problem (SAFETENSORS_PROBLEM_SEVERITY), and the types
// tie each code to the data its message reads, so the report needs no cast.
import { plural } from '../../common/wording.js'
import {
  SAFETENSORS_PROBLEM_SEVERITY,
  type SafetensorsProblem,
  type SafetensorsProblemCode,
} from '../../artifacts/safetensors.js'
import type { MessageSpec } from '../model-rule.js'

type Code = SafetensorsProblemCode

/** A problem as its message reads it: the problem's own fields and the path of its file. */
type ProblemData<C extends Code> = Extract<SafetensorsProblem, { code: C }> & { file: string }

interface ProblemRow<C extends Code> {
  /** The message id of the findings (`tooSmall`), as tests and the docs name them. */
  message: string
  text: (d: ProblemData<C>) => string
  hint: (d: ProblemData<C>) => string
}

type ProblemTable = { readonly [C in Code]?: ProblemRow<C> }

/** The codes a table has a row for. */
type CodeOf<T extends ProblemTable> = keyof T & Code

/** The rule's messages, by message id. */
type MessagesOf<T extends ProblemTable> = {
  [C in CodeOf<T> as T[C] extends { message: infer K extends string } ? K : never]: MessageSpec<
    ProblemData<C>
  >
}

/** The table itself, with each message id kept as its literal type. */
export function problemTable<const T extends ProblemTable>(table: T): T {
  return table
}

/** The messages of a rule, from its table, in the table's order. */
export function problemMessages<T extends ProblemTable>(table: T): MessagesOf<T> {
  const messages: Record<string, MessageSpec<never>> = {}
  for (const code of Object.keys(table) as Code[]) {
    const row = table[code]
    if (row)
      messages[row.message] = { text: row.text, hint: row.hint, severity: SAFETENSORS_PROBLEM_SEVERITY[code] }
  }
  return messages as MessagesOf<T>
}

/** Whether the table has a row for the problem, narrowing it to the codes the table reports. */
export function hasRow<T extends ProblemTable>(
  table: T,
  problem: SafetensorsProblem,
): problem is Extract<SafetensorsProblem, { code: CodeOf<T> }> {
  return Object.hasOwn(table, problem.code)
}

/**
 * The message for problems of one kind past the per-header cap (MR301 and MR302 share it): counted,
 * not listed. `hint` says what fixes them for that rule.
 */
export function omittedProblemsMessage(hint: string) {
  return {
    severity: 'info' as const,
    text: (d: { file: string; count: number; code: string; limit: number }) =>
      `${d.file} has ${plural(d.count, 'more problem')} of the kind "${d.code}" past the ${d.limit.toLocaleString('en-US')} reported: they were counted, not listed one by one.`,
    hint: () => hint,
  }
}
