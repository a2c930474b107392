// The noUncheckedIndexedAccess ratchet. With the flag on, `xs[i]` and `record[key]` are typed
// `T | undefined`, so a missing element must be handled where it is read: the class of bug behind
// "Cannot read properties of undefined" on hostile input. Turning it on for the whole project at once
// means some 300 edits, most in tests; instead, folders adopt it one at a time. This script type-checks
// the whole program with the flag on and fails on any diagnostic inside a folder listed in DONE, so a
// folder that has adopted it cannot slip back. To adopt a folder: add it to DONE, run
// `npx tsx scripts/check-indexed-access.ts`, and handle each reported access (a real check where the
// element can be missing; `!` only where an invariant guarantees it, with the invariant in a comment
// nearby). When every folder is listed, set the flag in tsconfig.json and delete this script.
//
// Plan, smallest to largest (counts of accesses to handle when this was written):
//   done: src/common, src/templates, src/report, src/engine, src/settings.ts, src/sources,
//         src/check.ts, src/check-dataset.ts, src/main.ts, src/cli.ts, eslint-rules
//   next: src/readers (14), src/artifacts (23), src/rules (48), scripts (10), bench (30), __tests__ (171)
import path from 'node:path'
import ts from 'typescript'

export const DONE = [
  'src/common/',
  'src/templates/',
  'src/report/',
  'src/engine/',
  'src/sources/',
  'src/github/',
  'src/settings.ts',
  'src/discover.ts',
  'src/scope.ts',
  'src/check.ts',
  'src/check-dataset.ts',
  'src/shard-state.ts',
  'src/merge-reports.ts',
  'src/main.ts',
  'src/cli.ts',
  'src/cli-bin.ts',
  'src/index.ts',
]

const root = path.resolve(import.meta.dirname, '..')

/** Diagnostics with the flag on, in files of DONE, as "file:line:col message" lines. */
export function indexedAccessProblems(done: readonly string[] = DONE): string[] {
  const configPath = path.join(root, 'tsconfig.json')
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  const program = ts.createProgram(parsed.fileNames, {
    ...parsed.options,
    noUncheckedIndexedAccess: true,
    noEmit: true,
  })
  const out: string[] = []
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (!d.file || d.start === undefined) continue
    const rel = path.relative(root, d.file.fileName).split(path.sep).join('/')
    if (!done.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p))) continue
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
    out.push(`${rel}:${line + 1}:${character + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
  }
  return out
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const problems = indexedAccessProblems()
  for (const p of problems) console.log(p)
  console.log(
    problems.length === 0
      ? `noUncheckedIndexedAccess: clean in ${DONE.length} adopted paths`
      : `noUncheckedIndexedAccess: ${problems.length} unchecked accesses in adopted paths (see the comment at the top of scripts/check-indexed-access.ts)`,
  )
  process.exit(problems.length === 0 ? 0 : 1)
}
