import { fieldIsInteger, MAX_REPLICA_LIMIT } from '../../artifacts/endpoint-body.js'
import { escapePointer } from '../../common/json.js'
import { defineManifestRule } from '../manifest-rule.js'
import { keyName, quote, valueAt, where } from '../utils/manifest.js'

/** Values reported one by one; past this, one finding counts the rest. */
const SHOWN = 50
/** The schema's issues this rule reports (unknown keys are EP102's, missing fields EP104's). */
const REPORTED = new Set(['invalid_type', 'invalid_value', 'too_small', 'too_big'])

/** What a schema expects, in words. */
const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
}

/** A value of the manifest as a message names it. */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return `the string ${quote(value)}`
  if (typeof value === 'number') return `the number ${String(value)}`
  return typeof value === 'boolean' ? String(value) : typeof value
}

/** "1,000,000": a limit in a message. */
const n = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en-US') : String(x))

/** Whether a string holds what the field wants, only quoted: "3" for a whole number, "true" for a boolean. */
function quotedValue(value: string, expected: string): string | undefined {
  const text = value.trim()
  if ((expected === 'int' || expected === 'number') && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) {
    const number = Number(text)
    if (expected === 'number' || Number.isSafeInteger(number)) return String(number)
  }
  if (expected === 'boolean' && (text === 'true' || text === 'false')) return text
  return undefined
}

export default defineManifestRule({
  meta: {
    id: 'EP103',
    name: 'manifest-value',
    description:
      "Require each value of a deployment manifest to have the endpoint call's type and to be within its stated limits",
    severity: 'error',
    reads: ['body'],
    messages: {
      type: {
        text: (d: { key: string; expected: string; got: string }) =>
          `${d.key} must be ${d.expected}; got ${d.got}.`,
        hint: (d: { expected: string }) => `Write ${d.expected} here, as the endpoint call's schema says.`,
      },
      quoted: {
        text: (d: { key: string; expected: string; got: string; bare: string }) =>
          `${d.key} must be ${d.expected}; got ${d.got}, the value in quotes.`,
        hint: (d: { bare: string }) => `Write ${d.bare} without quotes.`,
      },
      unquoted: {
        text: (d: { key: string; got: string; source: string }) =>
          `${d.key} must be a string; got ${d.got}: YAML reads the unquoted ${d.source} as a number.`,
        hint: (d: { source: string }) => `Quote it: "${d.source}".`,
      },
      enum: {
        text: (d: { key: string; values: string; got: string }) =>
          `${d.key} must be one of ${d.values}; got ${d.got}.`,
        hint: () => 'Write one of the values the endpoint call takes, spelled as it is.',
      },
      range: {
        text: (d: { key: string; bound: string; got: string; why: string }) =>
          `${d.key} must be ${d.bound}; got ${d.got}${d.why}.`,
        hint: (d: { key: string }) =>
          d.key.endsWith('maxReplica')
            ? `Set maxReplica to ${MAX_REPLICA_LIMIT} or less.`
            : 'Write a value within the limit the endpoint call states.',
      },
      more: {
        text: (d: { count: number }) =>
          `${d.count.toLocaleString('en-US')} more values of the wrong type or out of range are not listed one by one.`,
        hint: () => "Write each value as the endpoint call's schema says.",
      },
    },
  },
  check({ manifest, report }) {
    if (!manifest) return
    let shown = 0
    let more = 0
    for (const issue of manifest.issues) {
      if (!REPORTED.has(issue.code)) continue
      // A required field that is not there: EP104 says so.
      if (issue.code === 'invalid_type' && valueAt(manifest.value, pointerOf(issue.path)) === undefined)
        continue
      // A list of thousands of broken entries is said in SHOWN findings and a count.
      if (shown >= SHOWN) {
        more++
        continue
      }
      shown++
      const pointer = pointerOf(issue.path)
      const value = valueAt(manifest.value, pointer)
      const key = keyName(pointer) || 'The manifest'
      const at = where(manifest.doc, pointer)
      if (issue.code === 'invalid_type') {
        const wanted =
          issue.expected === 'number' && fieldIsInteger(manifest.body, pointer) ? 'int' : issue.expected
        const expected = EXPECTED[wanted] ?? wanted
        const bare = typeof value === 'string' ? quotedValue(value, wanted) : undefined
        const source = manifest.doc.source(pointer)
        if (bare !== undefined) report('quoted', { key, expected, got: describe(value), bare }, at)
        else if (issue.expected === 'string' && typeof value === 'number' && source !== undefined)
          report('unquoted', { key, got: describe(value), source: source.slice(0, 100) }, at)
        else report('type', { key, expected, got: describe(value) }, at)
      } else if (issue.code === 'invalid_value')
        report('enum', { key, values: issue.values.map(String).join(', '), got: describe(value) }, at)
      else if (issue.code === 'too_small')
        report('range', { key, bound: `at least ${n(issue.minimum)}`, got: describe(value), why: '' }, at)
      else if (issue.code === 'too_big') {
        const why =
          issue.maximum === MAX_REPLICA_LIMIT && key.endsWith('maxReplica')
            ? `: an autoscaling policy scales to at most ${MAX_REPLICA_LIMIT} replicas ("The maximum value is 10.")`
            : ''
        report('range', { key, bound: `at most ${n(issue.maximum)}`, got: describe(value), why }, at)
      }
    }
    if (more > 0) report('more', { count: more }, { path: manifest.doc.path })
  },
})

function pointerOf(path: readonly PropertyKey[]): string {
  return path.length ? `/${path.map((s) => escapePointer(String(s))).join('/')}` : ''
}
